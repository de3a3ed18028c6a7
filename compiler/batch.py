"""A decision over a whole caseload, case by case with the Python runtime: what `regel
doorreken` and `Policies.evaluate_many` do.

Every row of the caseload gives one row of results: per outcome its value, status, unit and
grondslag (the articles it rests on); a row that cannot be decided gives its row number and
the Dutch message instead, and the run goes on. The summary counts both.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from regel import runtime as rt

from .caseload import RowError, value_text

ROW, ERROR = "rij", "fout"  # the columns every result row has
# Per outcome, after its value: how it came out. `niet_vervuld` names the rules whose condition
# does not hold (the reasons as codes: the motivation and the docs name the rules so).
UNMET = "niet_vervuld"
PARTS = ("status", "eenheid", "grondslag", UNMET)
Row = tuple[int, dict[str, Any], datetime.date | None] | RowError


def columns(outcomes: Iterable[str]) -> list[str]:
    """The columns of a result file: the row, per outcome its value and PARTS, and the
    message of a row that could not be decided."""
    out = [ROW]
    for name in outcomes:
        out += [name, *(f"{name}_{part}" for part in PARTS)]
    return [*out, ERROR]


SPREAD = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass
class Summary:
    """What a run gave: rows decided and refused, per outcome the count per status, for
    numbers the lowest and highest value, and for amounts of money their sum."""

    rows: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    sums: dict[str, Decimal] = field(default_factory=dict)
    lowest: dict[str, Decimal] = field(default_factory=dict)
    highest: dict[str, Decimal] = field(default_factory=dict)
    # per number the values at SPREAD of the way up (a value decided, not an interpolation);
    # worked out over a whole result by `regel doorreken`, not row by row
    spread: dict[str, list[Decimal]] = field(default_factory=dict)

    def add(self, result: rt.Result) -> None:
        self.rows += 1
        for name, outcome in result.outcomes.items():
            self.statuses.setdefault(name, Counter())[outcome.status] += 1
            value = outcome.value
            if outcome.status == "bepaald" and type(value) is Decimal:
                self.count(name, value, outcome.outcome is not None and is_money(outcome.outcome))

    def count(self, name: str, value: Decimal, money: bool) -> None:
        """A number decided: its lowest and highest, and for money the sum, exactly (not in
        the caller's 28 digits)."""
        if money:
            self.sums[name] = rt.EXACT.add(self.sums.get(name, Decimal(0)), value)
        self.lowest[name] = min(self.lowest.get(name, value), value)
        self.highest[name] = max(self.highest.get(name, value), value)

    def refuse(self, message: str) -> None:
        self.rows += 1
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(message)


def is_money(outcome: rt.Outcome) -> bool:
    """An amount of money, whose sum the summary gives."""
    return outcome.unit.startswith("€")


def evaluate_rows(
    regulation: rt.Regulation,
    besluit: str,
    rows: Iterable[Row],
    peildatum: datetime.date | None,
    summary: Summary,
    gemeente: str | None = None,
) -> Iterator[dict[str, str]]:
    """Per row of a caseload its result row as text, the cells of a CSV file (see
    `columns`)."""
    for row in decide_rows(regulation, besluit, rows, peildatum, summary, gemeente):
        yield {k: v if isinstance(v, str) else value_text(v) for k, v in row.items()}


def decide_rows(
    regulation: rt.Regulation,
    besluit: str,
    rows: Iterable[Row],
    peildatum: datetime.date | None,
    summary: Summary,
    gemeente: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Per row of a caseload its result row with the values as values (see `columns`);
    `peildatum` for rows without their own. `regulation` is any version: each row is decided
    by the version in force on its peildatum."""
    program, rid = regulation.program, regulation.id
    outcomes = regulation.decisions[besluit]
    for row in rows:
        if isinstance(row, RowError):
            summary.refuse(str(row))
            yield {ROW: row.row, ERROR: row.message}
            continue
        number, inputs, day = row
        day = day or peildatum
        if day is None:
            message = "geen peildatum: geef een kolom peildatum of --peildatum"
            summary.refuse(f"rij {number}: {message}")
            yield {ROW: number, ERROR: message}
            continue
        try:
            version = program.version(rid, day)
            result = version.evaluate(inputs, day, besluit, trace=True, gemeente=gemeente)
        except rt.EvaluationError as err:
            summary.refuse(f"rij {number}: {err.message}")
            yield {ROW: number, ERROR: err.message}
            continue
        summary.add(result)
        out: dict[str, Any] = {ROW: number}
        unmet = not_met(result)
        for name in outcomes:
            found = result.outcomes[name]
            out[name] = found.value if found.status == "bepaald" else None
            out[f"{name}_status"] = found.status
            out[f"{name}_eenheid"] = found.outcome.unit if found.outcome else ""
            out[f"{name}_grondslag"] = "; ".join(found.rules)
            out[f"{name}_{UNMET}"] = "; ".join(unmet.get(name, ()))
        yield out


def not_met(result: rt.Result) -> dict[str, list[str]]:
    """Per outcome the rules whose condition did not hold, as the motivation names them (from
    the trace of a result decided with one). None for an outcome where a rule was onbepaald:
    the runtime stops at that rule, or looks at the later ones only as far as it needs."""
    out: dict[str, list[str]] = {}
    open_at: set[str] = set()
    for step in result.trace:
        if step.status == "niet_toegepast":
            names = out.setdefault(step.outcome, [])
            if step.rule not in names:
                names.append(step.rule)
        elif step.status == "onbepaald":
            open_at.add(step.outcome)
    for name in open_at:
        out.pop(name, None)
    return out


def summary_text(summary: Summary, regulation: rt.Regulation, besluit: str) -> str:
    """The summary in Dutch, for the end of `regel doorreken`."""
    decided = summary.rows - summary.errors
    lines = [
        f"{summary.rows} rijen: {decided} beslist, {summary.errors} niet te beslissen",
    ]
    lines += [f"  {message}" for message in summary.first_errors]
    if summary.errors > len(summary.first_errors):
        lines.append(f"  en nog {summary.errors - len(summary.first_errors)}")
    for name in regulation.decisions[besluit]:
        counts = summary.statuses.get(name, Counter())
        counted = ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in counts.most_common())
        lines.append(f"{name}: {counted or 'geen'}")
        outcome = regulation.outcomes[name]

        def shown(value: Decimal, outcome: rt.Outcome = outcome) -> str:
            return rt.format_value(value, "num", outcome.unit, outcome.percent, outcome.unit_one)

        if name in summary.lowest:
            total = f"som {shown(summary.sums[name])}, " if name in summary.sums else ""
            low, high = shown(summary.lowest[name]), shown(summary.highest[name])
            lines.append(f"  {total}laagste {low}, hoogste {high}")
        if name in summary.spread and summary.lowest[name] != summary.highest[name]:
            at = [shown(v) for v in summary.spread[name]]
            lines.append(
                f"  verdeling: 10% ten hoogste {at[0]}, 25% {at[1]}, mediaan {at[2]}, "
                f"75% {at[3]}, 90% {at[4]}"
            )
    return "\n".join(lines) + "\n"
