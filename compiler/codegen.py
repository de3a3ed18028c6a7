"""Checked AST → a readable Python module per regulation, importing only `regel.runtime`.

The same module is executed in memory by `load()` and written to disk by `regel vertaal`, so
both give the same answers by construction. Nothing from the source becomes code: names are
ASCII identifiers from the grammar and only ever appear behind a fixed prefix (`begrip_…`);
every text, description and number is emitted as a Python literal (`repr`), and comments carry
only names and article anchors, cleaned of anything that could end the comment.
"""

from __future__ import annotations

import datetime
import linecache
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from regel import runtime as rt

if TYPE_CHECKING:
    import jinja2

from . import nodes as n
from . import sitemap
from .diagnostics import Span, source_lines
from .digits import DigitBounds, constant_norm, operands
from .model import Analysis, RegInfo, RuleInfo, Symbol, constant_value, fill_key, reads
from .pycompile import compile_module
from .pyexpr import (
    AND,
    COMPARE,
    IFELSE,
    NOT,
    OR,
    PRODUCT,
    SUM,
    UNARY,
    Atom,
    Call,
    Code,
    IfElse,
    Lambda,
    Paren,
    Walrus,
    binary,
    render,
    unary,
    wrap,
)
from .types import Type, Unit, from_spec
from .visitor import ExprVisitor
from .vocabulary import (
    CLOCK_UNITS,
    COMPARATORS,
    OPERATORS,
    ORGANS,
    ROUNDING_MODES,
    ROUNDING_TARGETS,
    UNITS,
)

_ARITH = {"plus": ("+", SUM), "min": ("-", SUM), "maal": ("*", PRODUCT), "van": ("*", PRODUCT)}


def py_str(text: str) -> str:
    """A Python string literal for any text, double-quoted like `ruff format` writes it; the
    signs of a written-out calculation as escapes, which linters do not take for x and -."""
    literal = repr(text)
    if literal[0] == "'" and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    if "×" in literal or "−" in literal:
        return literal.translate(_CONFUSABLE)
    return literal


_CONFUSABLE = {ord("×"): "\\u00d7", ord("−"): "\\u2212"}


def comment(text: str) -> str:
    """Text that is safe inside a `#` comment: one line, printable characters only."""
    if text.isprintable():
        return text.strip()
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def source_text(span: Span, sources: dict[str, str]) -> str:
    """The text a span covers, on one line, as the policy writer wrote it."""
    lines = source_lines(sources.get(span.file, ""))
    first, last = span.line - 1, min(span.end_line, len(lines)) - 1
    if not 0 <= first <= last:
        return ""
    if first == last:
        return lines[first][span.column - 1 : span.end_column - 1].strip()
    parts = [lines[first][span.column - 1 :], *lines[first + 1 : last]]
    parts.append(lines[last][: span.end_column - 1] if last == span.end_line - 1 else lines[last])
    return " ".join(p.strip() for p in parts if p.strip())


def condition_text(rule: n.Rule, sources: dict[str, str]) -> str:
    """A rule's condition as written; several `als` lines are joined with 'en'."""
    parts = []
    for cond in rule.conditions:
        text = source_text(cond.span, sources)
        loose = isinstance(cond, n.Binary) and cond.op in ("of", "tenzij")
        parts.append(f"({text})" if loose and len(rule.conditions) > 1 else text)
    return " en ".join(parts)


def _one(t: Type) -> str:
    """The unit after exactly one, when it reads otherwise than after several."""
    label = unit_label(t)
    one = t.unit.display() if label else ""
    return py_str(one if one != label else "")


@cache
def _format_literal(t: Type | None, label: str) -> str:
    """The format tuple of one shown value (see `derivation`): kind, unit, percent, the name it
    was read under and the unit after exactly one. Cached: one per value of every twin."""
    if t is None:
        return f'("text", "", False, {py_str(label)}, "")'
    unit, percent = py_str(unit_label(t)), repr(t.percent)
    return f"({py_str(t.kind)}, {unit}, {percent}, {py_str(label)}, {_one(t)})"


def _least(node: n.Input) -> n.Expr | None:
    """The lowest value a gegeven takes: its `ten minste`, or 0 for an `aantal`."""
    if node.minimum is None and node.type.kind == "aantal":
        return n.Number(node.type.span, Decimal(0))
    return node.minimum


def unit_label(t: Type) -> str:
    if t.kind != "num" or t.unit.dimensionless:
        return ""
    return t.unit.display(plural=not t.unit.has_euro())


@dataclass
class Function:
    """One generated function: a comment line, its name and its body lines."""

    name: str
    note: str
    body: list[str]
    params: str = "c: Context"


@dataclass
class Module:
    regulation: str
    files: list[str]
    constants: list[tuple[str, str]] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    inputs: list[list[str]] = field(default_factory=list)
    rules: list[tuple[str, list[str]]] = field(default_factory=list)
    outcomes: list[tuple[str, list[str]]] = field(default_factory=list)
    decisions: list[Function] = field(default_factory=list)
    regulation_lines: list[str] = field(default_factory=list)
    twins: list[Function] = field(default_factory=list)  # after TWINS: loaded when first needed
    twin_lines: list[str] = field(default_factory=list)  # what hands them to the regulation


