"""Synthetic caseloads for trying, testing and measuring a decision: seeded, so the same seed
gives the same clients, and made up, so no real personal data is anywhere.

Each gegeven gets a value from its kind, unit and bounds; the gegevens of the shipped
regulations whose spread matters for what a decision costs (client group, age, months out of
work, hours, wage costs) have a spread of their own in `PROFILES`. Those are plausible shapes
for a municipal re-integration caseload, written for this generator, not statistics.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from regel import runtime as rt
from regel.runtime.inputs import InputSpec

from .caseload import decision_inputs

# A value from the generator, the peildatum and what the case already holds.
Draw = Callable[[random.Random, datetime.date, dict[str, Any]], Any]

_CENT = Decimal("0.01")


def _weighted(weights: dict[Any, float]) -> Draw:
    values, chances = list(weights), list(weights.values())
    return lambda rng, *_: rng.choices(values, chances)[0]


def _chance(p: float) -> Draw:
    return lambda rng, *_: rng.random() < p


def _age(low: int, high: int, mode: int) -> Draw:
    """A birth date for an age in years between `low` and `high`, most often `mode`."""

    def draw(rng: random.Random, peildatum: datetime.date, *_: Any) -> datetime.date:
        days = int(rng.triangular(low, high, mode) * 365.25)
        return peildatum - datetime.timedelta(days=days)

    return draw


def _months(mean: float, most: int) -> Draw:
    return lambda rng, *_: Decimal(min(most, int(rng.expovariate(1 / mean))))


def _money(median: float, spread: float, low: float, high: float) -> Draw:
    def draw(rng: random.Random, *_: Any) -> Decimal:
        amount = min(high, max(low, rng.lognormvariate(0, spread) * median))
        return Decimal(str(amount)).quantize(_CENT)

    return draw


_HOURS: dict[Any, float] = {8: 1, 12: 2, 16: 4, 20: 6, 24: 7, 28: 5, 32: 8, 36: 9, 38: 4, 40: 6}


def _hours(rng: random.Random) -> int:
    return rng.choices(list(_HOURS), list(_HOURS.values()))[0]


# By the name of the gegeven, in the shipped regulations.
PROFILES: dict[str, Draw] = {
    "klantgroep": _weighted(
        {
            "bijstand": 55,
            "ioaw_ioaz": 7,
            "anw_er": 4,
            "nugger": 14,
            "voormalig_wiw_id": 4,
            "geen": 16,
        }
    ),
    "geboortedatum": _age(18, 67, 38),
    "maanden_werkloos": _months(16, 180),
    "uren_per_week": lambda rng, *_: Decimal(_hours(rng)),
    "loonkosten": lambda rng, day, case: _wage_costs(rng, case.get("uren_per_week")),
    "handicap": _chance(0.12),
    "bijstandsonafhankelijk_door_arbeid": _chance(0.4),
    "inkomsten_uit_arbeid": _money(700, 0.6, 0, 3000),
    "bijstandsnorm": _money(1300, 0.2, 900, 2100),
}


def _wage_costs(rng: random.Random, hours: Decimal | None) -> Decimal:
    """An employer's monthly costs for the hours worked: €14 to €30 an hour with the costs on
    top of the wage, 4.33 weeks a month (so that part-time jobs stay under a subsidy's cap)."""
    per_hour = Decimal(str(rng.triangular(14, 30, 18)))
    return (per_hour * (hours or Decimal(32)) * Decimal("4.33")).quantize(_CENT)


# Drawn before the others, because others depend on them (wage costs on hours).
_FIRST = ("uren_per_week",)


def _generic(spec: InputSpec, rng: random.Random, peildatum: datetime.date) -> Any:
    """A value for a gegeven without a profile, from its kind, unit and bounds."""
    kind = spec.kind
    if kind == "bool":
        return rng.random() < (0.8 if spec.oordeel else 0.5)
    if kind == "choice":
        return rng.choice(spec.choices)
    if kind == "date":
        if "geboortedatum" in spec.name:
            return _age(0, 90, 35)(rng, peildatum, {})
        return peildatum - datetime.timedelta(days=rng.randrange(3 * 365))
    if kind == "clock":
        return datetime.time(rng.randrange(24), rng.randrange(0, 60, 15))
    if kind == "text":
        return f"tekst {rng.randrange(1000)}"
    if kind == "persons":
        return [
            {f.name: _value(f, rng, peildatum, {}) for f in spec.fields}
            for _ in range(rng.randint(1, 5))
        ]
    return _number(spec, rng, peildatum)


def _number(spec: InputSpec, rng: random.Random, peildatum: datetime.date) -> Decimal:
    unit = spec.unit
    if spec.percent and not unit:
        value = Decimal(rng.randrange(101)) / 100
    elif unit.startswith("€"):
        value = Decimal(rng.randrange(200_000)) / 100
    elif unit == "uur per week":
        value = Decimal(_hours(rng))
    elif unit in ("maand", "maanden"):
        value = Decimal(min(120, int(rng.expovariate(1 / 14))))
    else:
        value = Decimal(rng.randrange(60))
    if spec.minimum is not None:
        value = max(value, spec.minimum)
    if spec.maximum is not None:
        value = min(value, spec.maximum)
    return value


def cases(
    regulation: rt.Regulation,
    besluit: str,
    count: int,
    seed: int = 1,
    peildatum: datetime.date | None = None,
) -> Iterator[dict[str, Any]]:
    """`count` made-up cases of a decision, the same for the same seed: every gegeven it reads,
    an optional one left out one time in ten. Values are Python values (Decimal, date, …)."""
    specs = decision_inputs(regulation, besluit)
    rng = random.Random(seed)
    day = peildatum or regulation.valid_from or datetime.date(2020, 1, 1)
    order = sorted(specs, key=lambda spec: spec.name not in _FIRST)
    for _ in range(count):
        drawn: dict[str, Any] = {}
        for spec in order:
            if spec.optional and rng.random() < 0.1:
                continue
            drawn[spec.name] = _value(spec, rng, day, drawn)
        yield {spec.name: drawn[spec.name] for spec in specs if spec.name in drawn}


def _value(
    spec: InputSpec, rng: random.Random, peildatum: datetime.date, case: dict[str, Any]
) -> Any:
    """From the profile of its name where that gives a valid value (another regulation may
    use the name with other choices or bounds), else from its kind."""
    profile = PROFILES.get(spec.name)
    if profile is not None:
        value = profile(rng, peildatum, case)
        try:
            rt.inputs.coerce(spec, value)
            return value
        except ValueError:
            pass
    return _generic(spec, rng, peildatum)
