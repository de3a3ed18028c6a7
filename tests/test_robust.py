"""No input may produce a Python traceback: the checker always answers with diagnostics."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler.api import analyse_sources

from .conftest import POLICIES

SOURCE = (POLICIES / "delft" / "reintegratieverordening.regel").read_text(encoding="utf-8")
LINES = SOURCE.splitlines()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_diagnostics_not_exceptions(text: str) -> None:
    analyse_sources({"x.regel": text})


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=len(LINES) - 1), min_size=1, max_size=6),
    st.sampled_from(["", " ", "x", "als", "ja", "(", "€", "10 km", '"', "\t", "van"]),
)
def test_mutated_policy_gives_diagnostics_not_exceptions(drop: list[int], insert: str) -> None:
    lines = list(LINES)
    for i in sorted(set(drop), reverse=True):
        lines[i] = lines[i][: len(lines[i]) // 2] + insert
    analyse_sources({"x.regel": "\n".join(lines)})
