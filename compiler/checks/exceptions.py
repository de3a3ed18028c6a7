"""R4xx, rules and exceptions: what a rule decides, what it deviates from, conflicts and cycles."""

from __future__ import annotations

from .. import nodes as n
from .. import unparse
from ..diagnostics import suggest
from ..model import RULE_PREFIX, RegInfo, RuleInfo, constant_value
from ..types import NUMBER
from .base import CheckerBase
from .common import (
    _cycles,
    _is_constant,
    _reachability,
    _unit_hint,
)


class ExceptionsPass(CheckerBase):
    def _check_rule(self, info: RegInfo, rinfo: RuleInfo) -> None:
        rule = rinfo.node
        # What the rule reads, its condition and its value apart (the paths of the model);
        # the outcome reads its rules.
        own = (info.key, rinfo.key)
        condition, value = (info.key, rinfo.condition_key), (info.key, rinfo.value_key)
        if rule.outcome:
            self.a.deps.setdefault((info.key, rule.outcome), set()).add(own)
        self.a.deps.setdefault(own, set()).update((condition, value))
        self._current = condition
        parts = (rule.value is not None) + (rule.item is not None) + rule.not_applicable
        for again in rule.decides[1:]:
            self.error(
                "R410",
                f"regel '{rule.name}' bepaalt meer dan één ding",
                again,
                "een regel bepaalt één uitkomst; schrijf voor elke waarde een eigen regel, "
                "met de voorwaarde waaronder zij geldt",
                (("eerste", rule.decides[0]),),
            )
        if parts == 0:
            self.error(
                "R401",
                f"regel '{rule.name}' bepaalt niets",
                rule.span,
                "geef aan wat de regel bepaalt: 'uitkomst is …', 'lijst bevat \"…\"' of "
                "'niet van toepassing'",
            )
        if rule.not_applicable and not rule.exceptions:
            self.error(
                "R406",
                f"regel '{rule.name}' is 'niet van toepassing' maar zegt niet waarop",
                rule.span,
                "voeg toe: in afwijking van artikel … lid …",
            )
        if rule.condition is not None:
            self._check_condition(info, rule.condition)
        self._current = value
        if rule.outcome is None:
            return
        sym = info.symbols.get(rule.outcome)
        if sym is None or sym.kind != "outcome":
            outcomes = info.names("outcome")
            what = "is geen uitkomst" if sym else "is een onbekende uitkomst"
            self.error(
                "R203",
                f"'{rule.outcome}' {what}",
                rule.outcome_span,
                suggest(rule.outcome, outcomes) or "declareer de uitkomst onder 'uitkomsten'",
            )
            if rule.value is not None:
                self.typeof(info, rule.value)
            return
        want = sym.type or NUMBER
        if rule.item is not None and want.kind != "list":
            self.error(
                "R305",
                f"'{rule.outcome}' is geen lijst; 'bevat' kan hier niet",
                rule.outcome_span,
                f"schrijf: {rule.outcome} is …",
            )
        if rule.value is not None:
            if want.kind == "list":
                self.error(
                    "R305",
                    f"'{rule.outcome}' is een lijst; gebruik 'bevat'",
                    rule.outcome_span,
                    f'schrijf: {rule.outcome} bevat "…"',
                )
                return
            got = self.typeof(info, rule.value, want)
            if got is not None and not want.same(got):
                self.error(
                    "R304",
                    f"regel '{rule.name}' geeft {got.display()}, maar "
                    f"'{rule.outcome}' is {want.display()}",
                    rule.value.span,
                    _unit_hint(want, got),
                )

    def _check_exceptions(self, info: RegInfo) -> None:
        by_article: dict[str, list[RuleInfo]] = {}  # so that each exception looks in its own
        for r in info.rules.values():
            by_article.setdefault(r.anchor.artikel, []).append(r)
        for rinfo in info.rules.values():
            rule = rinfo.node
            for target in rule.exceptions:
                if target.rule is not None:
                    other = info.rules.get(target.rule)
                    if other is None:
                        self.error(
                            "R403",
                            f"uitzondering op een onbekende regel '{target.rule}'",
                            target.span,
                            suggest(target.rule, list(info.rules)),
                        )
                        continue
                    candidates = [other]
                else:
                    anchor = target.anchor
                    assert anchor is not None
                    candidates = [
                        r
                        for r in by_article.get(anchor.artikel, ())
                        if anchor.contains(r.anchor) and r is not rinfo
                    ]
                    if anchor not in info.units:
                        self.error(
                            "R402",
                            f"uitzondering op {anchor}, maar dat bestaat niet in deze regeling",
                            target.span,
                        )
                        continue
                    if rule.outcome and not rule.not_applicable:
                        candidates = [r for r in candidates if r.node.outcome == rule.outcome]
                    if not candidates:
                        what = f" voor '{rule.outcome}'" if rule.outcome else ""
                        self.error(
                            "R402",
                            f"uitzondering op {anchor}, maar daar staat geen regel{what}",
                            target.span,
                        )
                        continue
                for other in candidates:
                    if other is rinfo:
                        self.error(
                            "R404",
                            f"regel '{rule.name}' is een uitzondering op zichzelf",
                            target.span,
                        )
                        continue
                    if (
                        rule.outcome
                        and not rule.not_applicable
                        and other.node.outcome != rule.outcome
                    ):
                        self.error(
                            "R407",
                            f"regel '{rule.name}' bepaalt '{rule.outcome}', maar "
                            f"'{other.node.name}' ({other.anchor}) bepaalt "
                            f"'{other.node.outcome}'",
                            target.span,
                            "een uitzondering gaat over dezelfde uitkomst als de regel "
                            "waarvan zij afwijkt",
                        )
                        continue
                    rinfo.overrides.append(other.node.name)
        self._exception_cycles(info)
        self._static_conflicts(info)

    def _exception_cycles(self, info: RegInfo) -> None:
        graph = {name: r.overrides for name, r in info.rules.items()}
        for cycle in _cycles(graph):
            first = info.rules[cycle[0]]
            path = " → ".join(f"{c} ({info.rules[c].anchor})" for c in [*cycle, cycle[0]])
            self.error(
                "R404",
                f"uitzonderingen vormen een kring: {path}",
                first.node.span,
                "een regel kan niet (via andere) een uitzondering op zichzelf zijn",
            )

    def _static_conflicts(self, info: RegInfo) -> None:
        """Two rules that always apply, with different fixed values and no precedence."""
        by_outcome: dict[str, list[RuleInfo]] = {}
        for r in info.rules.values():
            if (
                r.node.outcome
                and r.node.value is not None
                and r.node.condition is None
                and _is_constant(r.node.value)
            ):
                by_outcome.setdefault(r.node.outcome, []).append(r)
        reach = _reachability({name: r.overrides for name, r in info.rules.items()})
        for rules in by_outcome.values():
            for i, a in enumerate(rules):
                for b in rules[i + 1 :]:
                    if b.node.name in reach[a.node.name] or a.node.name in reach[b.node.name]:
                        continue
                    if _differ(a.node.value, b.node.value):  # type: ignore[arg-type]
                        self.error(
                            "R405",
                            f"regels '{a.node.name}' ({a.anchor}) en '{b.node.name}' "
                            f"({b.anchor}) gelden altijd allebei en geven een andere waarde "
                            f"voor '{a.node.outcome}'",
                            b.node.span,
                            f"maak er één een uitzondering: in afwijking van {a.anchor}",
                            (("andere regel", a.node.span),),
                        )

    def _check_cycles(self) -> None:
        graph: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for key, uses in self.a.deps.items():
            graph[key] = sorted(uses)
        for found in _cycles(graph):
            # A rule is a step of the graph, not a name the writer gave a value: leave it out
            cycle = [step for step in found if not step[1].startswith(RULE_PREFIX)]
            if not cycle:
                continue
            reg = self.a.regs.get(cycle[0][0])
            sym = reg.symbols.get(cycle[0][1]) if reg else None
            span = getattr(sym.node, "span", None) if sym else None
            path = " → ".join(name for _, name in [*cycle, cycle[0]])
            self.error(
                "R409",
                f"kringverwijzing: {path}",
                span,
                "een begrip of uitkomst kan niet (via andere) van zichzelf afhangen",
            )


def _differ(a: n.Expr, b: n.Expr) -> bool:
    """Whether two fixed values differ as values (`5` and `5,0` do not); a name that is not a
    choice value is no fixed value, and is compared as written."""
    try:
        return bool(constant_value(a) != constant_value(b))
    except TypeError:
        return unparse.source(a) != unparse.source(b)
