"""Evaluation semantics: exceptions, conflicts, onbepaald, lists, dates, norms, trace."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from regel.compiler import CompileError, load, loads
from regel.runtime import EvaluationError, InputError, PeriodError

from .conftest import HEADER, PEIL, POLICIES, WAGE_SUBSIDY_CASE

RULES = (
    HEADER
    + """
gegevens
  a: ja/nee
  b: ja/nee
  c: ja/nee standaard nee
uitkomsten
  x: getal
  y: getal standaard 0
artikel 1
  tekst "t"
  lid 1
    regel basis
      x is 1
      als a
  lid 2
    regel uitzondering
      in afwijking van artikel 1 lid 1
      x is 2
      als b
  lid 3
    regel uitzondering_op_uitzondering
      in afwijking van regel uitzondering
      x is 3
      als c
artikel 2
  tekst "t"
  regel ook
    x is 7
    als a en b en c
"""
)


def ev(text: str, inputs: dict, **kw):
    return loads(text).evaluate("t", inputs, PEIL, **kw)


def test_rule_applies() -> None:
    assert ev(RULES, {"a": True, "b": False})["x"] == 1


def test_exception_wins_over_the_rule_it_names() -> None:
    r = ev(RULES, {"a": True, "b": True})
    assert r["x"] == 2
    assert r.outcomes["x"].rules == ("artikel 1 lid 2",)
    basis = next(t for t in r.trace if t.rule == "basis")
    assert basis.status == "opzijgezet"
    assert "uitzondering" in (basis.set_aside_by or "")


def test_exception_chain_sets_aside_every_level() -> None:
    r = ev(RULES, {"a": True, "b": True, "c": False}, trace=True)
    assert r["x"] == 2
    r = ev(RULES, {"a": False, "b": False, "c": True})
    assert r["x"] == 3


def test_conflict_names_both_anchors() -> None:
    r = ev(RULES, {"a": True, "b": True, "c": True})
    # uitzondering_op_uitzondering (3) and artikel 2 (7) both apply without precedence.
    out = r.outcomes["x"]
    assert out.status == "conflict"
    assert set(out.rules) == {"artikel 1 lid 3", "artikel 2"}
    assert "artikel 1 lid 3" in out.reason and "artikel 2" in out.reason


def test_same_outcome_from_two_rules_is_no_conflict() -> None:
    text = (
        HEADER
        + """
gegevens
  a: ja/nee
uitkomsten
  x: ja/nee
artikel 1
  tekst "t"
  regel r1
    x is nee
    als a
  regel r2
    x is nee
    als a
"""
    )
    r = ev(text, {"a": True})
    assert r.outcomes["x"].status == "bepaald"
    assert r["x"] is False


def test_nothing_applies_does_not_arise_or_gives_the_default() -> None:
    """No rule applying is a determinate answer, distinct from onbepaald (something missing),
    in the result, the JSON and the text."""
    r = ev(RULES, {"a": False, "b": False})
    assert r.outcomes["x"].status == "komt_niet_tot_stand"
    assert r["x"] is None
    assert r.outcomes["x"].display == "komt niet tot stand"
    assert r.outcomes["y"].status == "bepaald"
    assert r["y"] == 0
    assert r.to_json()["uitkomsten"]["x"]["status"] == "komt_niet_tot_stand"
    assert "- x komt niet tot stand: geen enkele regel is van toepassing" in r.text()


def test_an_outcome_can_be_left_open_when_no_rule_applies() -> None:
    """`standaard onbepaald` on an outcome: not knowing yet, rather than not arising."""
    text = RULES.replace("  x: getal\n", "  x: getal standaard onbepaald\n")
    r = ev(text, {"a": False, "b": False})
    assert r.outcomes["x"].status == "onbepaald"
    assert "laat het dan open" in (r.outcomes["x"].reason or "")
    assert ev(text, {"a": True, "b": False})["x"] == 1


def test_not_arising_either_way_is_determinate() -> None:
    """A condition that is onbepaald does not matter when both ways nothing applies."""
    text = (
        HEADER
        + """
gegevens
  a: ja/nee standaard onbepaald
  b: ja/nee
