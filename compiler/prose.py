"""Rules in plain Dutch: expressions rendered as Markdown sentences for the generated docs.

A council member reads "Loonkostensubsidie is 50% van loonkosten, met een maximum van
€ 500,00 per maand", not the DSL. Every name becomes a link to its entry in the glossary;
amounts and dates are formatted by Babel after explicit rounding to whole cents; every piece of
source text is escaped, so a `.regel` file cannot inject Markdown or HTML into the site.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from regel.runtime.values import format_clock

from . import nodes as n
from .model import Analysis, RegInfo
from .types import Unit
from .visitor import ExprVisitor, UnknownExpression
from .vocabulary import (
    AGGREGATES,
    COMPARATORS,
    ROUNDING_MODES,
    ROUNDING_TARGETS,
    UNITS,
    organ_name,
)

LOCALE = "nl_NL"
CENT = Decimal("0.01")
_WIDE = Context(prec=100)  # whatever the caller's context: a number of the source always fits

# Markdown and HTML specials: `&<>` become entities; what Python-Markdown can escape gets a
# backslash, the rest (where a backslash would show) an entity.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}|])")
_ENTITY = {"~": "&#126;", "^": "&#94;"}
# What makes a line more than text: a heading, quote, list, table, definition or admonition.
_LINE_START = re.compile(r"^(?:([#>+!-])|([=:])|(\d+)([.)]))")


def inline(text: str) -> str:
    """One line of text: every run of whitespace (line breaks of any kind included) becomes
    one space, so that a text from a policy can never start a block of its own."""
    return " ".join(text.split())


def _line_start(m: re.Match[str]) -> str:
    if m[1]:
        return f"\\{m[1]}"
    if m[2]:
        return f"&#{ord(m[2])};"
    return f"{m[3]}\\{m[4]}"


def escape(text: str) -> str:
    """Source text as inert Markdown on one line: shown literally, never interpreted, and
    never more than the line (heading, table cell, link text) it is put in."""
    text = inline(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = "".join(_ENTITY.get(ch, ch) for ch in text)
    return _LINE_START.sub(_line_start, text)


def paragraphs(text: str) -> str:
    """A text block from a .regel file as Markdown paragraphs; lines starting with '- ' stay a
    list, as the author wrote them."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        items: list[str] = []
        prose: list[str] = []
        for line in lines:
            if line.startswith(("- ", "• ")):
                if prose:
                    out.append(escape(" ".join(prose)))
                    prose = []
                items.append("- " + escape(line[2:].strip()))
            else:
                if items:
                    out.append("\n".join(items))
                    items = []
                prose.append(line)
        if prose:
            out.append(escape(" ".join(prose)))
        if items:
            out.append("\n".join(items))
    return "\n\n".join(out)


def money(value: Decimal, per: tuple[str, ...] = ()) -> str:
    """€ 1.234,56: rounded to whole cents, half up, before formatting; then each unit it is
    per (€ 36,10 per m² per jaar)."""
    text = format_currency(value.quantize(CENT, ROUND_HALF_UP, _WIDE), "EUR", locale=LOCALE)
    return text + "".join(f" per {UNITS[p].singular}" for p in per)


def number(value: Decimal) -> str:
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def date(day: datetime.date) -> str:
    """15 juli 2011."""
    return format_date(day, format="long", locale=LOCALE)


def capitalize(text: str) -> str:
    """Upper-case the first letter, also when the text starts with a link."""
    i = 1 if text.startswith("[") else 0
    if i < len(text) and text[i].isalpha():
        return text[:i] + text[i].upper() + text[i + 1 :]
    return text


def label(name: str) -> str:
    """How a name from the source reads in a sentence: 'uren_per_week' → 'uren per week'."""
    return escape(name.replace("_", " "))


def _unit(spec: n.UnitSpec | None, value: Decimal) -> str:
    """' uur per week', ' maanden': the unit after a number, plural unless the number is 1."""
    if spec is None:
        return ""
    text = Unit.of(spec.word, spec.per).display(plural=value != 1)
    return f" {text}" if text and text != "1" else ""


_ARITH = {"plus": "+", "min": "−", "maal": "×", "deel": "/"}


