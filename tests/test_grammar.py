"""The grammar is LALR(1) without conflicts and its keywords drive the reserved words."""

from __future__ import annotations

from regel.compiler.parser import build_lark, keywords, parse, reserved_words

from .conftest import POLICIES


def test_grammar_has_no_conflicts_in_strict_mode() -> None:
    build_lark(strict=True)


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
