"""The plain AST: dataclasses with source spans, built by the parser and read by the checker.

No behaviour lives here; meaning is given by `checker.py` (types, names) and `codegen.py`
(evaluation).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .diagnostics import Span

if TYPE_CHECKING:
    from .types import Type


def said(node: object) -> list[tuple[str, object]] | None:
    """The fields of a node that say something: not where it stands (its spans) and not what
    the checker wrote on it (`type`, `resolved`); None for what is not a node."""
    if isinstance(node, Span | type) or not hasattr(node, "__dataclass_fields__"):
        return None
    return [
        (name, getattr(node, name))
        for name in node.__dataclass_fields__
        if not name.endswith("span") and name not in ("type", "resolved")
    ]


def shape(node: object) -> object:
    """What a tree says, without where it says it: nested tuples of its fields. Two texts
    with the same shape mean the same (`regel opmaak` checks its own work with it)."""
    if isinstance(node, Span):
        return None
    if isinstance(node, list | tuple):
        return tuple(shape(x) for x in node)
    fields = said(node)
    if fields is None:
        return node
    return (type(node).__name__, *[(name, shape(value)) for name, value in fields])


# ---------------------------------------------------------------- units and types


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit as written: `bedrag per m² per jaar` is UnitSpec('euro', ('m2', 'jaar'))."""

    word: str
    per: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """A declared type. kind: janee, getal, aantal, tekst, datum, percentage, keuze,
    grootheid, aanspraak, verplichting, bevoegdheid, lijst, duur."""

    kind: str
    span: Span
    unit: UnitSpec | None = None
    choices: tuple[str, ...] = ()


# ---------------------------------------------------------------- expressions


@dataclass(slots=True, eq=False)
class Expr:
    """An expression. The checker writes what it found on the node itself, for every later
    stage to read: `type`, and for a name what it refers to (`resolved`: input, begrip,
    outcome, norm or choice, and the name)."""

    span: Span
    type: Type | None = field(default=None, kw_only=True, compare=False, repr=False)
    resolved: tuple[str, str] | None = field(default=None, kw_only=True, compare=False, repr=False)


def walk(e: object) -> Iterator[Expr]:
    """Every expression node within `e` (an expression, or a list or tuple of them), `e`
    included, in the order written."""
    if isinstance(e, Expr):
        yield e
        for slot in type(e).__slots__:
            yield from walk(getattr(e, slot))
    elif isinstance(e, list | tuple):
        for item in e:
            yield from walk(item)


@dataclass(slots=True, eq=False)
class Number(Expr):
    value: Decimal
    unit: UnitSpec | None = None
    percent: bool = False


@dataclass(slots=True, eq=False)
class Money(Expr):
    value: Decimal
    per: tuple[str, ...] = ()


@dataclass(slots=True, eq=False)
class DateLit(Expr):
    value: datetime.date


@dataclass(slots=True, eq=False)
class ClockLit(Expr):
    """A time of day: `22:30`."""

    value: datetime.time


@dataclass(slots=True, eq=False)
class TextLit(Expr):
    value: str


@dataclass(slots=True, eq=False)
class BoolLit(Expr):
    value: bool


# A value written out in the source: a number, amount, date, time, text or ja/nee.
LITERALS = (Number, Money, DateLit, ClockLit, TextLit, BoolLit)


@dataclass(slots=True, eq=False)
class Peildatum(Expr):
    pass


@dataclass(slots=True, eq=False)
class Name(Expr):
    name: str


@dataclass(slots=True, eq=False)
class QualName(Expr):
    regulation: str
    name: str


@dataclass(slots=True, eq=False)
class Not(Expr):
    operand: Expr


@dataclass(slots=True, eq=False)
class Negate(Expr):
    operand: Expr


@dataclass(slots=True, eq=False)
class Binary(Expr):
    """op: en, of, tenzij, plus, min, maal, deel, van, or a comparison = != < > <= >=."""

    op: str
    left: Expr
    right: Expr
    word: str = ""  # the comparison as written, for messages ("ten hoogste")


@dataclass(slots=True, eq=False)
class Membership(Expr):
    value: Expr
    options: list[Expr]
    negated: bool = False


@dataclass(slots=True, eq=False)
class Empty(Expr):
    """`weigeringsgronden is leeg`: a lijst without items (`negated`: is niet leeg)."""

    value: Expr
    negated: bool = False


@dataclass(slots=True, eq=False)
class Bound(Expr):
    """`x met een maximum van y` (kind 'maximum') or minimum."""

    kind: str
    value: Expr
    limit: Expr


@dataclass(slots=True, eq=False)
class Extreme(Expr):
    """`minimum van (a, b, …)` / `maximum van (…)`."""

    kind: str
    args: list[Expr]