class ModuleWriter(ExprVisitor[Code]):
    """Writes the module of one regulation."""

    def __init__(self, analysis: Analysis, sources: dict[str, str], info: RegInfo):
        self.a = analysis
        self.sources = sources
        self.info = info
        self.rid = info.node.id
        self.key = info.key  # differs from the id when several versions are loaded
        self.constants: dict[tuple[type, str], str] = {}
        self.module = Module(self.rid, sorted({info.node.span.file}))
        self.local = False  # expressions over local variables (fast decisions) or a Context
        # The code for a decision from partial input (see `_ways`): any gegeven may then be
        # missing, so `en` and `of` take three values and a calculation asks for every operand.
        self.partial = False
        self._undetermined: dict[str, bool] = {}  # per begrip: can it be onbepaald?
        self._undetermined_partial: dict[str, bool] = {}  # … from partial input
        self.digits: dict[str, int] = {}  # per fast decision: the digits it needs at most
        self.checks: dict[str, str] = {}  # per fast decision: its input check on its own
        self.bounds = DigitBounds(analysis, info)
        # In an explaining twin (`uitleg_…`), each calculation is noted for the motivation.
        self.explaining = False
        self._temps = 0
        self._reads_norms = False  # whether a fast decision reads a norm of another regulation
        self.explainers: dict[str, str] = {}  # begrip (or filling) → its explaining twin
        self._twin_jobs: list[tuple[str, str, n.Expr, str]] = []  # see write_twins
        self._reason_jobs: list[tuple[str, str, n.Expr]] = []  # conditions: see _reason
        self._reasons: dict[str, str] = {}  # rule or begrip → the shape of its condition
        self._parts = 0  # functions written for the parts of conditions
        self._inputs: dict[str, Symbol] = {}  # every gegeven it reads, by name: see `write`

    # ------------------------------------------------------------ literals
    def constant(self, value: Any) -> Code:
        if isinstance(value, bool) or value is None:
            return Atom(repr(value))
        if isinstance(value, str):
            return Atom(py_str(value))
        if isinstance(value, Decimal):
            literal = f'Decimal("{value}")'
        elif isinstance(value, datetime.date):
            literal = f"datetime.date({value.year}, {value.month}, {value.day})"
        elif isinstance(value, datetime.time):
            literal = f"datetime.time({value.hour}, {value.minute})"
        elif isinstance(value, frozenset):
            literal = "frozenset({" + ", ".join(py_str(v) for v in sorted(value)) + "})"
        else:  # pragma: no cover - the checker admits no other literals
            raise AssertionError(f"onbekende constante {value!r}")
        key = (type(value), literal)
        if key not in self.constants:
            name = f"K{len(self.constants) + 1}"
            self.constants[key] = name
            self.module.constants.append((name, literal))
        return Atom(self.constants[key])

    # ------------------------------------------------------------ expressions
    def expr(self, e: n.Expr, date_mode: str | None = None) -> Code:
        """The Python of an expression; `date_mode` is the rounding of a date chain."""
        if self.explaining and (
            isinstance(e, n.Not | n.Membership | n.Empty)
            or (isinstance(e, n.Binary) and e.op not in OPERATORS)
        ):
            return self._plain(e)  # a test inside a value: its facts, not a calculation
        return self.visit(e, date_mode)

    def visit_Number(self, e: n.Number | n.Money, date_mode: str | None) -> Code:
        return self.constant(e.value)

    visit_Money = visit_Number

    def visit_DateLit(
        self, e: n.DateLit | n.TextLit | n.BoolLit | n.ClockLit, date_mode: str | None
    ) -> Code:
        resolved = e.resolved
        return self.constant(resolved[1] if resolved else e.value)

    visit_TextLit = visit_BoolLit = visit_ClockLit = visit_DateLit

    def visit_Peildatum(self, e: n.Peildatum, date_mode: str | None) -> Code:
        return Atom("peildatum" if self.local else "c.peildatum")

    def visit_Name(self, e: n.Name, date_mode: str | None) -> Code:
        return self._name(e)

    def visit_QualName(self, e: n.QualName, date_mode: str | None) -> Code:
        if self.explaining:
            where = [Atom(py_str(e.regulation)), Atom(py_str(e.name))]
            helper = "derivation.fixed_norm" if self._constant_norm(e) else "derivation.elsewhere"
            return Call(helper, [Atom("s"), Atom("c"), *where, self._format(e)])
        qualified = Atom(py_str(f"{e.regulation}.{e.name}"))
        if self.local and (e.resolved or ("",))[0] == "input":
            return Atom(f"i_{e.name}")  # a gegeven of another regulation: read up front
        if self.local:  # only a constant open norm, see _constant_norm
            self._reads_norms = True
            return Atom(f"norms[{qualified.flat()}]")
        if self._constant_norm(e):  # worked out once per peildatum, also with a trace
            return Call(
                "c.regulation.norm_from", [qualified, Atom("c.peildatum"), Atom("c.gemeente")]
            )
        return Call("c.elsewhere", [Atom(py_str(e.regulation)), Atom(py_str(e.name))])

    def visit_Not(self, e: n.Not, date_mode: str | None) -> Code:
        return unary("not ", NOT, self.expr(e.operand))

    def visit_Negate(self, e: n.Negate, date_mode: str | None) -> Code:
        return unary("-", UNARY, self.expr(e.operand))

    def visit_Membership(self, e: n.Membership, date_mode: str | None) -> Code:
        value = self.expr(e.value)
        op = "not in" if e.negated else "in"
        fixed = all(
            isinstance(o, n.TextLit)
            or (isinstance(o, n.Name) and (o.resolved or ("",))[0] == "choice")
            for o in e.options
        )
        if fixed:
            options = frozenset(self._choice_value(o) for o in e.options)
            return binary(op, COMPARE, value, self.constant(options))
        items = [self.expr(o) for o in e.options]
        if len(items) == 1:
            return binary("!=" if e.negated else "==", COMPARE, value, items[0])
        return binary(op, COMPARE, value, Call("", items))

    def visit_Empty(self, e: n.Empty, date_mode: str | None) -> Code:
        return binary(
            "!=" if e.negated else "==", COMPARE, Call("len", [self.expr(e.value)]), Atom("0")
        )

    def visit_Bound(self, e: n.Bound, date_mode: str | None) -> Code:
        pick = "min" if e.kind == "maximum" else "max"
        return self._noted(
            "bound",
            lambda: [Atom(py_str(e.kind)), self._format(e.value, e.limit, e)],
            self._all_needed([e.value, e.limit], [self.expr(e.value), self.expr(e.limit)]),
            lambda ops: Call(pick, ops),
        )

    def visit_Extreme(self, e: n.Extreme, date_mode: str | None) -> Code:
        pick = "min" if e.kind == "minimum" else "max"
        args = self._all_needed(e.args, [self.expr(a) for a in e.args])
        if not self.explaining:
            return Call(pick, args)
        return self._noted(
            "pick",
            lambda: [Atom(py_str(e.kind)), self._format(e.args[0], e)],
            [Call("", args)],
            lambda ops: Call(pick, [Atom(f"*{ops[0].flat()}")]),
        )

    def visit_Round(self, e: n.Round, date_mode: str | None) -> Code:
        if e.target is None:
            return self.expr(e.value, date_mode=e.mode)
        target, mode = ROUNDING_TARGETS[e.target], ROUNDING_MODES[e.mode]
        return self._noted(
            "rounded",
            lambda: [Atom(py_str(f"{target.prose}, {mode.prose}")), self._format(e.value, e)],
            [self.expr(e.value)],
            lambda ops: Call("round_to", [ops[0], Atom(target.runtime), Atom(mode.runtime)]),
        )

    def visit_Age(self, e: n.Age, date_mode: str | None) -> Code:
        return self._noted(
            "aged",
            lambda: [self._format(e.birth, e.on, e)],
            self._all_needed([e.birth, e.on], [self.expr(e.birth), self.expr(e.on)]),
            lambda ops: Call("age", ops),
        )

    def visit_Between(self, e: n.Between, date_mode: str | None) -> Code:
        return self._noted(
            "elapsed",
            lambda: [Atom(py_str(UNITS[e.unit].words[-1])), self._format(e.start, e.end, e)],
            self._all_needed([e.start, e.end], [self.expr(e.start), self.expr(e.end)]),
            lambda ops: Call(
                "clock_between" if e.unit in CLOCK_UNITS else "whole_units_between",
                [*ops, Atom(py_str(e.unit))],
            ),
        )

    def visit_Choice(self, e: n.Choice, date_mode: str | None) -> Code:
        if self.explaining:
            return self._explained_choice(e)
        text = source_text(e.span, self.sources)
        result: Code = (
            wrap(self.expr(e.otherwise), IFELSE)
            if e.otherwise is not None
            else Call(
                "undetermined",
                [Atom(py_str(text)), Atom(py_str("geen van de gevallen is van toepassing"))],
            )
        )
        # Tiers that give the same value are merged (`a if c1 or c2 else b`), and a last
        # tier that gives what `anders` gives is left out when its condition cannot fail:
        # the same answers, without Python that reads as a mistake.
        tiers = [(self.expr(v), self.expr(c), c) for v, c in e.branches]
        merged: list[tuple[Code, Code, bool]] = []
        for value, cond, node in tiers:
            safe = not any(self._may_fail(x) or self._reads_outcome(x) for x in n.walk(node))
            if merged and merged[-1][0].flat() == value.flat():
                last = merged[-1]
                merged[-1] = (value, binary("or", OR, last[1], cond), last[2] and safe)
            else:
                merged.append((value, cond, safe))
        while merged and e.otherwise is not None:
            value, _, safe = merged[-1]
            if not (safe and value.flat() == result.flat()):
                break
            merged.pop()
        for value, cond, _ in reversed(merged):
            result = IfElse(wrap(value, OR), wrap(cond, OR), result)
        return result

    def visit_Aggregate(self, e: n.Aggregate, date_mode: str | None) -> Code:
        """Over the persons of a group (`runtime.over`): the value and the condition as
        functions of one person's context; in an explaining twin, each person's value with
        its steps and the shape of the condition, to say who counted and why."""
        kind, group = Atom(py_str(e.kind)), Atom(py_str(e.group.name))
        text = Atom(py_str(source_text(e.span, self.sources)))
        if self.explaining:
            value: Code = Atom("None")
            if e.value is not None:
                value = Lambda(self.expr(e.value), params="c, s")
            condition: Code = Atom("None")
            shape = "None"
            if e.condition is not None:
                condition = Lambda(self._plain(e.condition), params="c")
                shape = self._reason(e.condition, f"voorwaarde per persoon: {text.flat()}", 0)
            formats = self._format(e.value or e, e)
            return Call(
                "derivation.over",
                [Atom("s"), Atom("c"), kind, group, text, formats, value, condition, Atom(shape)],
            )
        value = Lambda(self.expr(e.value), params="c") if e.value is not None else Atom("None")
        condition = Atom("None")
        if e.condition is not None:
            condition = Lambda(self.expr(e.condition), params="c")
        return Call("over", [Atom("c"), kind, group, value, condition, text])

    def visit_Persons(self, e: n.Persons, date_mode: str | None) -> Code:
        """Persons are written only in cases, whose values are constants: never code."""
        raise AssertionError(f"personen in een uitdrukking op {e.span}")

    def _choice_value(self, e: n.Expr) -> str:
        if isinstance(e, n.TextLit):
            return e.value
        return _resolved(e)[1]

    def _name(self, e: n.Name) -> Code:
        kind, name = _resolved(e)
        if kind == "choice":
            return self.constant(name)
        if self.local and kind in ("input", "begrip"):
            node = self.info.symbols[name].node
            if isinstance(node, n.Input) and node.oordeel:
                return Call("judge", [Atom("judged"), Atom(py_str(name)), Atom(f"i_{name}")])
            return Atom(f"{kind[0]}_{name}")
        if kind == "input":
            node = self.info.symbols[name].node
            if isinstance(node, n.Input) and node.oordeel:
                return Call("c.judge", [Atom(py_str(name))])
            if isinstance(node, n.Input) and node.optional:
                return Call("c.given", [Atom(py_str(name))])
            return Atom(f"c.inputs[{py_str(name)}]")
        if kind == "begrip":
            if self.explaining:
                return Call(
                    "derivation.begrip", [Atom("s"), Atom("c"), Atom(py_str(name)), self._format(e)]
                )
            return Call(f"begrip_{name}", [Atom("c")])
        if kind == "outcome":
            return Call("c.outcome", [Atom(py_str(name))])
        if kind == "field":  # a gegeven of one person, in that person's context
            return Atom(f"c.inputs[{py_str(name)}]")
        if self.explaining:
            return Call(
                "derivation.norm", [Atom("s"), Atom("c"), Atom(py_str(name)), self._format(e)]
            )
        return Call("c.norm", [Atom(py_str(name))])

    def visit_Binary(self, e: n.Binary, date_mode: str | None) -> Code:
        # `afgerond naar beneden` after `datum + 1 maand - 1 dag` covers the whole chain
        a, b = self.expr(e.left, date_mode), self.expr(e.right)
        op = e.op
        if op in ("en", "of", "tenzij"):
            right = unary("not ", NOT, b) if op == "tenzij" else b
            if not self.local and (self._undeterminable(e.left) or self._undeterminable(e.right)):
                # onbepaald in `en` and `of`: the same answer in either order (runtime.both)
                return Call("either" if op == "of" else "both", [Lambda(a), Lambda(right)])
            return binary("or", OR, a, right) if op == "of" else binary("and", AND, a, right)
        a, b = self._all_needed([e.left, e.right], [a, b])
        if op in COMPARATORS:
            return binary(COMPARATORS[op].python, COMPARE, a, b)
        left_type = e.left.type

        def shown() -> list[Code]:
            return [Atom(py_str(OPERATORS[op].shown)), self._format(e.left, e.right, e)]

        if op in ("plus", "min") and left_type is not None and left_type.kind == "clock":
            unit = Atom(py_str(next(u for u in CLOCK_UNITS if _typed(e.right).unit == Unit.of(u))))
            return self._noted(
                "calc",
                shown,
                [a, b],
                lambda ops: Call(
                    "shift_clock",
                    [ops[0], ops[1] if op == "plus" else unary("-", UNARY, ops[1]), unit],
                ),
            )
        if op in ("plus", "min") and left_type is not None and left_type.kind == "date":
            unit = Atom(py_str(_typed(e.right).unit.time or ""))
            mode = Atom(py_str(date_mode)) if date_mode else Atom("None")
            return self._noted(
                "calc",
                shown,
                [a, b],
                lambda ops: Call(
                    "shift_date",
                    [ops[0], ops[1] if op == "plus" else unary("-", UNARY, ops[1]), unit, mode],
                ),
            )
        if op in _ARITH:
            symbol, prec = _ARITH[op]
            return self._noted("calc", shown, [a, b], lambda ops: binary(symbol, prec, *ops))
        return self._noted("calc", shown, [a, b], lambda ops: Call("divide", ops))

    # ------------------------------------------------------------ explaining twins
    def _noted(
        self,
        helper: str,
        extra: Callable[[], list[Code]],
        operands: list[Code],
        build: Callable[[list[Code]], Code],
    ) -> Code:
        """`build(operands)`; in an explaining twin, the operands are kept under names and
        passed with `extra()` (what the step shows: made only there, so that the plain code
        holds no constants of the motivation) and the result to
        `runtime.derivation.<helper>`, which notes the step. Both are built by the same
        `build`: the explained value is the value."""
        if not self.explaining:
            return build(operands)
        temps: list[str] = []
        for _ in operands:
            self._temps += 1
            temps.append(f"t{self._temps}")
        kept = [Walrus(t, o) for t, o in zip(temps, operands, strict=True)]
        return Call(
            f"derivation.{helper}", [Atom("s"), *extra(), *kept, build([Atom(t) for t in temps])]
        )

    def _plain(self, e: n.Expr) -> Code:
        was, self.explaining = self.explaining, False
        try:
            return self.expr(e)
        finally:
            self.explaining = was

    def _explained_choice(self, e: n.Choice) -> Code:
        """Tiers in an explaining twin: the tier that gave the value is noted, then what its
        value took; tiers are not merged, so that the step names the one that applied."""
        fmt = self._format(e)
        result: Code
        if e.otherwise is not None:
            result = Call(
                "derivation.tier",
                [Atom("s"), Atom(py_str("“anders”")), fmt, Lambda(self.expr(e.otherwise))],
            )
        else:
            text = source_text(e.span, self.sources)
            result = Call(
                "undetermined",
                [Atom(py_str(text)), Atom(py_str("geen van de gevallen is van toepassing"))],
            )
        for value, cond in reversed(e.branches):
            case = f"het geval “{source_text(cond.span, self.sources)}”"
            noted = Call(
                "derivation.tier", [Atom("s"), Atom(py_str(case)), fmt, Lambda(self.expr(value))]
            )
            result = IfElse(noted, wrap(self._plain(cond), OR), result)
        return result

    def _format(self, *exprs: n.Expr) -> Code:
        """How the motivation shows the values of `exprs`: kind, unit, percent and the name it
        was read under; one constant per combination."""
        formats = []
        for x in exprs:
            named = isinstance(x, n.QualName) or (
                isinstance(x, n.Name) and (x.resolved or ("",))[0] != "choice"
            )
            formats.append(_format_literal(x.type, x.name if named else ""))  # type: ignore[attr-defined]
        literal = formats[0] if len(formats) == 1 else "(" + ", ".join(formats) + ")"
        key = (tuple, literal)
        if key not in self.constants:
            name = f"F{len(self.constants) + 1}"
            self.constants[key] = name
            self.module.constants.append((name, literal))
        return Atom(self.constants[key])

    def explaining_twin(self, name: str, note: str, e: n.Expr) -> str | None:
        """`uitleg_<name>(c, s)`: the value of `e`, noting each step in `s`; None when `e`
        reads nothing and computes nothing worth a step (a literal, a gegeven)."""
        if not any(_explained(x) for x in n.walk(e)) or _explained_depth(e) > _TWIN_DEPTH:
            return None  # nothing to say, or too deep for Python's parser as nested calls
        self.explaining, self._temps = True, 0
        try:
            body = self._body(e, twin=True)
        finally:
            self.explaining = False
        self.module.twins.append(
            Function(f"uitleg_{name}", comment(note), body, "c: Context, s: list[Any]")
        )
        return f"uitleg_{name}"

    def _reason(self, e: n.Expr, note: str, depth: int) -> str:
        """The shape of a condition for the motivation, as a Python literal: which parts it
        has and, per part, a function of the context that gives its value (the same code as
        the condition itself). `runtime.derivation.why` walks it to say which parts decided:
        the comparison that failed, with its values, through the begrippen it rests on."""
        if isinstance(e, n.Name) and (e.resolved or ("",))[0] == "begrip":
            return f'("begrip", None, {py_str(e.name)}, ())'
        fn = self._part(e, note)
        text = py_str(source_text(e.span, self.sources))
        deeper = depth < _REASON_DEPTH
        if deeper and isinstance(e, n.Binary) and e.op in ("en", "of", "tenzij"):
            parts = [e.left, e.right] if e.op == "tenzij" else _chain(e, e.op)
            shapes = ", ".join(self._reason(x, note, depth + 1) for x in parts)
            return f"({py_str(e.op)}, {fn}, {text}, ({shapes},))"
        if deeper and isinstance(e, n.Not):
            return f'("niet", {fn}, {text}, ({self._reason(e.operand, note, depth + 1)},))'
        if deeper and isinstance(e, n.Choice):
            tiers = [
                f"{self._reason(cond, note, depth + 1)}, {self._reason(value, note, depth + 1)}"
                for value, cond in e.branches
            ]
            if e.otherwise is not None:
                tiers.append(self._reason(e.otherwise, note, depth + 1))
            return f'("keuze", {fn}, {text}, ({", ".join(tiers)},))'
        if isinstance(e, n.Empty):  # the items, to say which (the grounds that apply)
            items = self._part(e.value, note)
            named = e.value.name if isinstance(e.value, n.Name) else None
            what = named.replace("_", " ") if named else source_text(e.value.span, self.sources)
            return f'("leeg", {fn}, {text}, (), {items}, {py_str(what)})'
        if isinstance(e, n.Binary) and e.op in COMPARATORS:
            left, right = self._part(e.left, note), self._part(e.right, note)
            yes, no = _comparison_words(e)
            formats = self._format(e.left, e.right).flat()
            return (
                f'("vergelijk", {fn}, {text}, (), {left}, {right}, {formats}, '
                f"{py_str(yes)}, {py_str(no)})"
            )
        return f'("waarde", {fn}, {text}, ())'

    def _part(self, e: n.Expr, note: str) -> str:
        """`waarom_<n>(c)`: the value of a part of a condition, for `_reason`."""
        self._parts += 1
        name = f"waarom_{self._parts}"
        self.module.twins.append(Function(name, note, self._body(e)))
        return name

    def _ways(self, e: n.Expr) -> tuple[Code, Code | None]:
        """The code of `e` on complete input, and, where it differs, from partial input
        (`self.partial`). A function runs the first and, only when that is onbepaald, the
        second: a decision whose inputs are complete pays nothing for the three-valued `en`
        and `of` that demand-driven evaluation needs."""
        temps = self._temps
        plain = self.expr(e)
        used, self._temps = self._temps, temps  # the two never run together: same names
        self.partial = True
        try:
            partial = self.expr(e)
        finally:
            self.partial = False
            self._temps = max(used, self._temps)
        return plain, (None if partial.flat() == plain.flat() else partial)

    def _body(self, e: n.Expr, target: str = "return ", twin: bool = False) -> list[str]:
        """`target <e>`; with a second way (see `_ways`), tried when the first is onbepaald.
        In an explaining twin the steps of the first try are dropped."""
        plain, partial = self._ways(e)
        if partial is None:
            return render(plain, target, 4)
        lines = ["    mark = len(s)"] if twin else []
        lines += ["    try:", *render(plain, target, 8), "    except Undetermined:"]
        lines += ["        del s[mark:]"] if twin else []
        return lines + render(partial, target, 8)

    def function(self, name: str, note: str, e: n.Expr, memo: str | None = None) -> None:
        """A function of the context; with `memo`, its value is remembered per evaluation."""
        if memo is None:
            body = self._body(e)
        else:
            key = py_str(memo)
            body = [
                f"    if {key} in c.memo:",
                f"        return c.memo[{key}]",
                *self._body(e, f"value = c.memo[{key}] = "),
                "    return value",
            ]
        self.module.functions.append(Function(name, comment(note), body))

    # ------------------------------------------------------------ the regulation
    def write(self) -> Module:
        info = self.info
        for sym in info.symbols.values():
            where = f"{sym.anchor}" if sym.anchor else "de regeling"
            if sym.kind == "begrip":
                node = sym.begrip
                note = f"begrip {sym.name}, {where}"
                self.function(f"begrip_{sym.name}", note, node.value, memo=sym.name)
                self._twin_jobs.append((f"begrip_{sym.name}", note, node.value, sym.name))
                if sym.type is not None and sym.type.kind == "bool":
                    self._reason_jobs.append((sym.name, note, node.value))
            elif sym.kind == "norm" and sym.norm.default is not None:
                self.function(
                    f"norm_{sym.name}",
                    f"open norm {sym.name}, {where}: standaardwaarde",
                    sym.norm.default,
                )
        for i, fill in enumerate(info.fills, 1):
            note = f"vult norm {fill.regulation}.{fill.norm}, {fill.anchor or 'de regeling'}"
            self.function(f"invulling_{i}", note, fill.value)
            key = fill_key(fill.regulation, fill.norm)
            self._twin_jobs.append((f"invulling_{i}", note, fill.value, key))
        for r in info.rules.values():
            rule = r.node
            where = f"regel {rule.name}, {r.anchor}"
            if rule.condition is not None:
                self.function(f"voorwaarde_{rule.name}", where, rule.condition)
                self._reason_jobs.append((f"regel:{rule.name}", where, rule.condition))
            if rule.value is not None:
                self.function(f"waarde_{rule.name}", where, rule.value)
                self._twin_jobs.append(
                    (f"regel_{rule.name}", where, rule.value, f"regel:{rule.name}")
                )

        inputs = [s for s in info.symbols.values() if s.kind == "input"]
        outcomes = [s for s in info.symbols.values() if s.kind == "outcome"]
        read = {s.name: self._needs(s.name) for s in outcomes}
        needs = {name: sorted({i for _, i in pairs}) for name, pairs in read.items()}
        own = {s.name for s in inputs}
        for reg, used in sorted(set().union(*read.values()) if read else ()):
            if used not in own:  # read through another regulation's definitions
                inputs.append(self.a.regs[reg].symbols[used])
                own.add(used)
        self.module.inputs = [self._input_spec(s) for s in inputs]
        self._inputs = {s.name: s for s in inputs}  # its own, and those it reads of another
        written: set[str] = set()
        for sym in outcomes:
            ordered = self._ordered_rules(sym.name)
            for r in ordered:
                if r.node.name not in written:
                    written.add(r.node.name)
                    self.module.rules.append((r.node.name, self._rule(r, sym.name)))
            self.module.outcomes.append((sym.name, self._outcome(sym, ordered)))
        fast = {d.name: self._decision(d) for d in info.node.decisions}
        self.module.regulation_lines = self._regulation(inputs, outcomes, needs, fast)
        return self.module

    def write_twins(self) -> Module:
        """The explaining twins, after `write`: into the module, with the constants only they
        use. Apart from `write` so that loading a regulation can leave them until the first
        motivation (`generate_lazily`); the constants `write` made keep their names."""
        for name, note, e, key in self._twin_jobs:
            twin = self.explaining_twin(name, note, e)
            if twin:
                self.explainers[key] = twin
        self._twin_jobs = []
        for key, note, e in self._reason_jobs:
            self._reasons[key] = self._reason(e, comment(note), 0)
        self._reason_jobs = []
        if self.module.twins:
            rules = [
                f"{py_str(k[6:])}: {v}"
                for k, v in self.explainers.items()
                if k.startswith("regel:")
            ]
            others = [
                f"{py_str(k)}: {v}"
                for k, v in self.explainers.items()
                if not k.startswith("regel:")
            ]
            reasons = [f"{py_str(k)}: {v}" for k, v in self._reasons.items()]
            self.module.twin_lines = _call_lines(
                "REGELING.add_explainers",
                [
                    ("rules", _braces(rules)),
                    ("begrippen", _braces(others)),
                    ("reasons", _braces(reasons)),
                ],
                0,
            )
        return self.module

    # ------------------------------------------------------------ how many digits

    def _precision(self, exprs: list[n.Expr]) -> int | None:
        """The significant digits a fast decision needs at most, or None if unbounded: every
        calculation in it, and the input checks (`% NUMBER_QUANTUM`) besides."""
        needed = rt.NUMBER_DIGITS + rt.inputs.FRACTION_DIGITS + 1
        for e in exprs:
            for x in n.walk(e):
                d = self.bounds.of(x)
                if d is None:
                    return None
                needed = max(needed, d[0] + d[1])
        return needed

    def _input_spec(self, sym: Symbol) -> list[str]:
        return _call_lines("InputSpec", self._spec_args(sym.input, sym.type), 4)

    def _spec_args(self, node: n.Input, known: Type | None = None) -> list[tuple[str, str]]:
        """The arguments of a gegeven's `InputSpec`; a group's gegevens of each person within."""
        t = known or from_spec(node.type)
        args = [
            ("name", py_str(node.name)),
            ("kind", py_str(t.kind)),
            ("description", _opt(node.description)),
            ("unit", py_str(unit_label(t))),
            ("percent", repr(t.percent)),
            ("choices", _tuple(t.choices)),
        ]
        if _one(t) != '""':
            args.append(("unit_one", _one(t)))
        if node.default is not None:
            args += [("default", self.expr(node.default).flat()), ("has_default", "True")]
        if node.optional:
            args += [("optional", "True")]
        for key, bound in (("minimum", _least(node)), ("maximum", node.maximum)):
            if bound is not None:
                args.append((key, self.constant(constant_value(bound)).flat()))
        args += [("oordeel", _opt(node.oordeel)), ("label", py_str(node.type.kind))]
        if node.fields:
            specs = [
                "InputSpec(" + ", ".join(f"{k}={v}" for k, v in self._spec_args(f)) + ")"
                for f in node.fields
            ]
            args.append(("fields", _tuple_of(specs)))
        return args

    def _ordered_rules(self, outcome: str) -> list[RuleInfo]:
        """The rules of an outcome with the `niet van toepassing` rules that can set them
        aside, exceptions first: lowered once in the model."""
        return self.info.precedence.get(outcome, [])

    def _rule(self, r: RuleInfo, outcome: str) -> list[str]:
        rule = r.node
        kind = (
            "buiten_toepassing"
            if rule.not_applicable
            else "item"
            if rule.item is not None
            else "waarde"
        )
        cond = f"voorwaarde_{rule.name}" if rule.condition is not None else "None"
        value = f"waarde_{rule.name}" if rule.value is not None else "None"
        args = [
            ("name", py_str(rule.name)),
            ("anchor", py_str(str(r.anchor))),
            ("outcome", py_str(outcome)),
            ("kind", py_str(kind)),
            ("condition", cond),
            ("value", value),
            ("item", _opt(rule.item)),
            ("overrides", _tuple(r.overrides)),
            (
                "condition_text",
                py_str(condition_text(rule, self.sources)),
            ),
            (
                "value_text",
                py_str(source_text(rule.value.span, self.sources) if rule.value else ""),
            ),
            ("facts", _tuple(self._facts(rule.condition) if rule.condition else [])),
            ("interpretations", _tuple(rule.interpretations)),
            ("description", _opt(rule.description)),
            ("file", py_str(rule.span.file)),
            ("line", str(rule.span.line)),
            ("doc", py_str(sitemap.rule_url(self.info.key, r.anchor, rule.name))),
        ]
        return _call_lines("Rule", args, 0)

    def _outcome(self, sym: Symbol, rules: list[RuleInfo]) -> list[str]:
        node = sym.outcome
        t = sym.type or from_spec(node.type)
        args = [
            ("name", py_str(sym.name)),
            ("kind", py_str(t.kind)),
            ("label", py_str(node.type.kind)),
            ("rules", "[" + ", ".join(f"REGEL_{r.node.name}" for r in rules) + "]"),
            ("unit", py_str(unit_label(t))),
            ("percent", repr(t.percent)),
            ("description", _opt(node.description)),
        ]
        if node.default is not None:
            args += [("default", self.expr(node.default).flat()), ("has_default", "True")]
        if node.open:
            args += [("open", "True")]
        if _one(t) != '""':
            args.append(("unit_one", _one(t)))
        return _call_lines("Outcome", args, 0)

    # ------------------------------------------------------------ fast decisions
    def _decision(self, decision: n.DecisionDecl) -> str | None:
        """One function that takes a decision in a single pass, for evaluation without a
        trace: inputs and begrippen become local variables, and each outcome's rules become
        an if/elif chain (exceptions first). Made only when every begrip it reads can be
        worked out up front without failing; otherwise the general path decides."""
        outcomes = [name for name, _ in decision.outcomes]
        rules = {name: self._ordered_rules(name) for name in outcomes}
        exprs = [
            x
            for rs in rules.values()
            for r in rs
            for x in (r.node.condition, r.node.value)
            if x is not None
        ]
        inputs: list[str] = []
        begrippen: list[str] = []
        if not self._locals_for(exprs, inputs, begrippen, in_begrip=False):
            return None
        name = f"besluit_{decision.name}"
        self.local, self._reads_norms = True, False
        try:
            body = self._read_inputs(inputs)
            for b in begrippen:
                sym = self.info.symbols[b]
                body.append("    " + comment(f"# begrip {b}, {sym.anchor or 'de regeling'}"))
                body += render(self.expr(sym.begrip.value), f"b_{b} = ", 4)
            for outcome in outcomes:
                body += self._outcome_block(outcome, rules[outcome])
            if self._reads_norms:  # the norms of other regulations, once for this peildatum
                body.insert(0, "    norms = REGELING.norms_at(peildatum)")
        finally:
            self.local = False
        items = [f"{py_str(o)}: r_{o}" for o in outcomes]
        one = "    return {" + ", ".join(items) + "}"
        if len(one) <= 100:
            body.append(one)
        else:
            body += ["    return {", *(f"        {item}," for item in items), "    }"]
        self.module.decisions.append(
            Function(
                name,
                comment(f"besluit {decision.name} in één doorgang, zonder spoor"),
                body,
            )
        )
        # The same check of the inputs on its own, for the path with a motivation: inputs
        # that pass it are valid as they are, and need not be converted one by one.
        self.local = True
        try:
            check = [*self._read_inputs(inputs), "    return True"]
        finally:
            self.local = False
        self.module.functions.append(
            Function(
                f"invoer_{decision.name}",
                comment(f"besluit {decision.name}: is de invoer geldig zoals zij is?"),
                check,
                "inputs: Mapping[str, Any], checked: bool",
            )
        )
        self.checks[decision.name] = f"invoer_{decision.name}"
        values = exprs + [self.info.symbols[b].begrip.value for b in begrippen]
        digits = self._precision(values)
        if digits is not None:
            self.digits[decision.name] = digits
        return name

    def _locals_for(
        self, exprs: list[n.Expr], inputs: list[str], begrippen: list[str], in_begrip: bool
    ) -> bool:
        """Collect, in the order they must be worked out, the inputs and begrippen the
        expressions read; False when something needs the general path."""
        for e in exprs:
            for x in n.walk(e):
                if isinstance(x, n.Aggregate):
                    return False  # a context per person: the general path
                if isinstance(x, n.QualName) and (x.resolved or ("",))[0] == "input":
                    read = self._inputs[x.name].input  # a gegeven of another: the case's own
                    if read.oordeel or read.optional:
                        return False
                    if x.name not in inputs:
                        inputs.append(x.name)
                    continue
                if isinstance(x, n.QualName):
                    if in_begrip or not self._constant_norm(x):
                        return False
                    continue
                if in_begrip and self._may_fail(x):
                    return False  # a begrip is worked out up front, so it must not fail
                if not isinstance(x, n.Name):
                    continue
                kind, name = _resolved(x)
                if kind == "input":
                    node = self.info.symbols[name].node
                    if in_begrip and getattr(node, "oordeel", None):
                        return False  # an oordeel is relied upon only where it is read
                    if getattr(node, "optional", False):
                        return False  # left out, it makes what reads it onbepaald
                    if name not in inputs:
                        inputs.append(name)
                elif kind == "begrip":
                    if name not in begrippen:
                        value = self.info.symbols[name].begrip.value
                        if not self._locals_for([value], inputs, begrippen, in_begrip=True):
                            return False
                        if name not in begrippen:
                            begrippen.append(name)
                elif kind != "choice":
                    return False  # outcomes and open norms: the general path
        return True

    def _constant_norm(self, x: n.QualName) -> bool:
        """Whether `x` is an open norm of another regulation that every filling (and the
        default) gives a literal value: a fast decision can read it without a context."""
        return (x.resolved or ("",))[0] == "norm" and constant_norm(self.a, x.regulation, x.name)

    def _may_fail(self, x: n.Expr) -> bool:
        """Tiers without `anders`, rounding, division and date arithmetic can fail."""
        if isinstance(x, n.Choice):
            return x.otherwise is None
        if isinstance(x, n.Round):
            return True
        if isinstance(x, n.Binary):
            if x.op == "deel":
                return True
            left = x.left.type
            return x.op in ("plus", "min") and left is not None and left.kind in ("date", "clock")
        return False

    def _all_needed(self, exprs: list[n.Expr], codes: list[Code]) -> list[Code]:
        """The operands of one calculation or comparison; when more than one can be
        onbepaald, the first is read through `first_known`, so that a missing operand does not
        hide what the others need (demand-driven evaluation lists them all)."""
        if not self.partial:  # only the Context path has a second way (see `_ways`)
            return codes
        rest = [Lambda(c) for x, c in zip(exprs[1:], codes[1:], strict=True) if self._asks(x)]
        if not rest or not self._asks(exprs[0]):
            return codes
        return [Call("first_known", [Lambda(codes[0]), *rest]), *codes[1:]]

    def _asks(self, e: n.Expr) -> bool:
        """Whether `e` can be onbepaald for want of a gegeven or oordeel: it reads one, or a
        begrip, outcome or another regulation's definition that can. A constant open norm
        reads none."""
        for x in n.walk(e):
            if isinstance(x, n.QualName) and not self._constant_norm(x):
                return True
            kind = (x.resolved or ("",))[0] if isinstance(x, n.Name) else ""
            if kind in ("input", "outcome") or (kind == "begrip" and self._undeterminable(x)):
                return True
        return False

    def _undeterminable(self, e: n.Expr) -> bool:
        """Whether `e` can be onbepaald: it reads an outcome, an open norm, another
        regulation, an optional gegeven, a tier without `anders`, or a begrip that can be;
        from partial input (`self.partial`), any gegeven."""
        memo = self._undetermined_partial if self.partial else self._undetermined
        for x in n.walk(e):
            if isinstance(x, n.QualName) or (isinstance(x, n.Choice) and x.otherwise is None):
                return True
            if isinstance(x, n.Aggregate) and x.kind in ("hoogste", "laagste"):
                return True  # of no one: onbepaald
            if not isinstance(x, n.Name):
                continue
            kind, name = x.resolved or ("", "")
            if kind in ("outcome", "norm") or (kind == "input" and self.partial):
                return True
            node = self.info.symbols[name].node if kind in ("input", "begrip") else None
            if isinstance(node, n.Input) and node.optional:
                return True
            if isinstance(node, n.Begrip):
                if name not in memo:
                    memo[name] = True  # a cycle is an error of its own
                    memo[name] = self._undeterminable(node.value)
                if memo[name]:
                    return True
        return False

    def _reads_outcome(self, x: n.Expr) -> bool:
        """Whether `x` reads something that may be onbepaald: an outcome, a norm, another
        regulation."""
        if isinstance(x, n.QualName):
            return True
        return isinstance(x, n.Name) and (x.resolved or ("",))[0] in ("outcome", "norm")

    def _read_inputs(self, names: list[str]) -> list[str]:
        body = []
        required = 0
        optional = []
        checks: list[Code] = []
        for name in names:
            sym = self._inputs[name]
            node = sym.input
            t = sym.type or from_spec(node.type)
            if node.default is not None:
                default = self.expr(node.default).flat()
                body.append(f"    i_{name} = inputs.get({py_str(name)}, {default})")
                optional.append(name)
            else:
                body.append(f"    i_{name} = inputs.get({py_str(name)})")
                required += 1
            var = Atom(f"i_{name}")
            if t.kind == "num":
                # a Decimal within the input bounds (runtime/inputs.py), spelled out: this runs
                # on every evaluation; NaN and infinity fail the `%`, and the general path
                # says why. The lower bound on the exponent first: in the caller's context
                # `1E-100000000 % NUMBER_QUANTUM` underflows to zero.
                checks.append(binary("is not", COMPARE, Call("type", [var]), Atom("Decimal")))
                within = f"LOWEST_EXPONENT <= i_{name}.adjusted() < NUMBER_DIGITS"
                checks.append(unary("not ", NOT, Atom(within, COMPARE)))
                checks.append(binary("%", PRODUCT, var, Atom("NUMBER_QUANTUM")))
                # its own bounds (`ten minste …`): outside them the general path refuses it
                for op, bound in (("<", _least(node)), (">", node.maximum)):
                    if bound is not None:
                        limit = self.constant(constant_value(bound))
                        checks.append(binary(op, COMPARE, var, limit))
                if node.type.kind == "aantal":  # whole, or the general path
                    checks.append(binary("%", PRODUCT, var, Atom("1")))
            elif t.kind == "text":
                checks.append(binary("is not", COMPARE, Call("type", [var]), Atom("str")))
                checks.append(binary(">", COMPARE, Call("len", [var]), Atom("TEXT_LENGTH")))
                checks.append(unary("not ", NOT, Call(f"i_{name}.isprintable", [])))
            elif t.kind == "choice":
                checks.append(
                    binary(
                        "or",
                        OR,
                        binary("is not", COMPARE, Call("type", [var]), Atom("str")),
                        binary("not in", COMPARE, var, self.constant(frozenset(t.choices))),
                    )
                )
            else:
                python = {"bool": "bool", "date": "datetime.date", "clock": "datetime.time"}[t.kind]
                checks.append(binary("is not", COMPARE, Call("type", [var]), Atom(python)))
        count: Code = Atom(str(required))
        for name in optional:
            count = binary(
                "+", SUM, count, Paren(binary("in", COMPARE, Atom(py_str(name)), Atom("inputs")))
            )
        unknown = binary(
            "and",
            AND,
            unary("not ", NOT, Atom("checked")),
            binary("!=", COMPARE, Call("len", [Atom("inputs")]), count),
        )
        guard: Code = unknown
        for check in checks:
            guard = binary("or", OR, guard, check)
        body.append("    # de invoer zoals die is, of eerst de volledige controle")
        body += _if(guard, lambda indent: [" " * indent + "return None"])
        return body

    def _outcome_block(self, outcome: str, rules: list[RuleInfo]) -> list[str]:
        """`r_<outcome> = …` by default logic: rules that decide on their own form an
        if/elif chain; after a `niet van toepassing` rule or one that can apply together
        with others, the values found are combined (a conflict names both articles)."""
        target = f"r_{outcome} = "
        sym = self.info.symbols[outcome]
        is_list = sym.type is not None and sym.type.kind == "list"
        body: list[str] = ["    " + comment(f"# uitkomst {outcome}")]
        chain: list[str] = []
        rest = list(rules)
        closed = False  # a rule without condition ends the chain: nothing after it runs
        for i, r in enumerate(rules):  # the rules that decide on their own
            rule = r.node
            if (
                rule.not_applicable
                or is_list
                or not _sets_aside(rules, i, range(i + 1, len(rules)))
            ):
                break
            cond = self.expr(rule.condition) if rule.condition is not None else Atom("True")
            keyword = "if " if not chain else "elif "
            chain.append("    " + comment(f"# {rule.name}, {r.anchor}"))
            lines = render(cond, keyword, 4)
            lines[-1] += ":"
            chain += lines
            # what `decided` makes, written out: this is the hottest line of a decision
            args = [
                Atom(py_str(outcome)),
                Atom('"bepaald"'),
                self._value(rule),
                Atom(f"({py_str(str(r.anchor))},)"),
                Atom("None"),
                Atom(f"UITKOMST_{outcome}"),
            ]
            chain += render(Call("OutcomeResult", args), target, 8)
            rest = rules[i + 1 :]
            if rule.condition is None:
                closed = True
                break
        tail = self._found_block(outcome, rest, target)
        if closed:
            block = chain
        elif chain:
            block = chain + ["    else:"] + ["    " + line for line in tail]
        else:
            block = tail
        if self._may_be_undetermined(rules):
            body.append("    try:")
            body += ["    " + line for line in block]
            # Onbepaald needs default logic over onbepaald: the general path decides.
            body.append("    except Undetermined:")
            body.append("        return None")
        else:
            body += block
        return body

    def _found_block(self, outcome: str, rules: list[RuleInfo], target: str) -> list[str]:
        """The rules after the if/elif chain, each adding its value when it applies and has
        not been set aside by an exception that applied (set aside counts as applied)."""
        if not rules:
            return [f"    {target}UITKOMST_{outcome}.nothing"]
        body = ["    found: list[tuple[Rule, Any]] = []"]
        index = {r.node.name: i for i, r in enumerate(rules)}
        needed = {i for i, r in enumerate(rules) if any(o in index for o in r.overrides)}
        for i, r in enumerate(rules):
            rule = r.node
            beaten_by = [j for j, o in enumerate(rules) if rule.name in o.overrides and j < i]
            note = f"# {rule.name}, {r.anchor}"
            if beaten_by:
                note += "; opzij als " + " of ".join(rules[j].node.name for j in beaten_by)
                note += " geldt"
            body.append("    " + comment(note))
            cond = self.expr(rule.condition) if rule.condition is not None else Atom("True")
            add: Callable[[int], list[str]] | None = None
            if not rule.not_applicable:
                pair = Call(
                    "found.append", [Call("", [Atom(f"REGEL_{rule.name}"), self._value(rule)])]
                )
                add = partial(render, pair, "")
            aside: Code | None = None
            for j in beaten_by:
                aside = Atom(f"g{j}") if aside is None else binary("or", OR, aside, Atom(f"g{j}"))
            if i in needed:
                won = cond if aside is None else binary("or", OR, aside, cond)
                body += render(won, f"g{i} = ", 4)
                if add:
                    guard: Code = Atom(f"g{i}")
                    if aside is not None:
                        guard = binary("and", AND, guard, unary("not ", NOT, aside))
                    body += _if(guard, add)
            elif add:
                if aside is None and rule.condition is None:
                    body += add(4)
                else:
                    guard = cond
                    if aside is not None:
                        guard = binary("and", AND, unary("not ", NOT, aside), cond)
                    body += _if(guard, add)
        body.append(f"    {target}combine(UITKOMST_{outcome}, found)")
        return body

    def _value(self, rule: n.Rule) -> Code:
        """What a rule gives: its value, or the item it adds to a list."""
        if rule.item is not None:
            return Atom(py_str(rule.item))
        assert rule.value is not None
        return self.expr(rule.value)

    def _may_be_undetermined(self, rules: list[RuleInfo]) -> bool:
        """Tiers without `anders`, and an open norm of another regulation (no version in
        force, or not filled), can leave a fast decision's outcome onbepaald."""
        for r in rules:
            for e in (r.node.condition, r.node.value):
                if e is not None and any(
                    (isinstance(x, n.Choice) and x.otherwise is None) or isinstance(x, n.QualName)
                    for x in n.walk(e)
                ):
                    return True
        return False

    def _regulation(
        self,
        inputs: list[Symbol],
        outcomes: list[Symbol],
        needs: dict[str, list[str]],
        fast: dict[str, str | None],
    ) -> list[str]:
        reg = self.info.node
        meta = reg.meta
        begrippen = [
            f"{py_str(s.name)}: begrip_{s.name}"
            for s in self.info.symbols.values()
            if s.kind == "begrip"
        ]
        begrippen += [
            f"{py_str(fill_key(fill.regulation, fill.norm))}: invulling_{i}"
            for i, fill in enumerate(self.info.fills, 1)
        ]
        norms = []
        for sym in self.info.symbols.values():
            if sym.kind == "norm":
                default = f"norm_{sym.name}" if sym.norm.default is not None else "None"
                fillers, begrip = self.a.filling(self.key, sym.name)
                filled = f"({_tuple(list(fillers))}, {py_str(begrip)})" if fillers else "None"
                norms.append(f"{py_str(sym.name)}: ({default}, {filled})")
        decisions = [
            f"{py_str(d.name)}: {_tuple([name for name, _ in d.outcomes])}" for d in reg.decisions
        ]
        meta_items = [
            f"{py_str('citeertitel')}: {_opt(meta.citeertitel)}",
            f"{py_str('gemeente')}: {_opt(meta.gemeente)}",
            f"{py_str('gemeentecode')}: {_opt(meta.territory[0] if meta.territory else None)}",
            f"{py_str('verbonden')}: {_tuple(sorted(self.a.connected(self.key)))}",
            f"{py_str('orgaan')}: {_opt(meta.organ)}",
            f"{py_str('vastgesteld')}: {self._date(meta.adopted)}",
        ]
        args: list[tuple[str, str | Container]] = [
            ("id", py_str(reg.id)),
            ("title", py_str(reg.title)),
            ("kind", py_str(reg.kind)),
            ("inputs", _braces([f"{py_str(s.name)}: GEGEVENS[{i}]" for i, s in enumerate(inputs)])),
            ("begrippen", _braces(begrippen)),
            ("outcomes", _braces([f"{py_str(s.name)}: UITKOMST_{s.name}" for s in outcomes])),
            ("decisions", _braces(decisions)),
            (
                "needs",
                _braces([f"{py_str(k)}: frozenset({_tuple(v)})" for k, v in needs.items()]),
            ),
            ("norms", _braces(norms)),
            ("valid_from", self._date(meta.valid_from)),
            ("valid_until", self._date(meta.valid_until)),
            ("meta", _braces(meta_items)),
            ("fast", _braces([f"{py_str(k)}: {v}" for k, v in fast.items() if v])),
            *self._motivation_tables(),
            ("digits", _braces([f"{py_str(k)}: {v}" for k, v in self.digits.items()])),
            ("checks", _braces([f"{py_str(k)}: {v}" for k, v in self.checks.items()])),
        ]
        return _call_lines("Regulation", args, 0)

    def _motivation_tables(self) -> list[tuple[str, str | Container]]:
        """What the motivation says of begrippen and norms beyond their values: how each was
        worked out, the article it stands in, how its value reads, and for an open norm the
        organ it is left to."""
        anchors, formats, organs, reads = [], [], [], []
        for sym in self.info.symbols.values():
            if sym.kind not in ("begrip", "norm", "outcome"):
                continue
            if sym.kind == "begrip":
                names = self._facts(sym.begrip.value)
                if names:
                    reads.append(f"{py_str(sym.name)}: {_tuple(names)}")
            if sym.anchor is not None:
                anchors.append(f"{py_str(sym.name)}: {py_str(str(sym.anchor))}")
            if sym.kind != "outcome" and sym.type is not None:
                t = sym.type
                shown = f"({py_str(t.kind)}, {py_str(unit_label(t))}, {t.percent!r}, {_one(t)})"
                formats.append(f"{py_str(sym.name)}: {shown}")
            if sym.kind == "norm":
                organ = sym.norm.organ
                organs.append(f"{py_str(sym.name)}: {py_str(organ)}")
        for fill in self.info.fills:
            if fill.anchor is not None:
                key = fill_key(fill.regulation, fill.norm)
                anchors.append(f"{py_str(key)}: {py_str(str(fill.anchor))}")
        return [
            ("anchors", _braces(anchors)),
            ("formats", _braces(formats)),
            ("norm_organs", _braces(organs)),
            ("begrip_facts", _braces(reads)),
            (
                "organ_names",
                _braces([f"{py_str(o.key)}: {py_str(o.name)}" for o in ORGANS.values()]),
            ),
        ]

    def _date(self, day: datetime.date | None) -> str:
        return "None" if day is None else self.constant(day).flat()

    def _facts(self, e: n.Expr) -> list[str]:
        """The names a condition reads, in order, to show their values in the trace; not
        what it reads of each person of a group (within `… in huishouden`)."""
        own = self.info.symbols
        return [
            read.label
            for read in reads(e)
            if read.regulation or read.name not in own or own[read.name].group is None
        ]

    def _needs(self, name: str) -> set[tuple[str, str]]:
        """The (regulation, input) pairs an outcome may read; the `niet van toepassing`
        rules that can set its rules aside read inputs too."""
        return self.a.outcome_inputs(self.key, name)


