"""The closed word classes of the language, one row each, with every stage's word.

Units, comparators, organs, rounding and type kinds are written in the grammar
(`grammar/regel.lark`) and read by the parser, the checker, the code generator, the docs, the
service and the runtime. Each has its row here, and only here: adding a unit or a synonym of a
comparator is the grammar plus one row (a test checks that the grammar's alternatives and these
tables agree). Imports nothing of the compiler. The rows are named tuples: immutable values, and
made at every start far faster than dataclasses.
"""

from __future__ import annotations

from typing import NamedTuple

# ---------------------------------------------------------------- units


class Unit(NamedTuple):
    """A unit: its canonical name (in types, generated code and the runtime), the words that
    write it, how it reads after one and after several, and whether it is a duration the
    calendar knows (a date can be shifted by it, elapsed time counted in it)."""

    name: str
    words: tuple[str, ...]
    singular: str
    plural: str
    time: bool = False
    symbol: bool = False  # written before the number (€ 5), not after it
    # A power of another unit: m² is m to the power 2, so that m × m = m² (`base` empty: a
    # base unit itself).
    base: str = ""
    power: int = 1


UNITS: dict[str, Unit] = {
    u.name: u
    for u in (
        Unit("euro", ("bedrag", "euro"), "€", "€", symbol=True),
        Unit("uur", ("uur", "uren"), "uur", "uur"),
        Unit("minuut", ("minuut", "minuten"), "minuut", "minuten"),
        Unit("dag", ("dag", "dagen"), "dag", "dagen", time=True),
        Unit("week", ("week", "weken"), "week", "weken", time=True),
        Unit("maand", ("maand", "maanden"), "maand", "maanden", time=True),
        Unit("jaar", ("jaar", "jaren"), "jaar", "jaar", time=True),
        Unit("km", ("km", "kilometer"), "km", "km"),
        Unit("m", ("m", "meter"), "m", "m"),
        Unit("m2", ("m²", "m2"), "m²", "m²", base="m", power=2),
        Unit("m3", ("m³", "m3"), "m³", "m³", base="m", power=3),
        Unit("stuks", ("stuks", "stuk"), "stuk", "stuks"),
    )
}
UNIT_OF_WORD: dict[str, Unit] = {word: u for u in UNITS.values() for word in u.words}
# The unit a base unit to a power is written as: ("m", 2) → m².
POWERS: dict[tuple[str, int], Unit] = {(u.base, u.power): u for u in UNITS.values() if u.base}
TIME_UNITS = tuple(u.name for u in UNITS.values() if u.time)
# What a time of day (a kloktijd) is shifted by, and the time between two is counted in.
CLOCK_UNITS = ("uur", "minuut")


def unit(word: str) -> Unit:
    """The unit a word of the grammar writes; an unknown word is a fault of the compiler."""
    try:
        return UNIT_OF_WORD[word]
    except KeyError:
        raise KeyError(f"geen eenheid '{word}' in compiler/vocabulary.py") from None


# ---------------------------------------------------------------- comparators


class Comparator(NamedTuple):
    """A comparison: the words that write it, the operator it is (=, !=, <, >, <=, >=), that
    operator in Python, and how the docs say it."""

    op: str
    python: str
    prose: str
    words: tuple[str, ...]


