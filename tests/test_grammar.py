"""The grammar is LALR(1) without conflicts and its keywords drive the reserved words."""

from __future__ import annotations

from regel.compiler.parser import build_lark, keywords, parse, reserved_words


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
