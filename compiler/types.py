"""Types and units of the checker.

Units are products of base units with integer exponents, so `€ per km × km = €` and
`€ per maand + € per jaar` is an error: conversions must be written out (`× 12 maanden per jaar`).
Units exist only at compile time; the runtime works on plain Decimals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import vocabulary
from .nodes import TypeSpec, UnitSpec
from .vocabulary import POWERS, TIME_UNITS, TYPE_KINDS, UNITS


@dataclass(frozen=True, slots=True)
class Unit:
    dims: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def of(word: str | None, per: tuple[str, ...] = ()) -> Unit:
        """`€ per m² per jaar`: the word, divided by each unit after `per`; m² counts as m
        twice, so that m × m is m²."""
        dims: dict[str, int] = {}
        written = ([(word, 1)] if word else []) + [(p, -1) for p in per]
        for name, sign in written:
            row = UNITS[name]
            base = row.base or row.name
            dims[base] = dims.get(base, 0) + sign * row.power
        return Unit(tuple(sorted((k, v) for k, v in dims.items() if v)))

    def _combine(self, other: Unit, sign: int) -> Unit:
        dims = dict(self.dims)
        for k, v in other.dims:
            dims[k] = dims.get(k, 0) + sign * v
        return Unit(tuple(sorted((k, v) for k, v in dims.items() if v)))

    def __mul__(self, other: Unit) -> Unit:
        return self._combine(other, 1)

    def __truediv__(self, other: Unit) -> Unit:
        return self._combine(other, -1)

    @property
    def dimensionless(self) -> bool:
        return not self.dims

    @property
    def time(self) -> str | None:
        """The time unit if this is a plain duration (maanden, jaren, …)."""
        if len(self.dims) == 1 and self.dims[0][1] == 1 and self.dims[0][0] in TIME_UNITS:
            return self.dims[0][0]
        return None

    def has_euro(self) -> bool:
        return dict(self.dims).get("euro") == 1

    def display(self, plural: bool = False) -> str:
        return _unit_display(self, plural)


@functools.cache
def _unit_display(unit: Unit, plural: bool) -> str:
    """Cached: code generation asks it for every value a motivation shows."""
    up = [_written(k, v) for k, v in unit.dims if v > 0]
    down = [_written(k, -v) for k, v in unit.dims if v < 0]
    # € first, as people write it; and time last: € per m² per jaar.
    up.sort(key=lambda row: (not row[0].symbol, row[0].name))
    down.sort(key=lambda row: (row[0].time, row[0].name))
    text = " × ".join((row.plural if plural else row.singular) for row, n in up for _ in range(n))
    text = text or ("1" if down else "")
    for row, times in down:
        text += f" per {row.singular}" * times
    return text


def _written(name: str, power: int) -> tuple[vocabulary.Unit, int]:
    """A base unit to a power as it is written: m to the 2 is m² once; km to the 2 is km
    twice (km × km), as there is no word for it."""
    row = POWERS.get((name, power))
    return (row, 1) if row is not None else (UNITS[name], power)


DIMENSIONLESS = Unit()


@dataclass(frozen=True, slots=True)
class Type:
    """kind: bool, num, text, date, clock (a time of day), choice, list, persons; `label` is
    the declared kind for the docs (aanspraak, verplichting, bevoegdheid, oordeel, duur,
    percentage, …)."""

    kind: str
    unit: Unit = DIMENSIONLESS
    percent: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""

    def same(self, other: Type) -> bool:
        if self.kind != other.kind:
            return False
        if self.kind == "num":
            return self.unit == other.unit
        if self.kind == "choice" and self.choices and other.choices:
            return set(other.choices) <= set(self.choices) or set(self.choices) <= set(
                other.choices
            )
        return True

    def display(self) -> str:
        if self.kind == "bool":
            return "ja/nee"
        if self.kind == "num":
            if self.percent and self.unit.dimensionless:
                return "percentage"
            if self.unit.dimensionless:
                return "aantal" if self.label == "aantal" else "getal"
            unit = self.unit.display()
            return "bedrag" + unit[1:] if unit.startswith("€") else unit
        if self.kind == "choice":
            return "keuze uit " + ", ".join(self.choices) if self.choices else "keuze"
        return {
            "text": "tekst", "date": "datum", "clock": "kloktijd", "list": "lijst",
            "persons": "personen",
        }[self.kind]  # fmt: skip


BOOL = Type("bool")
TEXT = Type("text")
DATE = Type("date")
CLOCK = Type("clock")
NUMBER = Type("num")
PERCENT = Type("num", percent=True)
LIST = Type("list")


def num(unit: Unit, percent: bool = False) -> Type:
    return Type("num", unit, percent)


def from_spec(spec: TypeSpec) -> Type:
    """The checker type of a declared type (gegevens, uitkomsten, open normen)."""
    kind = spec.kind
    checked = TYPE_KINDS[kind].kind
    if kind == "percentage":
        return Type("num", percent=True, label=kind)
    if kind == "keuze":
        return Type("choice", choices=spec.choices, label=kind)
    if checked != "num" or kind in ("getal", "aantal"):
        return Type(checked, label=kind)
    unit = spec.unit or UnitSpec("euro")
    if kind == "duur":
        return Type("num", Unit.of(unit.word), label=kind)
    return Type(
        "num", Unit.of(unit.word, unit.per), label="bedrag" if unit.word == "euro" else kind
    )
