"""The mistakes lawyers make get a message in their words, and the hint's fix is right.

Each mistaken comparison of `vocabulary.MISTAKEN_COMPARATORS`, each keyword capitalised, and
the quotation and indentation slips of a word processor: the diagnostic names the mistake, and
where the hint says "bedoelde u '…'?", putting those words in the span gives a file that
parses, with the meaning the writer had in mind.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from regel.compiler import nodes as n
from regel.compiler.api import analyse_sources
from regel.compiler.mistakes import code_of
from regel.compiler.parser import SyntaxProblem, keywords, parse
from regel.compiler.vocabulary import COMPARATOR_OF_WORDS, MISTAKEN_COMPARATORS

HEAD = """verordening t "Test"
  vastgesteld door de raad op 01-01-2011
  geldig vanaf 01-01-2011
gegevens
  uren: uur per week ten minste 0 uur per week
  klaar: ja/nee
uitkomsten
  mag: ja/nee standaard nee
artikel 1 "Test"
  tekst "tekst"
  regel r
    mag is ja
"""
FIXED = re.compile(r"^bedoelde u '([^']*)'\?")


def _problem(text: str):
    with pytest.raises(SyntaxProblem) as caught:
        parse(text, "t.regel")
    return caught.value.diagnostic


def _fixed(text: str, diagnostic) -> str:
    """The text with the hint's words in the diagnostic's span."""
    found = FIXED.match(diagnostic.hint or "")
    assert found, diagnostic.hint
    span = diagnostic.span
    assert span.line == span.end_line
    lines = text.split("\n")
    line = lines[span.line - 1]
    lines[span.line - 1] = line[: span.column - 1] + found[1] + line[span.end_column - 1 :]
    return "\n".join(lines)


def _comparison(tree: n.Regulation | n.CaseFile) -> n.Expr:
    assert isinstance(tree, n.Regulation)
    rule = next(x for x in tree.units[0].children if isinstance(x, n.Rule))
    assert rule.condition is not None
    return rule.condition


@pytest.mark.parametrize("phrase", sorted(MISTAKEN_COMPARATORS))
def test_each_mistaken_comparison_names_the_words_to_write(phrase: str) -> None:
    assert phrase not in COMPARATOR_OF_WORDS  # a phrase the language has is no mistake
    assert MISTAKEN_COMPARATORS[phrase] in COMPARATOR_OF_WORDS
    text = HEAD + f"    als uren {phrase} 12 uur per week\n"
    problem = _problem(text)
    meant = MISTAKEN_COMPARATORS[phrase]
    assert problem.code == "R100"
    assert f"'{phrase}'" in problem.message
    assert problem.hint.startswith(f"bedoelde u '{meant}'?")
    condition = _comparison(parse(_fixed(text, problem), "t.regel"))
    assert isinstance(condition, n.Binary) and condition.op == COMPARATOR_OF_WORDS[meant].op


@pytest.mark.parametrize(
    ("phrase", "op"),
    [("niet meer dan", "<="), ("is groter dan of gelijk aan", ">="), ("is jonger dan", "<"),
     ("is niet jonger dan", ">="), ("maximaal", "<="), ("is ongelijk aan", "!="),
     ("gelijk aan", "=")],
)  # fmt: skip
def test_the_fix_means_what_a_lawyer_means(phrase: str, op: str) -> None:
    """The table checked against Dutch, not against itself."""
    assert COMPARATOR_OF_WORDS[MISTAKEN_COMPARATORS[phrase]].op == op


@pytest.mark.parametrize(
    "written",
    ["als uren is kleiner\tdan 12 uur per week", "als uren  niet  meer dan 12 uur per week"],
)
def test_a_mistaken_comparison_is_found_with_other_spacing(written: str) -> None:
    problem = _problem(HEAD + f"    {written}\n")
    assert problem.code == "R100" and problem.hint.startswith("bedoelde u '")


NAMES = {"uren", "klaar", "mag"}  # declared in HEAD: a name, though some are keywords too


def _keyword_spots(text: str) -> list[tuple[int, int, str]]:
    """Every keyword written in the code of a text (not in its texts, not a declared name):
    line, column, word."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for word in re.finditer(r"[a-z]+(?:/[a-z]+)*", code_of(line)):
            if word.group() in keywords() and word.group() not in NAMES:
                found.append((number, word.start(), word.group()))
    return found


SAMPLE = HEAD + "    als klaar en uren ten minste 12 uur per week of niet klaar is nee\n"


def _first_error(text: str):
    """The first error of a text, from the parser or else the checker."""
    _, problems = analyse_sources({"t.regel": text})
    errors = [d for d in problems if d.is_error]
    assert errors, "geen fout"
    return errors[0]


