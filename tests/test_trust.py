"""Promises to policy writers, councils and clients that an attack on the project broke once
(issue 13): each test here failed before its fix. No silent wrong answer, no traceback, no
unbounded output, and the fast and the traced path agree."""

from __future__ import annotations

import datetime
import decimal
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regel import runtime as rt
from regel.compiler import CompileError, loads
from regel.compiler.api import analyse_sources
from regel.compiler.cli import main

from .conftest import HEADER, POLICIES, ROOT

PEIL = datetime.date(2011, 6, 1)


def both_paths(policies, inputs, decision=None, regulation="t"):  # type: ignore[no-untyped-def]
    """The answer of the fast path and of the traced path, which must agree."""
    fast = policies.evaluate(regulation, inputs, PEIL, decision, trace=False)
    traced = policies.evaluate(regulation, inputs, PEIL, decision, trace=True)
    assert {k: (r.status, r.value) for k, r in fast.outcomes.items()} == {
        k: (r.status, r.value) for k, r in traced.outcomes.items()
    }
    return traced


# ---------------------------------------------------------------- a rule, as written


def test_two_als_lines_at_the_end_of_a_file_are_both_conditions() -> None:
    text = HEADER + (
        "gegevens\n  a: ja/nee\n  b: ja/nee\n  c: ja/nee\nuitkomsten\n  u: ja/nee standaard nee\n"
        'artikel 1\n  tekst "x"\n  regel r\n    u is ja\n    als a of c\n    als b'
    )
    policies = loads(text)  # no newline at the end: the span of the last line ends the file
    for a, b, c in [(True, True, False), (True, False, False), (False, True, True)]:
        result = both_paths(policies, {"a": a, "b": b, "c": c})
        assert result["u"] is ((a or c) and b)
    step = result.to_json()["motivering"][0]
    assert step["voorwaarde"] == "(a of c) en b"
    assert step["feiten"] == {"a": "nee", "c": "ja", "b": "ja"}


def test_a_list_item_that_is_empty_text_is_still_an_item() -> None:
    policies = loads(
        HEADER + 'gegevens\n  a: ja/nee\nuitkomsten\n  l: lijst\nartikel 1\n  tekst "x"\n'
        '  regel r\n    l bevat ""\n    als a\n'
    )
    assert both_paths(policies, {"a": True})["l"] == ("",)
    assert both_paths(policies, {"a": False})["l"] == ()


def test_static_conflicts_compare_values_not_words() -> None:
    with pytest.raises(CompileError) as err:
        loads(
            HEADER + 'uitkomsten\n  x: getal\nartikel 1\n  tekst "x"\n  regel r\n    x is -5\n'
            "  regel s\n    x is -3\n"
        )
    assert [d.code for d in err.value.diagnostics] == ["R405"]


# ---------------------------------------------------------------- exact money


MILEAGE = loads(
    HEADER + "gegevens\n  km: km\n  tarief: bedrag per km\nuitkomsten\n  vergoeding: bedrag\n"
    "besluit b: vergoeding\n"
    'artikel 1\n  tekst "x"\n  regel r\n'
    "    vergoeding is km × tarief afgerond op centen half naar boven\n"
)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=Decimal("1e14") - 1, places=10),
    st.decimals(min_value=0, max_value=Decimal("1e3"), places=10),
    st.integers(min_value=1, max_value=40),
)
def test_arithmetic_is_exact_for_every_input_the_bounds_allow(
    km: Decimal, tarief: Decimal, precision: int
) -> None:
    """Whatever the caller's decimal context (even 1 digit), the answer is the exact product
    rounded once, as stated; on both paths."""
    exact = (km * tarief).quantize(Decimal("0.01"), decimal.ROUND_HALF_UP, decimal.Context(prec=60))
    with decimal.localcontext(decimal.Context(prec=precision)):
        result = both_paths(MILEAGE, {"km": km, "tarief": tarief}, "b")
    assert result["vergoeding"] == exact