def _if(guard: Code, statement: Callable[[int], list[str]]) -> list[str]:
    lines = render(guard, "if ", 4)
    lines[-1] += ":"
    return [*lines, *statement(8)]


def _braces(items: list[str]) -> Container:
    return Container("{", items, "}")


def _opt(text: str | None) -> str:
    return "None" if text is None else py_str(text)


def _tuple_of(codes: list[str]) -> str:
    """A tuple of Python expressions, as written."""
    return "(" + ", ".join(codes) + ("," if len(codes) == 1 else "") + ")"


def _tuple(items: list[str] | tuple[str, ...]) -> str:
    if len(items) == 1:
        return f"({py_str(items[0])},)"
    return "(" + ", ".join(py_str(i) for i in items) + ")"


@dataclass
class Container:
    """A dict, list or tuple literal, written one item per line when it is long."""

    open: str
    items: list[str]
    close: str

    def flat(self) -> str:
        return self.open + ", ".join(self.items) + self.close


def _call_lines(func: str, args: Sequence[tuple[str, str | Container]], indent: int) -> list[str]:
    """A call with keyword arguments, one per line when it does not fit on one."""
    pad = " " * indent

    def flat(value: str | Container) -> str:
        return value if isinstance(value, str) else value.flat()

    one = f"{pad}{func}({', '.join(f'{k}={flat(v)}' for k, v in args)})"
    if len(one) <= 100:
        return [one]
    lines = [pad + func + "("]
    for key, value in args:
        line = f"{pad}    {key}={flat(value)},"
        if isinstance(value, Container) and len(line) > 100 and value.items:
            lines.append(f"{pad}    {key}={value.open}")
            lines += [f"{pad}        {item}," for item in value.items]
            lines.append(f"{pad}    {value.close},")
        else:
            lines.append(line)
    lines.append(pad + ")")
    return lines


