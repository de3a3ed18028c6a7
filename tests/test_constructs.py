"""Constructs a municipal regulation needs, as a policy writer writes them: APV numbers and
nested onderdelen, units such as m² and `per m² per jaar`, whole-number counts, and
regulations that are only partly encoded."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regel import runtime as rt
from regel.compiler import load, loads
from regel.compiler.api import analyse_sources
from regel.compiler.coverage import MISSING, OMITTED, coverage, render
from regel.runtime.inputs import json_schema

from .conftest import POLICIES

DAY = datetime.date(2020, 6, 1)
HEAD = """verordening t "Test"
  vastgesteld door de raad op 01-01-2020
  geldig vanaf 01-01-2020
"""


@pytest.mark.parametrize("label", ["2:30b", "7.1a", "4a", "2.3.1", "B.6", "10"])
def test_article_numbers_as_the_text_writes_them(label: str) -> None:
    text = (
        HEAD
        + f"""gegevens
  terras: ja/nee
uitkomsten
  nodig: verplichting standaard nee
artikel {label} "Terras"
  lid 1
    tekst "Het is verboden zonder vergunning een terras te exploiteren."
    regel vergunning
      nodig is ja
      als terras
"""
    )
    result = loads(text)["t"].evaluate({"terras": True}, DAY, trace=True)
    assert result.outcomes["nodig"].rules == (f"artikel {label} lid 1",)
    assert f"Artikel {label} lid 1 (regel vergunning) is toegepast" in result.text()


def test_nested_onderdelen_are_cited_and_deviated_from_as_written() -> None:
    apv = load(POLICIES / "voorbeeld")["voorbeeld_apv"]
    given = {"terras_exploiteren": True, "terras_op_openbare_weg": True}
    result = apv.evaluate({**given, "vrije_doorgang_in_meters": Decimal("1.2")}, DAY, "terras")
    assert result.outcomes["weigeringsgronden"].rules == ("artikel 2:30b lid 2 onder b sub 1°",)
    sources = {
        "t.regel": HEAD
        + """gegevens
  a: ja/nee
uitkomsten
  x: ja/nee standaard nee
artikel 31 "Middelen"
  lid 2
    tekst "Niet gerekend worden:"
    onderdeel a
      tekst "bijstand:"
      onderdeel 1°
        tekst "voor een kind;"
        regel kind
          x is ja
          als a
      onderdeel 2°
        tekst "maar niet:"
        regel niet_kind
          in afwijking van artikel 31 lid 2 onder a sub 1°
          x is nee
          als a
"""
    }
    analysis, diagnostics = analyse_sources(sources)
    assert [d.code for d in diagnostics] == []
    info = analysis.regs["t"]
    assert {str(a) for a in info.units} >= {
        "artikel 31 lid 2 onder a",
        "artikel 31 lid 2 onder a sub 1°",
        "artikel 31 lid 2 onder a sub 2°",
    }
    outer = next(a for a in info.units if str(a) == "artikel 31 lid 2 onder a")
    inner = next(a for a in info.units if str(a) == "artikel 31 lid 2 onder a sub 1°")
    assert outer.contains(inner) and not inner.contains(outer)
    t = loads(sources["t.regel"])["t"]
    assert t.evaluate({"a": True}, DAY).outcomes["x"].value is False


def test_units_multiply_and_divide_exactly() -> None:
    precario = load(POLICIES / "voorbeeld")["voorbeeld_precario"]
    inputs = {
        "lengte_terras": Decimal("4.2"),
        "diepte_terras": Decimal(3),
        "maanden_geplaatst": Decimal(6),
        "parasols": 2,
    }
    result = precario.evaluate(inputs, DAY, "aanslag", trace=True)
    assert result.outcomes["oppervlakte"].display == "13 m²"  # 12,6 m², rounded up
    assert result.outcomes["precariobelasting"].value == Decimal("259.65")
    text = result.text()
    assert "€ 36,10 per m² per jaar (tarief terras) × 13 m² (oppervlakte) = € 469,30 per jaar" in (
        text.replace("\xa0", " ")
    )
    # the same without a trace, and from JSON
    fast = precario.evaluate(inputs, DAY, "aanslag")
    assert fast.outcomes["precariobelasting"].value == Decimal("259.65")


def test_a_unit_left_over_is_an_error_that_says_what_is_missing() -> None:
    _, diagnostics = analyse_sources(
        {
            "t.regel": HEAD
            + """gegevens
  oppervlakte: m²
uitkomsten
  belasting: bedrag
artikel 1 "Tarief"
  tekst "€ 36,10 per m² per jaar"
  regel r
    belasting is € 36,10 per m² per jaar × oppervlakte