uitkomsten
  x: getal
artikel 1
  tekst "t"
  lid 1
    regel r
      x is 1
      als b
  lid 2
    regel tenzij_a
      in afwijking van regel r
      niet van toepassing
      als a
"""
    )
    r = ev(text, {"b": False})
    assert r.outcomes["x"].status == "komt_niet_tot_stand"
    assert "ongeacht een voorwaarde die onbepaald is" in (r.outcomes["x"].reason or "")
    assert ev(text, {"b": True}).outcomes["x"].status == "onbepaald"


def test_missing_and_unknown_inputs_are_reported_per_field() -> None:
    with pytest.raises(InputError) as err:
        ev(RULES, {"a": "misschien", "zz": 1})
    assert set(err.value.problems) == {"a", "b", "zz"}
    assert err.value.problems["a"] == "verwacht ja of nee: true of false"


def test_float_input_is_refused() -> None:
    text = (
        HEADER + 'gegevens\n  n: bedrag\nuitkomsten\n  x: bedrag\nartikel 1\n  tekst "t"\n'
        "  regel r\n    x is n\n"
    )
    with pytest.raises(InputError) as err:
        ev(text, {"n": 1.1})
    assert "float" in err.value.problems["n"]
    assert ev(text, {"n": "1.10"})["x"] == Decimal("1.10")


def test_peildatum_outside_period_is_an_error() -> None:
    with pytest.raises(PeriodError) as err:
        loads(RULES).evaluate("t", {"a": True, "b": True}, datetime.date(2012, 1, 1))
    assert "buiten de geldigheid" in err.value.message


def test_unknown_decision() -> None:
    with pytest.raises(EvaluationError):
        ev(RULES, {"a": True, "b": True}, besluit="niets")


def test_dates_ages_and_month_rounding() -> None:
    text = (
        HEADER
        + """
gegevens
  geboren: datum
  start: datum
uitkomsten
  leeftijd_nu: duur in jaren
  einde_beneden: datum
  einde_boven: datum
  verstreken: duur in maanden
artikel 1
  tekst "t"
  regel r1
    leeftijd_nu is leeftijd van geboren op peildatum
  regel r2
    einde_boven is start + 1 maand afgerond naar boven
  regel r3
    einde_beneden is start + 1 maand afgerond naar beneden
  regel r4
    verstreken is maanden van start tot peildatum
"""
    )
    r = ev(text, {"geboren": "1986-09-02", "start": "2011-01-31"})
    assert r["leeftijd_nu"] == 24
    assert r["einde_beneden"] == datetime.date(2011, 2, 28)
    assert r["einde_boven"] == datetime.date(2011, 3, 1)
    assert r["verstreken"] == 7


def test_month_arithmetic_on_nonexistent_day_is_an_error() -> None:
    text = (
        HEADER
        + """
gegevens
  start: datum
uitkomsten
  einde: datum
artikel 1
  tekst "t"
  regel r
    einde is start + 1 maand
"""
    )
    with pytest.raises(EvaluationError) as err:
        ev(text, {"start": "2011-01-31"})
    assert err.value.code == "R703"
    assert ev(text, {"start": "2011-01-28"})["einde"] == datetime.date(2011, 2, 28)


def test_oordeel_is_listed_as_relied_upon() -> None:
    policies = load(POLICIES)
    r = policies.evaluate(
        "delft",
        {
            "uitkering": "WWB",
            "woonplaats": "Delft",
            "inzet_noodzakelijk": True,
            "voorliggende_voorziening_volstaat": False,
            "arbeid_zonder_voorziening_mogelijk": False,
        },
        PEIL,
        besluit="aanspraak",
    )
    names = {j.name: j.organ for j in r.judgements}
    assert names == {
        "inzet_noodzakelijk": "college",
        "voorliggende_voorziening_volstaat": "college",
        "arbeid_zonder_voorziening_mogelijk": "college",
    }
    data = r.to_json()
    assert data["uitkomsten"]["aanspraak_voorziening"]["grondslag"] == ["artikel 3 lid 1"]
    assert {m["artikel"] for m in data["motivering"]} >= {"artikel 3 lid 1", "artikel 3 lid 2"}


def test_open_norm_filled_by_the_college() -> None:
    raad = """verordening hoog "Hoog"
  vastgesteld door de raad op 01-01-2011
  geldig vanaf 01-01-2011
