"""An expression written back in the language, for messages: `50% van loonkosten`.

Checker messages quote what the policy writer wrote; a node class name (`binary`) means nothing
to a lawyer. Every expression kind has a case here; an unknown one is a fault of the compiler and
fails loudly.
"""

from __future__ import annotations

from decimal import Decimal

from . import nodes as n
from .vocabulary import ROUNDING_MODES, ROUNDING_TARGETS, UNITS

# How tightly each operator binds, as in the grammar: a lower operand gets parentheses.
_LEVEL = {"tenzij": 1, "of": 2, "en": 3, "plus": 8, "min": 8, "maal": 9, "deel": 9, "van": 9}
_NOT, _COMPARISON, _ROUND, _BOUND, _UNARY, _ATOM = 4, 5, 6, 7, 10, 11
_ARITH = {"plus": "+", "min": "-", "maal": "×", "deel": "/", "van": "van"}


def number(value: Decimal) -> str:
    """A number as the language writes it: 1.234,56 (no exponent, however small or large)."""
    sign = "-" if value < 0 else ""
    text = f"{value.copy_abs():f}"  # copy_abs: no context, so never rounded
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    out = ".".join([whole, *groups])
    return sign + out + ("," + fraction if fraction else "")


def _unit(spec: n.UnitSpec | None) -> str:
    if spec is None:
        return ""
    return f" {spec.word}" + (f" per {spec.per}" if spec.per else "")


def _level(e: n.Expr) -> int:
    if isinstance(e, n.Binary):
        return _LEVEL.get(e.op, _COMPARISON)
    if isinstance(e, n.Not):
        return _NOT
    if isinstance(e, n.Membership):
        return _COMPARISON
    if isinstance(e, n.Round):
        return _ROUND
    if isinstance(e, n.Bound):
        return _BOUND
    if isinstance(e, n.Negate):
        return _UNARY
    return _ATOM


def _operand(e: n.Expr, at_least: int) -> str:
    text = source(e)
    return f"({text})" if _level(e) < at_least else text


def source(e: n.Expr) -> str:
    """The expression as it would be written in a .regel file."""
    match e:
        case n.Number(percent=True):
            return number((e.value * 100).normalize()) + "%"
        case n.Number():
            return number(e.value) + _unit(e.unit)
        case n.Money():
            return f"€ {number(e.value)}" + (f" per {e.per}" if e.per else "")
        case n.DateLit():
            return e.value.strftime("%d-%m-%Y")
        case n.TextLit():
            return f'"{e.value}"'
        case n.BoolLit():
            return "ja" if e.value else "nee"
        case n.Peildatum():
            return "peildatum"
        case n.Name():
            return e.name
        case n.QualName():
            return f"{e.regulation}.{e.name}"
        case n.Not():
            return f"niet {_operand(e.operand, _NOT)}"
        case n.Negate():
            return f"-{_operand(e.operand, _UNARY)}"
        case n.Binary(op=op) if op in _LEVEL:
            level = _LEVEL[op]
            word = _ARITH.get(op, op)
            return f"{_operand(e.left, level)} {word} {_operand(e.right, level + 1)}"
        case n.Binary():
            word = e.word or e.op
            return f"{_operand(e.left, _ROUND)} {word} {_operand(e.right, _ROUND)}"
        case n.Membership():
            verb = "is niet een van" if e.negated else "is een van"
            options = ", ".join(_operand(o, _ATOM) for o in e.options)
            return f"{_operand(e.value, _ROUND)} {verb} {options}"
        case n.Bound():
            return f"{_operand(e.value, _BOUND)} met een {e.kind} van {_operand(e.limit, 8)}"
        case n.Extreme():
            return f"{e.kind} van ({', '.join(source(a) for a in e.args)})"
        case n.Round():
            target = f"op {ROUNDING_TARGETS[e.target].words} " if e.target else ""
            mode = ROUNDING_MODES[e.mode].words
            return f"{_operand(e.value, _BOUND)} afgerond {target}{mode}"
        case n.Age():
            return f"leeftijd van {_operand(e.birth, _ATOM)} op {_operand(e.on, _ATOM)}"
        case n.Between():
            unit = UNITS[e.unit].words[-1]  # the plural the grammar has: maanden, jaren
            return f"{unit} van {_operand(e.start, _ATOM)} tot {_operand(e.end, _ATOM)}"
        case n.Choice():
            parts = [f"{source(v)} als {source(c)}" for v, c in e.branches]
            if e.otherwise is not None:
                parts.append(f"anders {source(e.otherwise)}")
            return "; ".join(parts)
    raise TypeError(f"geen schrijfwijze voor {type(e).__name__}")
