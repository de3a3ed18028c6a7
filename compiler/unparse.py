"""An expression written back in the language, for messages: `50% van loonkosten`.

Checker messages quote what the policy writer wrote; a node class name (`binary`) means nothing
to a lawyer. Every expression kind has a method here; an unknown one is a fault of the compiler
and fails loudly (`visitor.py`).
"""

from __future__ import annotations

from decimal import Decimal

from . import nodes as n
from .visitor import ExprVisitor
from .vocabulary import AGGREGATES, ROUNDING_MODES, ROUNDING_TARGETS, UNITS

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
    return f" {spec.word}" + "".join(f" per {p}" for p in spec.per)


def _level(e: n.Expr) -> int:
    if isinstance(e, n.Binary):
        return _LEVEL.get(e.op, _COMPARISON)
    if isinstance(e, n.Not):
        return _NOT
    if isinstance(e, n.Membership | n.Empty):
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
    return _SOURCE.visit(e)


class Source(ExprVisitor[str]):
    """Each kind of expression as the language writes it."""

    def visit_Number(self, e: n.Number) -> str:
        if e.percent:
            return number((e.value * 100).normalize()) + "%"
        return number(e.value) + _unit(e.unit)

    def visit_Money(self, e: n.Money) -> str:
        return f"€ {number(e.value)}" + "".join(f" per {p}" for p in e.per)

    def visit_DateLit(self, e: n.DateLit) -> str:
        return e.value.strftime("%d-%m-%Y")

    def visit_ClockLit(self, e: n.ClockLit) -> str:
        return e.value.strftime("%H:%M")

    def visit_TextLit(self, e: n.TextLit) -> str:
        return f'"{e.value}"'

    def visit_BoolLit(self, e: n.BoolLit) -> str:
        return "ja" if e.value else "nee"

    def visit_Peildatum(self, e: n.Peildatum) -> str:
        return "peildatum"

    def visit_Name(self, e: n.Name) -> str:
        return e.name

    def visit_QualName(self, e: n.QualName) -> str:
        return f"{e.regulation}.{e.name}"

    def visit_Not(self, e: n.Not) -> str:
        return f"niet {_operand(e.operand, _NOT)}"

    def visit_Negate(self, e: n.Negate) -> str:
        return f"-{_operand(e.operand, _UNARY)}"

    def visit_Binary(self, e: n.Binary) -> str:
        if e.op in _LEVEL:
            level = _LEVEL[e.op]
            word = _ARITH.get(e.op, e.op)
            return f"{_operand(e.left, level)} {word} {_operand(e.right, level + 1)}"
        word = e.word or e.op  # a comparison, as written
        return f"{_operand(e.left, _ROUND)} {word} {_operand(e.right, _ROUND)}"

    def visit_Membership(self, e: n.Membership) -> str:
        verb = "is niet een van" if e.negated else "is een van"
        options = ", ".join(_operand(o, _ATOM) for o in e.options)
        return f"{_operand(e.value, _ROUND)} {verb} {options}"

    def visit_Empty(self, e: n.Empty) -> str:
        return f"{_operand(e.value, _ROUND)} is {'niet ' if e.negated else ''}leeg"

    def visit_Bound(self, e: n.Bound) -> str:
        return f"{_operand(e.value, _BOUND)} met een {e.kind} van {_operand(e.limit, 8)}"

    def visit_Extreme(self, e: n.Extreme) -> str:
        return f"{e.kind} van ({', '.join(source(a) for a in e.args)})"

    def visit_Round(self, e: n.Round) -> str:
        target = f"op {ROUNDING_TARGETS[e.target].words} " if e.target else ""
        mode = ROUNDING_MODES[e.mode].words
        return f"{_operand(e.value, _BOUND)} afgerond {target}{mode}"

    def visit_Age(self, e: n.Age) -> str:
        return f"leeftijd van {_operand(e.birth, _ATOM)} op {_operand(e.on, _ATOM)}"

    def visit_Between(self, e: n.Between) -> str:
        unit = UNITS[e.unit].words[-1]  # the plural the grammar has: maanden, jaren
        return f"{unit} van {_operand(e.start, _ATOM)} tot {_operand(e.end, _ATOM)}"

    def visit_Aggregate(self, e: n.Aggregate) -> str:
        group = e.group.name
        condition = f"({source(e.condition)})" if e.condition is not None else ""
        head = AGGREGATES[e.kind].words
        if e.kind in ("ieder", "enig"):
            return f"{head} in {group} voldoet aan {condition}"
        value = f" {_operand(e.value, _ROUND)}" if e.value is not None else ""
        where = f" waarvoor {condition}" if condition else ""
        return f"{head}{value} in {group}{where}"

    def visit_Persons(self, e: n.Persons) -> str:
        people = [", ".join(f"{k} is {source(v)}" for k, _, v in p) for p in e.persons]
        return "; ".join(f"persoon ({p})" for p in people)

    def visit_Choice(self, e: n.Choice) -> str:
        parts = [f"{source(v)} als {source(c)}" for v, c in e.branches]
        if e.otherwise is not None:
            parts.append(f"anders {source(e.otherwise)}")
        return "; ".join(parts)


_SOURCE = Source()
