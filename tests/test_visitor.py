"""Every back end handles every kind of expression, and fails loudly on one it does not know;
the back ends read the model, not the checker, and the runtime nothing of the compiler."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from regel.compiler import nodes as n
from regel.compiler.checker import Checker
from regel.compiler.codegen import ModuleWriter
from regel.compiler.diagnostics import Span
from regel.compiler.prose import Prose
from regel.compiler.unparse import Source, source
from regel.compiler.visitor import EXPRESSION_KINDS, UnknownExpression, missing_handlers

ROOT = Path(__file__).resolve().parent.parent
BACK_ENDS = [Checker, ModuleWriter, Prose, Source]


def test_the_kinds_of_expression_are_found() -> None:
    names = {k.__name__ for k in EXPRESSION_KINDS}
    assert {"Number", "Binary", "Choice", "QualName", "Between", "Empty"} <= names
    assert len(names) == 22, sorted(names)


@pytest.mark.parametrize("back_end", BACK_ENDS, ids=lambda c: c.__name__)
def test_every_back_end_has_a_method_for_every_kind(back_end: type) -> None:
    assert missing_handlers(back_end) == []


@dataclass(slots=True)
class Made(n.Expr):
    """A kind of expression no back end knows."""


def test_an_unknown_kind_fails_loudly_and_says_where() -> None:
    with pytest.raises(UnknownExpression, match="Source kent geen uitdrukking van de soort Made"):
        source(Made(Span("x.regel", 1, 1, 1, 2)))


# The modules that read the typed model: none may import the checker or the parser, so that
# what the language means is decided there once and only read here.
READERS = ["codegen", "prose", "docs", "coverage", "versions", "package", "service", "cases"]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize("module", READERS)
def test_back_ends_read_the_model_not_the_checker(module: str) -> None:
    imported = _imports(ROOT / "compiler" / f"{module}.py")
    bad = {i for i in imported if {"checker", "checks", "parser"} & set(i.split("."))}
    assert bad == set(), f"compiler/{module}.py importeert {sorted(bad)}"


def test_the_runtime_imports_nothing_of_the_compiler() -> None:
    for path in (ROOT / "runtime").glob("*.py"):
        imported = _imports(path)
        assert not {i for i in imported if "compiler" in i}, path.name
