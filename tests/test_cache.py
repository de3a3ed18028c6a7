"""Parsed files kept between runs (`compiler/cache.py`): the same tree as parsing anew, never
for another text, and nothing from a store that is damaged or that others can write."""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from regel.compiler import cache, load
from regel.compiler.parser import SyntaxProblem, parse

from .conftest import POLICIES


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "store"
    monkeypatch.setenv("REGEL_CACHE", str(where))
    return where


def _shape(value: Any) -> Any:
    """A tree as nested tuples of its classes and fields, to compare two trees by value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *(_shape(getattr(value, f.name)) for f in fields))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(_shape, value))
    if isinstance(value, dict):
        return ("dict", *((_shape(k), _shape(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _tree(text: str, name: str) -> Any:
    return _shape(parse(text, name))


def test_every_shipped_file_comes_back_as_it_parses(store: Path) -> None:
    files = sorted(POLICIES.rglob("*.regel"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        first = cache.parse(text, str(path))  # parsed, and stored
        again = cache.parse(text, str(path))  # from the store
        assert again is not first
        expected = _tree(text, str(path))
        assert _shape(again) == expected, path
    assert len(list(store.iterdir())) == len(files)
    assert os.stat(store).st_mode & 0o077 == 0  # the user's own


def test_another_text_or_name_is_another_entry(store: Path) -> None:
    text = (POLICIES / "voorbeeld" / "precario.regel").read_text(encoding="utf-8")
    cache.parse(text, "a.regel")
    changed = text.replace("€ 36,10 per m² per jaar", "€ 40,00 per m² per jaar")
    assert changed != text
    tree = cache.parse(changed, "a.regel")
    assert _shape(tree) == _tree(changed, "a.regel")
    cache.parse(text, "b.regel")  # the name is in every span of the tree
    assert len(list(store.iterdir())) == 3


def test_a_damaged_or_foreign_entry_is_passed_over(store: Path) -> None:
    text = (POLICIES / "voorbeeld" / "anderdorp.regel").read_text(encoding="utf-8")
    cache.parse(text, "x.regel")
    (entry,) = store.iterdir()
    entry.write_bytes(b"geen pickle")
    tree = cache.parse(text, "x.regel")
    assert _shape(tree) == _tree(text, "x.regel")
    # a stored object that is no tree, in an entry others may write: not loaded
    entry.write_bytes(pickle.dumps(["geen", "boom"]))
    assert type(cache.parse(text, "x.regel")).__name__ == "Regulation"
    os.chmod(entry, 0o666)
    planted = pickle.dumps(parse('verordening ander "Ander"\n', "x.regel"))
    entry.write_bytes(planted)
    assert cache.parse(text, "x.regel").id == "anderdorp"


def test_a_file_that_does_not_parse_is_not_stored(store: Path) -> None:
    with pytest.raises(SyntaxProblem):
        cache.parse('verordening x "X"\n  geldig vanaf morgen\n', "fout.regel")
    assert not store.exists() or not list(store.iterdir())


def test_the_store_can_be_turned_off_and_loading_is_the_same_without_it(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGEL_CACHE", "uit")
    assert cache.folder() is None
    plain = load(POLICIES / "voorbeeld")
    assert not store.exists()
    monkeypatch.setenv("REGEL_CACHE", str(store))
    load(POLICIES / "voorbeeld")
    stored = load(POLICIES / "voorbeeld")  # every file from the store
    assert list(stored.regulations) == list(plain.regulations)
    assert [d.code for d in stored.warnings] == [d.code for d in plain.warnings]


def test_the_oldest_entries_go_when_the_store_is_full(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 4)
    for i in range(5):
        cache.parse(f'verordening v{i} "V"\n', "v.regel")
    assert len(list(store.iterdir())) <= 4