"""
        }
    )
    [found] = diagnostics
    assert found.code == "R304" and "bedrag per jaar" in found.message
    assert found.hint is not None and "× 1 jaar" in found.hint


COUNT = (
    HEAD
    + """gegevens
  kinderen: aantal "Het aantal kinderen"
uitkomsten
  gezin: ja/nee standaard nee
artikel 1 "Gezin"
  tekst "…"
  regel r
    gezin is ja
    als kinderen > 0
"""
)


@pytest.mark.parametrize("value", [Decimal("2.5"), "2.5", "-3", -1, "3.0", "1E+1"])
def test_a_count_is_a_whole_number_of_zero_or_more_in_every_path(value: object) -> None:
    t = loads(COUNT)["t"]
    for trace in (False, True):
        with pytest.raises(rt.InputError) as err:
            t.evaluate({"kinderen": value}, DAY, trace=trace)
        assert "kinderen" in err.value.problems


def test_a_count_accepts_whole_numbers_and_says_so_in_the_schema() -> None:
    t = loads(COUNT)["t"]
    for value in (0, 3, Decimal(3), "3", Decimal("3.0")):
        assert t.evaluate({"kinderen": value}, DAY).outcomes["gezin"].value is (value not in (0,))
    schema = json_schema(t.inputs["kinderen"])
    assert schema["anyOf"][0] == {"type": "integer", "minimum": 0, "exclusiveMaximum": 10**15}
    assert "geheel getal" in rt.inputs.describe(t.inputs["kinderen"])


def test_a_partly_encoded_regulation_is_honest_about_what_it_left_out() -> None:
    policies = load(POLICIES / "voorbeeld" / "apv.regel")
    [cov] = coverage(policies.analysis)
    assert cov.complete
    # 2:1 to 2:9 skipped, 2:10 marked niet opgenomen, 2:11 to 2:28 skipped
    assert cov.count(OMITTED) == 28
    assert cov.count(MISSING) == 0
    text = render(cov)
    assert "dekking 100% van het opgenomen deel: 7 gecodeerd" in text
    assert "28 niet opgenomen" in text
    # without `gedeeltelijk opgenomen` the same skipped numbers are missing
    source = (POLICIES / "voorbeeld" / "apv.regel").read_text(encoding="utf-8")
    whole = "\n".join(
        line for line in source.splitlines() if not line.strip().startswith("gedeeltelijk")
    )
    analysis, _ = analyse_sources({"apv.regel": whole})
    [cov] = coverage(analysis)
    assert not cov.complete and cov.count(MISSING) == 9 + 18


def test_several_articles_without_a_known_number_are_told_apart_by_title() -> None:
    text = """verordening t "Test"
  vastgesteld door de raad
  geldig vanaf 01-01-2020
artikel onbekend "Normen voor het college"
  tekst onbekend "Niet in de bronnen."
  open norm hoogste_bedrag: bedrag per maand "Het hoogste bedrag" overgelaten aan het college
artikel onbekend "Normen voor de burgemeester"
  tekst onbekend "Niet in de bronnen."
  open norm sluitingsuur: getal "Het sluitingsuur" overgelaten aan de burgemeester