gegevens
  loon: bedrag per maand
uitkomsten
  subsidie: bedrag per maand
artikel 1
  tekst "t"
  lid 2
    open norm maximum_subsidie: bedrag per maand "max" overgelaten aan het college
  lid 3
    regel r
      subsidie is loon met een maximum van maximum_subsidie
"""
    college = """beleidsregels laag "Laag"
  vastgesteld door het college op 01-02-2011
  geldig vanaf 01-02-2011
artikel 6
  tekst "t"
  vult norm hoog.maximum_subsidie met € 500,00 per maand
"""
    from regel.compiler.api import load_sources

    alone = load_sources({"hoog.regel": raad})
    r = alone.evaluate("hoog", {"loon": "900"}, PEIL)
    assert r.outcomes["subsidie"].status == "onbepaald"
    assert "niet ingevuld" in (r.outcomes["subsidie"].reason or "")
    both = load_sources({"hoog.regel": raad, "laag.regel": college})
    assert both.evaluate("hoog", {"loon": "900"}, PEIL)["subsidie"] == Decimal("500.00")
    assert both.evaluate("hoog", {"loon": "400"}, PEIL)["subsidie"] == Decimal("400")
    wrong = college.replace("door het college", "door de raad")
    with pytest.raises(CompileError) as err:
        load_sources({"hoog.regel": raad, "laag.regel": wrong})
    assert [d.code for d in err.value.diagnostics] == ["R801"]


def test_list_outcome_and_not_applicable_exception() -> None:
    r = load(POLICIES).evaluate(
        "delft",
        {
            "uitkering": "IOAZ",
            "ingangsdatum_uitkering": "2011-07-15",
            "datum_melding_uwv": "2011-07-15",
        },
        PEIL,
        besluit="verplichtingen",
    )
    assert "een trajectplan tijdig ondertekenen" not in r["verplichtingen"]
    r = load(POLICIES).evaluate(
        "delft",
        {
            "uitkering": "IOAZ",
            "ingangsdatum_uitkering": "2011-07-16",
            "datum_melding_uwv": "2011-07-16",
        },
        PEIL,
        besluit="verplichtingen",
    )
    assert "een trajectplan tijdig ondertekenen" in r["verplichtingen"]


def test_worked_example_wage_subsidy() -> None:
    r = load(POLICIES).evaluate(
        "berkelland",
        WAGE_SUBSIDY_CASE,
        datetime.date(2008, 3, 1),
        besluit="loonkostensubsidie",
    )
    assert r["loonkostensubsidie"] == Decimal("500.00")
    assert r.outcomes["loonkostensubsidie"].display == "€ 500,00 per maand"


def test_one_reads_in_the_singular_in_facts_values_and_calculations() -> None:
    """One reads "1 maand" and "1 dag": in the facts of a condition, an outcome, a calculation."""
    text = (
        HEADER
        + """
gegevens
  duur: maanden
  start: datum
uitkomsten
  verlenging: duur in maanden
  einde: datum
artikel 1
  tekst "t"
  regel r
    verlenging is duur
    als duur ten minste 1 maand
  regel e
    einde is start + duur - 1 dag
"""
    )
    r = ev(text, {"duur": Decimal(1), "start": datetime.date(2011, 3, 1)})
    assert r.outcomes["verlenging"].display == "1 maand"
    steps = {t.rule: t for t in r.trace}
    assert steps["r"].facts == {"duur": "1 maand"}
    assert "1 maand (duur) = 1 april 2011" in steps["e"].text
    assert "− 1 dag = 31 maart 2011" in steps["e"].text


WHY = (
    HEADER
    + """
gegevens
  leeftijd_klant: jaren
  maanden_werkloos: maanden
  gehuwd: ja/nee
  student: ja/nee
uitkomsten
  steun: getal
