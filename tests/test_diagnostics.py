"""Golden tests: each fixture under diagnostics/ yields the diagnostic its name starts with.

Set REGEL_GOLDEN_UPDATE=1 to rewrite the expected .txt files after a deliberate change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from regel.compiler import check_paths, render_all

HERE = Path(__file__).parent / "diagnostics"
FIXTURES = sorted(p for p in HERE.iterdir() if p.suffix == ".regel" or p.is_dir())


def _render(path: Path) -> tuple[str, list[str]]:
    os.chdir(HERE)
    diagnostics, sources = check_paths([path.name])
    return render_all(diagnostics, sources) + "\n", [d.code for d in diagnostics]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_diagnostic(fixture: Path) -> None:
    cwd = os.getcwd()
    try:
        text, codes = _render(fixture)
    finally:
        os.chdir(cwd)
    code = fixture.stem.split("_")[0]
    assert code in codes, f"{code} niet gemeld; wel: {codes}\n{text}"
    assert "Traceback" not in text
    golden = fixture.with_suffix(".txt") if fixture.is_file() else fixture / "verwacht.txt"
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_at_least_25_distinct_diagnostics() -> None:
    codes = {p.stem.split("_")[0] for p in FIXTURES}
    assert len(codes) >= 25, sorted(codes)


def test_static_conflicts_compare_values_not_how_they_are_written() -> None:
    """R405: `x is -5` against `x is -3` is a conflict, `x is 5` against `x is 5,0` is not."""
    from regel.compiler.api import analyse_sources

    def r405(a: str, b: str) -> int:
        text = (
            'verordening t "T"\n  vastgesteld door de raad op 01-01-2011\n'
            '  geldig vanaf 01-01-2011\nuitkomsten\n  x: getal\nartikel 1\n  tekst "t"\n'
            f"  regel a\n    x is {a}\n  regel b\n    x is {b}\n"
        )
        _, diagnostics = analyse_sources({"t.regel": text})
        return sum(d.code == "R405" for d in diagnostics)

    assert r405("-5", "-3") == 1
    assert r405("5", "5,0") == 0
    assert r405("€ 5 per maand", "€ 5,00 per maand") == 0
    assert r405("ja", "nee") == 1
