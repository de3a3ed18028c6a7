"""R5xx, structure: chapters, articles, leden and onderdelen, their numbers and anchors."""

from __future__ import annotations

import re

from .. import nodes as n
from ..model import RegInfo, RuleInfo, Symbol
from ..types import from_spec
from .base import CheckerBase
from .common import (
    _ALLOWED_PARENT,
    MAX_LABEL_DIGITS,
    _cut,
    _describe,
    _walk_units,
)


class StructurePass(CheckerBase):
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
                    "de volgorde is hoofdstuk > artikel > lid > onderdeel (> onderdeel)",
                )
            # Articles whose number is unknown (`artikel onbekend "titel"`) differ by title.
            key = _unnumbered(unit) or unit.label
            if key in seen:
                what = f"{unit.level_word} {unit.label}"
                if key != unit.label:
                    what += f" met de titel '{unit.title}'"
                self.error(
                    "R503",
                    f"{what} komt twee keer voor",
                    unit.span,
                    "geef elk artikel zonder bekend nummer een eigen titel"
                    if key != unit.label
                    else None,
                    related=(("eerste keer", seen[key].span),),
                )
            seen[key] = unit
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
                        example = (
                            "valt buiten de terrasvergunning" if item.omitted
                            else "citeertitel, geen norm"
                        )  # fmt: skip
                        self.error(
                            "R504",
                            f"'{item.words}' zonder reden",
                            item.span,
                            f'geef de reden: {item.words} "{example}"',
                        )
                    if executable:
                        self.error(
                            "R505",
                            f"{unit.level_word} {unit.label} is '{item.words}' "
                            "maar bevat toch regels",
                            item.span,
                        )
            omitted = any(isinstance(c, n.NotExecutable) and c.omitted for c in contents)
            if (
                unit.level == "artikel"
                and not omitted
                and not any(
                    isinstance(c, n.TextBlock) and c.kind in ("tekst", "tekst onbekend")
                    for u in _walk_units([unit])
                    for c in u.children
                )
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
                    group = item.group[0] if item.group else None
                    sym = Symbol("begrip", item.name, item, None, here, group)
                    self._add(info, sym, item.span)
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
            return n.Anchor(_unnumbered(unit) or unit.label, word=unit.level_word)
        if parent is None:
            return None
        if unit.level == "lid":
            return n.Anchor(parent.artikel, unit.label, word=parent.word, lid_word=unit.level_word)
        path = parent.onderdeel + n.SUB + unit.label if parent.onderdeel else unit.label
        return n.Anchor(
            parent.artikel, parent.lid, path, word=parent.word, lid_word=parent.lid_word
        )


UNKNOWN_NUMBER = "onbekend"


def _unnumbered(unit: n.Unit) -> str | None:
    """An article whose number is unknown, `artikel onbekend "Door het college in te vullen
    normen"`, is cited by its title: there may be more than one."""
    if unit.level != "artikel" or unit.label != UNKNOWN_NUMBER or not unit.title:
        return None
    return f"{UNKNOWN_NUMBER} ({unit.title})"