def test_more_digits_than_the_bounds_allow_are_refused_naming_the_field() -> None:
    too_many = "10.49999999999999999999999999999"
    for value in (too_many, Decimal(too_many), Decimal("1e-100000000")):
        for trace in (False, True):
            with pytest.raises(rt.InputError) as err:
                MILEAGE.evaluate("t", {"km": value, "tarief": "0.19"}, PEIL, "b", trace=trace)
            assert err.value.problems == {"km": "te veel cijfers achter de komma (ten hoogste 10)"}
    assert MILEAGE.evaluate("t", {"km": "10.4999999999", "tarief": "0.19"}, PEIL, "b")[
        "vergoeding"
    ] == Decimal("1.99")


def test_a_number_of_the_source_has_the_bounds_of_an_input() -> None:
    with pytest.raises(CompileError) as err:
        loads(
            HEADER + 'uitkomsten\n  x: getal\nartikel 1\n  tekst "x"\n  regel r\n'
            "    x is 1111111111111111111111111111,5\n"
        )
    assert [d.code for d in err.value.diagnostics] == ["R310"]


# ---------------------------------------------------------------- onbepaald in en, of, tenzij

LOGIC = ["ja", "nee", None]  # None: left out, so onbepaald


def _kleene(op: str, a: bool | None, b: bool | None) -> bool | None:
    if op == "en":
        return False if False in (a, b) else None if None in (a, b) else True
    if op == "of":
        return True if True in (a, b) else None if None in (a, b) else False
    nb = None if b is None else not b  # tenzij: a en niet b
    return _kleene("en", a, nb)


PAIRS = [(op, x, y) for op in ("en", "of", "tenzij") for x, y in (("a", "b"), ("b", "a"))]
LOGIC_POLICY = loads(
    HEADER
    + "gegevens\n  a: ja/nee standaard onbepaald\n  b: ja/nee standaard onbepaald\n"
    + "uitkomsten\n"
    + "".join(f"  {op}_{x}{y}: ja/nee standaard nee\n" for op, x, y in PAIRS)
    + "besluit alles: "
    + ", ".join(f"{op}_{x}{y}" for op, x, y in PAIRS)
    + '\nartikel 1\n  tekst "x"\n'
    + "".join(
        f"  regel r_{op}_{x}{y}\n    {op}_{x}{y} is ja\n    als {x} {op} {y}\n"
        for op, x, y in PAIRS
    )
)


@pytest.mark.parametrize("a", LOGIC)
@pytest.mark.parametrize("b", LOGIC)
def test_en_of_and_tenzij_over_onbepaald_do_not_depend_on_the_order(
    a: str | None, b: str | None
) -> None:
    inputs = {k: v == "ja" for k, v in (("a", a), ("b", b)) if v is not None}
    result = both_paths(LOGIC_POLICY, inputs, "alles")
    va = None if a is None else a == "ja"
    vb = None if b is None else b == "ja"
    for op in ("en", "of", "tenzij"):
        for x, y, left, right in (("a", "b", va, vb), ("b", "a", vb, va)):
            want = _kleene(op, left, right)
            got = result.outcomes[f"{op}_{x}{y}"]
            if want is None:
                assert got.status == "onbepaald", (op, x, y, a, b)
            else:  # nee when the condition is nee (the default), ja when it holds
                assert (got.status, got.value) == ("bepaald", want), (op, x, y, a, b)
    # a commutative operator gives the same in either order
    for op in ("en", "of"):
        ab, ba = result.outcomes[f"{op}_ab"], result.outcomes[f"{op}_ba"]
        assert (ab.status, ab.value) == (ba.status, ba.value)