def _resolved(e: n.Expr) -> tuple[str, str]:
    """What a name refers to, as the checker found it; a name it did not resolve is a fault
    of the compiler here, never of the regulation (that had an error)."""
    assert e.resolved is not None, f"onopgeloste naam op {e.span}"
    return e.resolved


def _typed(e: n.Expr) -> Type:
    assert e.type is not None, f"uitdrukking zonder type op {e.span}"
    return e.type


def _explained(x: n.Expr) -> bool:
    """Whether a node of a value is a step of its derivation: a calculation, a cap, a
    rounding, a tier, or a value read with a provenance (a begrip, a norm, another
    regulation's value)."""
    if isinstance(x, n.Binary):
        return x.op in OPERATORS
    if isinstance(x, n.Round):
        return x.target is not None
    if isinstance(x, n.Name):
        return (x.resolved or ("",))[0] in ("begrip", "norm")
    return isinstance(
        x, n.Bound | n.Extreme | n.Age | n.Between | n.Choice | n.QualName | n.Aggregate
    )


# How deep the shape of a condition goes (`ModuleWriter._reason`); deeper parts are said as a
# whole, with their value.
_REASON_DEPTH = 12


def _chain(e: n.Binary, op: str) -> list[n.Expr]:
    """`a en b en c` as its three parts (the parser nests them two by two)."""
    parts: list[n.Expr] = []
    todo: list[n.Expr] = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, n.Binary) and x.op == op:
            todo += [x.right, x.left]
        else:
            parts.append(x)
    return parts