COMPARATORS: dict[str, Comparator] = {
    c.op: c
    for c in (
        Comparator("=", "==", "is", ("is", "=")),
        Comparator("!=", "!=", "is niet", ("is niet",)),
        Comparator("<", "<", "kleiner dan",
                   ("<", "minder dan", "kleiner dan", "jonger dan", "eerder dan")),
        Comparator(">", ">", "groter dan",
                   (">", "meer dan", "groter dan", "ouder dan", "later dan")),
        Comparator("<=", "<=", "ten hoogste", ("<=", "ten hoogste", "hoogstens")),
        Comparator(">=", ">=", "ten minste", (">=", "minstens", "ten minste")),
    )
}  # fmt: skip
COMPARATOR_OF_WORDS: dict[str, Comparator] = {
    word: c for c in COMPARATORS.values() for word in c.words
}
# Comparisons as a lawyer writes them, that the language does not: the words to write instead
# (a key of COMPARATOR_OF_WORDS). A syntax error on such a line says so ("bedoelde u 'ten
# minste'?"); a test checks that each is a mistake and that the fix means what was meant.
MISTAKEN_COMPARATORS: dict[str, str] = {
    "is groter dan of gelijk aan": "ten minste",
    "groter dan of gelijk aan": "ten minste",
    "is groter of gelijk aan": "ten minste",
    "groter of gelijk aan": "ten minste",
    "is meer dan of gelijk aan": "ten minste",
    "meer dan of gelijk aan": "ten minste",
    "is kleiner dan of gelijk aan": "ten hoogste",
    "kleiner dan of gelijk aan": "ten hoogste",
    "is kleiner of gelijk aan": "ten hoogste",
    "kleiner of gelijk aan": "ten hoogste",
    "is minder dan of gelijk aan": "ten hoogste",
    "minder dan of gelijk aan": "ten hoogste",
    "is niet meer dan": "ten hoogste",
    "niet meer dan": "ten hoogste",
    "is niet groter dan": "ten hoogste",
    "niet groter dan": "ten hoogste",
    "is niet minder dan": "ten minste",
    "niet minder dan": "ten minste",
    "is niet kleiner dan": "ten minste",
    "niet kleiner dan": "ten minste",
    "is kleiner dan": "kleiner dan",
    "is minder dan": "kleiner dan",
    "is groter dan": "groter dan",
    "is meer dan": "groter dan",
    "is ten minste": "ten minste",
    "is minstens": "ten minste",
    "is ten hoogste": "ten hoogste",
    "is hoogstens": "ten hoogste",
    "is minimaal": "ten minste",
    "is maximaal": "ten hoogste",
    "is gelijk aan": "is",
    "gelijk aan": "is",
    "is ongelijk aan": "is niet",
    "ongelijk aan": "is niet",
    "is niet gelijk aan": "is niet",
    "minimaal": "ten minste",
    "op zijn minst": "ten minste",
    "maximaal": "ten hoogste",
    "op zijn hoogst": "ten hoogste",
    "hooguit": "ten hoogste",
    "gelijk of groter dan": "ten minste",
    "gelijk of kleiner dan": "ten hoogste",
    "is jonger dan": "jonger dan",
    "is ouder dan": "ouder dan",
    "is eerder dan": "eerder dan",
    "is later dan": "later dan",
    "is niet jonger dan": "ten minste",
    "is niet ouder dan": "ten hoogste",
}


# ---------------------------------------------------------------- arithmetic


class Operator(NamedTuple):
    """An arithmetic operator: its key (as the parser names it), the symbols that write it, its
    operator in Python (division is `divide`, exact to a stated number of digits), and how a
    written-out calculation in a motivation shows it ("50% van € 1.400,00", "12 km × 2")."""

    key: str
    words: tuple[str, ...]
    python: str
    shown: str


OPERATORS: dict[str, Operator] = {
    o.key: o
    for o in (
        Operator("plus", ("+",), "+", "+"),
        Operator("min", ("-",), "-", "−"),
        Operator("maal", ("*", "×"), "*", "×"),
        Operator("deel", ("/",), "divide", ":"),
        Operator("van", ("van",), "*", "van"),
    )
}


# ---------------------------------------------------------------- organs


class Organ(NamedTuple):
    """Who adopts a regulation, is left an open norm or judges an oordeel: its key (in the
    runtime and the JSON), its words in the grammar, and its name in a sentence."""

    key: str
    words: str
    name: str  # "het college": in a sentence, after "door", "van", "aan"

    @property
    def title(self) -> str:
        """At the start of a sentence: "Het college"."""
        return self.name[:1].upper() + self.name[1:]


ORGANS: dict[str, Organ] = {
    o.key: o
    for o in (
        Organ("raad", "de raad", "de gemeenteraad"),
        Organ("college", "het college", "het college"),
        Organ("burgemeester", "de burgemeester", "de burgemeester"),  # APV-vergunningen
        # the organs of a gemeenschappelijke regeling
        Organ("algemeen_bestuur", "het algemeen bestuur", "het algemeen bestuur"),
        Organ("dagelijks_bestuur", "het dagelijks bestuur", "het dagelijks bestuur"),
        Organ("minister", "de minister", "de minister"),  # ministeriële regelingen
        Organ("uwv", "het UWV", "het UWV"),  # a zelfstandig bestuursorgaan
        Organ("wetgever", "de wetgever", "de wetgever"),
    )
}
ORGAN_OF_WORDS: dict[str, Organ] = {o.words: o for o in ORGANS.values()}


