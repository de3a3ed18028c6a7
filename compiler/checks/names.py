"""R2xx, names: declarations, references, reserved words, unknown and doubly defined names."""

from __future__ import annotations

import unicodedata
from typing import Any

from regel.runtime.inputs import TERRITORY

from .. import nodes as n
from ..diagnostics import Span, suggest
from ..model import RegInfo, Symbol
from ..parser import keywords, reserved_words
from ..types import Type, from_spec
from .base import CheckerBase
from .common import (
    _describe,
    _input_difference,
    _period,
    _walk_units,
)

# Within `… in <a name that is no group>`: R215 says so, and what is read per person is not
# reported again.
UNKNOWN_GROUP = "?"


class NamesPass(CheckerBase):
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
        if not reg.id.isascii():
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", reg.id) if not unicodedata.combining(c)
            )
            self.error(
                "R212",
                f"de korte naam van een regeling, '{reg.id}', mag alleen letters zonder accent, "
                "cijfers en _ bevatten",
                reg.span,
                f"zij wordt de naam van een Python-pakket, een adres en een map; schrijf '{plain}'"
                " (in de titel mag het accent wel)",
            )
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
        if meta.territory is not None:
            code, where = meta.territory
            if self._check_territory(code, where) and reg.kind == "wet":
                self.error(
                    "R511",
                    "een wet geldt in heel Nederland en heeft geen gemeentecode",
                    where,
                    "de gemeentecode hoort bij de verordening of de beleidsregels die haar normen "
                    "invullen",
                )
        for ext in reg.externs:
            if ext.name in info.externs:
                self.error("R202", f"de bron '{ext.name}' is al gedefinieerd", ext.span)
            info.externs[ext.name] = ext
        for inp in reg.inputs:
            self._add(info, Symbol("input", inp.name, inp, from_spec(inp.type)), inp.span)
            for fld in inp.fields:
                self._declare_field(info, inp, fld)
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

    def _declare_field(self, info: RegInfo, group: n.Input, fld: n.Input) -> None:
        """A gegeven of each person of a group: a name of the regulation like any other, read
        per person only (R213)."""
        self._add(
            info, Symbol("field", fld.name, fld, from_spec(fld.type), None, group.name), fld.span
        )
        what = (
            "geen groep personen zijn" if fld.fields
            else "geen oordeel zijn" if fld.oordeel
            else "niet 'standaard onbepaald' zijn" if fld.optional
            else None
        )  # fmt: skip
        if what is not None:
            self.error(
                "R214",
                f"'{fld.name}' is een gegeven van ieder in '{group.name}' en kan {what}",
                fld.span,
                "een persoon heeft gewone gegevens (ja/nee, getal, bedrag, datum, tekst, keuze), "
                "elk opgegeven; een standaard mag",
            )

    def _in_group(self, info: RegInfo, e: n.Name, sym: Symbol) -> None:
        """A gegeven or begrip of each person is read where a person is meant: within `… in
        <groep>` or in a begrip voor ieder in that group (R213)."""
        if sym.group == self._person or self._person == UNKNOWN_GROUP:
            return
        what = "een gegeven" if sym.kind == "field" else "een begrip"
        self.error(
            "R213",
            f"'{e.name}' is {what} van ieder in '{sym.group}'; hier is niet bekend van wie",
            e.span,
            f"lees het per persoon: de som van {e.name} in {sym.group}, het aantal in {sym.group} "
            f"waarvoor …, of in een begrip voor ieder in {sym.group}",
        )

    def _group(self, info: RegInfo, e: n.Name) -> Symbol | None:
        """The group an aggregate goes over (`… in huishouden`): a gegeven of type personen."""
        sym = info.symbols.get(e.name)
        if sym is None or sym.type is None or sym.type.kind != "persons":
            groups = [s.name for s in info.symbols.values() if s.type and s.type.kind == "persons"]
            self.error(
                "R215",
                f"'{e.name}' is geen groep personen",
                e.span,
                suggest(e.name, groups)
                or "declareer de groep bij de gegevens: huishouden: personen, met de gegevens van "
                "ieder eronder ingesprongen",
            )
            return None
        e.resolved, e.type = ("input", sym.name), sym.type
        self._use(info.key, sym.name)
        return sym

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
            capital = e.name != e.name.lower() and e.name.lower() in keywords()
            self.error(
                "R201",
                f"onbekende naam '{e.name}'",
                e.span,
                f"bedoelde u '{e.name.lower()}'? Sleutelwoorden schrijft u met kleine letters"
                if capital
                else suggest(e.name, list(info.symbols))
                or "declareer het als gegeven, begrip of uitkomst",
            )
            return None
        e.resolved = (sym.kind, sym.name)
        self._use(info.key, sym.name)
        if sym.group is not None:
            self._in_group(info, e, sym)
        elif sym.type is not None and sym.type.kind == "persons":
            self.error(
                "R215",
                f"'{e.name}' is een groep personen, geen waarde",
                e.span,
                f"tel of tel op over de personen: het aantal in {e.name}, de som van … in "
                f"{e.name}, ieder in {e.name} voldoet aan …",
            )
            return None
        if sym.kind == "begrip":
            return self._type_symbol(info, sym)
        return sym.type

    def _qualname(self, info: RegInfo, e: n.QualName) -> Type | None:
        versions = self._relevant(info, e.regulation)
        if not versions:
            self._unknown_regulation(e.regulation, e.span)
            return None
        found: Type | None = None
        for other in versions:
            sym = other.symbols.get(e.name)
            # An open norm of another regulation reads as the value its filler gives it; a
            # gegeven of it is the same value of the same case (one case file serves both).
            if sym is None or sym.kind not in ("begrip", "outcome", "norm", "input"):
                names = other.names("begrip", "outcome", "norm", "input")
                which = f" (versie {_period(other)})" if len(versions) > 1 else ""
                hint = suggest(e.name, names)
                if sym is not None and sym.kind == "field":
                    hint = (
                        f"'{e.name}' is een gegeven van ieder in '{sym.group}' van "
                        f"'{e.regulation}': lees een begrip van die regeling dat erover telt of "
                        "optelt"
                    )
                self.error(
                    "R205",
                    f"'{e.name}' is geen gegeven, begrip, uitkomst of open norm van "
                    f"'{e.regulation}'{which}",
                    e.span,
                    hint,
                )
                return None
            if sym.type is not None and sym.type.kind == "persons":
                self.error(
                    "R215",
                    f"'{e.regulation}.{e.name}' is een groep personen, geen waarde",
                    e.span,
                    "lees een begrip van die regeling dat over de personen telt of optelt",
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

    def _relevant(self, here: RegInfo, regulation: str) -> list[RegInfo]:
        """The versions of another regulation that `here` can meet: those in force at some
        time in its period (all of them, if none is)."""
        versions = self.a.of(regulation)
        return [v for v in versions if v.overlaps(here)] or versions

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
                    a_id, b_id = here.node.id, there.node.id
                    if any(f.regulation == a_id for f in there.fills):
                        link = f"'{b_id}' vult een open norm in van '{a_id}'"
                    else:
                        link = f"'{a_id}' leest begrippen van '{b_id}'"
                    self.error(
                        "R211",
                        f"het gegeven '{found[1]}' is in '{a_id}' {problem[0]}, maar in "
                        f"'{b_id}' {problem[1]}; {link}, en beide lezen dan dezelfde gegevens",
                        a.span,
                        "declareer het in beide regelingen op dezelfde manier, of geef het in "
                        "een van beide een andere naam",
                        (("de andere declaratie", b.span),),
                    )

    def _check_territory(self, code: str, where: Span) -> bool:
        """A gemeentecode, of a regulation or a case: the CBS code, or R511."""
        if TERRITORY.fullmatch(code):
            return True
        self.error(
            "R511",
            f"'{code}' is geen gemeentecode",
            where,
            "schrijf de code van het CBS: GM en vier cijfers, zoals GM0503 voor Delft",
        )
        return False

    def _input_elsewhere(self, info: RegInfo, name: str) -> Symbol | None:
        """An input of another regulation that this one reads through its definitions
        (`voorbeeld.jongere` reads the other regulation's `geboortedatum`)."""
        rid = info.key
        for reg, found in self.a.inputs_read(key for key in self.a.deps if key[0] == rid):
            if found == name and reg != rid:
                return self.a.regs[reg].symbols[name]
        return None