@dataclass(slots=True, eq=False)
class Round(Expr):
    """target: centen, hele_euro, hele_getallen or None (a date); mode: half_naar_boven,
    naar_boven, naar_beneden."""

    value: Expr
    target: str | None
    mode: str


@dataclass(slots=True, eq=False)
class Age(Expr):
    birth: Expr
    on: Expr


@dataclass(slots=True, eq=False)
class Between(Expr):
    """`maanden van d1 tot d2`: whole units elapsed."""

    unit: str
    start: Expr
    end: Expr


@dataclass(slots=True, eq=False)
class Aggregate(Expr):
    """Over the persons of a group: `aantal in huishouden waarvoor kostendeler` (kind aantal),
    `som van inkomen in huishouden` (som), hoogste, laagste, and `ieder` / `enig in … voldoet
    aan …`. `value` and `condition` are read per person (the person's gegevens and begrippen
    voor ieder); `group` is the name of the group, resolved as a gegeven."""

    kind: str  # aantal, som, hoogste, laagste, ieder, enig
    group: Name
    value: Expr | None = None
    condition: Expr | None = None


@dataclass(slots=True, eq=False)
class Persons(Expr):
    """The persons of a group in a case: per person, each gegeven with its value."""

    persons: list[list[tuple[str, Span, Expr]]]
    spans: list[Span] = field(default_factory=list)  # where each `persoon` is written


@dataclass(slots=True, eq=False)
class Choice(Expr):
    """Tiers: the first branch whose condition holds gives the value."""

    branches: list[tuple[Expr, Expr]]  # (value, condition)
    otherwise: Expr | None = None


# ---------------------------------------------------------------- references


# Between the numbers of nested onderdelen, as a citation writes them: onder a sub 1°.
SUB = " sub "


@dataclass(frozen=True, slots=True)
class Anchor:
    artikel: str
    lid: str | None = None
    onderdeel: str | None = None  # nested: the path, "a sub 1°"
    # How the text names its parts ("paragraaf", "alinea" in a text without articles); only
    # how the anchor is cited, not which part it is.
    word: str = field(default="artikel", compare=False)
    lid_word: str = field(default="lid", compare=False)

    def __str__(self) -> str:
        text = f"{self.word} {self.artikel}"
        if self.lid:
            text += f" {self.lid_word} {self.lid}"
        if self.onderdeel:
            text += f" onder {self.onderdeel}"
        return text

    def contains(self, other: Anchor) -> bool:
        """Whether `other` lies within this unit (artikel 3 contains artikel 3 lid 1)."""
        return (
            self.artikel == other.artikel
            and (self.lid is None or self.lid == other.lid)
            and (
                self.onderdeel is None
                or self.onderdeel == other.onderdeel
                or (other.onderdeel or "").startswith(self.onderdeel + SUB)
            )
        )


@dataclass(slots=True, eq=False)
class Ref:
    span: Span
    anchor: Anchor | None
    source: str | None  # name of an extern or another regulation


@dataclass(slots=True, eq=False)
class Target:
    """What an exception deviates from: all rules of a unit, or one rule by name."""

    span: Span
    anchor: Anchor | None = None
    rule: str | None = None


# ---------------------------------------------------------------- declarations


@dataclass(slots=True, eq=False)
class Meta:
    citeertitel: str | None = None
    gemeente: str | None = None
    # The CBS code of the gemeente it applies in (GM0503), with where it is written.
    territory: tuple[str, Span] | None = None
    organ: str | None = None
    adopted: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    period_span: Span | None = None
    legal_basis: list[Ref] = field(default_factory=list)
    withdraws: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    interpretations: list[str] = field(default_factory=list)  # how the metadata is read
    partial: str | None = None  # `gedeeltelijk opgenomen "…"`: which part is encoded, and why


@dataclass(slots=True, eq=False)
class Extern:
    span: Span
    kind: str  # wet | document
    name: str
    title: str
    url: str | None


@dataclass(slots=True, eq=False)
class Input:
    span: Span
    name: str
    type: TypeSpec
    description: str | None
    default: Expr | None = None
    oordeel: str | None = None  # the organ whose judgement this is
    optional: bool = False  # `standaard onbepaald`: may be left out; what reads it is onbepaald
    minimum: Expr | None = None  # `ten minste …`: a smaller value is refused as input
    maximum: Expr | None = None  # `ten hoogste …`
    # `huishouden: personen`: the gegevens of each person (type kind `personen`)
    fields: list[Input] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class OutcomeDecl:
    span: Span
    name: str
    type: TypeSpec
    description: str | None
    default: Expr | None = None
    # `standaard onbepaald`: when no rule applies the outcome is not yet known (onbepaald),
    # rather than determinately not arising (komt niet tot stand).
    open: bool = False


@dataclass(slots=True, eq=False)
class DecisionDecl:
    span: Span
    name: str
    description: str | None
    outcomes: list[tuple[str, Span]]