artikel 1
  tekst "t"
  lid 1
    begrip lang_genoeg "lang genoeg werkloos":
      maanden_werkloos minstens 6 maanden als leeftijd_klant jonger dan 25 jaar
      anders maanden_werkloos minstens 12 maanden
  lid 2
    regel en_regel
      steun is 1
      als lang_genoeg en leeftijd_klant minstens 18 jaar en niet gehuwd
    regel of_regel
      steun is 2
      als gehuwd of student
    regel tenzij_regel
      steun is 3
      als leeftijd_klant minstens 18 jaar tenzij student
"""
)


@pytest.mark.parametrize(
    ("inputs", "rule", "why"),
    [
        # of `en`, only the parts that are nee; a begrip with its article and its own reason
        (
            {"leeftijd_klant": 30, "maanden_werkloos": 11, "gehuwd": False, "student": True},
            "en_regel",
            [
                "lang genoeg (artikel 1 lid 1) is nee, want 11 maanden (maanden werkloos) is "
                "niet minstens 12 maanden (in het geval “anders”: 30 jaar (leeftijd klant) is "
                "niet jonger dan 25 jaar)"
            ],
        ),
        # `niet a` fails because a holds
        (
            {"leeftijd_klant": 20, "maanden_werkloos": 7, "gehuwd": True, "student": True},
            "en_regel",
            ["gehuwd: ja"],
        ),
        # of `of`, every part
        (
            {"leeftijd_klant": 30, "maanden_werkloos": 20, "gehuwd": False, "student": False},
            "of_regel",
            ["gehuwd: nee", "student: nee"],
        ),
        # `a tenzij b`: a holds, b too
        (
            {"leeftijd_klant": 30, "maanden_werkloos": 20, "gehuwd": False, "student": True},
            "tenzij_regel",
            ["student: ja"],
        ),
        # `a tenzij b`: a does not hold
        (
            {"leeftijd_klant": 16, "maanden_werkloos": 20, "gehuwd": False, "student": False},
            "tenzij_regel",
            ["16 jaar (leeftijd klant) is niet minstens 18 jaar"],
        ),
    ],
)
def test_a_rule_that_did_not_apply_says_which_part_decided(
    inputs: dict[str, object], rule: str, why: list[str]
) -> None:
    """Of a condition that was not met the motivation names the parts that decided, down to
    the comparison and its values, through the begrippen with their article (JSON `waarom`)."""
    r = ev(WHY, {k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
                 for k, v in inputs.items()})  # fmt: skip
    step = next(t for t in r.trace if t.rule == rule)
    assert step.status == "niet_toegepast"
    assert step.why == why
    assert step.text.endswith(f"is niet vervuld, want {' en '.join(why)}.")
    listed = next(s for s in r.to_json()["motivering"] if s["regel"] == rule)
    assert listed["waarom"] == why


def test_an_input_only_an_exception_reads_belongs_to_the_decision() -> None:
    """A `niet van toepassing` rule of another outcome that sets aside this decision's rule:
    what it reads is part of the decision's input, asked for like any other (never both
    "onbekend gegeven" and "niet opgegeven")."""
    text = (
        HEADER
        + """
gegevens
  b: ja/nee
  uitgezonderd: ja/nee "Alleen de uitzondering leest dit"
uitkomsten
  x: getal
  y: getal standaard 0
besluit alleen_x: x
artikel 1
  tekst "t"
  lid 1
    regel r
      x is 1
      als b
  lid 2
    regel uitzondering
      in afwijking van regel r
      niet van toepassing
      als uitgezonderd
"""
    )
    policies = loads(text)
    day = datetime.date(2011, 6, 1)
    assert policies.evaluate("t", {"b": True, "uitgezonderd": False}, day, "alleen_x")["x"] == 1
    assert (
        policies.evaluate("t", {"b": True, "uitgezonderd": True}, day, "alleen_x")
        .outcomes["x"]
        .status
        == "komt_niet_tot_stand"
    )
    with pytest.raises(InputError) as err:
        policies.evaluate("t", {"b": True}, day, "alleen_x")
    assert err.value.problems == {"uitgezonderd": "ontbreekt (verplicht gegeven)"}
    partial = policies.evaluate("t", {"b": True}, day, "alleen_x", onvolledig=True)
    assert partial.needed == ("uitgezonderd",)