@dataclass(frozen=True, slots=True)
class Symbol:
    """What a name in an expression refers to, as the docs need it."""

    kind: str  # input, begrip, outcome, norm
    name: str
    description: str | None
    oordeel: str | None  # the organ, for an oordeel
    boolean: bool


class Prose(ExprVisitor[str]):
    """Renders the expressions of one regulation; `link(kind, name)` gives the Markdown target
    of a symbol's glossary entry from the page being written (kind: input, begrip, outcome,
    norm; for a name of another regulation 'elders:<id>')."""

    def __init__(self, analysis: Analysis, info: RegInfo, link: Callable[[str, str], str]):
        self.analysis, self.info, self.link = analysis, info, link
        self.oordelen: list[str] = []  # the oordelen read, in order, while rendering a rule

    # ------------------------------------------------------------ names

    def symbol(self, name: str) -> Symbol | None:
        sym = self.info.symbols.get(name)
        if sym is None:
            return None
        node = sym.node
        description = getattr(node, "description", None)
        oordeel = getattr(node, "oordeel", None)
        boolean = sym.type is not None and sym.type.kind == "bool"
        return Symbol(sym.kind, name, description, oordeel, boolean)

    def name(self, e: n.Name) -> str:
        kind, value = e.resolved or ("", e.name)
        if kind == "choice":
            return label(value)
        if kind == "input":
            sym = self.symbol(value)
            if sym and sym.oordeel and value not in self.oordelen:
                self.oordelen.append(value)
        return f"[{label(value)}]({self.link(kind, value)})"

    def qualified(self, e: n.QualName) -> str:
        """Another regulation's open norm: its value where this regulation fills it with a
        constant, linked to the norm; else the norm's name."""
        for fill in self.info.fills:
            if (fill.regulation, fill.norm) == (e.regulation, e.name) and _is_literal(fill.value):
                return f"[{self.expr(fill.value)}]({self.link('elders:' + e.regulation, e.name)})"
        return f"[{label(e.name)}]({self.link('elders:' + e.regulation, e.name)})"

    # ------------------------------------------------------------ values

    def expr(self, e: n.Expr) -> str:
        """An expression inline, as part of a sentence."""
        return self.visit(e)

    def visit_Money(self, e: n.Money) -> str:
        return money(e.value, e.per)

    def visit_Number(self, e: n.Number) -> str:
        if e.percent:
            return f"{number(e.value.scaleb(2, _WIDE).normalize(_WIDE))}%"
        if e.unit is not None and e.unit.word == "euro":
            return money(e.value, e.unit.per)
        return number(e.value) + _unit(e.unit, e.value)

    def visit_DateLit(self, e: n.DateLit) -> str:
        return date(e.value)

    def visit_ClockLit(self, e: n.ClockLit) -> str:
        return format_clock(e.value)

    def visit_TextLit(self, e: n.TextLit) -> str:
        return f"“{escape(e.value)}”"

    def visit_BoolLit(self, e: n.BoolLit) -> str:
        return "ja" if e.value else "nee"

    def visit_Peildatum(self, e: n.Peildatum) -> str:
        return "de peildatum"

    def visit_Name(self, e: n.Name) -> str:
        return self.name(e)

    def visit_QualName(self, e: n.QualName) -> str:
        return self.qualified(e)

    def visit_Negate(self, e: n.Negate) -> str:
        return f"−{self._operand(e.operand)}"

    def visit_Binary(self, e: n.Binary) -> str:
        if e.op == "van":
            return f"{self._operand(e.left)} van {self._operand(e.right)}"
        if e.op in _ARITH:
            return f"{self._operand(e.left)} {_ARITH[e.op]} {self._operand(e.right)}"
        if e.op in ("en", "of", "tenzij") or e.op in COMPARATORS:
            return self.atom(e)  # a comparison or a combination of conditions
        raise UnknownExpression(f"Prose kent geen bewerking '{e.op}'")

    def visit_Not(self, e: n.Not) -> str:
        return self.atom(e)

    def visit_Membership(self, e: n.Membership) -> str:
        return self.atom(e)

    def visit_Empty(self, e: n.Empty) -> str:
        return self.atom(e)

    def visit_Bound(self, e: n.Bound) -> str:
        return f"{self.expr(e.value)}, met een {e.kind} van {self.expr(e.limit)}"

    def visit_Extreme(self, e: n.Extreme) -> str:
        which = "het laagste" if e.kind == "minimum" else "het hoogste"
        return f"{which} van {_enumerate([self.expr(a) for a in e.args], 'en')}"

    def visit_Round(self, e: n.Round) -> str:
        how = " ".join(
            w
            for w in (
                ROUNDING_TARGETS[e.target].prose if e.target else "",
                ROUNDING_MODES[e.mode].prose,
            )
            if w
        )
        return f"{self.expr(e.value)}, afgerond {how}"

    def visit_Age(self, e: n.Age) -> str:
        return f"de leeftijd van {self.expr(e.birth)} op {self.expr(e.on)}"

    def visit_Between(self, e: n.Between) -> str:
        many = UNITS[e.unit].words[-1]  # maanden, jaren: as the grammar writes it
        return f"het aantal {many} van {self.expr(e.start)} tot {self.expr(e.end)}"

    def visit_Choice(self, e: n.Choice) -> str:
        parts = [f"{self.expr(v)} als {self.atom(c)}" for v, c in e.branches]
        if e.otherwise is not None:
            parts.append(f"anders {self.expr(e.otherwise)}")
        return "; ".join(parts)

    def visit_Aggregate(self, e: n.Aggregate) -> str:
        group = self.name(e.group)
        said = AGGREGATES[e.kind].prose
        who = f" voor wie geldt: {self.atom(e.condition)}" if e.condition is not None else ""
        if e.kind == "aantal":
            return f"{said} in {group}{who}"
        if e.kind in ("ieder", "enig"):
            return f"{said} in {group} geldt: {self.atom(e.condition)}"  # type: ignore[arg-type]
        return f"{said} {self.expr(e.value)} van ieder in {group}{who}"  # type: ignore[arg-type]

    def visit_Persons(self, e: n.Persons) -> str:
        """Persons are given only in cases, which the docs show as source."""
        raise UnknownExpression(f"Prose toont geen personen (op {e.span})")

    def _operand(self, e: n.Expr) -> str:
        text = self.expr(e)
        return f"({text})" if isinstance(e, n.Binary | n.Bound | n.Round) else text

    # ------------------------------------------------------------ conditions

    def atom(self, e: n.Expr) -> str:
        """A condition inline: one statement, comparison or combination."""
        match e:
            case n.Name() if (sym := self._boolean(e)) is not None:
                return self._statement(e, sym, True)
            case n.Not(operand=n.Name() as inner) if (sym := self._boolean(inner)) is not None:
                return self._statement(inner, sym, False)
            case n.Not():
                return f"niet ({self.atom(e.operand)})"
            case n.Empty():
                return f"{self.expr(e.value)} is {'niet ' if e.negated else ''}leeg"
            case n.Membership():
                options = _enumerate([self.expr(o) for o in e.options], "of")
                verb = "is niet" if e.negated else "is"
                return f"{self.expr(e.value)} {verb} {options}"
            case n.Binary(op="en" | "of" as op):
                return f" {op} ".join(f"({self.atom(x)})" for x in _flatten(e, op))
            case n.Binary(op="tenzij"):
                return f"{self.atom(e.left)}, tenzij {self.atom(e.right)}"
            case n.Binary(op=op) if op in COMPARATORS:
                return f"{self.expr(e.left)} {_comparison(e)} {self.expr(e.right)}"
        return self.expr(e)

    def _boolean(self, e: n.Name) -> Symbol | None:
        kind, value = e.resolved or ("", e.name)
        if kind == "choice":
            return None
        sym = self.symbol(value)
        return sym if sym is not None and sym.boolean else None

    def _statement(self, e: n.Name, sym: Symbol, holds: bool) -> str:
        """A yes/no fact in words: its description (a statement or a question), linked to the
        glossary; a question gets its answer, an oordeel says whose it is."""
        kind, value = e.resolved or ("", e.name)
        if sym.oordeel and value not in self.oordelen:
            self.oordelen.append(value)
        target = self.link(kind, value)
        if not sym.description:
            return f"[{label(value)}]({target}) is {'ja' if holds else 'nee'}"
        text = f"[{escape(sym.description.strip())}]({target})"
        if sym.description.strip().endswith("?"):
            who = f" (oordeel van {organ_name(sym.oordeel)})" if sym.oordeel else ""
            return f"{text} **{'ja' if holds else 'nee'}**{who}"
        return text if holds else f"het is niet zo dat: {text}"

    def condition(self, e: n.Expr, indent: str = "") -> str:
        """A condition as a Markdown block: 'en'/'of' become lists, nested as written."""
        match e:
            case n.Binary(op="en" | "of" as op):
                head = (
                    "aan al deze voorwaarden is voldaan:"
                    if op == "en"
                    else "aan ten minste één van deze voorwaarden is voldaan:"
                )
                items = [self._item(x, indent + "    ") for x in _flatten(e, op)]
                lines = [f"{indent}- {item}" for item in items]
                return head + "\n\n" + "\n".join(lines)
            case n.Binary(op="tenzij"):
                return f"{self.condition(e.left, indent)}\n\n{indent}**tenzij** " + (
                    self.condition(e.right, indent)
                )
        return self.atom(e)

    def _item(self, e: n.Expr, indent: str) -> str:
        if isinstance(e, n.Binary) and e.op in ("en", "of", "tenzij"):
            return self.condition(e, indent)
        return self.atom(e)

    # ------------------------------------------------------------ rules

    def rule(self, r: n.Rule, set_aside: str = "") -> str:
        """The rule as sentences: what it decides, then when. `set_aside` names what a
        `niet van toepassing` rule puts aside."""
        self.oordelen = []
        if r.not_applicable or r.outcome is None:
            head = f"{set_aside or 'de regel waarvan deze afwijkt'} is niet van toepassing"
            text = capitalize(head) + "."
            return text + ("\n\n" + self.when(r.condition) if r.condition is not None else "")
        outcome = f"[{label(r.outcome)}]({self.link('outcome', r.outcome)})"
        if r.item is not None:
            head = f"{outcome} bevat “{escape(r.item)}”"
        elif isinstance(r.value, n.Choice):
            head = f"{outcome} is:\n\n" + self.tiers(r.value)
        else:
            head = f"{outcome} is {self.expr(r.value)}" if r.value is not None else outcome
        text = capitalize(head) + ("" if head.endswith(":") or "\n" in head else ".")
        if r.condition is not None:
            text += "\n\n" + self.when(r.condition)
        return text

    def when(self, cond: n.Expr) -> str:
        body = self.condition(cond)
        if "\n" in body:
            return "Dit geldt als " + body
        return f"Dit geldt als aan deze voorwaarde is voldaan: {body}."

    def tiers(self, e: n.Choice) -> str:
        """Tiers as a list: the first that applies gives the value."""
        lines = [f"- {self.expr(v)} als {self.atom(c)};" for v, c in e.branches]
        if e.otherwise is not None:
            lines.append(f"- anders {self.expr(e.otherwise)}.")
        return "\n".join(lines)

    def definition(self, b: n.Begrip) -> str:
        """What a begrip is: a value, tiers or a condition."""
        self.oordelen = []
        if isinstance(b.value, n.Choice):
            return "Het is:\n\n" + self.tiers(b.value)
        sym = self.symbol(b.name)
        if sym is not None and sym.boolean:
            return capitalize(self.when(b.value).replace("Dit geldt als", "Dit is zo als", 1))
        return f"Het is {self.expr(b.value)}."


def _is_literal(e: n.Expr) -> bool:
    return isinstance(e, n.LITERALS)


def _flatten(e: n.Expr, op: str) -> list[n.Expr]:
    if isinstance(e, n.Binary) and e.op == op:
        return [*_flatten(e.left, op), *_flatten(e.right, op)]
    return [e]


def _enumerate(items: list[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _comparison(e: n.Binary) -> str:
    # as the writer said it ("minstens"), or in words where they wrote a sign (<=)
    word = e.word if e.word[:1].isalpha() else COMPARATORS[e.op].prose
    return word if word.startswith("is") else f"is {word}"