"""
    analysis, diagnostics = analyse_sources({"t.regel": text})
    assert [d.code for d in diagnostics] == []
    anchors = {str(a) for a in analysis.regs["t"].units}
    assert anchors == {
        "artikel onbekend (Normen voor het college)",
        "artikel onbekend (Normen voor de burgemeester)",
    }


def test_refusal_grounds_are_written_once_and_give_both_the_grounds_and_the_answer() -> None:
    apv = load(POLICIES / "voorbeeld")["voorbeeld_apv"]
    base = {"terras_exploiteren": True, "terras_op_openbare_weg": True}
    granted = apv.evaluate({**base, "vrije_doorgang_in_meters": Decimal(2)}, DAY, "terras")
    assert granted["vergunning_verleend"] is True and granted["weigeringsgronden"] == ()
    refused = apv.evaluate(
        {**base, "vrije_doorgang_in_meters": Decimal("1.2"), "in_strijd_met_bestemmingsplan": True},
        DAY,
        "terras",
        trace=True,
    )
    assert refused["vergunning_verleend"] is False
    assert len(refused["weigeringsgronden"]) == 2
    [step] = [t for t in refused.trace if t.rule == "verlenen"]
    assert step.status == "niet_toegepast"
    assert step.why == [
        "weigeringsgronden is niet leeg: “te weinig vrije doorgang (artikel 2:30b lid 2 onder b "
        "sub 1°)”; “strijd met het bestemmingsplan (artikel 2:30b lid 2 onder c)”"
    ]


def test_each_gemeente_fills_the_same_norm_of_a_law_for_its_own_territory() -> None:
    shipped = load(POLICIES / "voorbeeld")
    wet = shipped["voorbeeldwet"]
    born = {"geboortedatum": datetime.date(1995, 1, 1)}  # 25 on the peildatum

    def decide(gemeente: str | None) -> rt.Result:
        return wet.evaluate(born, DAY, "jongere", trace=True, gemeente=gemeente)

    assert decide("GM9998")["jongere"] is True  # Voorbeeld: younger than 27
    anderdorp = decide("GM9999")
    assert anderdorp["jongere"] is False  # Anderdorp: younger than 23
    assert anderdorp.gemeente == "GM9999"
    assert "Beslist voor de gemeente Anderdorp (GM9999)." in anderdorp.text()
    assert (
        "23 jaar, vastgesteld in artikel 1 van Verordening jongeren Anderdorp"
        in (anderdorp.norms[0])
    )
    assert anderdorp.to_json()["gemeente"] == "GM9999"
    elsewhere = decide("GM0503")  # no verordening loaded: the law's own 30 years
    assert elsewhere["jongere"] is True
    assert "de gemeente GM0503 heeft hem niet ingevuld" in elsewhere.norms[0]
    unknown = decide(None)
    assert unknown.outcomes["jongere"].status == "onbepaald"
    assert "per gemeente ingevuld" in (unknown.outcomes["jongere"].reason or "")
    # the same answers without a trace (no one-pass shortcut takes another gemeente's norms)
    for code, want in (("GM9998", True), ("GM9999", False), ("GM0503", True)):
        assert wet.evaluate(born, DAY, "jongere", gemeente=code)["jongere"] is want


def test_a_municipal_regulation_decides_for_its_own_gemeente_only() -> None:
    delft = load(POLICIES / "delft")["delft"]
    day = datetime.date(2011, 9, 1)
    given = {"uitkering": "WWB", "woonplaats": "Rotterdam"}
    own = delft.evaluate(given, day, "aanspraak", onvolledig=True, gemeente="GM0503")
    assert own["aanspraak_voorziening"] is False
    with pytest.raises(rt.EvaluationError) as err:
        delft.evaluate(given, day, "aanspraak", onvolledig=True, gemeente="GM9999")
    assert err.value.code == "R605" and "geldt in Delft (GM0503)" in err.value.message
    with pytest.raises(rt.InputError) as bad:
        delft.evaluate(given, day, "aanspraak", gemeente="Delft")
    assert "GM en vier cijfers" in bad.value.problems["gemeente"]


def test_one_case_file_serves_connected_regulations() -> None:
    """The national decision accepts a record that also holds the gegevens of the
    verordening that fills its norm, and leaves them alone; a typo is still refused, and so
    is a gegeven of an unconnected regulation."""
    wet = load(POLICIES / "voorbeeld")["voorbeeldwet"]
    record = {"geboortedatum": datetime.date(1995, 1, 1), "uitkering": "WWB"}
    result = wet.evaluate(record, DAY, "jongere", gemeente="GM9998")
    assert result["jongere"] is True
    for wrong in ("uitkring", "lengte_terras"):
        with pytest.raises(rt.InputError) as err:
            wet.evaluate({**record, wrong: "x"}, DAY, "jongere", gemeente="GM9998")
        assert err.value.problems == {wrong: "onbekend gegeven voor deze regeling"}


# ---------------------------------------------------------------- clock times

CLOCK = (
    HEAD
    + """gegevens
  opent: kloktijd "Hoe laat het terras opengaat"
  sluit: kloktijd "Hoe laat het terras dichtgaat"
uitkomsten
  minuten_open: duur in minuten
  uren_open: duur in uren
  laatste_ronde: kloktijd
  te_laat: ja/nee standaard nee
artikel 1
  tekst "Een terras mag open zijn tot 01:00 in de nacht na de openingsdag."
  regel r1
    minuten_open is het aantal minuten van opent tot sluit
  regel r2
    uren_open is het aantal uren van opent tot sluit
  regel r3
    laatste_ronde is sluit - 45 minuten
  regel r4
    te_laat is ja
    als het aantal minuten van opent tot sluit > het aantal minuten van opent tot 01:00
