"""Coverage: for every artikel, lid and onderdeel of a regulation, whether it is encoded (and by
which rules), marked not executable (and why), or missing. A lawyer checks completeness with it;
`regel dekking` fails while anything is missing.

Missing is: a unit with its text but without rules that is not marked `niet uitvoerbaar`, or a
number that is skipped (artikel 1 and 3 but no 2; onderdeel a and c but no b). Of a `wet` only
the articles that are needed are included, so there skipped numbers are not missing. A unit
marked `niet opgenomen`, and a number skipped in a regulation that says it is `gedeeltelijk
opgenomen`, is left out on purpose: not missing, and not counted in the percentage, which is
then the coverage of the part that is included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import nodes as n
from .model import Analysis, RegInfo

ENCODED, NOT_EXECUTABLE, MISSING, IN_PARTS, OMITTED = (
    "gecodeerd",
    "niet uitvoerbaar",
    "ontbreekt",
    "in de onderdelen",
    "niet opgenomen",
)


@dataclass(slots=True)
class Entry:
    anchor: str  # artikel 3 lid 2
    title: str | None
    # ENCODED, NOT_EXECUTABLE, MISSING, OMITTED or IN_PARTS (counted through its parts)
    status: str
    detail: list[str] = field(default_factory=list)  # the rules, the reason, or what is missing
    line: int | None = None
    size: int = 1  # how many units the entry stands for: a run of skipped numbers is one entry


@dataclass(slots=True)
class Coverage:
    info: RegInfo
    entries: list[Entry]

    def count(self, status: str) -> int:
        return sum(e.size for e in self.entries if e.status == status)

    @property
    def complete(self) -> bool:
        return self.count(MISSING) == 0

    @property
    def percent(self) -> int:
        """Of what is included, the part encoded or marked not executable (rounded down)."""
        counted = self.count(ENCODED) + self.count(NOT_EXECUTABLE) + self.count(MISSING)
        done = counted - self.count(MISSING)
        return 100 * done // counted if counted else 100


def coverage(analysis: Analysis) -> list[Coverage]:
    """The coverage of every loaded regulation (each version apart), by id."""
    ordered = sorted(analysis.regs.values(), key=lambda info: (info.node.id, info.key))
    return [Coverage(info, _entries(info)) for info in ordered]


def _entries(info: RegInfo) -> list[Entry]:
    entries: list[Entry] = []
    reg = info.node
    skipped = OMITTED if reg.meta.partial else MISSING
    _row(_articles(reg.units), entries, reg.kind != "wet", skipped=skipped)
    return entries


def _articles(units: list[n.Unit]) -> list[n.Unit]:
    """Artikelen in the order of the text, also inside hoofdstukken."""
    found: list[n.Unit] = []
    for unit in units:
        if unit.level == "hoofdstuk":
            found += _articles([c for c in unit.children if isinstance(c, n.Unit)])
        else:
            found.append(unit)
    return found


def _row(
    units: list[n.Unit],
    entries: list[Entry],
    numbered: bool,
    parent: str = "",
    skipped: str = MISSING,
) -> None:
    """Siblings in order, each preceded by the numbers skipped before it (`skipped`: missing,
    or not included in a regulation that is only partly encoded)."""
    last: dict[tuple[str, str], int] = {}
    # Berkelland has parts A, B.1-B.11 and C: the rows B.1, B.2, … stand in for a B.
    prefixes = {number[0].rstrip(".").lower() for u in units if (number := _number(u.label))}
    for unit in units:
        number = _number(unit.label) if numbered else None
        if number is not None:
            prefix, value, letters, suffix = number
            key = (unit.level, prefix)
            gap = range(last.get(key, 0) + 1, value)
            runs = [(gap.start, gap.stop - 1)] if gap else []
            if letters:  # B.1 … B.11 stand in for a part B
                runs = _runs([k for k in gap if _letter(k, unit.label).lower() not in prefixes])
            for first, end in runs:
                ends = (first, end)
                names = [
                    _letter(k, unit.label) if letters else f"{prefix}{k}{suffix}" for k in ends
                ]
                label = names[0] if first == end else f"{names[0]} tot en met {names[1]}"
                link = _LINK.get(unit.level_word, unit.level_word)
                where = f"{parent} {link} {label}".strip()
                one = first == end
                if skipped == OMITTED:
                    missing = "nummer" if one else "nummers"
                    missing += " overgeslagen in een regeling die gedeeltelijk is opgenomen"
                else:
                    missing = f"{unit.level_word} {label} {'staat' if one else 'staan'} niet in "
                    missing += f"de regeling ({'nummer' if one else 'nummers'} overgeslagen)"
                size = end - first + 1
                entries.append(Entry(where, None, skipped, [missing], unit.span.line, size))
            last[key] = max(last.get(key, 0), value)
        _walk(unit, entries, numbered, skipped)


def _letter(k: int, like: str) -> str:
    """The k-th letter (1 is a), in the case of `like`."""
    letter = chr(ord("a") + k - 1) if k <= 26 else f"({k})"
    return letter.upper() if like.isupper() else letter


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) runs: a gap of a thousand is one line."""
    runs: list[tuple[int, int]] = []
    for k in numbers:
        if runs and runs[-1][1] == k - 1:
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return runs


