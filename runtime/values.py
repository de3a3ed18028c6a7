"""Value helpers shared by compiled rule objects and generated modules: exact decimal rounding,
calendar arithmetic and Dutch display. Standard library only.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import Any

from .errors import EvaluationError, Undetermined

# The context every evaluation runs in, whatever the caller's own decimal context: enough
# digits for every value the input bounds allow to be worked out exactly, and a fault
# (Inexact) rather than a silent rounding should a calculation ever need more. Rounding
# happens only where the regulation says so (`round_to`), and in a division.
EXACT_DIGITS = 1000
EXACT = Context(
    prec=EXACT_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
# A quotient is rarely exact (1.400 / 3): it is worked out to this many significant digits,
# half to even, and the regulation rounds the result as it states.
DIVISION_DIGITS = 40
_DIVISION = Context(prec=DIVISION_DIGITS, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
_ROUNDING = Context(prec=EXACT_DIGITS, Emax=999_999, Emin=-999_999, traps=[InvalidOperation])

# What generated code passes to `round_to`, named as the regulation says it.
CENTEN = Decimal("0.01")
HELE_EURO = HELE_GETALLEN = Decimal("1")
HALF_NAAR_BOVEN, NAAR_BOVEN, NAAR_BENEDEN = ROUND_HALF_UP, ROUND_CEILING, ROUND_FLOOR

# Whole numbers as Decimal, made once: ages and counts of months are computed often.
_WHOLE = [Decimal(i) for i in range(1000)]


def round_to(value: Decimal, quantum: Decimal, rounding: str) -> Decimal:
    """Round as the regulation states it (`afgerond op centen half naar boven`); never
    implicitly, and never by the caller's decimal context."""
    return value.quantize(quantum, rounding, _ROUNDING)


def undetermined(subject: str, reason: str) -> None:
    """Raise `Undetermined` from within an expression (a tier without `anders`)."""
    raise Undetermined(subject, reason)


def divide(a: Decimal, b: Decimal) -> Decimal:
    if not b:
        raise EvaluationError("R701", "deling door nul")
    return _DIVISION.divide(a, b)


# `en`, `of` and `tenzij` over onbepaald, the same in either order (Kleene's logic): nee en X is
# nee and ja of X is ja, whatever X is; otherwise an onbepaald operand makes the whole
# onbepaald. Generated code passes each operand as a function, so that the right one is only
# worked out when needed.


def both(left: Callable[[], bool], right: Callable[[], bool]) -> bool:
    """`left en right`."""
    try:
        if not left():
            return False
    except Undetermined as why:
        first = why
    else:
        return right()
    try:
        if not right():
            return False
    except Undetermined as second:
        raise first.also(second) from None
    raise first


def either(left: Callable[[], bool], right: Callable[[], bool]) -> bool:
    """`left of right`."""
    try:
        if left():
            return True
    except Undetermined as why:
        first = why
    else:
        return right()
    try:
        if right():
            return True
    except Undetermined as second:
        raise first.also(second) from None
    raise first


def first_known(first: Callable[[], Any], *others: Callable[[], Any]) -> Any:
    """The value of `first`, an operand of a calculation or comparison whose other operands
    are `others` (worked out after it, as written). When `first` is onbepaald, the others are
    worked out as well, so that what it raises needs all that the calculation needs: a
    decision from partial input asks for both amounts of `a ten hoogste b` at once."""
    try:
        return first()
    except Undetermined as why:
        for other in others:
            try:
                other()
            except Undetermined as more:
                why = why.also(more)
        raise why from None


Flag = bool | Undetermined  # whether a condition holds for one person, or why it is not known


def flags(persons: Sequence[Any], condition: Callable[[Any], Any] | None) -> list[Flag]:
    """Per person whether `condition` holds (True when there is none), or why it is
    onbepaald: every person is looked at, so that the answer does not hang on their order."""
    if condition is None:
        return [True] * len(persons)
    found: list[Flag] = []
    for person in persons:
        try:
            found.append(bool(condition(person)))
        except Undetermined as why:
            found.append(why)
    return found


def settle(kind: str, group: str, text: str, found: list[Flag], values: list[Any]) -> Any:
    """An aggregate from its flags and the values of the persons for whom they hold (none for
    `aantal`, `ieder` and `enig`, which look at the flags only): the one
    meaning of `aantal`, `som`, `hoogste`, `laagste`, `ieder` and `enig`, for the plain code
    and the motivation alike. `ieder` is nee as soon as one is nee, `enig` ja as soon as one
    is ja, whatever is not known of the others; otherwise what is not known makes it
    onbepaald, needing all that any person needs."""
    if kind == "ieder" and any(f is False for f in found):
        return False
    if kind == "enig" and any(f is True for f in found):
        return True
    unknown = [f for f in found if isinstance(f, Undetermined)]
    if unknown:
        why = unknown[0]
        for more in unknown[1:]:
            why = why.also(more)
        raise why
    if kind in ("ieder", "enig"):
        return kind == "ieder"
    if kind == "aantal":
        return Decimal(sum(f is True for f in found))
    if kind == "som":
        return sum(values, Decimal(0))
    if not values:
        raise Undetermined(text, f"er is niemand in {group.replace('_', ' ')} om te vergelijken")
    return max(values) if kind == "hoogste" else min(values)


def shift_date(day: datetime.date, amount: Decimal, unit: str, mode: str | None) -> datetime.date:
    """`day + amount unit`. A calendar day that does not exist (31 januari + 1 maand) is an
    error unless the regulation said how to round it."""
    _known(unit)
    if amount != amount.to_integral_value():
        raise EvaluationError("R702", f"kan geen {amount} {unit} bij een datum optellen")
    try:
        return _shift(day, int(amount), unit, mode)
    except (OverflowError, ValueError):
        raise EvaluationError(
            "R705", f"{format_date(day)} plus {amount} {unit} valt buiten de kalender"
        ) from None


