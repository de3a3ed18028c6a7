"""How many digits a calculation can need, given the bounds on the numbers that enter it.

Both engines ask this of the model: the Python code generator, to know whether a fast decision
fits the caller's decimal context, and the SQL lowering, to give every value a `DECIMAL` type
that holds it exactly (at most 38 digits) and to know which inputs it can take. The bounds of a
gegeven are a parameter: the Python runtime takes every valid input (`runtime/inputs.py`), the
SQL engine a narrower range, and leaves the rest to the Python runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

from regel import runtime as rt

from . import nodes as n
from .model import Analysis, RegInfo
from .vocabulary import ROUNDING_TARGETS

Digits = tuple[int, int]  # digits before and after the point


def literal(e: n.Expr) -> bool:
    """A value written out in the source: a number, amount, date, time, text or ja/nee."""
    if isinstance(e, n.Negate):
        return literal(e.operand)
    return isinstance(e, n.LITERALS)


def norm_literals(analysis: Analysis, regulation: str, name: str) -> list[n.Expr]:
    """Every value an open norm can get: its default and each filling, in every version."""
    found: list[n.Expr] = []
    for info in analysis.of(regulation):
        norm = info.symbols[name].norm
        if norm.default is not None:
            found.append(norm.default)
        for filler in analysis.fillers(info.key, name):
            for fill in filler.fills:
                if fill.regulation == regulation and fill.norm == name:
                    found.append(fill.value)
    return found


def constant_norm(analysis: Analysis, regulation: str, name: str) -> bool:
    """Whether an open norm gets a literal value from every filling and its default: then only
    the peildatum (which versions are in force) and the gemeente decide it."""
    return all(literal(e) for e in norm_literals(analysis, regulation, name))


def places(target: str) -> int:
    """The digits after the point of a rounding target (`op centen`: 2), from the runtime's
    quantum for it, so that the engines round where the runtime rounds."""
    quantum = getattr(rt, ROUNDING_TARGETS[target].runtime)
    exponent = quantum.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)


@dataclass(slots=True)
class Quotient:
    """A rounded sum with one division in it, as the SQL engine can take it: the signed
    division-free terms, and `sign × numerator / divisor`."""

    terms: list[tuple[int, n.Expr]]
    numerator: n.Expr
    divisor: n.Expr
    sign: int


def quotient(e: n.Round) -> Quotient | None:
    """`e` as a Quotient, or None: no division in it, or one elsewhere than directly among the
    terms of the sum that is rounded (or more than one)."""
    terms: list[tuple[int, n.Expr]] = []

    def flatten(x: n.Expr, sign: int) -> None:
        numeric = x.type is None or x.type.kind == "num"
        if isinstance(x, n.Binary) and x.op in ("plus", "min") and numeric:
            flatten(x.left, sign)
            flatten(x.right, sign if x.op == "plus" else -sign)
        elif isinstance(x, n.Negate):
            flatten(x.operand, -sign)
        else:
            terms.append((sign, x))

    flatten(e.value, 1)
    divisions = [(s, x) for s, x in terms if isinstance(x, n.Binary) and x.op == "deel"]
    if len(divisions) != 1:
        return None
    sign, division = divisions[0]
    assert isinstance(division, n.Binary)
    rest = [(s, x) for s, x in terms if x is not division]
    inner = [x for _, x in rest] + [division.left, division.right]
    if any(isinstance(y, n.Binary) and y.op == "deel" for y in n.walk(inner)):
        return None
    return Quotient(rest, division.left, division.right, sign)


def operands(e: n.Expr) -> list[n.Expr]:
    """The expressions directly within `e` (tiers give their values and conditions)."""
    found: list[n.Expr] = []
    for slot in type(e).__slots__:
        value = getattr(e, slot)
        for item in value if isinstance(value, list) else [value]:
            for part in item if isinstance(item, tuple) else (item,):
                if isinstance(part, n.Expr):
                    found.append(part)
    return found


class DigitBounds:
    """At most how many digits before and after the point the numbers in an expression can
    have, when every numeric gegeven has at most `inputs` digits (a person's too); None when a
    division makes it unbounded (a group has at most PERSONS_LIMIT persons). With `outcomes`, an
    outcome read counts as the widest value its rules give, and a begrip of another regulation
    as its widest in any version (the SQL query works both out itself; generated Python code
    does not ask)."""

    def __init__(
        self,
        analysis: Analysis,
        info: RegInfo,
        inputs: Digits = (rt.NUMBER_DIGITS, rt.inputs.FRACTION_DIGITS),
        outcomes: bool = False,
    ):
        self.a, self.info, self.inputs, self.outcomes = analysis, info, inputs, outcomes
        self._memo: dict[int, Digits | None] = {}

    def of(self, e: n.Expr) -> Digits | None:
        key = id(e)
        if key not in self._memo:
            self._memo[key] = self._count(e)
        return self._memo[key]

    def _count(self, e: n.Expr) -> Digits | None:
        match e:
            case n.Number() | n.Money():
                exponent = e.value.as_tuple().exponent
                assert isinstance(exponent, int)
                return (max(e.value.adjusted() + 1, 1), max(-exponent, 0))
            case n.Name():
                kind, name = e.resolved or ("", "")
                if kind in ("input", "field"):
                    t = self.info.symbols[name].type
                    return self.inputs if t is not None and t.kind == "num" else (0, 0)
                if kind == "begrip":
                    return self.of(self.info.symbols[name].begrip.value)
                if kind == "norm":
                    return self.widest(norm_literals(self.a, self.info.node.id, name))
                if kind == "outcome" and self.outcomes:
                    return self.outcome(name)
                return (0, 0) if kind == "choice" else None
            case n.QualName() if (e.resolved or ("",))[0] == "input":
                return self.inputs if e.type is not None and e.type.kind == "num" else (0, 0)
            case n.QualName() if (e.resolved or ("",))[0] == "norm":
                return self.widest(norm_literals(self.a, e.regulation, e.name))
            case n.QualName() if self.outcomes and (e.resolved or ("",))[0] == "begrip":
                return self.elsewhere(e.regulation, e.name)
            case n.QualName():
                return None  # a begrip or outcome of another regulation: not counted here
            case n.Binary(op="deel"):
                return None
            case n.Aggregate(kind="aantal"):
                return (len(str(rt.inputs.PERSONS_LIMIT)), 0)
            case n.Aggregate(kind="som", value=n.Expr() as value):
                # at most PERSONS_LIMIT values, each below 10^k: the sum is below 10^(k+2)
                d = self.of(value)
                return None if d is None else (d[0] + len(str(rt.inputs.PERSONS_LIMIT)) - 1, d[1])
            case n.Aggregate(kind="hoogste" | "laagste", value=n.Expr() as value):
                return self.of(value)
            case n.Aggregate():
                return (0, 0)  # ieder, enig: ja or nee
            case n.Binary(op="plus" | "min") if e.left.type is not None and e.left.type.kind in (
                "date",
                "clock",
            ):
                return self.widest([e.left, e.right], (0, 0))
            case n.Binary(op="plus" | "min"):
                d = self.widest([e.left, e.right])
                return None if d is None else (d[0] + 1, d[1])
            case n.Binary(op="maal" | "van"):
                a, b = self.of(e.left), self.of(e.right)
                return None if a is None or b is None else (a[0] + b[0], a[1] + b[1])
            case n.Round(target=None):
                return self.widest([e.value], (0, 0))
            case n.Round(target=str(target)):
                d = self.of(e.value)
                if d is None and (q := quotient(e)) is not None:
                    d = self.quotient(q)
                return None if d is None else (d[0] + 1, places(target))
            case n.Age():
                return self.widest([e.birth, e.on], (4, 0))
            case n.Between():
                return self.widest([e.start, e.end], (7, 0))
        return self.widest(operands(e))

    def terms(self, q: Quotient) -> Digits | None:
        """The sum of the division-free terms of a quotient."""
        if not q.terms:
            return (0, 0)
        d = self.widest([x for _, x in q.terms])
        return None if d is None else (d[0] + len(q.terms) - 1, d[1])

    def quotient(self, q: Quotient) -> Digits | None:
        """The digits before the point of `terms ± numerator / divisor` (none after it is
        bounded): a divisor with f digits after the point is at least 10^-f when not 0."""
        t, x, d = self.terms(q), self.of(q.numerator), self.of(q.divisor)
        if t is None or x is None or d is None:
            return None
        return (max(t[0], x[0] + d[1]) + 1, 0)

    def outcome(self, name: str) -> Digits | None:
        """The widest value any rule of an outcome gives, or its default."""
        values = [
            r.node.value for r in self.info.precedence.get(name, []) if r.node.value is not None
        ]
        default = self.info.symbols[name].outcome.default
        return self.widest(values + ([default] if default is not None else []))

    def elsewhere(self, regulation: str, name: str) -> Digits | None:
        """A begrip of another regulation: the widest it is in any of its versions."""
        found = [
            DigitBounds(self.a, info, self.inputs, self.outcomes).of(
                info.symbols[name].begrip.value
            )
            for info in self.a.of(regulation)
            if name in info.symbols and info.symbols[name].kind == "begrip"
        ]
        known = [d for d in found if d is not None]
        if not known or len(known) < len(found):
            return None
        return (max(d[0] for d in known), max(d[1] for d in known))

    def widest(self, exprs: list[n.Expr], result: Digits | None = None) -> Digits | None:
        """The widest of the operands (or `result`, once the operands are known to fit)."""
        widest = (0, 0)
        for x in exprs:
            d = self.of(x)
            if d is None:
                return None
            widest = (max(widest[0], d[0]), max(widest[1], d[1]))
        return widest if result is None else result
