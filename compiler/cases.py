"""Running the test cases a policy writer writes (`gevallen voor …`)."""

from __future__ import annotations

import datetime
import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

from regel import runtime as rt

from . import nodes as n
from .api import Policies
from .model import constant_value


@dataclass
class CaseOutcome:
    file: str
    line: int
    regulation: str
    name: str
    failures: list[str] = field(default_factory=list)
    # The motivation of the decision, for a case that failed (as `regel evalueer --tekst`).
    motivation: str = ""
    # The version it was decided by (its key) and the rules of it that applied.
    version: str = ""
    applied: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


def matches(pattern: str | None, name: str) -> bool:
    """Whether a case is chosen by `regel test --filter`: a part of its name, or a pattern
    with * and ? (fnmatch) for the whole name; case does not matter."""
    if not pattern:
        return True
    pattern, name = pattern.lower(), name.lower()
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


def run_cases(policies: Policies, pattern: str | None = None) -> list[CaseOutcome]:
    results: list[CaseOutcome] = []
    for case_file in policies.cases:
        for case in case_file.cases:
            if matches(pattern, case.name):
                start = time.perf_counter()
                outcome = _run(policies, case_file, case)
                outcome.seconds = time.perf_counter() - start
                results.append(outcome)
    return results


@dataclass
class RuleCoverage:
    """What the cases test of one version of a regulation: its rules no case applied."""

    version: str
    rules: int
    cases: int
    unapplied: list[n.Rule]


def rule_coverage(policies: Policies, outcomes: list[CaseOutcome]) -> list[RuleCoverage]:
    """Per version of every loaded regulation with rules: the rules no case applied, in the
    order of the file; what the gevallen leave untested (`regel test --dekking`)."""
    applied: dict[str, set[str]] = {}
    cases: dict[str, int] = {}
    for o in outcomes:
        applied.setdefault(o.version, set()).update(o.applied)
        cases[o.version] = cases.get(o.version, 0) + 1
    found = []
    for key, info in sorted(policies.analysis.regs.items()):
        if not info.rules:
            continue
        done = applied.get(key, set())
        left = [r.node for r in info.rules.values() if r.node.name not in done]
        left.sort(key=lambda rule: (rule.span.file, rule.span.line))
        found.append(RuleCoverage(key, len(info.rules), cases.get(key, 0), left))
    return found


def case_inputs(
    case: n.Case, regulation: rt.Regulation | None = None
) -> tuple[dict[str, Any], datetime.date, str | None]:
    """A case as a decision asks for it: its gegevens as values, its peildatum, its besluit;
    with `regulation`, only the gegevens its besluit takes (see `_for_decision`)."""
    inputs = {name: constant_value(value) for name, _, value in case.givens}
    if regulation is not None:
        inputs = _for_decision(regulation, case, inputs)
    assert case.peildatum is not None  # the checker requires one
    return inputs, case.peildatum, case.decision


def case_options(case: n.Case) -> dict[str, Any]:
    """How a case asks for its decision beyond the inputs: from partial input
    (`onvolledig`), for a gemeente (`gemeente GM0503`); keyword arguments of `evaluate`."""
    return {"onvolledig": case.partial, "gemeente": case.gemeente[0] if case.gemeente else None}


