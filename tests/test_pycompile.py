"""Compiling generated modules: in pieces, with a helper process for large ones, and the
same code and errors whichever way it went."""

from __future__ import annotations

import sys
from types import CodeType
from typing import Any

import pytest
from regel.compiler import pycompile


def _module(functions: int) -> str:
    return "".join(
        f"\n\ndef f_{i}(x: int) -> int:\n    return x + {i}\n\n\nREGEL_{i} = f_{i}(1)\n"
        for i in range(functions)
    )


def _run(codes: list[CodeType]) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for code in codes:
        exec(code, namespace)
    return {k: v for k, v in namespace.items() if k.startswith("REGEL_")}


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces and the size for a helper small enough for a test to take both ways."""
    monkeypatch.setattr(pycompile, "PIECE", 500)
    monkeypatch.setattr(pycompile, "PARALLEL_FROM", 10_000)


def test_a_large_module_is_compiled_half_by_a_helper_and_runs_as_one(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _module(400)
    started: list[int] = []
    start = pycompile._Helper.start

    def recording(parts: list[tuple[int, str]], filename: str) -> Any:
        helper = start(parts, filename)
        started.append(len(parts) if helper is not None else 0)
        return helper

    monkeypatch.setattr(pycompile._Helper, "start", recording)
    codes = pycompile.compile_module(source, "<regel test>")
    parts = list(pycompile.pieces(source))
    assert started and 0 < started[0] < len(parts) and len(codes) == len(parts)
    assert _run(codes) == {f"REGEL_{i}": i + 1 for i in range(400)}
    # Line numbers are those of the whole module, also in the helper's pieces.
    last = codes[-1]
    assert last.co_filename == "<regel test>"
    assert min(line for _, _, line in last.co_lines() if line) > len(source.split("\n")) // 2


def test_a_small_module_starts_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pycompile._Helper, "start", lambda *a: pytest.fail("helper started"))
    assert _run(pycompile.compile_module(_module(3), "<regel test>")) == {
        "REGEL_0": 1,
        "REGEL_1": 2,
        "REGEL_2": 3,
    }


@pytest.mark.parametrize("python", ["/bestaat/niet", "/bin/false", sys.executable + "-x"])
def test_without_a_working_helper_the_module_is_compiled_here(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch, python: str
) -> None:
    monkeypatch.setattr(sys, "executable", python)
    codes = pycompile.compile_module(_module(400), "<regel test>")
    assert _run(codes) == {f"REGEL_{i}": i + 1 for i in range(400)}


def test_a_too_deep_piece_raises_recursion_error_also_from_the_helper_half(
    small_pieces: None,
) -> None:
    """The deep piece is the last, so in the helper's part: the helper fails, the piece is
    compiled here, and the error is the one a serial compile raises."""
    deep = "\n\nREGEL_diep = " + "(" * 300 + "1" + ")" * 300 + "\n"
    with pytest.raises(RecursionError):
        pycompile.compile_module(_module(400) + deep, "<regel test>")