def test_an_exception_that_is_onbepaald_but_cannot_change_the_value_does_not_matter() -> None:
    policies = loads(
        HEADER + "gegevens\n  x: ja/nee standaard onbepaald\n  y: ja/nee\n"
        "uitkomsten\n  bedrag: bedrag\n  recht: ja/nee standaard nee\n"
        'artikel 1\n  tekst "x"\n'
        '  lid 1\n    tekst "x"\n    regel basis\n      bedrag is € 100\n'
        '  lid 2\n    tekst "x"\n    regel ook_honderd\n      in afwijking van artikel 1 lid 1\n'
        "      bedrag is € 100\n      als x\n"
        "    regel half\n      in afwijking van artikel 1 lid 1\n      bedrag is € 50\n"
        "      als x en y\n"
    )
    result = both_paths(policies, {"y": False})  # x unknown: either way € 100
    assert (result.outcomes["bedrag"].status, result["bedrag"]) == ("bepaald", Decimal(100))
    assert "ongeacht" in (result.outcomes["bedrag"].reason or "")
    result = both_paths(policies, {"y": True})  # x decides between € 100 and € 50
    assert result.outcomes["bedrag"].status == "onbepaald"
    assert "x" in (result.outcomes["bedrag"].reason or "")


# ---------------------------------------------------------------- shared gegevens


def test_a_gegeven_two_regulations_declare_differently_is_a_compile_error() -> None:
    law = (
        'wet a "A"\n  geldig vanaf 01-01-2011\ngegevens\n  g: datum\n'
        'artikel 1\n  tekst "x"\n  begrip oud: leeftijd van g op peildatum ten minste 18 jaar\n'
    )
    local = HEADER + (
        "gegevens\n  g: tekst\nuitkomsten\n  u: ja/nee\n"
        'artikel 1\n  tekst "x"\n  regel r\n    u is ja\n    als a.oud\n'
    )
    _, found = analyse_sources({"a.regel": law, "t.regel": local})
    assert [d.code for d in found] == ["R211"]
    assert {d.span.file for d in found} | {s.file for _, s in found[0].related} == {
        "a.regel",
        "t.regel",
    }


# ---------------------------------------------------------------- the command line


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regel.compiler.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        cwd=ROOT,
    )


def test_a_lone_surrogate_is_refused_in_dutch_in_every_channel(tmp_path: Path) -> None:
    case = tmp_path / "casus.json"
    case.write_text('{"\\udfff": 1, "woonplaats": "\\ud800"}', encoding="utf-8")
    done = run("evalueer", "policies/delft", "--invoer", str(case), "--peildatum", "2011-09-01")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    answer = json.loads(done.stdout)
    assert answer["velden"]["\\udfff"] == "onbekend gegeven voor deze regeling"
    assert "losse surrogaat" in answer["velden"]["woonplaats"]
    delft = rt.InputError  # the Python API says the same
    from regel.compiler import load

    with pytest.raises(delft) as err:
        load(POLICIES / "delft").evaluate(
            "delft", {"woonplaats": "\ud800"}, datetime.date(2011, 9, 1), "aanspraak", trace=False
        )
    assert "losse surrogaat" in err.value.problems["woonplaats"]


@pytest.mark.parametrize(
    "args",
    [
        ["test", "policies/"],
        ["dekking", "policies/"],
        ["verschil", "policies/voorbeeld"],
        ["controleer", "policies/"],
    ],
)
def test_a_reader_that_stops_reading_gets_no_traceback(args: list[str]) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "regel.compiler.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        bufsize=0,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(1)  # `| head -c 1`
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait(60) in (0, 141), err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_a_huge_gap_in_the_numbering_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    policy = tmp_path / "gat.regel"
    policy.write_text(
        HEADER + 'artikel 1\n  tekst "x"\n  niet uitvoerbaar "y"\n'
        'artikel 9999\n  tekst "x"\n  niet uitvoerbaar "y"\n',
        encoding="utf-8",
    )
    assert main(["dekking", str(policy)]) == 1
    out = capsys.readouterr().out
    assert "artikel 2 tot en met 9998  ontbreekt: artikel 2 tot en met 9998 staan niet in" in out
    assert "9997 ontbreekt" in out and len(out.splitlines()) < 12