"""
)
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@settings(max_examples=80, deadline=None)
@given(TIMES, TIMES)
def test_a_closing_time_before_the_opening_time_is_the_night_after(
    start: datetime.time, end: datetime.time
) -> None:
    policies = _clock()
    plain = policies.evaluate("t", {"opent": start.strftime("%H:%M"), "sluit": end}, DAY)
    explained = policies.evaluate("t", {"opent": start, "sluit": end}, DAY, trace=True)
    assert {k: r.value for k, r in plain.outcomes.items()} == {
        k: r.value for k, r in explained.outcomes.items()
    }
    minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
    assert plain["minuten_open"] == minutes
    assert plain["uren_open"] == minutes // 60
    back = (end.hour * 60 + end.minute - 45) % (24 * 60)
    assert plain["laatste_ronde"] == datetime.time(back // 60, back % 60)
    until_one = (60 - start.hour * 60 - start.minute) % (24 * 60)
    assert plain["te_laat"] is (minutes > until_one)


def test_clock_times_in_and_out_as_a_clock_writes_them() -> None:
    policies = _clock()
    result = policies.evaluate("t", {"opent": "10:00", "sluit": "01:00"}, DAY, trace=True)
    answer = result.to_json()
    assert answer["uitkomsten"]["laatste_ronde"]["waarde"] == "00:15"
    assert answer["uitkomsten"]["laatste_ronde"]["weergave"] == "00.15 uur"
    assert answer["uitkomsten"]["uren_open"]["weergave"] == "15 uur"
    assert "hele uren van 10.00 uur (opent) tot 01.00 uur (sluit): 15 uur" in result.text()
    for wrong in ("24:00", "1:00", "10.00", 1000, "10:00:30"):
        with pytest.raises(rt.InputError) as err:
            policies.evaluate("t", {"opent": "10:00", "sluit": wrong}, DAY)
        assert "is geen kloktijd; schrijf het als UU:MM (22:30)" in err.value.problems["sluit"]
    spec = policies.program.versions["t"][0].inputs["sluit"]
    schema = json_schema(spec)
    assert schema["type"] == "string"
    assert re.fullmatch(schema["pattern"][1:-1], "23:59")
    assert not re.fullmatch(schema["pattern"][1:-1], "24:00")


_CLOCK: list[Any] = []


def _clock() -> Any:
    if not _CLOCK:
        _CLOCK.append(loads(CLOCK))
    return _CLOCK[0]


# ---------------------------------------------------------------- a gegeven of another regulation

LAW = """wet landelijk "Een landelijke wet"
  geldig vanaf 01-01-2011
gegevens
  geboortedatum: datum "De geboortedatum"
artikel 1 "Begrippen"
  tekst "Meerderjarig is wie 18 jaar of ouder is."
  begrip meerderjarig: leeftijd van geboortedatum op peildatum ten minste 18 jaar
"""
BYLAW = """verordening gemeente "Een verordening"
  vastgesteld door de raad op 01-01-2011
  geldig van 01-01-2011 tot en met 31-12-2011
uitkomsten
  jong: ja/nee standaard nee
artikel 1 "Jong"
  tekst "Jong is wie na 2000 geboren is en niet meerderjarig."
  regel jong_genoeg
    jong is ja
    als landelijk.geboortedatum later dan 31-12-2000 en niet landelijk.meerderjarig
"""


def test_a_regulation_reads_the_gegevens_of_the_law_it_builds_on() -> None:
    """One birth date, declared once: the verordening reads the law's own gegeven, takes it
    in its input (and asks for it from partial input), and names where it comes from."""
    from regel.compiler.api import load_sources

    policies = load_sources({"wet.regel": LAW, "verordening.regel": BYLAW})
    day = datetime.date(2011, 6, 1)
    result = policies.evaluate("gemeente", {"geboortedatum": "2001-03-01"}, day, trace=True)
    assert result["jong"] is True
    assert "geboortedatum: 1 maart 2001 (uit Een landelijke wet)" in result.text()
    assert policies.evaluate("gemeente", {"geboortedatum": "1990-03-01"}, day)["jong"] is False
    partial = policies.evaluate("gemeente", {}, day, onvolledig=True)
    assert partial.outcomes["jong"].status == "onbepaald"
    assert partial.needed == ("geboortedatum",)
    with pytest.raises(rt.InputError) as err:
        policies.evaluate("gemeente", {}, day)
    assert err.value.problems == {"geboortedatum": "ontbreekt (verplicht gegeven)"}


def test_the_words_of_aggregates_and_clock_times_stay_usable_as_names() -> None:
    """`het aantal in …`, `de som van …` and `het aantal uren van …` start with `het` or `de`,
    so that `aantal`, `som`, `hoogste` and `uren` remain names a policy writer may choose."""
    policies = loads(
        HEAD
        + """gegevens
  aantal: aantal
  uren: uur per week
  som: bedrag
uitkomsten
  hoogste: bedrag
artikel 1
  tekst "t"
  regel r
    hoogste is som × aantal
    als uren ten minste 10 uur per week
"""
    )
    result = policies.evaluate("t", {"aantal": 3, "uren": "12", "som": "2.50"}, DAY)
    assert result["hoogste"] == Decimal("7.50")