# The durations the calendar knows, as the compiler names them (compiler/vocabulary.py).
CALENDAR_UNITS = ("dag", "week", "maand", "jaar")


def _known(unit: str) -> None:
    if unit not in CALENDAR_UNITS:  # a fault of the compiler, not of the regulation
        raise AssertionError(
            f"onbekende tijdseenheid '{unit}' (verwacht: {', '.join(CALENDAR_UNITS)})"
        )


def _shift(day: datetime.date, count: int, unit: str, mode: str | None) -> datetime.date:
    if unit == "dag":
        return day + datetime.timedelta(days=count)
    if unit == "week":
        return day + datetime.timedelta(weeks=count)
    months = count * 12 if unit == "jaar" else count
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return datetime.date(year, month, day.day)
    if mode == "naar_beneden":
        return datetime.date(year, month, last)
    if mode == "naar_boven":
        return datetime.date(year, month, last) + datetime.timedelta(days=1)
    raise EvaluationError(
        "R703",
        f"{format_date(day)} plus {count} {unit} valt op een dag die niet bestaat",
        "schrijf in de regeling 'afgerond naar beneden' of 'afgerond naar boven' achter de "
        "berekening",
    )


_DAY_MINUTES = 24 * 60


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def clock_between(start: datetime.time, end: datetime.time, unit: str) -> Decimal:
    """Whole hours or minutes from one time of day to the next time the clock shows `end`: a
    time before `start` is the next day (open from 10:00 to 01:00 is 15 hours)."""
    minutes = (_minutes(end) - _minutes(start)) % _DAY_MINUTES
    return Decimal(minutes if unit == "minuut" else minutes // 60)


def shift_clock(t: datetime.time, amount: Decimal, unit: str) -> datetime.time:
    """A time of day plus (or minus) hours or minutes, on the clock: 23:00 + 2 uur is 01:00."""
    minutes = amount * 60 if unit == "uur" else amount
    if minutes != minutes.to_integral_value():
        raise EvaluationError(
            "R702", f"kan geen {format_number(amount)} {unit} bij een kloktijd optellen"
        )
    total = (_minutes(t) + int(minutes)) % _DAY_MINUTES
    return datetime.time(total // 60, total % 60)


def format_clock(t: datetime.time) -> str:
    """A time of day as Dutch writes it: 22.30 uur."""
    return f"{t.hour:02d}.{t.minute:02d} uur"


def whole_units_between(start: datetime.date, end: datetime.date, unit: str) -> Decimal:
    """Completed days, weeks, months or years from `start` up to `end` (negative if before)."""
    _known(unit)
    if end < start:
        return -whole_units_between(end, start, unit)
    if unit == "dag":
        return Decimal((end - start).days)
    if unit == "week":
        return Decimal((end - start).days // 7)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        # A month is complete on the same day-of-month, or on the last day of a shorter month.
        last = calendar.monthrange(end.year, end.month)[1]
        if not (end.day == last and start.day > last):
            months -= 1
    return Decimal(months // 12 if unit == "jaar" else months)


def age(birth: datetime.date, on: datetime.date) -> Decimal:
    """Whole years completed on the given date; someone born on 29 February turns a year older
    on 1 March in a common year."""
    years = on.year - birth.year
    if on.month < birth.month or (on.month == birth.month and on.day < birth.day):
        years -= 1  # the birthday is still to come (compared without tuples: this runs often)
    return _WHOLE[years] if 0 <= years < 1000 else Decimal(years)


MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def format_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def format_period(start: datetime.date | None, end: datetime.date | None) -> str:
    """A period of force as the regulations write it: vanaf 1 januari 2012 tot en met …"""
    period = f"vanaf {format_date(start)}" if start else ""
    if end:
        period += f" tot en met {format_date(end)}"
    return period.strip()


def format_number(value: Decimal, places: int | None = None) -> str:
    """Dutch notation: 1.234,56. Does not round: callers quantize first."""
    if places is not None:
        text = f"{value:,.{places}f}"
    else:
        whole = value == value.to_integral_value(None, _ROUNDING)  # positional: quicker
        text = f"{value.normalize(_ROUNDING):,f}" if whole else f"{value:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(
    value: object, kind: str, unit: str = "", percent: bool = False, unit_one: str = ""
) -> str:
    """A value as a Dutch reader expects it: € 1.234,56 per maand, 24 uur, 50%, ja; with
    `unit_one`, exactly one reads "1 maand", not "1 maanden"."""
    if unit_one and kind == "num" and value == 1:
        unit = unit_one
    if value is None:
        return "onbepaald"
    if kind == "bool":
        return "ja" if value else "nee"
    if kind == "date" and isinstance(value, datetime.date):
        return format_date(value)
    if kind == "clock" and isinstance(value, datetime.time):
        return format_clock(value)
    if kind == "list" and isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value) if value else "(geen)"
    if kind == "persons" and isinstance(value, tuple | list):
        return "1 persoon" if len(value) == 1 else f"{len(value)} personen"
    if kind == "num" and isinstance(value, Decimal):
        if percent and not unit:
            return format_number(_ROUNDING.multiply(value, 100)) + "%"
        if unit.startswith("€"):
            exact = value == value.quantize(CENTEN, None, _ROUNDING)
            amount = format_number(value, 2) if exact else format_number(value)
            return f"€ {amount}{unit[1:]}"
        return f"{format_number(value)} {unit}".rstrip()
    return str(value)