def organ_name(key: str | None, unknown: str = "een onbekend orgaan") -> str:
    """An organ by its key, as a sentence names it."""
    found = ORGANS.get(key or "")
    return found.name if found else unknown


# ---------------------------------------------------------------- rounding


class Rounding(NamedTuple):
    """A target (`op centen`) or mode (`half naar boven`) of `afgerond`: its key, its words in
    the grammar, the runtime's name for it, and how the docs say it."""

    key: str
    words: str
    runtime: str
    prose: str


ROUNDING_TARGETS: dict[str, Rounding] = {
    r.key: r
    for r in (
        Rounding("centen", "centen", "CENTEN", "op centen"),
        Rounding("hele_euro", "hele euro", "HELE_EURO", "op hele euro's"),
        Rounding("hele_getallen", "hele getallen", "HELE_GETALLEN", "op hele getallen"),
    )
}
ROUNDING_MODES: dict[str, Rounding] = {
    r.key: r
    for r in (
        Rounding("half_naar_boven", "half naar boven", "HALF_NAAR_BOVEN", "half naar boven"),
        Rounding("naar_boven", "naar boven", "NAAR_BOVEN", "naar boven"),
        Rounding("naar_beneden", "naar beneden", "NAAR_BENEDEN", "naar beneden"),
    )
}
ROUNDING_OF_WORDS: dict[str, Rounding] = {
    r.words: r for r in (*ROUNDING_TARGETS.values(), *ROUNDING_MODES.values())
}


# ---------------------------------------------------------------- over the persons of a group


class Aggregate(NamedTuple):
    """A count, sum or test over the persons of a group: its key (`nodes.Aggregate.kind`),
    how the language writes it before the value (`de som van`), and how the docs say it."""

    key: str
    words: str
    prose: str


AGGREGATES: dict[str, Aggregate] = {
    a.key: a
    for a in (
        Aggregate("aantal", "het aantal", "het aantal personen"),
        Aggregate("som", "de som van", "de som van"),
        Aggregate("hoogste", "het hoogste", "het hoogste"),
        Aggregate("laagste", "het laagste", "het laagste"),
        Aggregate("ieder", "ieder", "voor ieder"),
        Aggregate("enig", "enig", "voor ten minste één"),
    )
}
# The word after the article (`aantal` of `het aantal`): what a writer who forgets it types.
AGGREGATE_OF_BARE_WORD: dict[str, Aggregate] = {
    a.words.split()[1]: a for a in AGGREGATES.values() if " " in a.words
}


# ---------------------------------------------------------------- type kinds


class TypeKind(NamedTuple):
    """A declared type: its key (as the parser names it), the kind the checker and the runtime
    work with (bool, num, text, date, choice, list), and how the docs name it."""

    key: str
    kind: str
    docs: str


TYPE_KINDS: dict[str, TypeKind] = {
    t.key: t
    for t in (
        TypeKind("janee", "bool", "ja/nee"),
        TypeKind("getal", "num", "getal"),
        TypeKind("aantal", "num", "aantal (een geheel getal, 0 of meer)"),
        TypeKind("tekst", "text", "tekst"),
        TypeKind("datum", "date", "datum"),
        TypeKind("kloktijd", "clock", "kloktijd (UU:MM)"),
        TypeKind("percentage", "num", "percentage"),
        TypeKind("keuze", "choice", "keuze"),
        TypeKind("grootheid", "num", "grootheid"),
        TypeKind("aanspraak", "bool", "aanspraak (ja/nee)"),
        TypeKind("verplichting", "bool", "verplichting (ja/nee)"),
        TypeKind("bevoegdheid", "bool", "bevoegdheid (ja/nee)"),
        TypeKind("lijst", "list", "lijst"),
        TypeKind("duur", "num", "duur"),
        TypeKind("personen", "persons", "personen (ieder met de gegevens eronder)"),
    )
}