def test_a_title_that_appears_or_disappears_between_versions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    def version(start: str, end: str, title: str) -> str:
        return (
            f'verordening t "T"\n  vastgesteld door de raad op 01-01-2011\n'
            f"  geldig van {start} tot en met {end}\n"
            f'artikel 1 {title}\n  tekst "x"\n  niet uitvoerbaar "y"\n'
        )

    for old, new in (('""', '"Nieuw"'), ('"Oud"', '""'), ("", '"Nieuw"')):
        (tmp_path / "a.regel").write_text(version("01-01-2011", "31-12-2011", old), "utf-8")
        (tmp_path / "b.regel").write_text(version("01-01-2012", "31-12-2012", new), "utf-8")
        assert main(["verschil", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "opschrift" in out, out


def test_an_interpretation_outside_an_article_is_named_in_dutch() -> None:
    _, found = analyse_sources({"x.regel": HEADER + 'toelichting "' + "lang " * 60 + '"\n'})
    assert [(d.code, d.message) for d in found] == [
        ("R501", "een toelichting staat buiten een artikel")
    ]
    assert found[0].span is not None and found[0].span.end_column - found[0].span.column == 11


def test_no_message_names_a_terminal_of_the_grammar() -> None:
    from regel.compiler.parser import _describe_terminal, _lark

    for terminal in _lark().terminals:
        described = _describe_terminal(terminal.name)
        if described == f"'{terminal.pattern.value}'":
            continue  # the keyword as written ('UWV' is both the word and its terminal's name)
        assert terminal.name not in described and "_" not in described.strip("'"), described


def test_an_error_in_a_calculation_names_its_rule_article_and_line() -> None:
    policies = loads(
        HEADER + "gegevens\n  a: bedrag\n  b: getal\nuitkomsten\n  c: bedrag\nbesluit d: c\n"
        'artikel 4\n  tekst "x"\n  lid 2\n    tekst "x"\n    regel delen\n      c is a / b\n',
        "deling.regel",
    )
    for trace in (False, True):
        with pytest.raises(rt.EvaluationError) as err:
            policies.evaluate("t", {"a": 10, "b": 0}, PEIL, "d", trace=trace)
        assert err.value.to_json() == {
            "fout": "deling door nul (bij regel delen, artikel 4 lid 2, deling.regel:14)",
            "code": "R701",
            "plaats": {"regel": "delen", "artikel": "artikel 4 lid 2", "bron": "deling.regel:14"},
        }


def test_a_rule_that_does_not_apply_is_not_said_to_be_set_aside() -> None:
    """An exception applies; the rule it deviates from would not have applied anyway (the
    person is not married): the motivation says its condition does not hold."""
    policies = loads(
        HEADER + "gegevens\n  gehuwd: ja/nee\n  kostendeler: ja/nee\n"
        "  toets: oordeel van het college\nuitkomsten\n  norm: bedrag\n"
        'artikel 1\n  tekst "x"\n  lid 1\n    tekst "x"\n    regel gehuwden\n'
        "      norm is € 1.000\n      als gehuwd en toets\n"
        '  lid 2\n    tekst "x"\n    regel kostendelers\n      in afwijking van artikel 1 lid 1\n'
        "      norm is € 500\n      als kostendeler\n"
    )
    for gehuwd, status in ((False, "niet_toegepast"), (True, "opzijgezet")):
        result = policies.evaluate(
            "t", {"gehuwd": gehuwd, "kostendeler": True, "toets": True}, PEIL, trace=True
        )
        steps = {s.rule: s for s in result.trace}
        assert steps["gehuwden"].status == status, steps["gehuwden"].text
        # the oordeel read only to say this is not one the decision rests on
        assert [j.name for j in result.judgements] == []


def test_the_bounds_of_a_gegeven_hold_on_the_fast_path_too() -> None:
    from regel.compiler import load

    berkelland = load(POLICIES / "berkelland")
    case = {"soort_reis": "vervolgafspraak", "afstand": Decimal("-9")}
    for trace in (False, True):
        with pytest.raises(rt.InputError) as err:
            berkelland.evaluate("berkelland", case, datetime.date(2008, 3, 1), "reiskosten", trace)
        assert err.value.problems == {"afstand": "mag niet kleiner zijn dan 0 km"}
