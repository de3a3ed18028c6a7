"""Semantic checks, separate from parsing: structure and anchors, names, types and units,
exceptions and conflicts, open norms and delegation. All problems are collected, not just the
first; the result is the typed model (`model.Analysis`, and `Expr.type`/`Expr.resolved` on the
nodes) that every back end reads.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from regel.runtime import inputs

from . import nodes as n
from . import unparse, vocabulary
from .diagnostics import Diagnostic, Span, suggest
from .model import Analysis, RegInfo, RuleInfo, Symbol, fill_key  # the model it builds
from .parser import reserved_words
from .types import BOOL, DATE, DIMENSIONLESS, LIST, NUMBER, PERCENT, TEXT, Type, Unit, from_spec
from .visitor import ExprVisitor

LEVELS = ("hoofdstuk", "artikel", "lid", "onderdeel")
# Artikel 9999 is far beyond any regulation; a longer number is a mistake, and would make
# the coverage report list every number skipped before it.
MAX_LABEL_DIGITS = 4
_ALLOWED_PARENT = {
    "hoofdstuk": (None,),
    "artikel": (None, "hoofdstuk"),
    "lid": ("artikel",),
    "onderdeel": ("artikel", "lid"),
}


def _walk_units(units: list[n.Unit]) -> Iterator[n.Unit]:
    for unit in units:
        yield unit
        yield from _walk_units([c for c in unit.children if isinstance(c, n.Unit)])


class Checker(ExprVisitor[Type | None]):
    def __init__(
        self, files: list[n.Regulation | n.CaseFile], unparsed: frozenset[str] = frozenset()
    ):
        self.files = files
        # Regulations whose file has a syntax error: what refers to them is not reported
        # again (their own diagnostics say what is wrong), nor the cases of what uses them.
        self.unparsed = unparsed
        self.incomplete: set[str] = set()  # ids of regulations that refer to one of those
        self.a = Analysis()
        self._current: tuple[str, str] | None = None  # the definition being typed
        self._visiting: set[tuple[str, str]] = set()

    # ------------------------------------------------------------ reporting
    def error(
        self,
        code: str,
        message: str,
        span: Span | None,
        hint: str | None = None,
        related: tuple[tuple[str, Span], ...] = (),
    ) -> None:
        self.a.diagnostics.append(Diagnostic(code, message, span, hint, "error", related))

    def _unknown_regulation(
        self, name: str, span: Span, hint: str = "laad het bestand van die regeling mee"
    ) -> None:
        if name in self.unparsed:
            if self._current is not None:
                self.incomplete.add(self._current[0].split("@")[0])
            return
        self.error(
            "R204",
            f"onbekende regeling '{name}'",
            span,
            suggest(name, list(self.a.versions)) or hint,
        )

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.a.diagnostics.append(Diagnostic(code, message, span, hint, "warning"))

    # ------------------------------------------------------------ driver
    def run(self) -> Analysis:
        regs = [f for f in self.files if isinstance(f, n.Regulation)]
        by_id: dict[str, list[n.Regulation]] = {}
        for reg in regs:
            by_id.setdefault(reg.id, []).append(reg)
        for rid, group in by_id.items():
            group.sort(key=lambda r: r.meta.valid_from or datetime.date.min)
            keys = self.a.versions[rid] = []
            for reg in group:
                key = rid
                if len(group) > 1:
                    key = f"{rid}@{(reg.meta.valid_from or datetime.date.min).isoformat()}"
                    while key in self.a.regs:  # two versions from one day: R509 says so
                        key += "'"
                keys.append(key)
                self.a.regs[key] = RegInfo(reg, key)
            self._check_versions(self.a.of(rid))
        for info in self.a.regs.values():
            self._declare(info)
        for info in self.a.regs.values():
            self._check_bodies(info)
        for info in self.a.regs.values():
            self._check_exceptions(info)
            self._check_fills(info)
        self._check_rival_fills()
        self._check_cycles()
        self._check_shared_inputs()
        for f in self.files:
            if isinstance(f, n.CaseFile):
                self._check_cases(f)
                self.a.cases.append(f)
        return self.a

    def _check_versions(self, versions: list[RegInfo]) -> None:
        """Versions of one regulation: the same kind, and never two in force on one day."""
        for prev, info in itertools.pairwise(versions):
            reg, first = info.node, prev.node
            if reg.kind != first.kind:
                self.error(
                    "R202",
                    f"de regeling '{reg.id}' is al gedefinieerd als {first.kind}",
                    reg.span,
                    "versies van één regeling zijn van dezelfde soort; geef anders elke "
                    "regeling een eigen naam",
                    (("eerste definitie", first.span),),
                )
        for i, info in enumerate(versions):
            for other in versions[i + 1 :]:
                if not info.overlaps(other):
                    continue
                start = other.node.meta.valid_from
                hint = "geef elke versie een eigen periode"
                if start and info.node.meta.valid_from and info.node.meta.valid_from < start:
                    last = start - datetime.timedelta(days=1)
                    hint = (
                        f"laat de eerdere versie eindigen vóór de latere begint: geldig van "
                        f"{_dmy(info.node.meta.valid_from)} tot en met {_dmy(last)}"
                    )
                self.error(
                    "R509",
                    f"twee versies van '{info.node.id}' gelden tegelijk: de ene "
                    f"{_period(info)}, de andere {_period(other)}",
                    other.node.meta.period_span or other.node.span,
                    hint,
                    (("andere versie", info.node.meta.period_span or info.node.span),),
                )

    # ------------------------------------------------------------ declarations
    def _name_ok(self, name: str, span: Span) -> bool:
        if name in reserved_words():
            self.error(
                "R206",
                f"'{name}' is een gereserveerd woord en kan geen naam zijn",
                span,
                f"kies een andere naam, bijvoorbeeld '{name}_waarde'",
            )
            return False
        return True

    def _add(self, info: RegInfo, sym: Symbol, span: Span) -> None:
        if not self._name_ok(sym.name, span):
            return
        if sym.name in info.symbols:
            first: Any = info.symbols[sym.name].node
            self.error(
                "R202",
                f"'{sym.name}' is al gedefinieerd",
                span,
                "elke naam mag in een regeling maar één keer gedefinieerd worden",
                (("eerste definitie", first.span),),
            )
            return
        info.symbols[sym.name] = sym

    def _declare(self, info: RegInfo) -> None:
        reg = info.node
        meta = reg.meta
        if meta.valid_from is None:
            self.error(
                "R506",
                f"bij '{reg.title}' ontbreekt de geldigheid",
                reg.span,
                "voeg toe: geldig van DD-MM-JJJJ tot en met DD-MM-JJJJ (of: geldig vanaf …)",
            )
        elif meta.valid_until and meta.valid_until < meta.valid_from:
            self.error("R507", "de geldigheid eindigt vóór zij begint", meta.period_span)
        if meta.organ is None and reg.kind in ("verordening", "beleidsregels"):
            self.error(
                "R506",
                f"bij '{reg.title}' ontbreekt wie de regeling heeft vastgesteld",
                reg.span,
                "voeg toe: vastgesteld door de raad op DD-MM-JJJJ (of: door het college)",
            )
        for ext in reg.externs:
            if ext.name in info.externs:
                self.error("R202", f"de bron '{ext.name}' is al gedefinieerd", ext.span)
            info.externs[ext.name] = ext
        for inp in reg.inputs:
            self._add(info, Symbol("input", inp.name, inp, from_spec(inp.type)), inp.span)
            if inp.type.kind == "keuze" and len(set(inp.type.choices)) != len(inp.type.choices):
                self.error(
                    "R202", f"een keuzewaarde van '{inp.name}' staat er dubbel in", inp.type.span
                )
        for out in reg.outcomes:
            self._add(info, Symbol("outcome", out.name, out, from_spec(out.type)), out.span)
        for loose in reg.loose:
            span = getattr(loose, "span", reg.span)
            if isinstance(loose, n.Rule | n.Begrip | n.OpenNorm | n.FillNorm):
                hint = (
                    "zet elke regel, elk begrip en elke norm in het artikel (lid, onderdeel) "
                    "waar de tekst vandaan komt"
                )
            else:
                hint = "zet het in het artikel (lid, onderdeel) waar het bij hoort, ingesprongen"
            self.error("R501", f"{_describe(loose)} staat buiten een artikel", span, hint)
        self._declare_units(info, reg.units, None, None)

    def _declare_units(
        self, info: RegInfo, units: list[n.Unit], parent: n.Unit | None, anchor: n.Anchor | None
    ) -> None:
        seen: dict[str, n.Unit] = {}
        for unit in units:
            parent_level = parent.level if parent else None
            if parent_level not in _ALLOWED_PARENT[unit.level]:
                where = f"in een {parent.level_word}" if parent else "los in de regeling"
                self.error(
                    "R502",
                    f"een {unit.level_word} kan niet {where} staan",
                    unit.span,
                    "de volgorde is hoofdstuk > artikel > lid > onderdeel",
                )
            if unit.label in seen:
                self.error(
                    "R503",
                    f"{unit.level_word} {unit.label} komt twee keer voor",
                    unit.span,
                    related=(("eerste keer", seen[unit.label].span),),
                )
            seen[unit.label] = unit
            if any(len(run) > MAX_LABEL_DIGITS for run in re.findall(r"[0-9]+", unit.label)):
                self.error(
                    "R510",
                    f"{unit.level_word} {_cut(unit.label)}: zo'n groot nummer heeft geen regeling",
                    unit.span,
                    f"een nummer heeft ten hoogste {MAX_LABEL_DIGITS} cijfers; is het een "
                    "jaartal of een kenmerk, zet het dan in de titel",
                )
            here = self._anchor_of(unit, anchor)
            unit.anchor = here
            if here is not None and unit.level != "hoofdstuk":
                info.units.setdefault(here, unit)
            contents = [c for c in unit.children if not isinstance(c, n.Unit)]
            executable = [
                c for c in contents if isinstance(c, n.Rule | n.Begrip | n.OpenNorm | n.FillNorm)
            ]
            for item in contents:
                if isinstance(item, n.NotExecutable):
                    if not item.reason:
                        self.error(
                            "R504",
                            "'niet uitvoerbaar' zonder reden",
                            item.span,
                            'geef de reden: niet uitvoerbaar "citeertitel, geen norm"',
                        )
                    if executable:
                        self.error(
                            "R505",
                            f"{unit.level_word} {unit.label} is 'niet uitvoerbaar' "
                            "maar bevat toch regels",
                            item.span,
                        )
            if unit.level == "artikel" and not any(
                isinstance(c, n.TextBlock) and c.kind in ("tekst", "tekst onbekend")
                for u in _walk_units([unit])
                for c in u.children
            ):
                self.warn(
                    "R508",
                    f"{unit.level_word} {unit.label} heeft geen officiële tekst",
                    unit.span,
                    'neem de tekst van het artikel op: tekst """…"""',
                )
            for item in executable:
                if here is None:
                    self.error(
                        "R501",
                        f"{_describe(item)} staat buiten een artikel",
                        item.span,
                        "zet het in het artikel waar de tekst vandaan komt",
                    )
                    continue
                item.anchor = here
                if isinstance(item, n.Begrip):
                    self._add(info, Symbol("begrip", item.name, item, None, here), item.span)
                elif isinstance(item, n.OpenNorm):
                    self._add(
                        info, Symbol("norm", item.name, item, from_spec(item.type), here), item.span
                    )
                elif isinstance(item, n.FillNorm):
                    info.fills.append(item)
                elif isinstance(item, n.Rule):
                    if item.name in info.rules:
                        first = info.rules[item.name].node
                        self.error(
                            "R408",
                            f"er is al een regel '{item.name}'",
                            item.span,
                            "geef elke regel een eigen naam",
                            (("eerste regel", first.span),),
                        )
                    elif self._name_ok(item.name, item.span):
                        info.rules[item.name] = RuleInfo(item, here)
            self._declare_units(
                info, [c for c in unit.children if isinstance(c, n.Unit)], unit, here
            )

    @staticmethod
    def _anchor_of(unit: n.Unit, parent: n.Anchor | None) -> n.Anchor | None:
        if unit.level == "hoofdstuk":
            return None
        if unit.level == "artikel":
            return n.Anchor(unit.label, word=unit.level_word)
        if parent is None:
            return None
        if unit.level == "lid":
            return n.Anchor(parent.artikel, unit.label, word=parent.word, lid_word=unit.level_word)
        return n.Anchor(
            parent.artikel, parent.lid, unit.label, word=parent.word, lid_word=parent.lid_word
        )

    # ------------------------------------------------------------ bodies
    def _check_bodies(self, info: RegInfo) -> None:
        reg = info.node
        for ref in reg.meta.legal_basis:
            self._check_ref(info, ref)
        for unit in _walk_units(reg.units):
            for item in unit.children:
                if isinstance(item, n.References):
                    for ref in item.refs:
                        self._check_ref(info, ref)
        for sym in list(info.symbols.values()):
            self._type_symbol(info, sym)
        for inp in reg.inputs:
            if inp.default is not None:
                self._check_default(info, inp.name, inp.default, from_spec(inp.type))
            self._check_bounds(info, inp)
        for out in reg.outcomes:
            if out.default is not None:
                self._check_default(info, out.name, out.default, from_spec(out.type))
        for rule in info.rules.values():
            self._check_rule(info, rule)
        for dec in reg.decisions:
            self._name_ok(dec.name, dec.span)
            for name, span in dec.outcomes:
                found = info.symbols.get(name)
                if found is None or found.kind != "outcome":
                    outcomes = info.names("outcome")
                    self.error(
                        "R209",
                        f"onbekende uitkomst '{name}' in besluit '{dec.name}'",
                        span,
                        suggest(name, outcomes),
                    )
        names = [d.name for d in reg.decisions]
        for dec in reg.decisions:
            if names.count(dec.name) > 1 and names.index(dec.name) != reg.decisions.index(dec):
                self.error("R202", f"besluit '{dec.name}' is al gedefinieerd", dec.span)

    def _check_ref(self, info: RegInfo, ref: n.Ref) -> None:
        src = ref.source
        if src is None:
            if ref.anchor and ref.anchor not in info.units:
                self.error("R207", f"{ref.anchor} bestaat niet in deze regeling", ref.span)
            return
        if src in info.externs or src in self.a.versions:
            return
        if src in self.unparsed:
            self.incomplete.add(info.node.id)
            return
        known = list(info.externs) + list(self.a.versions)
        self.error(
            "R207",
            f"onbekende bron '{src}'",
            ref.span,
            suggest(src, known) or f'declareer de wet: wet {src} "Titel van de wet"',
        )

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

    def _type_symbol(self, info: RegInfo, sym: Symbol) -> Type | None:
        key = (info.key, sym.name)
        if sym.kind == "begrip" and sym.type is None:
            if key in self._visiting:
                return None  # a cycle; reported by _check_cycles
            self._visiting.add(key)
            saved, self._current = self._current, key
            self.a.deps.setdefault(key, set())
            node: n.Begrip = sym.node  # type: ignore[assignment]
            sym.type = self.typeof(info, node.value)
            self._current = saved
            self._visiting.discard(key)
        elif sym.kind == "norm" and key not in self.a.deps:
            self.a.deps[key] = set()
            norm: n.OpenNorm = sym.node  # type: ignore[assignment]
            if norm.default is not None:
                self._check_default(info, norm.name, norm.default, sym.type or NUMBER)
        return sym.type

    def _check_rule(self, info: RegInfo, rinfo: RuleInfo) -> None:
        rule = rinfo.node
        key = (info.key, rule.outcome or "")
        self._current = key if rule.outcome else (info.key, f"regel:{rule.name}")
        parts = (rule.value is not None) + (rule.item is not None) + rule.not_applicable
        for again in rule.decides[1:]:
            self.error(
                "R410",
                f"regel '{rule.name}' bepaalt meer dan één ding",
                again,
                "een regel bepaalt één uitkomst; schrijf voor elke waarde een eigen regel, "
                "met de voorwaarde waaronder zij geldt",
                (("eerste", rule.decides[0]),),
            )
        if parts == 0:
            self.error(
                "R401",
                f"regel '{rule.name}' bepaalt niets",
                rule.span,
                "geef aan wat de regel bepaalt: 'uitkomst is …', 'lijst bevat \"…\"' of "
                "'niet van toepassing'",
            )
        if rule.not_applicable and not rule.exceptions:
            self.error(
                "R406",
                f"regel '{rule.name}' is 'niet van toepassing' maar zegt niet waarop",
                rule.span,
                "voeg toe: in afwijking van artikel … lid …",
            )
        if rule.condition is not None:
            self._check_condition(info, rule.condition)
        if rule.outcome is None:
            return
        sym = info.symbols.get(rule.outcome)
        if sym is None or sym.kind != "outcome":
            outcomes = info.names("outcome")
            what = "is geen uitkomst" if sym else "is een onbekende uitkomst"
            self.error(
                "R203",
                f"'{rule.outcome}' {what}",
                rule.outcome_span,
                suggest(rule.outcome, outcomes) or "declareer de uitkomst onder 'uitkomsten'",
            )
            if rule.value is not None:
                self.typeof(info, rule.value)
            return
        want = sym.type or NUMBER
        if rule.item is not None and want.kind != "list":
            self.error(
                "R305",
                f"'{rule.outcome}' is geen lijst; 'bevat' kan hier niet",
                rule.outcome_span,
                f"schrijf: {rule.outcome} is …",
            )
        if rule.value is not None:
            if want.kind == "list":
                self.error(
                    "R305",
                    f"'{rule.outcome}' is een lijst; gebruik 'bevat'",
                    rule.outcome_span,
                    f'schrijf: {rule.outcome} bevat "…"',
                )
                return
            got = self.typeof(info, rule.value, want)
            if got is not None and not want.same(got):
                self.error(
                    "R304",
                    f"regel '{rule.name}' geeft {got.display()}, maar "
                    f"'{rule.outcome}' is {want.display()}",
                    rule.value.span,
                    _unit_hint(want, got),
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

    # ------------------------------------------------------------ expressions
    def _use(self, reg: str, name: str) -> None:
        if self._current is not None:
            self.a.deps.setdefault(self._current, set()).add((reg, name))

    def typeof(self, info: RegInfo, e: n.Expr, expect: Type | None = None) -> Type | None:
        t = self._typeof(info, e, expect)
        if t is not None:
            e.type = t
        return t

    def _typeof(self, info: RegInfo, e: n.Expr, expect: Type | None) -> Type | None:
        return self.visit(e, info, expect)

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
        self._dates(info, e.start, e.end)
        return Type("num", Unit.of(e.unit))

    def _dates(self, info: RegInfo, *parts: n.Expr) -> None:
        for part in parts:
            t = self.typeof(info, part)
            if t is not None and t.kind != "date":
                self.error(
                    "R301", f"'{_src(part)}' is {t.display()}, verwacht een datum", part.span
                )

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

    def _name(self, info: RegInfo, e: n.Name, expect: Type | None) -> Type | None:
        if expect is not None and expect.kind == "choice" and e.name in expect.choices:
            e.resolved = ("choice", e.name)
            return expect
        sym = info.symbols.get(e.name)
        if sym is None:
            if expect is not None and expect.kind == "choice":
                self.error(
                    "R208",
                    f"'{e.name}' is geen van de keuzes ({', '.join(expect.choices)})",
                    e.span,
                    suggest(e.name, expect.choices),
                )
                return None
            self.error(
                "R201",
                f"onbekende naam '{e.name}'",
                e.span,
                suggest(e.name, list(info.symbols))
                or "declareer het als gegeven, begrip of uitkomst",
            )
            return None
        e.resolved = (sym.kind, sym.name)
        self._use(info.key, sym.name)
        if sym.kind == "begrip":
            return self._type_symbol(info, sym)
        return sym.type

    def _relevant(self, here: RegInfo, regulation: str) -> list[RegInfo]:
        """The versions of another regulation that `here` can meet: those in force at some
        time in its period (all of them, if none is)."""
        versions = self.a.of(regulation)
        return [v for v in versions if v.overlaps(here)] or versions

    def _qualname(self, info: RegInfo, e: n.QualName) -> Type | None:
        versions = self._relevant(info, e.regulation)
        if not versions:
            self._unknown_regulation(e.regulation, e.span)
            return None
        found: Type | None = None
        for other in versions:
            sym = other.symbols.get(e.name)
            # An open norm of another regulation reads as the value its filler gives it.
            if sym is None or sym.kind not in ("begrip", "outcome", "norm"):
                names = other.names("begrip", "outcome", "norm")
                which = f" (versie {_period(other)})" if len(versions) > 1 else ""
                self.error(
                    "R205",
                    f"'{e.name}' is geen begrip, uitkomst of open norm van '{e.regulation}'{which}",
                    e.span,
                    suggest(e.name, names),
                )
                return None
            e.resolved = (sym.kind, sym.name)
            self._use(other.key, sym.name)
            t = self._type_symbol(other, sym) if sym.kind == "begrip" else sym.type
            if found is not None and t is not None and not found.same(t):
                self.error(
                    "R301",
                    f"'{e.regulation}.{e.name}' is {found.display()} in de ene versie en "
                    f"{t.display()} in de andere",
                    e.span,
                    "houd het type gelijk tussen versies, of geef het een andere naam",
                )
                return None
            found = found or t
        return found

    def _binary(self, info: RegInfo, e: n.Binary) -> Type | None:
        op = e.op
        if op in ("en", "of", "tenzij"):
            self._bool(info, e.left)
            self._bool(info, e.right)
            return BOOL
        left = self.typeof(info, e.left)
        right = self.typeof(info, e.right, left)
        if left is None or right is None:
            return BOOL if op in ("=", "!=", "<", ">", "<=", ">=") else None
        if op in ("=", "!="):
            if not left.same(right):
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
            return BOOL
        if op in ("<", ">", "<=", ">="):
            if left.kind not in ("num", "date") or right.kind != left.kind:
                self.error(
                    "R301",
                    f"'{e.word}' vergelijkt getallen, bedragen of datums, niet "
                    f"{left.display()} met {right.display()}",
                    e.span,
                )
            elif left.kind == "num" and left.unit != right.unit:
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
            return BOOL
        if op in ("plus", "min"):
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
            if left.kind != "num" or right.kind != "num":
                self.error(
                    "R301",
                    f"'{e.word}' werkt op getallen en bedragen, niet op "
                    f"{left.display()} en {right.display()}",
                    e.span,
                )
                return None
            if left.unit != right.unit:
                self._unit_mismatch(e.span, left, right, f"'{e.word}'")
                return None
            return Type("num", left.unit, left.percent and right.percent)
        if left.kind != "num" or right.kind != "num":
            self.error(
                "R301",
                f"'{e.word}' werkt op getallen en bedragen, niet op "
                f"{left.display()} en {right.display()}",
                e.span,
            )
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

    # ------------------------------------------------------------ exceptions
    def _check_exceptions(self, info: RegInfo) -> None:
        by_article: dict[str, list[RuleInfo]] = {}  # so that each exception looks in its own
        for r in info.rules.values():
            by_article.setdefault(r.anchor.artikel, []).append(r)
        for rinfo in info.rules.values():
            rule = rinfo.node
            for target in rule.exceptions:
                if target.rule is not None:
                    other = info.rules.get(target.rule)
                    if other is None:
                        self.error(
                            "R403",
                            f"uitzondering op een onbekende regel '{target.rule}'",
                            target.span,
                            suggest(target.rule, list(info.rules)),
                        )
                        continue
                    candidates = [other]
                else:
                    anchor = target.anchor
                    assert anchor is not None
                    candidates = [
                        r
                        for r in by_article.get(anchor.artikel, ())
                        if anchor.contains(r.anchor) and r is not rinfo
                    ]
                    if anchor not in info.units:
                        self.error(
                            "R402",
                            f"uitzondering op {anchor}, maar dat bestaat niet in deze regeling",
                            target.span,
                        )
                        continue
                    if rule.outcome and not rule.not_applicable:
                        candidates = [r for r in candidates if r.node.outcome == rule.outcome]
                    if not candidates:
                        what = f" voor '{rule.outcome}'" if rule.outcome else ""
                        self.error(
                            "R402",
                            f"uitzondering op {anchor}, maar daar staat geen regel{what}",
                            target.span,
                        )
                        continue
                for other in candidates:
                    if other is rinfo:
                        self.error(
                            "R404",
                            f"regel '{rule.name}' is een uitzondering op zichzelf",
                            target.span,
                        )
                        continue
                    if (
                        rule.outcome
                        and not rule.not_applicable
                        and other.node.outcome != rule.outcome
                    ):
                        self.error(
                            "R407",
                            f"regel '{rule.name}' bepaalt '{rule.outcome}', maar "
                            f"'{other.node.name}' ({other.anchor}) bepaalt "
                            f"'{other.node.outcome}'",
                            target.span,
                            "een uitzondering gaat over dezelfde uitkomst als de regel "
                            "waarvan zij afwijkt",
                        )
                        continue
                    rinfo.overrides.append(other.node.name)
        self._exception_cycles(info)
        self._static_conflicts(info)

    def _exception_cycles(self, info: RegInfo) -> None:
        graph = {name: r.overrides for name, r in info.rules.items()}
        for cycle in _cycles(graph):
            first = info.rules[cycle[0]]
            path = " → ".join(f"{c} ({info.rules[c].anchor})" for c in [*cycle, cycle[0]])
            self.error(
                "R404",
                f"uitzonderingen vormen een kring: {path}",
                first.node.span,
                "een regel kan niet (via andere) een uitzondering op zichzelf zijn",
            )

    def _static_conflicts(self, info: RegInfo) -> None:
        """Two rules that always apply, with different fixed values and no precedence."""
        by_outcome: dict[str, list[RuleInfo]] = {}
        for r in info.rules.values():
            if (
                r.node.outcome
                and r.node.value is not None
                and r.node.condition is None
                and _is_constant(r.node.value)
            ):
                by_outcome.setdefault(r.node.outcome, []).append(r)
        reach = _reachability({name: r.overrides for name, r in info.rules.items()})
        for rules in by_outcome.values():
            for i, a in enumerate(rules):
                for b in rules[i + 1 :]:
                    if b.node.name in reach[a.node.name] or a.node.name in reach[b.node.name]:
                        continue
                    if unparse.source(a.node.value) != unparse.source(b.node.value):  # type: ignore[arg-type]
                        self.error(
                            "R405",
                            f"regels '{a.node.name}' ({a.anchor}) en '{b.node.name}' "
                            f"({b.anchor}) gelden altijd allebei en geven een andere waarde "
                            f"voor '{a.node.outcome}'",
                            b.node.span,
                            f"maak er één een uitzondering: in afwijking van {a.anchor}",
                            (("andere regel", a.node.span),),
                        )

    # ------------------------------------------------------------ open norms
    def _check_fills(self, info: RegInfo) -> None:
        seen: set[tuple[str, str]] = set()
        for fill in info.fills:
            self._current = (info.key, fill_key(fill.regulation, fill.norm))
            got = self.typeof(info, fill.value)
            targets = self._relevant(info, fill.regulation)
            if not targets:
                self._unknown_regulation(fill.regulation, fill.span)
                continue
            key = (fill.regulation, fill.norm)
            if key in seen:
                self.error(
                    "R804", f"de open norm '{fill.norm}' wordt twee keer ingevuld", fill.span
                )
            seen.add(key)
            before = len(self.a.diagnostics)
            for target in targets:  # every version it may fill; one report is enough
                self._check_fill(info, fill, target, got)
                if len(self.a.diagnostics) > before:
                    break

    def _check_fill(
        self, info: RegInfo, fill: n.FillNorm, target: RegInfo, got: Type | None
    ) -> None:
        reg = info.node
        sym = target.symbols.get(fill.norm)
        if sym is None or sym.kind != "norm":
            norms = target.names("norm")
            self.error(
                "R803",
                f"'{fill.regulation}' heeft geen open norm '{fill.norm}'",
                fill.span,
                suggest(fill.norm, norms),
            )
            return
        norm: n.OpenNorm = sym.node  # type: ignore[assignment]
        if reg.meta.organ != norm.organ:
            self.error(
                "R801",
                f"de open norm '{fill.norm}' is overgelaten aan {_organ(norm.organ)}, maar "
                f"'{reg.title}' is vastgesteld door "
                f"{_organ(reg.meta.organ)}",
                fill.span,
                "alleen het orgaan waaraan de norm is gedelegeerd kan hem invullen",
                (("de open norm", norm.span),),
            )
        want = sym.type
        if got is not None and want is not None and not want.same(got):
            self.error(
                "R802",
                f"de open norm '{fill.norm}' is {want.display()}, maar wordt "
                f"ingevuld met {got.display()}",
                fill.value.span,
                _unit_hint(want, got),
            )

    def _check_rival_fills(self) -> None:
        """Two regulations that fill one open norm at the same time leave it unclear which
        applies; versions of one regulation take turns and are no rivals."""
        fills: dict[tuple[str, str], list[tuple[RegInfo, n.FillNorm]]] = {}
        for info in self.a.regs.values():
            for fill in info.fills:
                fills.setdefault((fill.regulation, fill.norm), []).append((info, fill))
        for (_, norm), found in fills.items():
            for i, (a, fa) in enumerate(found):
                for b, fb in found[i + 1 :]:
                    if a.node.id != b.node.id and a.overlaps(b):
                        self.error(
                            "R804",
                            f"de open norm '{norm}' wordt in dezelfde periode ook ingevuld "
                            f"door '{a.node.id}'",
                            fb.span,
                            "laat één regeling de norm invullen",
                            (("andere invulling", fa.span),),
                        )

    # ------------------------------------------------------------ shared gegevens
    def _check_shared_inputs(self) -> None:
        """A regulation that reads another's begrippen passes its own case to it: a gegeven
        both declare is one value, so both must declare it alike (type, unit, choices, whose
        oordeel). Otherwise no value fits both, and the answer would be a crash or wrong."""
        reported: set[tuple[tuple[str, str], tuple[str, str]]] = set()
        for info in self.a.regs.values():
            start = [key for key in self.a.deps if key[0] == info.key]
            by_name: dict[str, tuple[str, str]] = {}
            for name in info.names("input"):
                by_name[name] = (info.key, name)
            for found in sorted(self.a.inputs_read(start)):
                first = by_name.setdefault(found[1], found)
                pair = (first, found)
                if first == found or pair in reported:
                    continue
                a, b = (self.a.regs[k].symbols[found[1]].node for k, _ in pair)
                assert isinstance(a, n.Input) and isinstance(b, n.Input)
                problem = _input_difference(a, b)
                if problem:
                    reported.add(pair)
                    here, there = self.a.regs[pair[0][0]], self.a.regs[pair[1][0]]
                    self.error(
                        "R211",
                        f"het gegeven '{found[1]}' is in '{here.node.id}' {problem[0]}, maar in "
                        f"'{there.node.id}' {problem[1]}; '{here.node.id}' leest begrippen van "
                        f"'{there.node.id}' en geeft daarbij zijn eigen gegevens door",
                        a.span,
                        "declareer het in beide regelingen op dezelfde manier, of geef het in "
                        "een van beide een andere naam",
                        (("de andere declaratie", b.span),),
                    )

    # ------------------------------------------------------------ cycles
    def _check_cycles(self) -> None:
        graph: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for key, uses in self.a.deps.items():
            graph[key] = sorted(uses)
        for cycle in _cycles(graph):
            reg = self.a.regs.get(cycle[0][0])
            sym = reg.symbols.get(cycle[0][1]) if reg else None
            span = getattr(sym.node, "span", None) if sym else None
            path = " → ".join(name for _, name in [*cycle, cycle[0]])
            self.error(
                "R409",
                f"kringverwijzing: {path}",
                span,
                "een begrip of uitkomst kan niet (via andere) van zichzelf afhangen",
            )

    # ------------------------------------------------------------ test cases
    def _check_cases(self, f: n.CaseFile) -> None:
        if f.regulation in self.incomplete:
            return  # it uses a regulation with a syntax error: its cases cannot be checked
        versions = self.a.of(f.regulation)
        if not versions:
            self._unknown_regulation(
                f.regulation, f.regulation_span, "geef de map of het bestand van de regeling mee"
            )
            return
        self._current = None
        names = [c.name for c in f.cases]
        for case in f.cases:
            # A case is checked against the version in force on its peildatum.
            day = case.peildatum
            info = next((v for v in versions if day and v.in_force(day)), versions[-1])
            if names.count(case.name) > 1:
                self.error("R902", f"er zijn meer gevallen met de naam '{case.name}'", case.span)
            if case.peildatum is None:
                self.error(
                    "R603",
                    f"geval '{case.name}' heeft geen peildatum",
                    case.span,
                    "voeg toe: peildatum DD-MM-JJJJ",
                )
            elif not any(x.kind == "fout" for x in case.expectations):
                self._case_period(versions, case)
            if case.decision and case.decision not in {d.name for d in info.node.decisions}:
                self.error(
                    "R209",
                    f"onbekend besluit '{case.decision}'",
                    case.span,
                    suggest(case.decision, [d.name for d in info.node.decisions]),
                )
            for ref in case.refs:
                self._check_ref(info, ref)
            for name, span, value in case.givens:
                sym = info.symbols.get(name) or self._input_elsewhere(info, name)
                if sym is None or sym.kind != "input":
                    inputs = info.names("input")
                    self.error(
                        "R210",
                        f"'{name}' is geen gegeven van '{f.regulation}'",
                        span,
                        suggest(name, inputs),
                    )
                    continue
                self._case_value(info, value, sym.type, name)
            if not case.expectations:
                self.error(
                    "R903",
                    f"geval '{case.name}' verwacht niets",
                    case.span,
                    "voeg toe: verwacht <uitkomst> is …",
                )
            for exp in case.expectations:
                if exp.kind == "fout":
                    continue
                sym = info.symbols.get(exp.outcome or "")
                if sym is None or sym.kind != "outcome":
                    outcomes = info.names("outcome")
                    self.error(
                        "R901",
                        f"'{exp.outcome}' is geen uitkomst van '{f.regulation}'",
                        exp.span,
                        suggest(exp.outcome or "", outcomes),
                    )
                    continue
                if exp.kind in ("bevat", "bevat_niet") and (sym.type or LIST).kind != "list":
                    self.error(
                        "R305", f"'{exp.outcome}' is geen lijst; 'bevat' kan hier niet", exp.span
                    )
                if exp.value is not None:
                    self._case_value(info, exp.value, sym.type, exp.outcome or "")

    def _input_elsewhere(self, info: RegInfo, name: str) -> Symbol | None:
        """An input of another regulation that this one reads through its definitions
        (`voorbeeld.jongere` reads the other regulation's `geboortedatum`)."""
        rid = info.key
        for reg, found in self.a.inputs_read(key for key in self.a.deps if key[0] == rid):
            if found == name and reg != rid:
                return self.a.regs[reg].symbols[name]
        return None

    def _case_period(self, versions: list[RegInfo], case: n.Case) -> None:
        day = case.peildatum
        assert day is not None
        if not any(v.in_force(day) for v in versions):
            which = f"van '{versions[0].node.title}'"
            if len(versions) > 1:
                which = f"van alle versies van '{versions[0].node.id}'"
            self.error(
                "R601",
                f"de peildatum van geval '{case.name}' valt buiten de geldigheid {which}",
                case.span,
                'verwacht dan een fout: verwacht fout "buiten de geldigheid"',
            )

    def _case_value(self, info: RegInfo, value: n.Expr, want: Type | None, name: str) -> None:
        if not _is_constant(value):
            self.error(
                "R902",
                f"de waarde voor '{name}' moet een vaste waarde zijn",
                value.span,
                "schrijf een getal, bedrag, datum, tekst, ja of nee",
            )
            return
        got = self.typeof(info, value, want)
        if got is not None and want is not None and not want.same(got):
            self.error(
                "R301",
                f"'{name}' is {want.display()}, maar de waarde is {got.display()}",
                value.span,
                _unit_hint(want, got),
            )


# ---------------------------------------------------------------- helpers


def _bound_value(e: n.Expr) -> decimal.Decimal:
    if isinstance(e, n.Negate):
        return -_bound_value(e.operand)
    assert isinstance(e, n.Number | n.Money)
    return e.value


def _input_difference(a: n.Input, b: n.Input) -> tuple[str, str] | None:
    """How two declarations of one gegeven differ, as each is written; None if alike."""
    ta, tb = from_spec(a.type), from_spec(b.type)

    def said(inp: n.Input, t: Type) -> str:
        if inp.oordeel:
            return f"een oordeel van {_organ(inp.oordeel)}"
        return t.display()

    alike = (
        ta.kind == tb.kind
        and ta.unit == tb.unit
        and ta.percent == tb.percent
        and set(ta.choices) == set(tb.choices)
        and a.oordeel == b.oordeel
        and [_src(x) if x else None for x in (a.minimum, a.maximum)]
        == [_src(x) if x else None for x in (b.minimum, b.maximum)]
    )
    return None if alike else (said(a, ta), said(b, tb))


def _organ(key: str | None) -> str:
    """An organ as the language writes it ("de raad"), for a message."""
    found = vocabulary.ORGANS.get(key or "")
    return found.words if found else "een onbekend orgaan"


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[: limit - 9]}…{text[-8:]}"


