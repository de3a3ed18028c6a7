"""What counts as valid input, in one place for every channel.

The CLI, the Python API, the generated packages and the decision service all take their bounds
and their Dutch messages from here, so that the same value gets the same answer everywhere.

Numbers are bounded so that arithmetic stays exact and every answer stays small: at most
`INTEGER_DIGITS` digits before the decimal point and `FRACTION_DIGITS` after it. A value like
`1e-100000000` is refused here, rather than written out in full in every step of a motivation.
"""

from __future__ import annotations

import datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

INTEGER_DIGITS = 15
FRACTION_DIGITS = 10
TEXT_LENGTH = 1000  # characters in a text gegeven: a place name, not a document
NAME_SHOWN = 60  # characters of an unknown field name repeated in a message

# The smallest step a number may have: generated code tests `value % NUMBER_QUANTUM`, which is
# zero exactly when the value has no more than FRACTION_DIGITS decimal places.
NUMBER_QUANTUM = _QUANTUM = Decimal(1).scaleb(-FRACTION_DIGITS)
# Enough digits for every valid input, whatever the caller's own decimal context.
_CHECK = Context(prec=INTEGER_DIGITS + FRACTION_DIGITS + 5)


def number_problem(value: Decimal) -> str | None:
    """What is wrong with a Decimal as an input, or None."""
    if not value.is_finite():
        return "verwacht een eindig getal"
    if value.adjusted() >= INTEGER_DIGITS:
        return f"getal is te groot (meer dan {INTEGER_DIGITS} cijfers voor de komma)"
    if _decimals(value) > FRACTION_DIGITS:
        return f"te veel cijfers achter de komma (ten hoogste {FRACTION_DIGITS})"
    return None


def _decimals(value: Decimal) -> int:
    """How many digits after the point a finite value needs (trailing zeros do not count)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return 0
    kept = len(digits)
    while kept and digits[kept - 1] == 0:
        kept -= 1
    return 0 if not kept else max(0, -(exponent + len(digits) - kept))


def to_number(value: Decimal) -> Decimal:
    """A valid number (see `number_problem`) with at most FRACTION_DIGITS decimal places
    written: `1.50000000000000000000` becomes `1.5000000000`, the same value."""
    if (  # the common case, quickly: a multiple of 10^-FRACTION_DIGITS, kept as written
        value.is_finite()
        and -FRACTION_DIGITS <= value.adjusted() < INTEGER_DIGITS
        and not _CHECK.remainder(value, _QUANTUM)
    ):
        return value
    problem = number_problem(value)
    if problem:
        raise ValueError(problem)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -FRACTION_DIGITS:
        return value.quantize(_QUANTUM, None, _CHECK)
    return value


def parse_number(text: str) -> Decimal:
    """A number given as text ("1400.00"), as JSON writes it."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f'{shown(text)} is geen getal; schrijf het als "1234.56"') from None
    if not value.is_finite():
        raise ValueError("verwacht een eindig getal")
    return to_number(value)


def text_problem(text: str) -> str | None:
    """What is wrong with a text as an input: a lone surrogate cannot be written as UTF-8
    (and so not in any answer); a text longer than a place name or a reason is refused."""
    bad = next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)
    if bad is not None:
        return (
            f"bevat een ongeldig teken (U+{ord(bad):04X}, een losse surrogaat) dat niet als "
            "UTF-8 kan worden geschreven"
        )
    if len(text) > TEXT_LENGTH:
        return f"tekst is te lang (ten hoogste {TEXT_LENGTH} tekens)"
    return None


def printable(text: str, limit: int = 40) -> str:
    """Text repeated in a message: cut short, and every character that cannot be printed (or
    written as UTF-8) as an escape, so that a message is always safe to send."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = 40) -> str:
    """A value repeated in a message: a text quoted, anything else as Python writes it."""
    if isinstance(value, str):
        return f"'{printable(value, limit)}'"
    return printable(repr(value), limit)


def field_name(name: object) -> str:
    """A field name as a key in a message: the name itself if it is a fine one, else escaped."""
    text = str(name)
    if text.isprintable() and len(text) <= NAME_SHOWN and text_problem(text) is None:
        return text
    return printable(text, NAME_SHOWN)


def parse_date(value: str) -> datetime.date:
    """A date as JJJJ-MM-DD."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is geen geldige datum (JJJJ-MM-DD)") from None


def coerce(kind: str, value: Any, choices: tuple[str, ...] = (), percent: bool = False) -> Any:
    """Check and convert one input value (a Python value or one from JSON) to its runtime
    value; raises ValueError with a Dutch message."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("ja", "nee"):
            return value == "ja"
        raise ValueError("verwacht ja/nee (true of false)")
    if kind == "num":
        if isinstance(value, bool):
            raise ValueError("verwacht een getal")
        if isinstance(value, Decimal):
            return to_number(value)
        if isinstance(value, int):
            if abs(value) >= 10**INTEGER_DIGITS:
                raise ValueError(
                    f"getal is te groot (meer dan {INTEGER_DIGITS} cijfers voor de komma)"
                )
            return Decimal(value)
        if isinstance(value, str):
            stripped = value.strip()
            if percent and stripped.endswith("%"):
                return to_number(parse_number(stripped[:-1]).scaleb(-2, _CHECK))
            return parse_number(stripped)
        if isinstance(value, float):
            raise ValueError(
                "een kommagetal (float) is niet exact; geef het getal als tekst "
                '("1400.00") of als Decimal'
            )
        raise ValueError("verwacht een getal")
    if kind == "date":
        if isinstance(value, datetime.datetime):
            raise ValueError("verwacht een datum zonder tijd (JJJJ-MM-DD)")
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            return parse_date(value)
        raise ValueError("verwacht een datum (JJJJ-MM-DD)")
    if kind == "choice":
        if isinstance(value, str) and value in choices:
            return value
        raise ValueError(f"verwacht een van: {', '.join(choices)}")
    if kind == "text":
        if not isinstance(value, str):
            raise ValueError("verwacht een tekst")
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return value
    raise ValueError(f"onbekend soort gegeven '{kind}'")  # pragma: no cover
