"""Checked AST → executable rule objects of `regel.runtime`.

Expressions become nested closures: nothing from the source is ever turned into Python source
text or executed; names and strings only ever appear as data.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from regel import runtime as rt

from . import nodes as n
from .checker import Analysis, RegInfo, Symbol
from .diagnostics import Diagnostic, Span
from .types import Type, from_spec

Fn = Callable[[rt.Context], Any]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def source_text(span: Span, sources: dict[str, str]) -> str:
    """The text a span covers, on one line, as the policy writer wrote it."""
    lines = sources.get(span.file, "").splitlines()
    if not lines or span.line > len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1].strip()
    parts = [lines[span.line - 1][span.column - 1 :]]
    parts += lines[span.line : span.end_line - 1]
    parts.append(lines[span.end_line - 1][: span.end_column - 1])
    return " ".join(p.strip() for p in parts if p.strip())


def unit_label(t: Type) -> str:
    if t.kind != "num" or t.unit.dimensionless:
        return ""
    return t.unit.display(plural=not t.unit.has_euro())


class Builder:
    def __init__(self, analysis: Analysis, sources: dict[str, str]):
        self.a = analysis
        self.sources = sources
        self.info: RegInfo | None = None
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------ expressions
    def expr(self, e: n.Expr, date_mode: str | None = None) -> Fn:
        if isinstance(e, n.Number):
            return _const(e.value)
        if isinstance(e, n.Money):
            return _const(e.value)
        if isinstance(e, n.DateLit | n.TextLit | n.BoolLit):
            resolved = self.a.resolved.get(id(e))
            return _const(resolved[1] if resolved else e.value)
        if isinstance(e, n.Peildatum):
            return lambda ctx: ctx.peildatum
        if isinstance(e, n.Name):
            return self._name(e)
        if isinstance(e, n.QualName):
            reg, name = e.regulation, e.name
            return lambda ctx: ctx.elsewhere(reg, name)
        if isinstance(e, n.Not):
            f = self.expr(e.operand)
            return lambda ctx: not f(ctx)
        if isinstance(e, n.Negate):
            f = self.expr(e.operand)
            return lambda ctx: -f(ctx)
        if isinstance(e, n.Binary):
            return self._binary(e, date_mode)
        if isinstance(e, n.Membership):
            value = self.expr(e.value)
            options = [self.expr(o) for o in e.options]
            if all(
                isinstance(o, n.Name | n.TextLit | n.Number | n.Money | n.BoolLit)
                and (not isinstance(o, n.Name) or self.a.resolved.get(id(o), ("",))[0] == "choice")
                for o in e.options
            ):
                fixed = frozenset(f(None) for f in options)  # type: ignore[arg-type]
                if e.negated:
                    return lambda ctx: value(ctx) not in fixed
                return lambda ctx: value(ctx) in fixed
            if e.negated:
                return lambda ctx: all(value(ctx) != o(ctx) for o in options)
            return lambda ctx: any(value(ctx) == o(ctx) for o in options)
        if isinstance(e, n.Bound):
            value, limit = self.expr(e.value), self.expr(e.limit)
            pick = min if e.kind == "maximum" else max
            return lambda ctx: pick(value(ctx), limit(ctx))
        if isinstance(e, n.Extreme):
            args = [self.expr(a) for a in e.args]
            pick = min if e.kind == "minimum" else max
            return lambda ctx: pick(f(ctx) for f in args)
        if isinstance(e, n.Round):
            if e.target is None:
                return self.expr(e.value, date_mode=e.mode)
            value = self.expr(e.value)
            target, mode = e.target, e.mode
            return lambda ctx: rt.round_to(value(ctx), target, mode)
        if isinstance(e, n.Age):
            birth, on = self.expr(e.birth), self.expr(e.on)
            return lambda ctx: rt.age(birth(ctx), on(ctx))
        if isinstance(e, n.Between):
            start, end, unit = self.expr(e.start), self.expr(e.end), e.unit
            return lambda ctx: rt.whole_units_between(start(ctx), end(ctx), unit)
        if isinstance(e, n.Choice):
            branches = [(self.expr(v), self.expr(c)) for v, c in e.branches]
            otherwise = self.expr(e.otherwise) if e.otherwise is not None else None
            text = source_text(e.span, self.sources)

            def choose(ctx: rt.Context) -> Any:
                for value, cond in branches:
                    if cond(ctx):
                        return value(ctx)
                if otherwise is not None:
                    return otherwise(ctx)
                raise rt.Undetermined(text, "geen van de gevallen is van toepassing")

            return choose
        raise AssertionError(f"onbekende expressie {type(e).__name__}")  # pragma: no cover

    def _name(self, e: n.Name) -> Fn:
        kind, name = self.a.resolved[id(e)]
        if kind == "choice":
            return _const(name)
        if kind == "input":
            assert self.info is not None
            node = self.info.symbols[name].node
            if isinstance(node, n.Input) and node.oordeel:
                return lambda ctx: ctx.judge(name)
            return lambda ctx: ctx.inputs[name]
        if kind == "begrip":
            return lambda ctx: ctx.begrip(name)
        if kind == "outcome":
            return lambda ctx: ctx.outcome(name)
        return lambda ctx: ctx.norm(name)

    def _binary(self, e: n.Binary, date_mode: str | None) -> Fn:
        a, b = self.expr(e.left), self.expr(e.right)
        op = e.op
        if op == "en":
            return lambda ctx: a(ctx) and b(ctx)
        if op == "of":
            return lambda ctx: a(ctx) or b(ctx)
        if op == "tenzij":
            return lambda ctx: a(ctx) and not b(ctx)
        if op in _COMPARE:
            cmp = _COMPARE[op]
            return lambda ctx: cmp(a(ctx), b(ctx))
        left_type = self.a.types.get(id(e.left))
        if op in ("plus", "min") and left_type is not None and left_type.kind == "date":
            right_type = self.a.types[id(e.right)]
            unit = right_type.unit.time
            sign = 1 if op == "plus" else -1
            return lambda ctx: rt.shift_date(a(ctx), sign * b(ctx), unit, date_mode)
        if op == "plus":
            return lambda ctx: a(ctx) + b(ctx)
        if op == "min":
            return lambda ctx: a(ctx) - b(ctx)
        if op in ("maal", "van"):
            return lambda ctx: a(ctx) * b(ctx)
        return lambda ctx: rt.divide(a(ctx), b(ctx))

    # ------------------------------------------------------------ regulations
    def constant(self, e: n.Expr) -> Any:
        return self.expr(e)(None)  # type: ignore[arg-type]

    def regulation(self, info: RegInfo) -> rt.Regulation:
        self.info = info
        reg = info.node
        rid = reg.id
        inputs = {s.name: self._input_spec(s) for s in info.symbols.values() if s.kind == "input"}
        begrippen: dict[str, Fn] = {}
        norms: dict[str, tuple[Fn | None, tuple[str, str] | None]] = {}
        for sym in info.symbols.values():
            if sym.kind == "begrip":
                begrippen[sym.name] = self.expr(sym.node.value)  # type: ignore[attr-defined]
            elif sym.kind == "norm":
                node: n.OpenNorm = sym.node  # type: ignore[assignment]
                default = self.expr(node.default) if node.default is not None else None
                norms[sym.name] = (default, self._filler(rid, sym.name))
        for fill in info.fills:
            begrippen[f"vult:{fill.regulation}.{fill.norm}"] = self.expr(fill.value)
        outcomes = {}
        for sym in info.symbols.values():
            if sym.kind == "outcome":
                outcomes[sym.name] = self._outcome(info, sym)
        decisions = {d.name: tuple(name for name, _ in d.outcomes) for d in reg.decisions}
        needs = {name: self._needs(rid, name) for name in outcomes}
        # Inputs of other regulations that this one reads through their definitions.
        for used in set().union(*needs.values()) if needs else ():
            if used not in inputs:
                for other in self.a.regs.values():
                    sym = other.symbols.get(used)
                    if sym is not None and sym.kind == "input":
                        inputs[used] = self._input_spec(sym)
                        break
        meta = reg.meta
        return rt.Regulation(
            rid,
            reg.title,
            reg.kind,
            inputs,
            begrippen,
            outcomes,
            decisions,
            {k: frozenset(v) for k, v in needs.items()},
            norms,
            meta.valid_from,
            meta.valid_until,
            {
                "citeertitel": meta.citeertitel,
                "gemeente": meta.gemeente,
                "orgaan": meta.organ,
                "vastgesteld": meta.adopted,
            },
        )

    def _filler(self, rid: str, norm: str) -> tuple[str, str] | None:
        for other in self.a.regs.values():
            for fill in other.fills:
                if fill.regulation == rid and fill.norm == norm:
                    return (other.node.id, f"vult:{rid}.{norm}")
        return None

    def _input_spec(self, sym: Symbol) -> rt.InputSpec:
        node: n.Input = sym.node  # type: ignore[assignment]
        t = sym.type or from_spec(node.type)
        spec = rt.InputSpec(
            sym.name,
            t.kind,
            node.description,
            unit_label(t),
            t.percent,
            t.choices,
            oordeel=node.oordeel,
            label=node.type.kind,
        )
        if node.default is not None:
            spec.default, spec.has_default = self.constant(node.default), True
        return spec

    def _outcome(self, info: RegInfo, sym: Symbol) -> rt.Outcome:
        node: n.OutcomeDecl = sym.node  # type: ignore[assignment]
        t = sym.type or from_spec(node.type)
        mine = [r for r in info.rules.values() if r.node.outcome == sym.name]
        names = {r.node.name for r in mine}
        silencers = [
            r for r in info.rules.values() if r.node.not_applicable and names & set(r.overrides)
        ]
        ordered = _exceptions_first(mine + silencers)
        rules = []
        for r in ordered:
            rule = r.node
            kind = (
                "buiten_toepassing"
                if rule.not_applicable
                else "item"
                if rule.item is not None
                else "waarde"
            )
            rules.append(
                rt.Rule(
                    name=rule.name,
                    anchor=str(r.anchor),
                    outcome=sym.name,
                    kind=kind,
                    condition=self.expr(rule.condition) if rule.condition is not None else None,
                    value=self.expr(rule.value) if rule.value is not None else None,
                    item=rule.item,
                    overrides=tuple(r.overrides),
                    condition_text=(
                        source_text(rule.condition.span, self.sources)
                        if rule.condition is not None
                        else ""
                    ),
                    value_text=(
                        source_text(rule.value.span, self.sources) if rule.value is not None else ""
                    ),
                    facts=tuple(self._facts(rule.condition)) if rule.condition else (),
                    interpretations=tuple(rule.interpretations),
                    description=rule.description,
                    file=rule.span.file,
                    line=rule.span.line,
                )
            )
        default = self.constant(node.default) if node.default is not None else None
        return rt.Outcome(
            sym.name,
            t.kind,
            node.type.kind,
            rules,
            unit_label(t),
            t.percent,
            node.description,
            default,
            node.default is not None,
        )

    def _facts(self, e: n.Expr) -> list[str]:
        names: list[str] = []

        def walk(x: object) -> None:
            if isinstance(x, n.Name):
                kind = self.a.resolved.get(id(x), ("", ""))[0]
                if kind in ("input", "begrip", "outcome") and x.name not in names:
                    names.append(x.name)
            elif isinstance(x, n.Peildatum):
                if "peildatum" not in names:
                    names.append("peildatum")
            elif isinstance(x, n.Expr):
                for slot in type(x).__slots__:
                    walk(getattr(x, slot))
            elif isinstance(x, list | tuple):
                for item in x:
                    walk(item)

        walk(e)
        return names

    def _needs(self, rid: str, name: str) -> set[str]:
        """The inputs an outcome may read, following definitions across regulations."""
        found: set[str] = set()
        seen: set[tuple[str, str]] = set()
        todo = [(rid, name)]
        info = self.a.regs[rid]
        for r in info.rules.values():  # `niet van toepassing` rules read inputs too
            if r.node.not_applicable and any(
                info.rules[o].node.outcome == name for o in r.overrides if o in info.rules
            ):
                todo.append((rid, f"regel:{r.node.name}"))
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            reg = self.a.regs.get(key[0])
            sym = reg.symbols.get(key[1]) if reg else None
            if sym is not None and sym.kind == "input":
                found.add(key[1])
                continue
            if sym is not None and sym.kind == "norm":
                filler = self._filler(key[0], key[1])
                if filler:
                    todo.append(filler)
            todo.extend(self.a.deps.get(key, ()))
        return found


def _const(value: Any) -> Fn:
    return lambda ctx: value


def _exceptions_first(rules: list) -> list:
    """Order rules so that every exception comes before the rules it deviates from, keeping
    source order otherwise."""
    names = {r.node.name for r in rules}
    placed: list = []
    done: set[str] = set()
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
                done.add(r.node.name)
                remaining.remove(r)
                break
        else:  # a cycle; reported by the checker, never built
            placed.extend(remaining)
            break
    return placed


def build(analysis: Analysis, sources: dict[str, str]) -> dict[str, rt.Regulation]:
    builder = Builder(analysis, sources)
    regulations = {rid: builder.regulation(info) for rid, info in analysis.regs.items()}
    program = rt.Program(regulations)
    program.link()
    return regulations
