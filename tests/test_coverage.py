"""`regel dekking`: per artikel, lid and onderdeel encoded, not executable, or missing."""

from __future__ import annotations

import os
from pathlib import Path

from regel.compiler import load
from regel.compiler.coverage import ENCODED, IN_PARTS, MISSING, NOT_EXECUTABLE, coverage

from .test_cli import run

HERE = Path(__file__).parent / "dekking"


def statuses(path: Path) -> dict[str, str]:
    [report] = coverage(load(path).analysis)
    return {e.anchor: e.status for e in report.entries}


def test_every_unit_gets_a_status_and_skipped_numbers_are_missing() -> None:
    assert statuses(HERE / "onvolledig.regel") == {
        "artikel 1": IN_PARTS,
        "artikel 1 onder a": ENCODED,
        "artikel 1 onder b": MISSING,  # skipped: a, c
        "artikel 1 onder c": MISSING,  # text without rules
        "artikel 2": MISSING,  # skipped: 1, 3 (across hoofdstukken)
        "artikel 3": IN_PARTS,
        "artikel 3 lid 1": ENCODED,
        "artikel 3 lid 2": MISSING,
        "artikel 3 lid 3": NOT_EXECUTABLE,
        "artikel 3 lid 3a": MISSING,  # an inserted lid needs rules too, but skips nothing
        "artikel 4": NOT_EXECUTABLE,
    }


def test_parts_a_b_c_and_excerpts_of_a_law_are_complete() -> None:
    """B.1 and B.2 stand in for a part B between A and C; of a law only the articles that are
    needed are written down, so a first article 8 skips nothing."""
    assert MISSING not in statuses(HERE / "delen.regel").values()
    assert statuses(HERE / "wet.regel") == {"artikel 8": NOT_EXECUTABLE}


def test_regel_dekking_reports_and_fails_while_anything_is_missing() -> None:
    proc = run("dekking", "tests/dekking")
    assert proc.returncode == 1
    golden = HERE / "verwacht.txt"
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        golden.write_text(proc.stdout, encoding="utf-8")
    assert proc.stdout == golden.read_text(encoding="utf-8")
    assert proc.stdout.endswith("onvolledig: 5 ontbrekend in 1 regeling(en)\n")


def test_regel_dekking_only_missing_and_complete() -> None:
    proc = run("dekking", "--ontbrekend", "tests/dekking")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("  artikel")]
    assert len(lines) == 5 and all("ontbreekt" in line for line in lines)
    assert "dekking 44%: 2 gecodeerd, 2 niet uitvoerbaar, 5 ontbreekt" in proc.stdout
    proc = run("dekking", "tests/dekking/delen.regel", "tests/dekking/wet.regel")
    assert proc.returncode == 0
    assert "volledig: elk artikel, lid en onderdeel van 2 regeling(en) is gedekt" in proc.stdout


def test_regel_dekking_on_a_policy_with_errors_shows_the_errors() -> None:
    proc = run("dekking", "tests/diagnostics/R201_onbekende_naam.regel")
    assert proc.returncode == 1 and "R201" in proc.stderr


def test_the_language_reference_shows_real_output() -> None:
    """The excerpt of `regel dekking` in docs/taal.md is what the command prints for Delft,
    which is complete."""
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "taal.md").read_text(encoding="utf-8")
    excerpt = re.search(r"\$ regel dekking policies/delft\n(.*?)```", text, re.S).group(1)
    proc = run("dekking", "policies/delft")
    assert proc.returncode == 0, proc.stdout
    real = proc.stdout.splitlines()
    shown = [line for line in excerpt.splitlines() if line.strip() != "…"]
    assert len(shown) > 5
    for line in shown:
        assert line in real, line