_LINK = {"onderdeel": "onder"}  # how a skipped part is cited: artikel 3 onder b
_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)(?P<suffix>°?)$")


def _number(label: str) -> tuple[str, int, bool, str] | None:
    """Where a label stands in its row: 3 → ("", 3), B.6 → ("B.", 6), c → ("", 3) in letters,
    2° → ("", 2) with "°" after it. A label like 11a continues a row without a place of its
    own."""
    if len(label) == 1 and label.isalpha():
        return ("", ord(label.lower()) - ord("a") + 1, True, "")
    match = _NUMBERED.match(label)
    if match is None:
        return None
    return (match["prefix"], int(match["number"]), False, match["suffix"])


def _walk(unit: n.Unit, entries: list[Entry], numbered: bool, skipped: str) -> None:
    parts = [c for c in unit.children if isinstance(c, n.Unit)]
    own = [c for c in unit.children if not isinstance(c, n.Unit)]
    where = str(unit.anchor) if unit.anchor else f"{unit.level_word} {unit.label}"
    marked = next((c for c in own if isinstance(c, n.NotExecutable)), None)
    encoded = [_name(named) for c in own if (named := n.executable_name(c))]
    line = unit.span.line
    if marked is not None:
        status = OMITTED if marked.omitted else NOT_EXECUTABLE
        entries.append(Entry(where, unit.title, status, [marked.reason or ""], line))
        if marked.omitted:
            return  # what lies within is left out with it
    elif encoded:
        entries.append(Entry(where, unit.title, ENCODED, encoded, line))
    elif parts:
        entries.append(Entry(where, unit.title, IN_PARTS, [], line))
    else:
        entries.append(Entry(where, unit.title, MISSING, [_NO_RULES], line))
    _row(parts, entries, numbered, where, skipped)


def _name(named: tuple[str, str]) -> str:
    kind, name = named
    return f"vult {name}" if kind == "invulling" else f"{kind} {name}"


_NO_RULES = "tekst zonder regels: codeer de regels, of schrijf 'niet uitvoerbaar' met de reden"


def render(cov: Coverage, only_missing: bool = False) -> str:
    reg = cov.info.node
    head = f"{reg.id}: {reg.title} ({reg.span.file})"
    if len(cov.info.key) > len(reg.id):
        start = reg.meta.valid_from.strftime("%d-%m-%Y") if reg.meta.valid_from else "?"
        head += f", versie vanaf {start}"
    lines = [head]
    width = max((len(e.anchor) for e in cov.entries), default=0) + 2
    for e in cov.entries:
        if only_missing and e.status != MISSING:
            continue
        detail = ", ".join(e.detail)
        if e.status == IN_PARTS:
            text = "zie de leden en onderdelen"
        elif detail:
            text = f"{e.status}: {detail}"
        else:
            text = e.status
        lines.append(f"  {e.anchor.ljust(width)}{text}")
    percent = cov.percent
    omitted = cov.count(OMITTED)
    of = " van het opgenomen deel" if omitted else ""
    summary = (
        f"  dekking {percent}%{of}: {cov.count(ENCODED)} gecodeerd, "
        f"{cov.count(NOT_EXECUTABLE)} niet uitvoerbaar, {cov.count(MISSING)} ontbreekt"
    )
    if omitted:
        summary += f"; {omitted} niet opgenomen"
    lines.append(summary)
    if reg.meta.partial:
        lines.append(f"  gedeeltelijk opgenomen: {reg.meta.partial}")
    return "\n".join(lines)


def as_json(cov: Coverage, only_missing: bool = False) -> dict[str, object]:
    """The same as `render`, for a tool (`regel dekking --formaat json`)."""
    reg = cov.info.node
    return {
        "regeling": reg.id,
        "versie": cov.info.key,
        "titel": reg.title,
        "bestand": reg.span.file,
        "volledig": cov.complete,
        "dekking_procent": cov.percent,
        "gecodeerd": cov.count(ENCODED),
        "niet_uitvoerbaar": cov.count(NOT_EXECUTABLE),
        "ontbreekt": cov.count(MISSING),
        "niet_opgenomen": cov.count(OMITTED),
        "onderdelen": [
            {
                "anker": e.anchor,
                "titel": e.title,
                "status": e.status,
                "details": e.detail,
                "regel": e.line,
                "aantal": e.size,
            }
            for e in cov.entries
            if not only_missing or e.status == MISSING
        ],
    }
