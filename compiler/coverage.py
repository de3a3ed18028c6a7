"""Coverage: for every artikel, lid and onderdeel of a regulation, whether it is encoded (and by
which rules), marked not executable (and why), or missing. A lawyer checks completeness with it;
`regel dekking` fails while anything is missing.

Missing is: a unit with its text but without rules that is not marked `niet uitvoerbaar`, or a
number that is skipped (artikel 1 and 3 but no 2; onderdeel a and c but no b). Of a `wet` only
the articles that are needed are included, so there skipped numbers are not missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import nodes as n
from .model import Analysis, RegInfo

ENCODED, NOT_EXECUTABLE, MISSING, IN_PARTS = (
    "gecodeerd",
    "niet uitvoerbaar",
    "ontbreekt",
    "in de onderdelen",
)


@dataclass(slots=True)
class Entry:
    anchor: str  # artikel 3 lid 2
    title: str | None
    status: str  # ENCODED, NOT_EXECUTABLE, MISSING or IN_PARTS (counted through its parts)
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


def coverage(analysis: Analysis) -> list[Coverage]:
    """The coverage of every loaded regulation (each version apart), by id."""
    ordered = sorted(analysis.regs.values(), key=lambda info: (info.node.id, info.key))
    return [Coverage(info, _entries(info)) for info in ordered]


def _entries(info: RegInfo) -> list[Entry]:
    entries: list[Entry] = []
    _row(_articles(info.node.units), entries, numbered=info.node.kind != "wet")
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


def _row(units: list[n.Unit], entries: list[Entry], numbered: bool, parent: str = "") -> None:
    """Siblings in order, each preceded by the numbers skipped before it."""
    last: dict[tuple[str, str], int] = {}
    # Berkelland has parts A, B.1-B.11 and C: the rows B.1, B.2, … stand in for a B.
    prefixes = {number[0].rstrip(".").lower() for u in units if (number := _number(u.label))}
    for unit in units:
        number = _number(unit.label) if numbered else None
        if number is not None:
            prefix, value, letters = number
            key = (unit.level, prefix)
            skipped = range(last.get(key, 0) + 1, value)
            runs = [(skipped.start, skipped.stop - 1)] if skipped else []
            if letters:  # B.1 … B.11 stand in for a part B
                runs = _runs([k for k in skipped if _letter(k, unit.label).lower() not in prefixes])
            for first, end in runs:
                ends = (first, end)
                names = [_letter(k, unit.label) if letters else f"{prefix}{k}" for k in ends]
                label = names[0] if first == end else f"{names[0]} tot en met {names[1]}"
                link = _LINK.get(unit.level_word, unit.level_word)
                where = f"{parent} {link} {label}".strip()
                if first == end:
                    missing = f"{unit.level_word} {label} staat niet in de regeling"
                    missing += " (nummer overgeslagen)"
                else:
                    missing = f"{unit.level_word} {label} staan niet in de regeling"
                    missing += " (nummers overgeslagen)"
                size = end - first + 1
                entries.append(Entry(where, None, MISSING, [missing], unit.span.line, size))
            last[key] = max(last.get(key, 0), value)
        _walk(unit, entries, numbered)


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
_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


def _number(label: str) -> tuple[str, int, bool] | None:
    """Where a label stands in its row: 3 → ("", 3), B.6 → ("B.", 6), c → ("", 3) in letters.
    A label like 11a continues a row without a place of its own."""
    if len(label) == 1 and label.isalpha():
        return ("", ord(label.lower()) - ord("a") + 1, True)
    match = _NUMBERED.match(label)
    return (match["prefix"], int(match["number"]), False) if match else None


def _walk(unit: n.Unit, entries: list[Entry], numbered: bool) -> None:
    parts = [c for c in unit.children if isinstance(c, n.Unit)]
    own = [c for c in unit.children if not isinstance(c, n.Unit)]
    where = str(unit.anchor) if unit.anchor else f"{unit.level_word} {unit.label}"
    reason = next((c.reason for c in own if isinstance(c, n.NotExecutable)), None)
    encoded = [_name(named) for c in own if (named := n.executable_name(c))]
    line = unit.span.line
    if reason is not None:
        entries.append(Entry(where, unit.title, NOT_EXECUTABLE, [reason], line))
    elif encoded:
        entries.append(Entry(where, unit.title, ENCODED, encoded, line))
    elif parts:
        entries.append(Entry(where, unit.title, IN_PARTS, [], line))
    else:
        entries.append(Entry(where, unit.title, MISSING, [_NO_RULES], line))
    _row(parts, entries, numbered, where)


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
    counted = cov.count(ENCODED) + cov.count(NOT_EXECUTABLE) + cov.count(MISSING)
    done = counted - cov.count(MISSING)
    percent = 100 * done // counted if counted else 100
    lines.append(
        f"  dekking {percent}%: {cov.count(ENCODED)} gecodeerd, {cov.count(NOT_EXECUTABLE)} niet "
        f"uitvoerbaar, {cov.count(MISSING)} ontbreekt"
    )
    return "\n".join(lines)
