"""Property tests for the arithmetic and the number syntax."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st
from regel.compiler.parser import parse
from regel.runtime import (
    CENTEN,
    HALF_NAAR_BOVEN,
    NAAR_BENEDEN,
    NAAR_BOVEN,
    round_to,
    shift_date,
    whole_units_between,
)
from regel.runtime.values import age, format_number

amounts = st.decimals(
    min_value=Decimal("-1e9"),
    max_value=Decimal("1e9"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


def dutch(value: Decimal) -> str:
    """Write a non-negative number the way a policy writer does."""
    whole, _, frac = f"{value:f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join([whole, *groups])
    return text + ("," + frac if frac else "")


@given(
    st.decimals(
        min_value=0, max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
    )
)
def test_dutch_amounts_parse_exactly(value: Decimal) -> None:
    reg = parse(f'verordening x "X"\nartikel 1\n  begrip b: € {dutch(value)}\n')
    assert reg.units[0].children[0].value.value == value


@given(amounts)
def test_rounding_to_cents_is_half_up_and_idempotent(value: Decimal) -> None:
    once = round_to(value, CENTEN, HALF_NAAR_BOVEN)
    assert once == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_to(once, CENTEN, HALF_NAAR_BOVEN) == once
    assert abs(once - value) <= Decimal("0.005")
    assert round_to(value, CENTEN, NAAR_BENEDEN) <= value <= round_to(value, CENTEN, NAAR_BOVEN)


@given(amounts)
def test_format_number_round_trips(value: Decimal) -> None:
    text = format_number(value.quantize(Decimal("0.01")), 2)
    back = Decimal(text.replace(".", "").replace(",", "."))
    assert back == value.quantize(Decimal("0.01"))


@given(dates, st.integers(min_value=-600, max_value=600))
def test_shift_by_months_then_count_months(day: datetime.date, months: int) -> None:
    shifted = shift_date(day, Decimal(months), "maand", "naar_beneden")
    if months >= 0:
        assert whole_units_between(day, shifted, "maand") == months or shifted.day < day.day
    assert shifted.day <= day.day


@given(dates, dates)
def test_age_is_whole_years_and_monotone(birth: datetime.date, on: datetime.date) -> None:
    years = age(birth, on)
    if on >= birth:
        assert years >= 0
        assert whole_units_between(birth, on, "jaar") == years
