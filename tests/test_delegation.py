"""The delegation chain raad > college (DOMEIN §2a) and the constructs that texts without
articles need: a verordening whose text is not available, beleidsregels in paragrafen and
alinea's, reading an open norm of another regulation, and optional inputs."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regel.compiler import CompileError, load
from regel.compiler.api import load_sources

from .conftest import POLICIES, WAGE_SUBSIDY_CASE

PEIL = datetime.date(2008, 3, 1)
BERKELLAND = load(POLICIES / "berkelland")

VERORDENING = """verordening v "Verordening"
  vastgesteld door de raad
  geldig van 01-01-2020 tot en met 31-12-2020

artikel onbekend "Normen"
  tekst onbekend "De tekst staat niet in de bronnen."
  open norm plafond: bedrag "Het maximum" overgelaten aan het college
"""

BELEID = """beleidsregels b "Beleid"
  vastgesteld door het college op 01-01-2020
  geldig van 01-01-2020 tot en met 31-12-2021
  gelet op v

gegevens
  kosten: bedrag "De kosten"
  peil: datum "Een datum" standaard onbepaald
  gebruik_peil: ja/nee "Gebruikt de regel de datum?" standaard nee

uitkomsten
  vergoeding: bedrag "De vergoeding"
  later: ja/nee "Ligt de datum na 1 juni?"

besluit vergoeding: vergoeding
besluit later: later

paragraaf A "Vergoeding"
  alinea 1
    tekst "De vergoeding is ten hoogste € 100,00."
    vult norm v.plafond met € 100,00
    regel vergoeding
      vergoeding is minimum van (kosten, v.plafond)
  alinea 2
    tekst "Een datum na 1 juni telt."
    regel later
      later is gebruik_peil en peil later dan 01-06-2020
