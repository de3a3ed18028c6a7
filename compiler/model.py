"""The typed model between the checker and every back end.

The checker builds it (`checker.check`); code generation, the docs, coverage, versions, the
packages and the service read it, and import nothing of the checker or the parser (a test
keeps it so). Each expression node carries its own meaning too: `Expr.type` and
`Expr.resolved`, set by the checker.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from . import nodes as n
from .diagnostics import Diagnostic
from .types import Type

T = TypeVar("T")


def fill_key(regulation: str, norm: str) -> str:
    """The name under which a regulation holds its filling of another's open norm."""
    return f"vult:{regulation}.{norm}"


@dataclass(slots=True, eq=False)
class Symbol:
    """A name a regulation declares: its kind, its declaration, the type the checker found
    and the article it stands in."""

    kind: str  # input, field (a gegeven of each person of a group), begrip, outcome, norm
    name: str
    node: n.Input | n.Begrip | n.OutcomeDecl | n.OpenNorm
    type: Type | None = None
    anchor: n.Anchor | None = None
    # A gegeven or begrip of each person of this group (`huishouden`): read per person only.
    group: str | None = None

    # The declaration as what it is, for code that knows the kind; another kind is a fault
    # of the compiler and fails loudly.
    @property
    def input(self) -> n.Input:
        return _narrow(self, n.Input)

    @property
    def begrip(self) -> n.Begrip:
        return _narrow(self, n.Begrip)

    @property
    def outcome(self) -> n.OutcomeDecl:
        return _narrow(self, n.OutcomeDecl)

    @property
    def norm(self) -> n.OpenNorm:
        return _narrow(self, n.OpenNorm)


def _narrow(sym: Symbol, kind: type[T]) -> T:
    if not isinstance(sym.node, kind):
        raise TypeError(f"{sym.kind} '{sym.name}' is geen {kind.__name__}")
    return sym.node


class Read(NamedTuple):
    """One thing an expression reads: a gegeven, begrip, uitkomst or open norm of its own
    regulation, one of another regulation (`regulation` set), or the peildatum."""

    kind: str  # input, begrip, outcome, norm, peildatum
    name: str
    regulation: str | None = None  # the id of the other regulation, for `regeling.naam`

    @property
    def label(self) -> str:
        """The name as written: `naam`, or `regeling.naam` for another regulation's."""
        return f"{self.regulation}.{self.name}" if self.regulation else self.name


def reads(*exprs: n.Expr | None) -> list[Read]:
    """What the expressions read, each once, in the order written; choice values are
    constants and read nothing. Known only after the checker resolved the names."""
    found: dict[Read, None] = {}
    for x in n.walk([e for e in exprs if e is not None]):
        if isinstance(x, n.Peildatum):
            found[Read("peildatum", "peildatum")] = None
        elif isinstance(x, n.Name | n.QualName) and x.resolved and x.resolved[0] != "choice":
            other = x.regulation if isinstance(x, n.QualName) else None
            found[Read(x.resolved[0], x.resolved[1], other)] = None
    return list(found)


@dataclass(slots=True, eq=False)
class RuleInfo:
    """A rule with the article it stands in and the rules it sets aside (resolved)."""

    node: n.Rule
    anchor: n.Anchor
    overrides: list[str] = field(default_factory=list)

    # The names under which the analysis holds what this rule reads (`Analysis.deps`): the
    # rule reads its condition and its value, kept apart for the paths of the model.
    @property
    def key(self) -> str:
        return f"{RULE_PREFIX}{self.node.name}"

    @property
    def condition_key(self) -> str:
        return f"{self.key}:voorwaarde"

    @property
    def value_key(self) -> str:
        return f"{self.key}:waarde"


RULE_PREFIX = "regel:"  # in `Analysis.deps`, a rule's step rather than a name with a value


