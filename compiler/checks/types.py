"""R3xx, types and units: the type of every expression (a visitor), set on the node."""

from __future__ import annotations

import decimal
from decimal import Decimal

from regel.runtime import inputs

from .. import nodes as n
from .. import unparse, vocabulary
from ..diagnostics import Span, suggest
from ..model import RegInfo, Symbol, constant_value
from ..types import (
    BOOL,
    CLOCK,
    DATE,
    DIMENSIONLESS,
    NUMBER,
    PERCENT,
    TEXT,
    Type,
    Unit,
    from_spec,
)  # fmt: skip
from .base import CheckerBase
from .common import (
    _bound_value,
    _cut,
    _is_constant,
    _src,
    _unit_hint,
)
from .names import UNKNOWN_GROUP

CLOCK_UNITS = tuple(Unit.of(name) for name in vocabulary.CLOCK_UNITS)


class TypesPass(CheckerBase):
    def typeof(self, info: RegInfo, e: n.Expr, expect: Type | None = None) -> Type | None:
        t = self._typeof(info, e, expect)
        if t is not None:
            e.type = t
        return t

    def _typeof(self, info: RegInfo, e: n.Expr, expect: Type | None) -> Type | None:
        return self.visit(e, info, expect)

    def _type_symbol(self, info: RegInfo, sym: Symbol) -> Type | None:
        key = (info.key, sym.name)
        if sym.kind == "begrip" and sym.type is None:
            if key in self._visiting:
                return None  # a cycle; reported by _check_cycles
            self._visiting.add(key)
            saved, self._current = self._current, key
            person, self._person = self._person, sym.group
            self.a.deps.setdefault(key, set())
            node: n.Begrip = sym.node  # type: ignore[assignment]
            if node.group is not None:  # the group it is a begrip of exists, or R215
                self._group(info, n.Name(node.group[1], node.group[0]))
            sym.type = self.typeof(info, node.value)
            self._current, self._person = saved, person
            self._visiting.discard(key)
        elif sym.kind == "norm" and key not in self.a.deps:
            self.a.deps[key] = set()
            norm: n.OpenNorm = sym.node  # type: ignore[assignment]
            if norm.default is not None:
                self._check_default(info, norm.name, norm.default, sym.type or NUMBER)
        return sym.type

    def _check_default(self, info: RegInfo, name: str, expr: n.Expr, want: Type) -> None:
        if not _is_constant(expr):
            self.error(
                "R309",
                f"de standaardwaarde van '{name}' moet een vaste waarde zijn",
                expr.span,
                "schrijf een getal, bedrag, datum, ja of nee",
            )
            return
        self._current = (info.key, name)
        got = self.typeof(info, expr, want)
        if got is not None and not want.same(got):
            self.error(
                "R309",
                f"de standaardwaarde van '{name}' is {got.display()}, verwacht {want.display()}",
                expr.span,
            )
        else:
            self._check_count(name, expr, want)

    def _check_count(self, name: str, expr: n.Expr, want: Type | None) -> None:
        """A fixed value for an `aantal` (a number of persons, of terraces): whole and not
        below zero, as the input is."""
        if want is None or want.label != "aantal":
            return
        value = constant_value(expr)
        if isinstance(value, Decimal) and (value < 0 or value != value.to_integral_value()):
            self.error(
                "R313",
                f"'{name}' is een aantal: een geheel getal van 0 of meer, "
                f"niet {unparse.source(expr)}",
                expr.span,
                "tel in hele eenheden; is het een hoeveelheid, kies dan getal of een eenheid",
            )

    def _check_bounds(self, info: RegInfo, inp: n.Input) -> None:
        """`ten minste` and `ten hoogste` of a gegeven: numbers in its own unit, the least not
        above the most; the input refuses what lies outside (and so does every channel)."""
        want = from_spec(inp.type)
        bounds = [b for b in (inp.minimum, inp.maximum) if b is not None]
        if bounds and want.kind != "num":
            self.error(
                "R312",
                f"'{inp.name}' is {want.display()}; alleen een getal of bedrag heeft een "
                "ten minste of ten hoogste",
                bounds[0].span,
            )
            return
        for bound in bounds:
            self._current = None
            got = self.typeof(info, bound, want)
            if got is not None and not want.same(got):
                self.error(
                    "R312",
                    f"de grens van '{inp.name}' is {got.display()}, maar '{inp.name}' is "
                    f"{want.display()}",
                    bound.span,
                    _unit_hint(want, got),
                )
                return
        if inp.minimum is not None and inp.maximum is not None:
            low, high = _bound_value(inp.minimum), _bound_value(inp.maximum)
            if low > high:
                self.error(
                    "R312",
                    f"bij '{inp.name}' ligt ten minste boven ten hoogste",
                    inp.maximum.span,
                )

    def _check_condition(self, info: RegInfo, expr: n.Expr) -> None:
        got = self.typeof(info, expr, BOOL)
        if got is not None and got.kind != "bool":
            self.error(
                "R303",
                f"een voorwaarde moet ja of nee zijn, dit is {got.display()}",
                expr.span,
                "vergelijk de waarde, bijvoorbeeld: … is ten minste …",
            )

    def _literal_digits(self, e: n.Number | n.Money) -> None:
        """A number in the source has the bounds of a number in the input: every calculation
        then stays exact, and the same value is valid in every channel."""
        value = e.value
        if isinstance(e, n.Number) and e.percent:
            value = value.scaleb(2, decimal.Context(prec=len(value.as_tuple().digits) + 3))
        problem = inputs.number_problem(value)
        if problem:
            self.error(
                "R310",
                f"{problem}: {_cut(unparse.number(value))}",
                e.span,
                f"een getal heeft ten hoogste {inputs.INTEGER_DIGITS} cijfers voor de komma en "
                f"{inputs.FRACTION_DIGITS} erachter",
            )

    def _bool(self, info: RegInfo, e: n.Expr) -> None:
        t = self.typeof(info, e, BOOL)
        if t is not None and t.kind != "bool":
            self.error(
                "R303",
                f"'{_src(e)}' is {t.display()}, verwacht ja/nee",
                e.span,
                "vergelijk de waarde, bijvoorbeeld: … is ten minste …",
            )

    def _binary(self, info: RegInfo, e: n.Binary) -> Type | None:
        op = e.op
        if op in ("en", "of", "tenzij"):
            self._bool(info, e.left)
            self._bool(info, e.right)
            return BOOL
        left = self.typeof(info, e.left)
        if op in ("=", "!=") and e.left in self._unbracketed:
            return left  # `waarvoor rol is kind`: said once, as R303 with its brackets
        right = self.typeof(info, e.right, left)
        if left is None or right is None:
            return BOOL if op in ("=", "!=", "<", ">", "<=", ">=") else None
        if op in ("=", "!="):
            if not left.same(right):
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
            return BOOL
        if op in ("<", ">", "<=", ">="):
            if left.kind not in ("num", "date", "clock") or right.kind != left.kind:
                self.error(
                    "R301",
                    f"'{e.word}' vergelijkt getallen, bedragen, datums of kloktijden, niet "
                    f"{left.display()} met {right.display()}",
                    e.span,
                )
            elif left.kind == "num" and left.unit != right.unit:
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
            return BOOL
        if op in ("plus", "min"):
            if left.kind == "clock":
                if right.kind == "num" and right.unit in CLOCK_UNITS:
                    return CLOCK
                self.error(
                    "R311",
                    f"bij een kloktijd kun je alleen uren of minuten optellen; '{_src(e.right)}' "
                    "is geen van beide",
                    e.right.span,
                    "bijvoorbeeld: openingstijd + 2 uur; de tijd tussen twee kloktijden is: "
                    "het aantal minuten van <kloktijd> tot <kloktijd>",
                )
                return None
            if left.kind == "date":
                if right.kind == "num" and right.unit.time:
                    return DATE
                if op == "min" and right.kind == "date":
                    self.error(
                        "R311",
                        "datums kun je niet van elkaar aftrekken",
                        e.span,
                        "schrijf: dagen (maanden, jaren) van <datum> tot <datum>",
                    )
                    return None
                self.error(
                    "R311",
                    f"bij een datum kun je alleen een duur optellen, niet {right.display()}",
                    e.right.span,
                    "bijvoorbeeld: datum + 3 maanden",
                )
                return None
            if self._not_numbers(e, left, right):
                return None
            if left.unit != right.unit:
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
                return None
            return Type("num", left.unit, left.percent and right.percent)
        if self._not_numbers(e, left, right):
            return None
        if op == "maal":
            return Type("num", left.unit * right.unit, left.percent and right.percent)
        if op == "deel":
            return Type("num", left.unit / right.unit)
        # op == "van": a percentage (or fraction) of an amount
        if not left.unit.dimensionless:
            self.error(
                "R306",
                f"'… van …' neemt een percentage van een waarde, maar "
                f"'{_src(e.left)}' is {left.display()}",
                e.left.span,
                "bijvoorbeeld: 50% van loonkosten",
            )
            return None
        return Type("num", right.unit, right.percent)

    def _not_numbers(self, e: n.Binary, left: Type, right: Type) -> bool:
        """Arithmetic on something that is not a number or an amount: R301, said once."""
        if left.kind == "num" and right.kind == "num":
            return False
        self.error(
            "R301",
            f"'{e.word}' werkt op getallen en bedragen, niet op "
            f"{left.display()} en {right.display()}",
            e.span,
        )
        return True

    def _round(self, info: RegInfo, e: n.Round, expect: Type | None) -> Type | None:
        t = self.typeof(info, e.value, expect)
        if t is None:
            return None
        if e.target is None:
            is_shift = isinstance(e.value, n.Binary) and e.value.op in ("plus", "min")
            if t.kind != "date" or not is_shift:
                self.error(
                    "R308",
                    "'afgerond naar boven/beneden' zonder 'op …' is er alleen "
                    "voor een datum plus of min een duur",
                    e.span,
                    "rond bedragen af met: afgerond op centen half naar boven",
                )
                return None
            if e.mode == "half_naar_boven":
                self.error("R308", "een datum rond je af naar boven of naar beneden", e.span)
            return t
        if t.kind != "num":
            self.error(
                "R307", f"alleen getallen en bedragen worden afgerond, niet {t.display()}", e.span
            )
            return None
        if e.target in ("centen", "hele_euro") and not t.unit.has_euro():
            self.error(
                "R307",
                f"'afgerond op {vocabulary.ROUNDING_TARGETS[e.target].words}' is voor bedragen, "
                f"dit is {t.display()}",
                e.span,
                "gebruik: afgerond op hele getallen",
            )
        return t

    def _unit_mismatch(self, span: Span, a: Type, b: Type, where: str) -> None:
        if a.kind == "num" and b.kind == "num":
            self.error(
                "R302",
                f"eenheden passen niet bij {where}: {a.display()} en {b.display()}",
                span,
                _unit_hint(a, b),
            )
        else:
            self.error("R301", f"{a.display()} en {b.display()} passen niet bij {where}", span)

    def _dates(self, info: RegInfo, *parts: n.Expr, want: str = "date") -> None:
        for part in parts:
            t = self.typeof(info, part)
            if t is not None and t.kind != want:
                what = "een kloktijd" if want == "clock" else "een datum"
                hint = None
                if t.kind in ("date", "clock"):
                    hint = (
                        "tussen datums tel je dagen, weken, maanden of jaren; tussen kloktijden "
                        "uren of minuten"
                    )
                self.error(
                    "R301", f"'{_src(part)}' is {t.display()}, verwacht {what}", part.span, hint
                )

    def visit_Number(self, e: n.Number, info: RegInfo, expect: Type | None) -> Type | None:
        self._literal_digits(e)
        if e.percent:
            return PERCENT
        unit = Unit.of(e.unit.word, e.unit.per) if e.unit else DIMENSIONLESS
        return Type("num", unit)

    def visit_Money(self, e: n.Money, info: RegInfo, expect: Type | None) -> Type | None:
        self._literal_digits(e)
        return Type("num", Unit.of("euro", e.per))

    def visit_DateLit(self, e: n.DateLit, info: RegInfo, expect: Type | None) -> Type | None:
        return DATE

    def visit_TextLit(self, e: n.TextLit, info: RegInfo, expect: Type | None) -> Type | None:
        if expect is not None and expect.kind == "choice":
            if e.value not in expect.choices:
                self.error(
                    "R208",
                    f"'{e.value}' is geen van de keuzes ({', '.join(expect.choices)})",
                    e.span,
                    suggest(e.value, expect.choices),
                )
                return None
            e.resolved = ("choice", e.value)
            return expect
        return TEXT

    def visit_BoolLit(self, e: n.BoolLit, info: RegInfo, expect: Type | None) -> Type | None:
        return BOOL

    def visit_Peildatum(self, e: n.Peildatum, info: RegInfo, expect: Type | None) -> Type | None:
        return DATE

    def visit_Name(self, e: n.Name, info: RegInfo, expect: Type | None) -> Type | None:
        return self._name(info, e, expect)

    def visit_QualName(self, e: n.QualName, info: RegInfo, expect: Type | None) -> Type | None:
        return self._qualname(info, e)

    def visit_Not(self, e: n.Not, info: RegInfo, expect: Type | None) -> Type | None:
        self._bool(info, e.operand)
        return BOOL

    def visit_Negate(self, e: n.Negate, info: RegInfo, expect: Type | None) -> Type | None:
        t = self.typeof(info, e.operand)
        if t is not None and t.kind != "num":
            self.error("R301", f"'-' werkt alleen op getallen, niet op {t.display()}", e.span)
            return None
        return t

    def visit_Binary(self, e: n.Binary, info: RegInfo, expect: Type | None) -> Type | None:
        return self._binary(info, e)

    def visit_Membership(self, e: n.Membership, info: RegInfo, expect: Type | None) -> Type | None:
        left = self.typeof(info, e.value)
        for opt in e.options:
            t = self.typeof(info, opt, left)
            if left is not None and t is not None and not left.same(t):
                self.error(
                    "R301",
                    f"'{_src(opt)}' is {t.display()}, maar '{_src(e.value)}' is {left.display()}",
                    opt.span,
                )
        return BOOL

    def visit_Empty(self, e: n.Empty, info: RegInfo, expect: Type | None) -> Type | None:
        value = self.typeof(info, e.value)
        if value is not None and value.kind != "list":
            self.error(
                "R305",
                f"'{_src(e.value)}' is {value.display()}, geen lijst; 'is leeg' kan hier niet",
                e.span,
                "alleen een lijst (zoals weigeringsgronden) kan leeg zijn",
            )
        return BOOL

    def visit_Bound(self, e: n.Bound, info: RegInfo, expect: Type | None) -> Type | None:
        value = self.typeof(info, e.value, expect)
        limit = self.typeof(info, e.limit, value)
        if value is not None and limit is not None:
            if value.kind != "num" or limit.kind != "num":
                self.error("R301", f"een {e.kind} werkt alleen op getallen en bedragen", e.span)
                return None
            if value.unit != limit.unit:
                self._unit_mismatch(e.limit.span, value, limit, f"het {e.kind}")
        return value

    def visit_Extreme(self, e: n.Extreme, info: RegInfo, expect: Type | None) -> Type | None:
        types = [self.typeof(info, a, expect) for a in e.args]
        first = types[0]
        for arg, t in zip(e.args[1:], types[1:], strict=True):
            if first is not None and t is not None and not first.same(t):
                self._unit_mismatch(arg.span, first, t, f"het {e.kind}")
        return first

    def visit_Round(self, e: n.Round, info: RegInfo, expect: Type | None) -> Type | None:
        return self._round(info, e, expect)

    def visit_Age(self, e: n.Age, info: RegInfo, expect: Type | None) -> Type | None:
        self._dates(info, e.birth, e.on)
        return Type("num", Unit.of("jaar"))

    def visit_Between(self, e: n.Between, info: RegInfo, expect: Type | None) -> Type | None:
        clock = Unit.of(e.unit) in CLOCK_UNITS  # uren, minuten: between two times of day
        self._dates(info, e.start, e.end, want="clock" if clock else "date")
        return Type("num", Unit.of(e.unit))

    def visit_ClockLit(self, e: n.ClockLit, info: RegInfo, expect: Type | None) -> Type | None:
        return CLOCK

    def visit_Aggregate(self, e: n.Aggregate, info: RegInfo, expect: Type | None) -> Type | None:
        group = self._group(info, e.group)
        person, self._person = self._person, e.group.name if group else UNKNOWN_GROUP
        try:
            value = self.typeof(info, e.value) if e.value is not None else None
            if e.condition is not None:
                self._condition_per_person(info, e.condition, e)
        finally:
            self._person = person
        if e.kind == "aantal":
            return Type("num", label="aantal")
        if e.kind in ("ieder", "enig"):
            return BOOL
        if value is None:
            return None
        if value.kind != "num" and not (e.kind != "som" and value.kind in ("date", "clock")):
            word = {"som": "een som", "hoogste": "het hoogste", "laagste": "het laagste"}[e.kind]
            self.error(
                "R301",
                f"{word} gaat over getallen en bedragen"
                + ("" if e.kind == "som" else " (of datums)")
                + f", niet over {value.display()}",
                e.value.span,  # type: ignore[union-attr]
            )
            return None
        return Type(value.kind, value.unit, value.percent)

    def _condition_per_person(self, info: RegInfo, e: n.Expr, over: n.Aggregate) -> None:
        """After `waarvoor` or `voldoet aan`: ja/nee. A name that is not, is most often the
        start of a comparison written without its brackets (`waarvoor rol is kind`)."""
        t = self.typeof(info, e, BOOL)
        if t is not None and t.kind != "bool":
            hint = "vergelijk de waarde, bijvoorbeeld: … is ten minste …"
            if isinstance(e, n.Name):
                self._unbracketed.append(over)
                hint = (
                    f"zet een vergelijking na 'waarvoor' of 'voldoet aan' tussen haakjes: "
                    f"waarvoor ({e.name} is …); of noem een begrip voor ieder"
                )
            self.error("R303", f"'{_src(e)}' is {t.display()}, verwacht ja/nee", e.span, hint)

    def visit_Persons(self, e: n.Persons, info: RegInfo, expect: Type | None) -> Type | None:
        """The persons of a group in a case; `_case_value` checks each gegeven."""
        return expect if expect is not None and expect.kind == "persons" else None

    def visit_Choice(self, e: n.Choice, info: RegInfo, expect: Type | None) -> Type | None:
        result: Type | None = None
        for tier, cond in e.branches:
            self._bool(info, cond)
            t = self.typeof(info, tier, expect)
            if result is None:
                result = t
            elif t is not None and not result.same(t):
                self._unit_mismatch(tier.span, result, t, "de andere waarden")
        if e.otherwise is not None:
            t = self.typeof(info, e.otherwise, expect)
            if result is not None and t is not None and not result.same(t):
                self._unit_mismatch(e.otherwise.span, result, t, "de andere waarden")
        return result