def _dmy(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


def _period(info: RegInfo) -> str:
    meta = info.node.meta
    start = f"vanaf {_dmy(meta.valid_from)}" if meta.valid_from else "zonder begin"
    return (
        f"{start} tot en met {_dmy(meta.valid_until)}"
        if meta.valid_until
        else start + " zonder einde"
    )


def _describe(item: object) -> str:
    """What a statement is, in the words of the language: for messages about where it stands."""
    named = n.executable_name(item)
    if named is not None:
        kind, name = named
        return f"de invulling van '{name}'" if kind == "invulling" else f"{kind} '{name}'"
    if isinstance(item, n.TextBlock):
        return {"tekst onbekend": "'tekst onbekend'"}.get(item.kind, f"een {item.kind}")
    if isinstance(item, n.NotExecutable):
        return "'niet uitvoerbaar'"
    if isinstance(item, n.References):
        return "een verwijzing ('verwijst naar')"
    raise TypeError(f"onbekend onderdeel {type(item).__name__}")


def _is_constant(e: n.Expr) -> bool:
    if isinstance(e, n.Number | n.Money | n.DateLit | n.TextLit | n.BoolLit):
        return True
    if isinstance(e, n.Negate):
        return _is_constant(e.operand)
    # A bare name may be a choice value (uitkering is WWB); the type check decides.
    return isinstance(e, n.Name)


def _src(e: n.Expr) -> str:
    """An expression as the policy writer wrote it, for messages and comparisons."""
    return textwrap.shorten(unparse.source(e), 80, placeholder=" …")


def _unit_hint(want: Type, got: Type) -> str | None:
    if want.kind != "num" or got.kind != "num":
        return None
    if got.unit.dimensionless and not want.unit.dimensionless:
        return f"schrijf de eenheid achter het getal: … {want.unit.display(plural=True)}"
    wd, gd = dict(want.unit.dims), dict(got.unit.dims)
    times = [k for k in vocabulary.TIME_UNITS if k in wd or k in gd]
    if len(times) == 2:
        a, b = times
        return f"reken expliciet om, bijvoorbeeld met '× 12 maanden per jaar' ({a} ↔ {b})"
    return None


def _cycles(graph: dict) -> list[list]:
    """Each elementary cycle found by a depth-first search, reported once."""
    found: list[list] = []
    seen_sets: set[frozenset] = set()
    state: dict = {}
    stack: list = []

    def visit(node: object) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(list(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in list(graph):
        if node not in state:
            visit(node)
    return found


def _reachability(graph: dict[str, list[str]]) -> dict[str, set[str]]:
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            todo.extend(graph.get(cur, ()))
        reach[start] = seen
    return reach


def check(
    files: list[n.Regulation | n.CaseFile], unparsed: frozenset[str] = frozenset()
) -> Analysis:
    return Checker(files, unparsed).run()