"""


@pytest.fixture(scope="module")
def chain():
    return load_sources({"v.regel": VERORDENING, "b.regel": BELEID})


def test_berkelland_rules_fill_the_norms_their_verordening_leaves_to_the_college() -> None:
    policies = BERKELLAND
    case = WAGE_SUBSIDY_CASE
    result = policies.evaluate("berkelland", case, PEIL, "loonkostensubsidie", trace=True)
    assert result["loonkostensubsidie"] == Decimal("500.00")
    assert result.outcomes["loonkostensubsidie"].rules == ("paragraaf B.6 alinea 2 onder 1",)
    # the norms live in the verordening, filled by the beleidsregels of the college
    verordening = policies.regulations["berkelland_verordening"]
    assert set(verordening.norms) >= {"maximale_loonkostensubsidie", "kilometervergoeding"}


def test_the_fast_and_the_full_path_read_the_same_norm(chain) -> None:
    beleid = chain.regulations["b"]
    assert "vergoeding" in beleid.fast  # a literal filling: read without a context
    for kosten, expected in [("40.00", "40.00"), ("100.00", "100.00"), ("250.00", "100.00")]:
        fast = chain.evaluate("b", {"kosten": kosten}, datetime.date(2020, 5, 1), "vergoeding")
        full = chain.evaluate(
            "b", {"kosten": kosten}, datetime.date(2020, 5, 1), "vergoeding", trace=True
        )
        assert fast["vergoeding"] == full["vergoeding"] == Decimal(expected)


def test_without_the_verordening_in_force_the_norm_is_onbepaald(chain) -> None:
    # 2021: the beleidsregels still hold, the verordening that delegates does not
    for trace in (False, True):
        result = chain.evaluate(
            "b", {"kosten": "40.00"}, datetime.date(2021, 3, 1), "vergoeding", trace=trace
        )
        outcome = result.outcomes["vergoeding"]
        assert outcome.status == "onbepaald"
        assert "geen versie van 'v'" in outcome.reason


def test_a_filling_that_reads_inputs_takes_the_full_path() -> None:
    beleid = BELEID.replace("vult norm v.plafond met € 100,00", "vult norm v.plafond met kosten")
    policies = load_sources({"v.regel": VERORDENING, "b.regel": beleid})
    assert "vergoeding" not in policies.regulations["b"].fast
    result = policies.evaluate("b", {"kosten": "250.00"}, datetime.date(2020, 5, 1), "vergoeding")
    assert result["vergoeding"] == Decimal("250.00")


def test_an_optional_input_left_out_makes_only_what_reads_it_onbepaald(chain) -> None:
    day = datetime.date(2020, 5, 1)
    assert chain.evaluate("b", {}, day, "later")["later"] is False  # not read: no need
    result = chain.evaluate("b", {"gebruik_peil": True}, day, "later", trace=True)
    assert result.outcomes["later"].status == "onbepaald"
    assert "'peil' is niet opgegeven" in result.outcomes["later"].reason
    given_ = {"gebruik_peil": True, "peil": "2020-07-01"}
    assert chain.evaluate("b", given_, day, "later")["later"] is True


def test_paragrafen_and_alineas_are_cited_as_the_text_names_them(chain) -> None:
    result = chain.evaluate("b", {"kosten": "40.00"}, datetime.date(2020, 5, 1), trace=True)
    assert result.outcomes["vergoeding"].rules == ("paragraaf A alinea 1",)


def test_a_reference_to_a_missing_alinea_names_it() -> None:
    broken = BELEID.replace(
        "    regel later\n", "    regel later\n      in afwijking van paragraaf A alinea 3\n"
    )
    with pytest.raises(CompileError) as err:
        load_sources({"v.regel": VERORDENING, "b.regel": broken})
    assert "uitzondering op paragraaf A alinea 3" in err.value.render()


@settings(max_examples=100, deadline=None)
@given(km=st.decimals(min_value=0, max_value=400, places=1), traject=st.booleans())
def test_travel_costs_follow_the_filled_kilometre_rate(km: Decimal, traject: bool) -> None:
    kind = "traject" if traject else "vervolgafspraak"
    case = {"soort_reis": kind, "afstand": km}
    result = BERKELLAND.evaluate("berkelland", case, PEIL, "reiskosten")
    rate = Decimal("0.19")
    single = Decimal(0) if km <= 10 else km * rate  # a trajectory: one way, above 10 km
    expected = single if traject else 2 * km * rate
    assert result["reiskostenvergoeding"] == expected.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_decision_says_what_kind_of_text_it_rests_on() -> None:
    """Guidance is cited as guidance, not as law (issue 3): the answer names the kind."""
    policies = load(POLICIES / "landelijk")
    case = {"uitkering": "WW", "samenloop": False}
    answer = policies.evaluate(
        "handreiking_inkoop", case, datetime.date(2008, 10, 1), "verantwoordelijkheid"
    )
    assert answer.to_json()["soort"] == "handreiking"
    assert answer.to_json()["uitkomsten"]["kosten_gedragen_door"]["grondslag"] == ["paragraaf B1.1"]
    page = policies.evaluate(
        "gemeenteloket",
        {"uitkering": "WW", "geboortedatum": "1970-01-01", "inzet_gewenst_op_werkplein": True},
        datetime.date(2014, 12, 1),
        "verantwoordelijkheid",
        trace=True,
    )
    assert page.to_json()["soort"] == "informatie"
    assert page["inzet_voor_uwv_klant_mogelijk"] is True  # through the handreiking's begrip


def _apv(filled_by: str) -> dict[str, str]:
    """An APV that leaves the terrace hours to the burgemeester, and beleidsregels that fill
    them, adopted by `filled_by`."""
    apv = (
        'verordening apv "Algemene plaatselijke verordening"\n'
        "  vastgesteld door de raad op 01-01-2020\n  geldig vanaf 01-01-2020\n"
        "gegevens\n  overlast_te_verwachten: oordeel van de burgemeester\n"
        "uitkomsten\n  vergunning_verleend: bevoegdheid standaard nee\n"
        'artikel 2 "Terrassen"\n  tekst "t"\n'
        "  open norm sluitingsuur: getal overgelaten aan de burgemeester\n"
        "  regel verlenen\n    vergunning_verleend is ja\n    als niet overlast_te_verwachten\n"
    )
    rules = (
        'beleidsregels terras "Terrasbeleid"\n'
        f"  vastgesteld door {filled_by} op 01-01-2020\n  geldig vanaf 01-01-2020\n"
        'artikel 1\n  tekst "t"\n  vult norm apv.sluitingsuur met 1\n'
    )
    return {"apv.regel": apv, "terras.regel": rules}


def test_a_norm_left_to_the_burgemeester_is_filled_by_the_burgemeester_only() -> None:
    load_sources(_apv("de burgemeester"))
    with pytest.raises(CompileError) as err:
        load_sources(_apv("het college"))
    message = next(d.message for d in err.value.diagnostics if d.code == "R801")
    assert "overgelaten aan de burgemeester" in message
    assert "vastgesteld door het college" in message


def test_an_oordeel_of_the_burgemeester_says_so_in_the_motivation() -> None:
    result = load_sources(_apv("de burgemeester")).evaluate(
        "apv", {"overlast_te_verwachten": False}, datetime.date(2020, 6, 1)
    )
    assert result["vergunning_verleend"] is True
    assert result.to_json()["oordelen"][0]["orgaan"] == "burgemeester"
    assert "de burgemeester" in result.text()
