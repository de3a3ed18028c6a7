"""A variant: proposed values of open norms, in a small file beside the regulation, so that
`regel gevolgen` can show what a change would do without editing the regulation.

    # Voorstel van het college voor de raad van 12 maart
    variant "Hogere loonkostensubsidie: ten hoogste € 600,00 per maand"
    berkelland_verordening.maximale_loonkostensubsidie is € 600,00 per maand

A value is written as in a geval (`gegeven … is …`) and read by the same parser, so it means
what it means there; its type and unit must be the norm's. A proposed value comes before every
filling and default of the norm (`Regulation.proposed` in the runtime).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from regel import runtime as rt

from . import nodes as n
from .diagnostics import CompileError, Diagnostic, Span, suggest
from .model import Analysis, constant_value
from .parser import SyntaxProblem, parse
from .types import Unit, from_spec

_LINE = re.compile(r"(?P<name>[^\s=]+)\s+is\s+(?P<value>.+)")
EXAMPLE = "bijvoorbeeld: berkelland_verordening.maximale_loonkostensubsidie is € 600,00 per maand"
HOW = "schrijf de waarde zoals in een geval, met de eenheid: € 600,00 per maand, 50%, 12 maanden"
_TITLE = re.compile(r'variant\s+"(?P<title>[^"]+)"')


@dataclass
class Proposal:
    regulation: str
    norm: str
    value: Any
    text: str  # as written
    span: Span


@dataclass
class Variant:
    title: str
    file: str
    proposals: list[Proposal] = field(default_factory=list)

    def apply(self, program: rt.Program) -> None:
        """Give every version of each regulation the proposed values."""
        for p in self.proposals:
            where = f"variant '{self.title}' ({p.span.file}:{p.span.line})"
            for version in program.versions[p.regulation]:
                version.proposed[p.norm] = (p.value, where)


def read(text: str, file: str, analysis: Analysis) -> Variant:
    """A variant file; CompileError with every problem, each at its line."""
    variant = Variant("", file)
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), 1):
        written = (
            line.split("#", 1)[0].strip()
            if not line.lstrip().startswith("variant")
            else line.strip()
        )
        if not written:
            continue
        column = len(line) - len(line.lstrip()) + 1
        span = Span(file, number, column, number, len(line) + 1)
        title = _TITLE.fullmatch(written)
        if title:
            variant.title = title["title"]
            continue
        found = _LINE.fullmatch(written)
        if found is None:
            expected = "verwacht 'variant \"titel\"' of 'regeling.norm is waarde'"
            problems.append(Diagnostic("R851", expected, span, EXAMPLE))
            continue
        proposal = _proposal(found["name"], found["value"].strip(), span, analysis, problems)
        if proposal is not None:
            variant.proposals.append(proposal)
    if not variant.title and not problems:
        problems.append(Diagnostic("R851", "de variant heeft geen titel", Span(file, 1, 1, 1, 2),
                                   'begin met: variant "Wat de variant voorstelt"'))  # fmt: skip
    if not variant.proposals and not problems:
        problems.append(
            Diagnostic("R851", "de variant stelt geen waarde voor", Span(file, 1, 1, 1, 2))
        )
    if problems:
        raise CompileError(problems, {file: text})
    return variant


def _proposal(
    name: str, value: str, span: Span, analysis: Analysis, problems: list[Diagnostic]
) -> Proposal | None:
    regulation, _, norm = name.rpartition(".")
    versions = analysis.of(regulation) if regulation else []
    if not versions:
        known = sorted({info.node.id for info in analysis.regs.values()})
        hint = suggest(regulation, known) or "schrijf de norm als regeling.norm"
        problems.append(
            Diagnostic("R852", f"onbekende regeling '{regulation or name}'", span, hint)
        )
        return None
    norms = [s for s in versions[-1].symbols.values() if s.kind == "norm"]
    symbol = versions[-1].symbols.get(norm)
    if symbol is None or symbol.kind != "norm":
        hint = suggest(norm, [s.name for s in norms]) or ""
        listed = ", ".join(s.name for s in norms) or "(geen)"
        said = f"'{norm}' is geen open norm van '{regulation}'"
        problems.append(
            Diagnostic("R852", said, span, hint or f"de open normen van '{regulation}': {listed}")
        )
        return None
    literal = _literal(value)
    declared = from_spec(symbol.norm.type)
    if literal is None or not _same_type(literal, declared):
        said = f"'{value}' is geen waarde voor '{norm}', die {declared.display()} is"
        problems.append(Diagnostic("R853", said, span, HOW))
        return None
    return Proposal(regulation, norm, constant_value(literal), value, span)


def _literal(value: str) -> n.Expr | None:
    """The value as the parser reads a `gegeven … is …` of a geval."""
    text = f'gevallen voor v\ngeval "v"\n  peildatum 01-01-2000\n  gegeven x is {value}\n'
    try:
        tree = parse(text, "<variant>")
    except SyntaxProblem:
        return None
    if not isinstance(tree, n.CaseFile) or len(tree.cases) != 1 or len(tree.cases[0].givens) != 1:
        return None
    literal = tree.cases[0].givens[0][2]
    return literal if isinstance(literal, (*n.LITERALS, n.Negate)) else None


def _same_type(e: n.Expr, declared: Any) -> bool:
    if isinstance(e, n.Negate):
        return _same_type(e.operand, declared)
    if isinstance(e, n.Money):
        return declared.kind == "num" and declared.unit == Unit.of("euro", e.per)
    if isinstance(e, n.Number):
        if e.percent:
            return declared.kind == "num" and declared.percent
        unit = Unit.of(e.unit.word, e.unit.per) if e.unit else Unit()
        return declared.kind == "num" and not declared.percent and declared.unit == unit
    kinds = {
        n.DateLit: "date",
        n.ClockLit: "clock",
        n.BoolLit: "bool",
        n.TextLit: ("text", "choice"),
    }
    want = kinds.get(type(e), ())
    return declared.kind in (want if isinstance(want, tuple) else (want,))