def _comparison_words(e: n.Binary) -> tuple[str, str]:
    """A comparison as a motivation says it when it holds and when it does not: "is jonger
    dan" and "is niet jonger dan", in the words the regulation wrote."""
    comparator = COMPARATORS[e.op]
    word = e.word if e.word and e.word[0].isalpha() else comparator.prose
    if e.op == "=":
        return "is", "is niet"
    if e.op == "!=":
        return "is niet", "is"
    return f"is {word}", f"is niet {word}"


# Python's parser takes 200 nested brackets. A node nests at most one of its own, a step of
# a twin two more (a call and a kept operand): deeper values are said without derivation.
_TWIN_DEPTH = 150


def _explained_depth(e: n.Expr) -> int:
    """How deep the brackets of `e`'s twin nest, at most (iteratively: a value can be nested
    deeper than Python recurses)."""
    deepest = 0
    stack: list[tuple[n.Expr, int]] = [(e, 0)]
    while stack:
        x, depth = stack.pop()
        depth += 1 + 2 * _explained(x)
        deepest = max(deepest, depth)
        stack += [(child, depth) for child in operands(x)]
    return deepest


def _sets_aside(rules: list[RuleInfo], i: int, later: range) -> bool:
    """Whether rule `i`, when it applies, sets aside every rule in `later` (directly or
    through the rules it sets aside)."""
    by_name = {r.node.name: k for k, r in enumerate(rules)}
    reached: set[int] = set()
    todo = [i]
    while todo:
        for name in rules[todo.pop()].overrides:
            k = by_name.get(name)
            if k is not None and k not in reached:
                reached.add(k)
                todo.append(k)
    return all(k in reached for k in later)


