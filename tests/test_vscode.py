"""The VS Code extension (editors/vscode): its TextMate grammar is made from the grammar and
covers every keyword, and the shipped policies tokenise as VS Code would colour them (with
vscode-textmate and VS Code's Oniguruma, in Node, `make editors/vscode/node_modules`)."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from regel.compiler import textmate
from regel.compiler.layout import _classify
from regel.compiler.parser import keywords

from .conftest import POLICIES, ROOT

EXTENSION = ROOT / "editors" / "vscode"
SHIPPED = sorted(POLICIES.rglob("*.regel"))


def test_the_grammar_of_the_extension_is_made_from_the_grammar() -> None:
    written = (ROOT / textmate.TARGET).read_text(encoding="utf-8")
    assert written == textmate.text(), "maak de grammatica opnieuw: make editor"


def test_every_keyword_has_a_colour() -> None:
    repository = textmate.grammar()["repository"]
    assert isinstance(repository, dict)
    patterns = {
        name: re.compile(repository[name]["match"]) for name in ("constant", "unit", "keyword")
    }
    for word in sorted(keywords()):
        found = [name for name, p in patterns.items() if p.fullmatch(word)]
        assert len(found) == 1, (word, found)
    assert patterns["unit"].fullmatch("m²") and patterns["constant"].fullmatch("onbepaald")
    assert not patterns["keyword"].fullmatch("alsof") and not patterns["keyword"].search(
        "gevallen_x"
    )


def test_the_package_names_the_language_grammar_and_server() -> None:
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    (language,) = package["contributes"]["languages"]
    assert language["extensions"] == [".regel"]
    (grammar,) = package["contributes"]["grammars"]
    assert grammar["scopeName"] == "source.regel"
    assert (EXTENSION / grammar["path"]).resolve() == (ROOT / textmate.TARGET).resolve()
    assert "taalserver" in (EXTENSION / package["main"]).read_text(encoding="utf-8")
    config = json.loads((EXTENSION / language["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"


@cache
def _tokens() -> dict[str, list[tuple[int, int, int, str, str]]]:
    if not (EXTENSION / "node_modules" / "vscode-textmate").is_dir():
        pytest.fail("de Node-pakketten ontbreken: make editors/vscode/node_modules")
    proc = subprocess.run(
        ["node", str(EXTENSION / "test" / "tokenize.js"), *map(str, SHIPPED)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return {f["file"]: [tuple(t) for t in f["tokens"]] for f in json.loads(proc.stdout)}


def _scope_at(tokens: list[tuple[int, int, int, str, str]], line: int, column: int) -> str:
    for number, start, end, _, scope in tokens:
        if number == line and start <= column < end:
            return scope
    raise AssertionError(f"geen token op {line}:{column}")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_policies_tokenise_as_they_read(path: Path) -> None:
    """Keywords, texts, numbers, amounts, dates and comments of every shipped file get the
    scope of what they are; the file's own lines say what they are (the layout's scan)."""
    tokens = _tokens()[str(path)]
    text = path.read_text(encoding="utf-8")
    seen: set[str] = set()
    for number, line in enumerate(_classify(text), 1):
        if line.kind == "text":
            assert _scope_at(tokens, number, 0).startswith("string.quoted.triple"), number
            seen.add("text")
            continue
        if line.kind == "comment":
            assert _scope_at(tokens, number, line.raw.index("#")).startswith("comment.line")
            seen.add("comment")
            continue
        if line.kind != "code":
            continue
        code = re.sub(r'"[^"]*"|"""', lambda m: "\0" * len(m[0]), line.raw)
        for m in re.finditer(r'"[^"\n]*"', line.raw):
            if line.raw.count('"""') == 0:
                assert _scope_at(tokens, number, m.start()) == "string.quoted.double.regel"
                seen.add("string")
        first = re.match(r"\s*([a-z]+)\b", code)
        if first and first[1] in keywords():
            scope = _scope_at(tokens, number, first.start(1))
            assert scope.startswith(("keyword.control", "support.type.unit")), (number, first[1])
            seen.add("keyword")
        for m in re.finditer(r"€ ?-?[0-9]", code):
            assert _scope_at(tokens, number, m.start()) == "constant.numeric.amount.regel"
            seen.add("amount")
        for m in re.finditer(r"(?<![0-9])[0-9]{2}-[0-9]{2}-[0-9]{4}(?![0-9])", code):
            assert _scope_at(tokens, number, m.start()) == "constant.numeric.date.regel"
            seen.add("date")
        for m in re.finditer(r"(?<![\w.,€:-])(?<!€ )[0-9]+(?:,[0-9]+)?%?(?![\w.:-])", code):
            assert _scope_at(tokens, number, m.start()) == "constant.numeric.regel", (number, m[0])
            seen.add("number")
    assert "keyword" in seen


def test_all_kinds_are_seen_in_the_shipped_policies() -> None:
    scopes = {t[4] for tokens in _tokens().values() for t in tokens}
    for scope in (
        "keyword.control.regel", "support.type.unit.regel", "constant.language.regel",
        "string.quoted.double.regel", "string.quoted.triple.regel",
        "comment.line.number-sign.regel", "constant.numeric.regel",
        "constant.numeric.amount.regel", "constant.numeric.date.regel",
        "constant.numeric.time.regel", "keyword.operator.regel",
    ):  # fmt: skip
        assert scope in scopes, scope
