"""R9xx, cases: the test cases a policy writer writes."""

from __future__ import annotations

from .. import nodes as n
from ..diagnostics import Span, suggest
from ..model import RegInfo, Symbol
from ..types import LIST, Type
from .base import CheckerBase
from .common import (
    _is_constant,
    _unit_hint,
)


class CasesPass(CheckerBase):
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
            if case.gemeente is not None:
                self._check_territory(*case.gemeente)
            for name, span in case.dropped:
                self._case_input(info, name, span)
            for name, span, value in case.givens:
                sym = self._case_input(info, name, span)
                if sym is not None:
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
                if exp.kind == "nog_nodig":
                    for name, span in exp.names:
                        self._case_input(info, name, span)
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

    def _case_input(self, info: RegInfo, name: str, span: Span) -> Symbol | None:
        """The gegeven a case names (its own regulation's, or one it reads elsewhere), or
        R210."""
        sym = info.symbols.get(name) or self._input_elsewhere(info, name)
        if sym is not None and sym.kind == "input":
            return sym
        hint = suggest(name, info.names("input"))
        if sym is not None and sym.group is not None and sym.kind == "field":
            hint = f"het is een gegeven van ieder in '{sym.group}': geef het bij elke persoon"
        self.error("R210", f"'{name}' is geen gegeven van '{info.node.id}'", span, hint)
        return None

    def _case_persons(self, info: RegInfo, value: n.Expr, group: Symbol) -> None:
        """The persons of a group in a case: each gegeven known, given once, of its type;
        every gegeven without a standaard given for every person (R904)."""
        fields = {f.name: f for f in group.input.fields}
        if not isinstance(value, n.Persons):
            self.error(
                "R904",
                f"'{group.name}' is een groep personen; geef ieder apart",
                value.span,
                f"schrijf: gegeven {group.name}, en daaronder ingesprongen per persoon 'persoon' "
                "met zijn gegevens (naam is waarde)",
            )
            return
        for number, person in enumerate(value.persons, 1):
            seen: set[str] = set()
            for name, span, given in person:
                fld = fields.get(name)
                if fld is None:
                    self.error(
                        "R904",
                        f"'{name}' is geen gegeven van ieder in '{group.name}'",
                        span,
                        suggest(name, list(fields))
                        or f"de gegevens van ieder in '{group.name}': {', '.join(fields)}",
                    )
                    continue
                if name in seen:
                    self.error("R904", f"persoon {number} heeft '{name}' al", span)
                seen.add(name)
                self._case_value(info, given, info.symbols[name].type, name)
            for name, fld in fields.items():
                if name not in seen and fld.default is None:
                    self.error(
                        "R904",
                        f"persoon {number} in '{group.name}' mist het gegeven '{name}'",
                        value.spans[number - 1],
                        f"geef het: {name} is …",
                    )

    def _case_value(self, info: RegInfo, value: n.Expr, want: Type | None, name: str) -> None:
        sym = info.symbols.get(name)
        if want is not None and want.kind == "persons" and sym is not None:
            self._case_persons(info, value, sym)
            return
        if isinstance(value, n.Persons):
            self.error(
                "R904", f"'{name}' is geen groep personen; geef één waarde", value.span,
                f"schrijf: gegeven {name} is …",
            )  # fmt: skip
            return
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
        else:
            self._check_count(name, value, want)