def _run(policies: Policies, f: n.CaseFile, case: n.Case) -> CaseOutcome:
    outcome = CaseOutcome(case.span.file, case.span.line, f.regulation, case.name)
    inputs = case_inputs(case)[0]
    expect_error = [e for e in case.expectations if e.kind == "fout"]
    assert case.peildatum is not None
    try:
        # the version of the regulation in force on the case's peildatum
        regulation = policies.version(f.regulation, case.peildatum)
        outcome.version = next(
            (k for k, r in policies.program.regulations.items() if r is regulation), ""
        )
        result = regulation.evaluate(
            case_inputs(case, regulation)[0],
            case.peildatum,
            case.decision,
            trace=True,
            **case_options(case),
        )
    except rt.EvaluationError as err:
        if not expect_error:
            outcome.failures.append(f"onverwachte fout: {err.message}")
        for exp in expect_error:
            if exp.text and exp.text.lower() not in err.message.lower():
                outcome.failures.append(
                    f'verwacht een fout met "{exp.text}"\n      kreeg:    {err.message}'
                )
        return outcome
    outcome.applied = {t.rule for t in result.trace if t.status == "toegepast"}
    for exp in expect_error:
        outcome.failures.append(f'verwacht een fout met "{exp.text}", maar er was geen fout')
    outside: rt.Result | None = None  # see `_outside`
    for exp in case.expectations:
        if exp.kind == "fout":
            continue
        if exp.kind == "nog_nodig":
            asked = [name for name, _ in exp.names]
            if set(asked) != set(result.needed):
                got = ", ".join(result.needed) or "niets"
                outcome.failures.append(
                    f"nog nodig\n      verwacht: {', '.join(asked)}\n      kreeg:    {got}"
                )
            continue
        name = exp.outcome or ""
        found = result
        if name not in result.outcomes:
            # An outcome outside the decision: worked out apart, once, from the same facts.
            try:
                if outside is None:
                    outside = _outside(regulation, inputs, case)
            except rt.EvaluationError as err:
                outcome.failures.append(f"{name}: onverwachte fout: {err.message}")
                continue
            found = outside
        got = found.outcomes[name]
        spec = regulation.outcomes[name]
        shown = _shown(got)
        if exp.kind in ("onbepaald", "komt_niet_tot_stand"):
            if got.status != exp.kind:
                want_text = exp.kind.replace("_", " ")
                outcome.failures.append(
                    f"{name}\n      verwacht: {want_text}\n      kreeg:    {shown}"
                )
        elif exp.kind == "is":
            want: Any = constant_value(exp.value)  # type: ignore[arg-type]
            if got.status != "bepaald" or got.value != want:
                outcome.failures.append(
                    f"{name}\n      verwacht: {spec.display(want)}\n      kreeg:    {shown}"
                )
        elif exp.kind in ("bevat", "bevat_niet"):
            items = got.value or ()
            present = exp.text in items
            if present != (exp.kind == "bevat"):
                verb = "bevat" if exp.kind == "bevat" else "bevat niet"
                outcome.failures.append(
                    f'{name}\n      verwacht: {verb} "{exp.text}"\n      kreeg:    {shown}'
                )
    if outcome.failures:
        outcome.motivation = result.text()
    return outcome


def _for_decision(
    regulation: rt.Regulation, case: n.Case, inputs: dict[str, Any]
) -> dict[str, Any]:
    """The gegevens for the case's besluit. A case that also expects outcomes outside it
    may give what only those read; the besluit then gets what it reads (a gegeven no
    outcome reads is still refused)."""
    taken = regulation.decisions.get(case.decision or "")
    expected = {e.outcome for e in case.expectations if e.outcome}
    if taken is None or expected <= set(taken):
        return inputs
    reads = set().union(*(regulation.needs.get(o, frozenset()) for o in taken))
    wanted = reads | set().union(*(regulation.needs.get(o, frozenset()) for o in expected))
    return {k: v for k, v in inputs.items() if k in reads or k not in wanted}


def _outside(regulation: rt.Regulation, inputs: dict[str, Any], case: n.Case) -> rt.Result:
    """Every outcome, for the expectations on those the case's besluit does not take: from
    partial input, so that what they do not read need not be given, and without the gegevens
    none of them reads."""
    taken = set(regulation.decisions.get(case.decision or "", ()))
    names = {e.outcome for e in case.expectations if e.outcome and e.outcome not in taken}
    reads = set().union(*(regulation.needs.get(o, frozenset()) for o in names))
    given = {k: v for k, v in inputs.items() if k in reads}
    assert case.peildatum is not None
    options = {**case_options(case), "onvolledig": True}
    return regulation.evaluate(given, case.peildatum, None, trace=False, **options)


def _shown(got: rt.OutcomeResult) -> str:
    if got.status == "bepaald":
        return got.display
    status = got.status.replace("_", " ")
    return f"{status} ({got.reason})" if got.reason else status