@cache
def template(name: str) -> jinja2.Template:
    """A template for generated Python (`module.py.jinja`, `package.py.jinja`)."""
    import jinja2  # only where code is generated, not for `regel controleer`

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("regel.compiler", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name)


def generate(analysis: Analysis, sources: dict[str, str], regulation: str) -> str:
    """The Python source of one regulation's module, explaining twins included (a package)."""
    writer = ModuleWriter(analysis, sources, analysis.regs[regulation])
    writer.write()
    return _render("module.py.jinja", writer.write_twins())


def generate_lazily(
    analysis: Analysis, sources: dict[str, str], regulation: str
) -> tuple[str, Callable[[], str]]:
    """The module without its explaining twins, and what writes them when first needed: the
    code that notes each step of a calculation is a third of a module and is needed only for a
    motivation. The second part runs in the namespace of the first."""
    writer = ModuleWriter(analysis, sources, analysis.regs[regulation])
    main = _render("module.py.jinja", writer.write())

    def twins() -> str:
        module = writer.module
        writer.module = Module(module.regulation, module.files)  # for the constants they add
        return _render("twins.py.jinja", writer.write_twins())

    return main, twins


def _render(name: str, module: Module) -> str:
    module.files = [comment(f) for f in module.files]
    draft = template(name).render(
        m=module,
        imports=[_IMPORTS],
        twins_marker=TWINS.strip("\n"),
        standalone=name == "twins.py.jinja",
    )
    imports = _imports(draft.replace(_IMPORTS, "", 1))
    return long_line_waiver(draft.replace(_IMPORTS, "\n".join(imports), 1))


