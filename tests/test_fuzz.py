"""A bounded, seeded fuzz run (tests/fuzzing.py): mutants of the shipped policies and hostile
case inputs. Any exception other than a diagnostic or an evaluation error, any hang, and any
difference between the fast and the traced path fails it. The long run is `make fuzz`; its
figures are in docs/robuustheid.md."""

from __future__ import annotations

from .fuzzing import Report, fuzz_inputs, fuzz_policies


def _clean(report: Report) -> None:
    assert not report.failures, "\n\n".join(report.failures[:3])


def test_mutants_of_whole_policies() -> None:
    report = Report()
    fuzz_policies(seed=13, count=40, report=report)
    _clean(report)
    assert report.mutants == 40 and report.compiled >= 5, report


def test_mutants_of_parts_of_policies() -> None:
    report = Report()
    fuzz_policies(seed=13, count=500, report=report, small=True)
    _clean(report)
    assert report.compiled >= 20, report


def test_hostile_inputs_for_every_decision() -> None:
    report = Report()
    fuzz_inputs(seed=13, rounds=60, report=report)
    _clean(report)
    assert report.inputs >= 3000, report