class RulePath(NamedTuple):
    """One rule on the way to an outcome, as the default logic meets it: the gegevens its
    condition needs (read unless a rule in `beaten_by` applied), and those its value needs
    (read only when it applies). What a decision needs is the union over the paths it
    takes: the model of which questions matter."""

    rule: RuleInfo
    condition: frozenset[tuple[str, str]]
    value: frozenset[tuple[str, str]]
    beaten_by: tuple[str, ...]


@dataclass(slots=True, eq=False)
class RegInfo:
    """One version of a regulation as the checker resolved it."""

    node: n.Regulation
    # The regulation's id, or `id@JJJJ-MM-DD` (its first day in force) when several versions
    # of it are loaded: every table of the analysis is keyed by this.
    key: str
    symbols: dict[str, Symbol] = field(default_factory=dict)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    units: dict[n.Anchor, n.Unit] = field(default_factory=dict)
    fills: list[n.FillNorm] = field(default_factory=list)
    externs: dict[str, n.Extern] = field(default_factory=dict)
    # Per outcome, lowered once when the checks are done (`lower`): its rules in source order,
    # the `niet van toepassing` rules of other outcomes that can set them aside, and both in
    # the order the default logic applies them, every exception before what it deviates from.
    own: dict[str, list[RuleInfo]] = field(default_factory=dict)
    silencers: dict[str, list[RuleInfo]] = field(default_factory=dict)
    precedence: dict[str, list[RuleInfo]] = field(default_factory=dict)

    def lower(self) -> None:
        """Work out, for every outcome, which rules decide it and in which order; linear in
        the number of rules (an index per outcome, not a scan per outcome)."""
        self.own = {s.name: [] for s in self.symbols.values() if s.kind == "outcome"}
        for r in self.rules.values():
            if r.node.outcome in self.own:
                self.own[r.node.outcome].append(r)
        quiet = [r for r in self.rules.values() if r.node.not_applicable]
        for outcome, mine in self.own.items():
            names = {r.node.name for r in mine}
            self.silencers[outcome] = [
                r for r in quiet if names & set(r.overrides) and r not in mine
            ]
            self.precedence[outcome] = exceptions_first(mine + self.silencers[outcome])

    def names(self, *kinds: str) -> list[str]:
        """The names of its symbols of these kinds: the candidates for a 'bedoelde u' hint."""
        return [s.name for s in self.symbols.values() if s.kind in kinds]

    def rules_for(self, outcome: str) -> list[RuleInfo]:
        """The rules that give this outcome a value, in source order."""
        return self.own.get(outcome, [])

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        meta = self.node.meta
        return (meta.valid_from or datetime.date.min, meta.valid_until or datetime.date.max)

    def in_force(self, day: datetime.date) -> bool:
        start, end = self.period
        return start <= day <= end

    def overlaps(self, other: RegInfo) -> bool:
        (a, b), (c, d) = self.period, other.period
        return a <= d and c <= b