@dataclass(slots=True, eq=False)
class TextBlock:
    span: Span
    # tekst | toelichting | interpretatie (how an unclear text is read) | tekst onbekend (the
    # official text is not available; `text` says why)
    kind: str
    text: str


@dataclass(slots=True, eq=False)
class NotExecutable:
    """`niet uitvoerbaar`: no norm for a decision; or, with `omitted`, `niet opgenomen`: left
    out of the encoding on purpose (an APV of which four articles are encoded)."""

    span: Span
    reason: str | None
    omitted: bool = False

    @property
    def words(self) -> str:
        return "niet opgenomen" if self.omitted else "niet uitvoerbaar"


@dataclass(slots=True, eq=False)
class References:
    span: Span
    refs: list[Ref]


@dataclass(slots=True, eq=False)
class Begrip:
    span: Span
    name: str
    description: str | None
    value: Expr
    anchor: Anchor | None = None
    # `voor ieder in huishouden`: a begrip of each person of that group, with where it says so
    group: tuple[str, Span] | None = None


@dataclass(slots=True, eq=False)
class OpenNorm:
    span: Span
    name: str
    type: TypeSpec
    description: str | None
    organ: str
    default: Expr | None = None
    anchor: Anchor | None = None


@dataclass(slots=True, eq=False)
class FillNorm:
    span: Span
    regulation: str
    norm: str
    value: Expr
    anchor: Anchor | None = None


@dataclass(slots=True, eq=False)
class Rule:
    span: Span
    name: str
    description: str | None
    exceptions: list[Target] = field(default_factory=list)
    outcome: str | None = None
    outcome_span: Span | None = None
    value: Expr | None = None  # for `x is …`
    item: str | None = None  # for `x bevat "…"`
    not_applicable: bool = False  # `niet van toepassing`
    # All `als` lines must hold: `conditions` as written, `condition` their conjunction.
    condition: Expr | None = None
    conditions: list[Expr] = field(default_factory=list)
    # The span of every line that says what the rule decides (`x is …`, `x bevat …`, `niet van
    # toepassing`); a rule decides one thing, so more than one is an error (R410).
    decides: list[Span] = field(default_factory=list)
    interpretations: list[str] = field(default_factory=list)
    anchor: Anchor | None = None


def executable_name(item: object) -> tuple[str, str] | None:
    """What an executable part of an article is and its name: ("regel", "x"), ("begrip", "x"),
    ("open norm", "x") or ("invulling", "regeling.norm"); None for text and the like."""
    if isinstance(item, Rule):
        return ("regel", item.name)
    if isinstance(item, Begrip):
        return ("begrip", item.name)
    if isinstance(item, OpenNorm):
        return ("open norm", item.name)
    if isinstance(item, FillNorm):
        return ("invulling", f"{item.regulation}.{item.norm}")
    return None


@dataclass(slots=True, eq=False)
class Unit:
    """hoofdstuk, artikel, lid or onderdeel, with its contents."""

    span: Span
    level: str
    label: str
    title: str | None
    children: list[object]
    anchor: Anchor | None = None
    # The level as the text names it (paragraaf where the level is artikel, alinea where it is
    # lid); empty when made without the parser, then the level itself.
    word: str = ""

    @property
    def level_word(self) -> str:
        return self.word or self.level


@dataclass(slots=True, eq=False)
class Regulation:
    span: Span
    kind: str
    id: str
    title: str
    meta: Meta
    externs: list[Extern] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    outcomes: list[OutcomeDecl] = field(default_factory=list)
    decisions: list[DecisionDecl] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    loose: list[object] = field(default_factory=list)  # contents outside any artikel


# ---------------------------------------------------------------- test cases


@dataclass(slots=True, eq=False)
class Expectation:
    span: Span
    kind: str  # is, onbepaald, komt_niet_tot_stand, bevat, bevat_niet, fout, nog_nodig
    outcome: str | None = None
    value: Expr | None = None
    text: str | None = None
    names: list[tuple[str, Span]] = field(default_factory=list)  # nog_nodig: which gegevens


@dataclass(slots=True, eq=False)
class Case:
    span: Span
    name: str
    peildatum: datetime.date | None = None
    decision: str | None = None
    partial: bool = False  # `onvolledig`: evaluated from partial input
    gemeente: tuple[str, Span] | None = None  # `gemeente GM0503`: decided for that gemeente
    shared: list[str] = field(default_factory=list)  # gegevens from the achtergrond
    dropped: list[tuple[str, Span]] = field(default_factory=list)  # `is niet opgegeven`
    refs: list[Ref] = field(default_factory=list)
    givens: list[tuple[str, Span, Expr]] = field(default_factory=list)
    expectations: list[Expectation] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CaseFile:
    span: Span
    regulation: str
    regulation_span: Span
    cases: list[Case]
