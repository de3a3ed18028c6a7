"""The grammar is LALR(1) without conflicts and its keywords drive the reserved words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from regel.compiler import parsegen
from regel.compiler.parsegen import build_lark
from regel.compiler.parser import _lark, grammar_text, keywords, parse, reserved_words

from .conftest import POLICIES, ROOT


def test_grammar_has_no_conflicts_in_strict_mode() -> None:
    build_lark(strict=True)


def test_the_generated_parser_is_made_from_this_grammar() -> None:
    head = parsegen.TARGET.read_text(encoding="utf-8").split("\n", 5)[:5]
    marks = [line.removeprefix(parsegen.MARK) for line in head if line.startswith(parsegen.MARK)]
    assert marks == [parsegen.grammar_digest(grammar_text())], (
        "de grammatica is gewijzigd na het maken van compiler/generated_parser.py: voer "
        "`make parser` uit"
    )


def _shape(tree: Any) -> Any:
    """A tree as plain data: rule names with the positions the spans of nodes come from, and
    per token its kind, text and position."""
    if hasattr(tree, "children"):
        m = tree.meta
        where = None if m.empty else (m.line, m.column, m.end_line, m.end_column)
        return (tree.data, where, [_shape(c) for c in tree.children])
    if tree is None:
        return None
    return (tree.type, str(tree), tree.line, tree.column, tree.end_line, tree.end_column)


def _outcome(parser: Any, text: str) -> Any:
    try:
        return _shape(parser.parse(text))
    except Exception as err:  # the same kind of error at the same place
        where = (getattr(err, "line", None), getattr(err, "column", None))
        return (type(err).__name__, where, sorted(getattr(err, "expected", None) or ()))


@pytest.fixture(scope="module")
def lark() -> Any:
    return build_lark()


SOURCES = sorted(ROOT.glob("policies/**/*.regel")) + sorted(ROOT.glob("tests/**/*.regel"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_generated_parser_parses_as_lark_does(path: Path, lark: Any) -> None:
    """Every shipped and test file, and the same file cut short and with a stray token (an
    error and its place), give the same tree or the same error from the generated parser as
    from the parser Lark builds from the grammar."""
    text = path.read_text(encoding="utf-8")
    ours = _lark()
    cut = text[: len(text) // 2]
    stray = text.replace("\n", "\n ) ", 1)
    for variant in (text, cut, stray):
        assert _outcome(ours, variant) == _outcome(lark, variant)


def test_keywords_come_from_the_grammar() -> None:
    words = keywords()
    assert {"verordening", "artikel", "regel", "als", "tenzij", "afwijking"} <= words
    assert "NAME" not in words


def test_only_keywords_that_clash_with_names_are_reserved() -> None:
    reserved = reserved_words()
    assert {"ja", "nee", "niet", "peildatum", "leeftijd"} <= reserved
    # Usable as names: the parser never expects them where it expects a name.
    assert "aanspraak" not in reserved
    assert "duur" not in reserved


def test_dutch_numbers_and_dates_parse() -> None:
    reg = parse(
        'verordening x "X"\n  geldig vanaf 01-01-2020\n'
        'artikel 1\n  tekst "t"\n  begrip b: € 1.234,56 met een maximum van € 0,19\n'
    )
    begrip = reg.units[0].children[1]
    assert str(begrip.value.value.value) == "1234.56"
    assert str(begrip.value.limit.value) == "0.19"


def test_multiline_text_is_dedented() -> None:
    reg = parse('verordening x "X"\nartikel 1\n  tekst """\n    regel een\n      twee\n  """\n')
    assert reg.units[0].children[0].text == "regel een\n  twee"


def test_the_shipped_policies_use_every_construct_of_the_grammar() -> None:
    """Every rule and alternative of the grammar occurs somewhere under policies/ (the
    voorbeeld regulation exists to show the ones the real regulations do not need)."""
    from regel.compiler.parser import _lark

    lark = _lark()
    expected = {
        str(rule.alias or rule.origin.name)
        for rule in lark.rules
        if not str(rule.alias or rule.origin.name).startswith("_") and not rule.options.expand1
    }
    used: set[str] = set()
    for path in POLICIES.rglob("*.regel"):
        tree = lark.parse(path.read_text(encoding="utf-8"))
        used |= {str(sub.data) for sub in tree.iter_subtrees()}
    assert expected - used == set()


def _alternatives(rule: str) -> set[str]:
    """The alternatives of a rule of the grammar, each as its words joined by spaces."""
    from regel.compiler.parser import _lark

    lark = _lark()
    terminals = {t.name: t.pattern.value for t in lark.terminals}
    return {
        " ".join(terminals[sym.name] for sym in r.expansion)
        for r in lark.rules
        if r.origin.name == rule
    }


def test_the_vocabulary_has_a_row_for_every_word_of_the_grammar_and_no_more() -> None:
    """Adding a unit, a comparator, an organ or a rounding word is the grammar plus one row in
    compiler/vocabulary.py; this test keeps the two the same."""
    from regel.compiler import vocabulary as v

    assert _alternatives("eenheid") == set(v.UNIT_OF_WORD)
    assert _alternatives("tijdeenheid") == {
        word for u in v.UNITS.values() if u.time for word in u.words if word == u.words[-1]
    }
    assert _alternatives("vergelijker") == set(v.COMPARATOR_OF_WORDS)
    assert _alternatives("orgaan") == set(v.ORGAN_OF_WORDS)
    assert _alternatives("afronddoel") == {r.words for r in v.ROUNDING_TARGETS.values()}
    assert _alternatives("afrondwijze") == {r.words for r in v.ROUNDING_MODES.values()}
    # Arithmetic: the parser names `product "van" enkel` by its word, the others by their key.
    from regel.compiler.parser import _lark

    lark = _lark()
    terminals = {t.name: t.pattern.value for t in lark.terminals}
    written: dict[str, set[str]] = {}
    for r in lark.rules:
        if r.origin.name in ("som", "product") and r.alias:
            key = "van" if r.alias == "deel_van" else str(r.alias)
            words = {terminals[s.name] for s in r.expansion if s.name in terminals}
            written.setdefault(key, set()).update(words)
    assert written == {o.key: set(o.words) for o in v.OPERATORS.values()}


def test_the_runtime_knows_every_time_unit_of_the_vocabulary() -> None:
    import datetime
    from decimal import Decimal

    import pytest
    from regel.compiler.vocabulary import TIME_UNITS
    from regel.runtime.values import CALENDAR_UNITS, shift_date

    assert set(TIME_UNITS) == set(CALENDAR_UNITS)
    with pytest.raises(AssertionError, match="onbekende tijdseenheid 'eeuw'"):
        shift_date(datetime.date(2011, 1, 1), Decimal(1), "eeuw", None)


def test_every_letter_a_name_may_hold_is_one_python_identifier_as_written() -> None:
    """Python reads identifiers in NFKC: a letter it would change (a ligature, a long s)
    would make two names of the language one name in the generated code."""
    import re
    import unicodedata

    name = re.compile(_lark().get_terminal("NAME").pattern.to_regexp())
    allowed = [chr(c) for c in range(0x80, 0x250) if name.fullmatch("a" + chr(c))]
    assert {"é", "ë", "ï", "ö", "ü", "ç", "ß"} <= set(allowed)
    assert "×" not in allowed and "÷" not in allowed and "ĳ" not in allowed
    for letter in allowed:
        assert unicodedata.normalize("NFKC", letter) == letter, letter
        assert f"i_{letter}".isidentifier(), letter


def test_names_with_accents_work_and_letters_of_other_scripts_do_not() -> None:
    text = (
        'verordening t "T"\n  vastgesteld door de raad op 01-01-2011\n'
        "  geldig vanaf 01-01-2011\ngegevens\n  geïndiceerd: ja/nee\nuitkomsten\n"
        '  beëindiging: ja/nee\nartikel 1\n  tekst "t"\n  regel één\n'
        "    beëindiging is ja\n    als geïndiceerd\n"
    )
    import datetime

    from regel.compiler import loads

    result = loads(text).evaluate("t", {"geïndiceerd": True}, datetime.date(2011, 2, 1))
    assert result["beëindiging"] is True
    assert "één" in result.text()
    from regel.compiler.parser import SyntaxProblem

    with pytest.raises(SyntaxProblem) as problem:
        parse(text.replace("geïndiceerd: ja", "gеïndiceerd: ja"), "t.regel")  # Cyrillic е
    assert problem.value.diagnostic.code == "R106"
    assert "U+0435 CYRILLIC SMALL LETTER IE" in problem.value.diagnostic.message