def long_line_waiver(code: str, limit: int = 88) -> str:
    """Texts from a regulation stay on one line, however long: such a module says so to ruff.
    Only then, so that ruff never finds the waiver unused."""
    if any(len(line) > limit for line in code.splitlines()):
        return "# ruff: noqa: E501\n" + code
    return code


# Where the explaining twins begin in a package's module. Loaded with `load`, a regulation
# writes them only for the first decision with a motivation (`generate_lazily`,
# `Regulation.load_explainers`).
TWINS = "\n# uitleg: hoe elke waarde is berekend, voor de motivering\n"


# Where the imports go, filled in once the module shows which names it uses: a NUL never
# survives `comment()` or a literal, so it cannot come from the source.
_IMPORTS = "\x00"


# Texts in generated code: docstrings, and the one-line literals `py_str` writes (repr never
# writes a line break); then comments. What is left are names and operators.
_TEXTS = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_USED = re.compile(r"(?<![.\w])[A-Za-z_]\w*")  # `c.judge` is no use of `judge`


def _imports(code: str) -> list[str]:
    """The import lines for the names the module uses; words inside texts do not count. One
    pass of two regular expressions: linear in the size of the module."""
    used = set(_USED.findall(_TEXTS.sub(" ", code)))
    lines = []
    if "datetime" in used:
        lines.append("import datetime")
    if "Mapping" in used:
        lines.append("from collections.abc import Mapping")
    if "Decimal" in used:
        lines.append("from decimal import Decimal")
    if "Any" in used:
        lines.append("from typing import Any")
    lines.append("")
    names = sorted(used & set(rt.__all__), key=_isort_key)
    if names:
        lines.append("from regel.runtime import (")
        lines += [f"    {name}," for name in names]
        lines.append(")")
    return lines


def execute(source: str, regulation: str, twins: Callable[[], str] | None = None) -> rt.Regulation:
    """Run a generated module in a fresh namespace and return its regulation; `twins` writes
    the explaining twins, run in the same namespace at the first motivation."""
    filename = f"<regel {regulation}>"
    namespace: dict[str, Any] = {"__name__": f"regel_{regulation}"}
    _run(source, filename, namespace)
    found: rt.Regulation = namespace["REGELING"]
    if twins is not None:
        found.explain_loader = lambda: _run(twins(), f"<regel {regulation} uitleg>", namespace)
    return found


def _run(source: str, filename: str, namespace: dict[str, Any]) -> None:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    for code in compile_module(source, filename):
        exec(code, namespace)  # generated code: names are prefixed, texts are literals


def build(analysis: Analysis, sources: dict[str, str]) -> rt.Program:
    """Every loaded regulation (each version apart), linked so that they can use each other."""
    modules = {key: generate_lazily(analysis, sources, key) for key in analysis.regs}
    return rt.Program({key: execute(main, key, twins) for key, (main, twins) in modules.items()})


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's isort keeps."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)