@pytest.mark.parametrize("spot", _keyword_spots(SAMPLE), ids=lambda s: f"{s[0]}:{s[1]}:{s[2]}")
def test_a_capitalised_keyword_is_named_with_its_small_letters(spot: tuple[int, int, str]) -> None:
    """Where the grammar wants the keyword (`Als`, `EN`, `Artikel`) the parser says so; where
    a name may stand (`is Ja`), the checker does, not knowing the name."""
    line, column, word = spot
    lines = SAMPLE.split("\n")
    for capital in (word.capitalize(), word.upper()):
        changed = lines.copy()
        before, after = lines[line - 1][:column], lines[line - 1][column + len(word) :]
        changed[line - 1] = before + capital + after
        text = "\n".join(changed)
        problem = _first_error(text)
        assert problem.hint and problem.hint.startswith(f"bedoelde u '{word}'?"), problem
        assert (problem.span.line, problem.span.column) == (line, column + 1)
        fixed = _fixed(text, problem)
        assert fixed == SAMPLE
        _, problems = analyse_sources({"t.regel": fixed})
        assert not [d for d in problems if d.is_error]


def test_curly_quotes_around_a_text_say_to_write_straight_ones() -> None:
    problem = _problem(HEAD.replace('tekst "tekst"', "tekst “De tekst.”"))
    assert problem.code == "R106" and "gekruld" in problem.message
    assert problem.hint.startswith("bedoelde u '\"'?")


def test_curly_quotes_inside_a_text_stay_as_written() -> None:
    tree = parse(HEAD.replace('tekst "tekst"', 'tekst "Het begrip “woning”."'), "t.regel")
    assert "“woning”" in str(tree)


def test_straight_quotes_inside_a_text_suggest_three_quotation_marks() -> None:
    text = HEAD.replace('tekst "tekst"', 'tekst "Onder "uren" wordt verstaan: de uren."')
    problem = _problem(text)
    assert problem.code == "R103"
    suggested = problem.hint.split(": ", 1)[1]
    assert suggested == '"""Onder "uren" wordt verstaan: de uren."""'
    line = text.split("\n")[problem.span.line - 1]
    fixed = line[: problem.span.column - 1] + suggested + line[problem.span.end_column - 1 :]
    parse(text.replace(line, fixed), "t.regel")


def test_two_texts_with_something_between_are_not_taken_for_quotes_inside() -> None:
    text = HEAD + '  regel s "een" mag "twee"\n    mag is ja\n'
    assert _problem(text).code != "R103"


def test_a_tab_among_spaces_is_named_and_parsing_stops_there() -> None:
    text = HEAD.replace("    mag is ja", "\tmag is ja")
    problem = _problem(text)
    assert problem.code == "R105" and (problem.span.line, problem.span.column) == (12, 1)
    with pytest.raises(SyntaxProblem) as caught:
        parse(text, "t.regel")
    assert len(caught.value.diagnostics) == 1


def test_a_file_indented_with_tabs_only_is_read() -> None:
    text = "\n".join(
        "\t" * ((len(line) - len(line.lstrip(" "))) // 2) + line.lstrip(" ")
        for line in HEAD.split("\n")
    )
    assert "\t" in text
    assert n.shape(parse(text, "t.regel")) == n.shape(parse(HEAD, "t.regel"))


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("minstens 0 uur per week", "ten minste 0 uur per week"),
        ("hoogstens 60 uur per week", "ten hoogste 60 uur per week"),
        ("minstens 0 uur per week en hoogstens 60 uur per week",
         "ten minste 0 uur per week en ten hoogste 60 uur per week"),
    ],
)  # fmt: skip
def test_a_range_reads_minstens_and_hoogstens_as_in_a_condition(
    written: str, canonical: str
) -> None:
    line = "  uren: uur per week ten minste 0 uur per week"

    def parsed(bounds: str) -> object:
        return n.shape(parse(HEAD.replace(line, f"  uren: uur per week {bounds}"), "t.regel"))

    assert parsed(written) == parsed(canonical)
    assert parsed(written) != parsed("ten minste 1 uur per week")  # the shape sees the bounds


def test_the_page_for_policy_writers_lists_every_mistaken_comparison() -> None:
    """docs/schrijven.md shows the table of `vocabulary`, row for row, not a copy that drifts."""
    page = (Path(__file__).parent.parent / "docs" / "schrijven.md").read_text(encoding="utf-8")
    listed: dict[str, str] = {}
    for row in re.findall(r"^\| (`.+`) \| `([^`]+)` \|$", page, re.MULTILINE):
        for phrase in re.findall(r"`([^`]+)`", row[0]):
            listed[phrase] = row[1]
    wanted = dict(MISTAKEN_COMPARATORS)
    assert listed == wanted