@dataclass(slots=True, eq=False)
class Analysis:
    """Every loaded regulation (each version apart), its cases and its diagnostics."""

    regs: dict[str, RegInfo] = field(default_factory=dict)  # by key (see RegInfo.key)
    versions: dict[str, list[str]] = field(default_factory=dict)  # id → keys, oldest first
    # (regulation, name) → the (regulation, name) symbols its definition reads
    deps: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    cases: list[n.CaseFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def of(self, regulation: str) -> list[RegInfo]:
        """The versions of a regulation, oldest first."""
        return [self.regs[key] for key in self.versions.get(regulation, ())]

    def fillers(self, key: str, norm: str) -> list[RegInfo]:
        """The regulations (each version apart) that fill an open norm of a regulation."""
        rid = self.regs[key].node.id
        return [
            other
            for other in self.regs.values()
            if any(f.regulation == rid and f.norm == norm for f in other.fills)
        ]

    def filling(self, key: str, norm: str) -> tuple[tuple[str, ...], str]:
        """The regulations (by id; the runtime picks their version in force) that fill an
        open norm, and the name under which they hold the filling."""
        ids = dict.fromkeys(other.node.id for other in self.fillers(key, norm))
        return tuple(ids), fill_key(self.regs[key].node.id, norm)

    def connected(self, key: str) -> set[str]:
        """The regulations (by id) this one is connected with: it reads theirs or they read
        its definitions, or one fills the other's open norms. One case file serves them all,
        so each accepts (and leaves alone) the gegevens of the others."""
        rid = self.regs[key].node.id
        found: set[str] = set()
        for (frm, _), reads in self.deps.items():
            for to, _ in reads:
                a, b = self.regs[frm].node.id, self.regs[to].node.id
                if a != b and rid in (a, b):
                    found.add(b if a == rid else a)
        for other in self.regs.values():
            oid = other.node.id
            if oid != rid and any(f.regulation == rid for f in other.fills):
                found.add(oid)
            if oid != rid and any(f.regulation == oid for f in self.regs[key].fills):
                found.add(oid)
        return found

    def outcome_inputs(self, key: str, outcome: str) -> set[tuple[str, str]]:
        """The (regulation, input) pairs an outcome may read, on any path: through its
        rules, and the `niet van toepassing` rules that can set them aside."""
        return self.inputs_read((key, r.key) for r in self.regs[key].precedence.get(outcome, []))

    def paths(self, key: str, outcome: str) -> list[RulePath]:
        """Per rule of an outcome, in the order the default logic applies them, which
        (regulation, input) pairs its condition and its value read."""
        info = self.regs[key]
        rules = info.precedence.get(outcome, [])
        found = []
        for r in rules:
            cond = self.inputs_read([(key, r.condition_key)])
            value = self.inputs_read([(key, r.value_key)])
            beaten_by = tuple(o.node.name for o in rules if r.node.name in o.overrides)
            found.append(RulePath(r, frozenset(cond), frozenset(value - cond), beaten_by))
        return found

    def inputs_read(self, start: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (regulation, input) pairs that the given symbols may read, following
        definitions, other regulations and the fillings of open norms."""
        found: set[tuple[str, str]] = set()
        seen: set[tuple[str, str]] = set()
        todo = list(start)
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            reg = self.regs.get(key[0])
            sym = reg.symbols.get(key[1]) if reg else None
            if sym is not None and sym.kind == "input":
                found.add(key)
                continue
            if sym is not None and sym.kind == "norm":
                fill = fill_key(reg.node.id, key[1])  # type: ignore[union-attr]
                todo.extend((other.key, fill) for other in self.fillers(*key))
            todo.extend(self.deps.get(key, ()))
        return found


def exceptions_first(rules: list[RuleInfo]) -> list[RuleInfo]:
    """Order rules so that every exception comes before the rules it deviates from, keeping
    source order otherwise."""
    names = {r.node.name for r in rules}
    placed: list[RuleInfo] = []
    remaining = list(rules)
    while remaining:
        for r in remaining:
            waiting = [
                o
                for o in remaining
                if o is not r and r.node.name in o.overrides and o.node.name in names
            ]
            if not waiting:
                placed.append(r)
                remaining.remove(r)
                break
        else:  # a cycle; reported by the checker, never built
            placed.extend(remaining)
            break
    return placed


def constant_value(e: n.Expr) -> Any:
    """The value of a fixed value in the source (a case's givens, a default, a rule that
    always gives the same): `5` and `5,0` are one value, `-5` is the negation of `5`. The
    meaning of a literal, in one place."""
    if isinstance(e, n.Negate):
        return -constant_value(e.operand)
    if isinstance(e, n.Persons):
        return tuple({k: constant_value(v) for k, _, v in p} for p in e.persons)
    if isinstance(e, n.Number | n.Money):
        return e.value
    resolved = e.resolved
    if isinstance(e, n.LITERALS):  # a text or name may be a choice value
        return resolved[1] if resolved else e.value
    if isinstance(e, n.Name) and resolved and resolved[0] == "choice":
        return resolved[1]
    raise TypeError(f"geen vaste waarde: {type(e).__name__}")
