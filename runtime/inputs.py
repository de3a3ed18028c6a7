"""What counts as valid input, in one place for every channel.

The CLI, the Python API, the generated packages and the decision service all take their bounds
and their Dutch messages from here, so that the same value gets the same answer everywhere.

Numbers are bounded so that arithmetic stays exact and every answer stays small: at most
`INTEGER_DIGITS` digits before the decimal point and `FRACTION_DIGITS` after it. A value like
`1e-100000000` is refused here, rather than written out in full in every step of a motivation.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import Any

INTEGER_DIGITS = 15
FRACTION_DIGITS = 10
TEXT_LENGTH = 1000  # characters in a text gegeven: a place name, not a document
PERSONS_LIMIT = 100  # persons in a group (a household): a home, not a population register
NAME_SHOWN = 60  # characters of an unknown field name repeated in a message

# The smallest step a number may have: generated code tests `value % NUMBER_QUANTUM`, which is
# zero exactly when the value has no more than FRACTION_DIGITS decimal places.
NUMBER_QUANTUM = _QUANTUM = Decimal(1).scaleb(-FRACTION_DIGITS)
# The smallest `value.adjusted()` of a valid nonzero number: generated code tests it before the
# `%`, which in a caller's context can underflow to zero for `1E-100000000`.
LOWEST_EXPONENT = -FRACTION_DIGITS
# Enough digits for every valid input, whatever the caller's own decimal context.
_CHECK = Context(prec=INTEGER_DIGITS + FRACTION_DIGITS + 5)


# The CBS code of a gemeente: GM and four digits (GM0503 is Delft); a municipal regulation
# says which it applies in, and a decision can be taken for one.
TERRITORY = re.compile(r"GM[0-9]{4}")
# An aantal as text: digits, with a sign that the bound of 0 then refuses ("3", not "3.0").
COUNT_TEXT = re.compile(r"-?[0-9]+")


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


# A number written as text, as every channel accepts it: plain decimal notation with a point,
# within the bounds (no exponent, no spaces, no thousands separators); a percentage may end in %.
NUMBER_TEXT = re.compile(rf"-?[0-9]{{1,{INTEGER_DIGITS}}}(\.[0-9]{{1,{FRACTION_DIGITS}}})?")
PERCENT_TEXT = re.compile(NUMBER_TEXT.pattern + "%?")
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK_TEXT = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def parse_number(text: str, percent: bool = False) -> Decimal:
    """A number given as text ("1400.00", or "50%" for a percentage)."""
    if (PERCENT_TEXT if percent else NUMBER_TEXT).fullmatch(text):
        if text.endswith("%"):
            return Decimal(text[:-1]).scaleb(-2, _CHECK)
        return Decimal(text)
    try:  # why not: too many digits says so; anything else gets the way to write it
        value = Decimal(text.removesuffix("%") if percent else text)
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite() and not re.search(r"[eE\s_]", text):
        problem = number_problem(value)
        if problem:
            raise ValueError(problem)
    example = '"1234.56" of "50%"' if percent else '"1234.56"'
    raise ValueError(f"{shown(text)} is geen getal; schrijf het als {example}")


def plain_value(pytype: type, value: Any) -> Any:
    """A number or a date as JSON gives it plainly, a whole number (14) or text ("1400.00",
    "2021-02-01"), as its runtime value; None for anything else, which `coerce` then judges
    with a message. The common case, for the paths that must be quick; never for a percentage
    ("50%")."""
    if type(value) is int:
        return Decimal(value) if pytype is Decimal and -_WHOLE < value < _WHOLE else None
    if type(value) is not str:
        return None
    if pytype is Decimal:
        return Decimal(value) if _plain_number(value) else None
    if pytype is datetime.date and _plain_date(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return None


_plain_number, _plain_date = NUMBER_TEXT.fullmatch, DATE_TEXT.fullmatch
_WHOLE = 10**INTEGER_DIGITS  # a whole number below this fits the bounds of input


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
    """A date as JJJJ-MM-DD, and nothing else (not 20110901, not 2011-W01-1)."""
    if DATE_TEXT.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{shown(value)} is geen geldige datum (JJJJ-MM-DD)")


def read_peildatum(value: object) -> datetime.date:
    """A peildatum as a channel gets it: a date, or JJJJ-MM-DD as JSON and CSV write it."""
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise ValueError("verwacht een datum (JJJJ-MM-DD)")


@dataclass(slots=True)
class InputSpec:
    """One gegeven as every channel checks it: its kind (bool, num, text, date, choice, or
    persons: a group with the gegevens of each person), its unit, choices, default and
    bounds. Generated code makes one per gegeven."""

    name: str
    kind: str  # bool, num, text, date, choice
    description: str | None = None
    unit: str = ""
    percent: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    has_default: bool = False
    oordeel: str | None = None  # organ whose judgement this is
    label: str = ""
    optional: bool = False  # may be left out; what reads it is then onbepaald
    minimum: Decimal | None = None  # `ten minste …` in the declaration
    maximum: Decimal | None = None  # `ten hoogste …`
    unit_one: str = ""  # the unit after exactly one: "maand" where `unit` is "maanden"
    fields: tuple[InputSpec, ...] = ()  # kind persons: the gegevens of each person

    @property
    def percentage(self) -> bool:
        """Declared as a percentage: then "50%" is a way to write 0.5."""
        return self.percent and self.label == "percentage"

    @property
    def whole(self) -> bool:
        """Declared as an `aantal`: a whole number, written as digits only."""
        return self.label == "aantal"


def coerce(spec: InputSpec, value: Any) -> Any:
    """Check and convert one input value (a Python value, or one read from JSON) to its
    runtime value; raises ValueError with the Dutch message every channel gives."""
    kind = spec.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValueError("verwacht ja of nee: true of false")
    if kind == "num":
        number = _number(spec, value)
        if spec.whole and (
            number != number.to_integral_value()
            or (isinstance(value, str) and not COUNT_TEXT.fullmatch(value))
        ):
            raise ValueError("verwacht een aantal: een geheel getal (0, 1, 2, …)")
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"mag niet kleiner zijn dan {_bound(spec, spec.minimum)}")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"mag niet groter zijn dan {_bound(spec, spec.maximum)}")
        return number
    if kind == "date":
        if isinstance(value, datetime.datetime):
            raise ValueError("verwacht een datum zonder tijd (JJJJ-MM-DD)")
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            return parse_date(value)
        raise ValueError("verwacht een datum (JJJJ-MM-DD)")
    if kind == "clock":
        if isinstance(value, datetime.time) and value.tzinfo is None and not value.second:
            return value.replace(microsecond=0)
        if isinstance(value, str) and CLOCK_TEXT.fullmatch(value):
            return datetime.time(int(value[:2]), int(value[3:]))
        raise ValueError(f"{shown(value)} is geen kloktijd; schrijf het als UU:MM (22:30)")
    if kind == "choice":
        if isinstance(value, str) and value in spec.choices:
            return value
        raise ValueError(f"verwacht een van: {', '.join(spec.choices)}")
    if kind == "persons":
        return _persons(spec, value)
    if kind == "text":
        if not isinstance(value, str):
            raise ValueError("verwacht een tekst")
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return value
    raise ValueError(f"onbekend soort gegeven '{kind}'")  # pragma: no cover


def _persons(spec: InputSpec, value: Any) -> tuple[dict[str, Any], ...]:
    """A group: a list of persons, each an object with the gegevens of a person; every
    problem of every person at once, each named ("persoon 2, geboortedatum: …")."""
    if not isinstance(value, list | tuple):
        raise ValueError("verwacht een lijst van personen (in JSON: [{…}, {…}])")
    if len(value) > PERSONS_LIMIT:
        raise ValueError(f"te veel personen (ten hoogste {PERSONS_LIMIT})")
    fields = {f.name: f for f in spec.fields}
    persons: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(value, 1):
        if not isinstance(raw, dict):
            problems.append(f"persoon {number}: verwacht een object met de gegevens van de persoon")
            continue
        person: dict[str, Any] = {}
        for name, given in raw.items():
            fld = fields.get(name) if isinstance(name, str) else None
            if fld is None:
                problems.append(f"persoon {number}, {field_name(name)}: onbekend gegeven")
            elif given is not None:
                try:
                    person[name] = coerce(fld, given)
                except ValueError as err:
                    problems.append(f"persoon {number}, {name}: {err}")
        for name, fld in fields.items():
            if raw.get(name) is None:
                if fld.has_default:
                    person[name] = fld.default
                else:
                    problems.append(f"persoon {number}, {name}: ontbreekt (verplicht gegeven)")
        persons.append(person)
    if problems:
        shown = problems[:10] + ([f"en nog {len(problems) - 10}"] if len(problems) > 10 else [])
        raise ValueError("; ".join(shown))
    return tuple(persons)


def _number(spec: InputSpec, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("verwacht een getal")
    if isinstance(value, Decimal):
        return to_number(value)
    if isinstance(value, int):
        if abs(value) >= 10**INTEGER_DIGITS:
            raise ValueError(f"getal is te groot (meer dan {INTEGER_DIGITS} cijfers voor de komma)")
        return Decimal(value)
    if isinstance(value, str):
        return parse_number(value, spec.percentage)
    if isinstance(value, float):
        raise ValueError(
            "een kommagetal (float) is niet exact; geef het getal als tekst "
            '("1400.00") of als Decimal'
        )
    raise ValueError("verwacht een getal")


def _bound(spec: InputSpec, value: Decimal) -> str:
    if spec.percent and not spec.unit:
        return f"{value.scaleb(2, _CHECK).normalize(_CHECK):f}".replace(".", ",") + "%"
    text = f"{value:f}".replace(".", ",")
    if spec.unit.startswith("€"):
        return f"€ {text}{spec.unit[1:]}"
    return f"{text} {spec.unit}".rstrip()


# ---------------------------------------------------------------- JSON, in and out


def read_json(text: str) -> Any:
    """A JSON text as every channel reads it: numbers as exact Decimals, never floats; a
    refusal in Dutch (ValueError) for what is not JSON or cannot be used."""
    import json  # only where JSON is read: `regel controleer` never does

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        what = _JSON_ERRORS.get(err.msg, "ongeldige JSON")
        raise ValueError(
            f"geen geldige JSON (regel {err.lineno}, kolom {err.colno}: {what})"
        ) from None
    except _NotANumber as err:
        raise ValueError(f"geen bruikbare JSON: {err}") from None
    except ValueError:  # an integer of thousands of digits
        raise ValueError("geen bruikbare JSON: een getal heeft te veel cijfers") from None
    except RecursionError:
        raise ValueError("geen bruikbare JSON: te diep genest") from None


class _NotANumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotANumber(f"'{name}' is geen getal in JSON")


# What the standard library's JSON parser says, in Dutch.
_JSON_ERRORS = {
    "Expecting value": "hier werd een waarde verwacht",
    "Expecting property name enclosed in double quotes": "hier werd een veldnaam tussen "
    "dubbele aanhalingstekens verwacht",
    "Expecting ',' delimiter": "hier werd een komma verwacht",
    "Expecting ':' delimiter": "hier werd een dubbele punt verwacht",
    "Unterminated string starting at": "een tekst zonder afsluitend aanhalingsteken",
    "Extra data": "na het JSON-object staat nog meer",
    "Invalid control character at": "een stuurteken in een tekst",
    "Invalid \\escape": "een ongeldige \\-reeks in een tekst",
}


def json_schema(spec: InputSpec) -> dict[str, Any]:
    """The JSON schema of one gegeven: exactly what `coerce` accepts, as far as JSON Schema
    can say it (the decimals of a JSON number it cannot: the description does)."""
    if spec.kind == "num":
        limit = 10**INTEGER_DIGITS
        number: dict[str, Any] = {"type": "integer" if spec.whole else "number"}
        if spec.minimum is not None:
            number["minimum"] = (
                int(spec.minimum) if spec.minimum == int(spec.minimum) else str(spec.minimum)
            )
        else:
            number["exclusiveMinimum"] = -limit
        if spec.maximum is not None:
            number["maximum"] = (
                int(spec.maximum) if spec.maximum == int(spec.maximum) else str(spec.maximum)
            )
        else:
            number["exclusiveMaximum"] = limit
        pattern = (PERCENT_TEXT if spec.percentage else NUMBER_TEXT).pattern
        if spec.whole:
            pattern = "[0-9]+"  # COUNT_TEXT within the bound of 0
        return {"anyOf": [number, {"type": "string", "pattern": f"^{pattern}$"}]}
    if spec.kind == "bool":
        return {"type": "boolean"}
    if spec.kind == "persons":
        person = {
            "type": "object",
            "properties": {
                f.name: {**json_schema(f), "description": describe(f)} for f in spec.fields
            },
            "required": [f.name for f in spec.fields if not f.has_default],
            "additionalProperties": False,
        }
        return {"type": "array", "maxItems": PERSONS_LIMIT, "items": person}
    if spec.kind == "date":
        return {"type": "string", "format": "date", "pattern": f"^{DATE_TEXT.pattern}$"}
    if spec.kind == "choice":
        return {"type": "string", "enum": list(spec.choices)}
    if spec.kind == "clock":
        return {"type": "string", "pattern": f"^{CLOCK_TEXT.pattern}$"}
    return {"type": "string", "maxLength": TEXT_LENGTH}


def describe(spec: InputSpec, organ: str | None = None) -> str:
    """A gegeven for someone who sends it: its description and how to write its value.
    `organ` names whose oordeel it is, as a sentence does ("het college")."""
    text = spec.description or spec.name.replace("_", " ")
    if spec.oordeel:
        text = f"Oordeel van {organ or spec.oordeel}: {text}"
    if spec.kind == "num":
        if spec.percentage:
            text += ' (percentage: een getal, 0.5 is 50%, of een tekst als "50%")'
        elif spec.percent:
            text += " (een getal; 0.5 is 50%)"
        elif spec.unit:
            text += f' (in {spec.unit}; een getal, of een tekst als "1400.00" voor exacte bedragen)'
        elif spec.whole:
            text += " (een aantal: een geheel getal, 0 of meer)"
        else:
            text += " (een getal)"
        text += (
            f"; ten hoogste {INTEGER_DIGITS} cijfers voor de komma en {FRACTION_DIGITS} erachter"
        )
        if spec.minimum is not None:
            text += f"; ten minste {_bound(spec, spec.minimum)}"
        if spec.maximum is not None:
            text += f"; ten hoogste {_bound(spec, spec.maximum)}"
    elif spec.kind == "date":
        text += " (JJJJ-MM-DD)"
    elif spec.kind == "clock":
        text += " (een kloktijd, UU:MM)"
    elif spec.kind == "persons":
        names = ", ".join(f.name for f in spec.fields)
        text += (
            f" (een lijst van ten hoogste {PERSONS_LIMIT} personen, ieder een object met: {names})"
        )
    if spec.optional:
        text += ". Mag ontbreken: wat het nodig heeft, is dan onbepaald"
    return text
