"""Households: a group of persons with their gegevens, begrippen voor ieder, and aggregates
over them (aantal … waarvoor, som, hoogste, laagste, ieder, enig). The meaning of an aggregate
is `runtime.values.settle`, shared by the plain code and the motivation; these tests hold the
two to each other and to a plain Python reading of the same rule, over generated households."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regel import runtime as rt
from regel.compiler import load, loads
from regel.compiler.cli import main

from .conftest import HEADER, POLICIES
from .test_service import Server

PEIL = datetime.date(2011, 6, 1)

SOURCE = (
    HEADER
    + """gegevens
  drempel: bedrag per maand standaard onbepaald
  huishouden: personen "de personen in de woning"
    rol: een van aanvrager, partner, kind, ander
    geboortedatum: datum
    inkomen: bedrag per maand ten minste € 0 per maand standaard € 0 per maand
uitkomsten
  aantal_volwassen: aantal
  totaal: bedrag per maand
  hoogste_inkomen: bedrag per maand
  laagste_inkomen_kind: bedrag per maand
  iedereen_verdient: ja/nee
  een_kind: ja/nee
  boven_drempel: ja/nee
artikel 1
  tekst "Telling en som over de personen in de woning."
  begrip volwassen voor ieder in huishouden: leeftijd van geboortedatum op peildatum >= 18 jaren
  begrip eigen_deel voor ieder in huishouden: inkomen × 50%
  begrip kind voor ieder in huishouden: rol is kind
  regel r_aantal
    aantal_volwassen is het aantal in huishouden waarvoor volwassen
  regel r_totaal
    totaal is de som van eigen_deel in huishouden + de som van inkomen in huishouden waarvoor kind
  regel r_hoogste
    hoogste_inkomen is het hoogste inkomen in huishouden
  regel r_laagste
    laagste_inkomen_kind is het laagste inkomen in huishouden waarvoor (rol is kind)
  regel r_ieder
    iedereen_verdient is ieder in huishouden voldoet aan (inkomen > € 0 per maand)
  regel r_enig
    een_kind is enig in huishouden voldoet aan (rol is kind)
  regel r_drempel
    boven_drempel is enig in huishouden voldoet aan (inkomen > drempel)
"""
)


@pytest.fixture(scope="module")
def policies() -> Any:
    return loads(SOURCE)


def _person(rol: str, born: str, inkomen: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"rol": rol, "geboortedatum": born}
    if inkomen is not None:
        person["inkomen"] = inkomen
    return person


FAMILY = [
    _person("aanvrager", "1970-01-01", "1000"),
    _person("partner", "1972-01-01", "500"),
    _person("kind", "2000-01-01", "100"),
    _person("kind", "2005-01-01"),
]


def _values(result: rt.Result) -> dict[str, Any]:
    return {k: (r.status, r.value) for k, r in result.outcomes.items()}


def test_each_aggregate_as_the_rule_says(policies: Any) -> None:
    result = policies.evaluate("t", {"huishouden": FAMILY, "drempel": "600"}, PEIL)
    assert result["aantal_volwassen"] == 2  # 41 and 39; the children are 11 and 6
    assert result["totaal"] == Decimal("800") + Decimal("100")  # half of 1.600, plus the kids'
    assert result["hoogste_inkomen"] == Decimal("1000")
    assert result["laagste_inkomen_kind"] == Decimal("0")  # the second child: the standaard
    assert result["iedereen_verdient"] is False
    assert result["een_kind"] is True
    assert result["boven_drempel"] is True


def test_an_empty_household_counts_nothing_and_has_no_highest(policies: Any) -> None:
    result = policies.evaluate("t", {"huishouden": [], "drempel": "600"}, PEIL)
    assert result["aantal_volwassen"] == 0
    assert result["totaal"] == 0
    assert result.outcomes["hoogste_inkomen"].status == "onbepaald"
    assert "niemand in huishouden" in result.outcomes["hoogste_inkomen"].reason
    assert result["iedereen_verdient"] is True  # ieder of no one: ja
    assert result["een_kind"] is False


def test_ieder_and_enig_are_kleene_over_the_persons(policies: Any) -> None:
    """`enig … voldoet aan (inkomen > drempel)` with the drempel not given: onbepaald, needing
    it, unless it does not matter; it is the same whatever the order of the persons."""
    rich = [_person("aanvrager", "1970-01-01", "1000")]
    result = policies.evaluate("t", {"huishouden": rich}, PEIL, onvolledig=True)
    assert result.outcomes["boven_drempel"].status == "onbepaald"
    assert result.needed == ("drempel",)
    for order in (FAMILY, FAMILY[::-1]):
        answer = policies.evaluate("t", {"huishouden": order}, PEIL, onvolledig=True)
        assert answer["een_kind"] is True  # does not read the drempel
        assert answer.outcomes["boven_drempel"].status == "onbepaald"


def test_a_household_not_given_is_what_a_partial_decision_asks_for(policies: Any) -> None:
    result = policies.evaluate("t", {}, PEIL, onvolledig=True)
    assert {r.status for r in result.outcomes.values()} == {"onbepaald"}
    assert "huishouden" in result.needed
    with pytest.raises(rt.InputError) as err:
        policies.evaluate("t", {}, PEIL)
    assert err.value.problems == {"huishouden": "ontbreekt (verplicht gegeven)"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("drie", "verwacht een lijst van personen (in JSON: [{…}, {…}])"),
        ([1], "persoon 1: verwacht een object met de gegevens van de persoon"),
        (
            [{"rol": "baas", "geboortedatum": "1970-01-01"}],
            "persoon 1, rol: verwacht een van: aanvrager, partner, kind, ander",
        ),
        ([{"rol": "kind"}], "persoon 1, geboortedatum: ontbreekt (verplicht gegeven)"),
        (
            [{"rol": "kind", "geboortedatum": "2000-01-01", "inkomen": "-1"}],
            "persoon 1, inkomen: mag niet kleiner zijn dan € 0 per maand",
        ),
        (
            [{"rol": "kind", "geboortedatum": "2000-01-01", "schoenmaat": 42}],
            "persoon 1, schoenmaat: onbekend gegeven",
        ),
        ([_person("kind", "2000-01-01")] * 101, "te veel personen (ten hoogste 100)"),
    ],
)
def test_every_wrong_person_is_named(policies: Any, value: Any, message: str) -> None:
    with pytest.raises(rt.InputError) as err:
        policies.evaluate("t", {"huishouden": value, "drempel": "1"}, PEIL)
    assert err.value.problems == {"huishouden": message}


def test_the_motivation_says_who_counted_and_why(policies: Any) -> None:
    result = policies.evaluate("t", {"huishouden": FAMILY, "drempel": "600"}, PEIL, trace=True)
    text = result.text()
    assert "persoon 1 (aanvrager): telt mee, want volwassen (artikel 1) is ja" in text
    assert "persoon 3 (kind): telt niet mee, want volwassen (artikel 1) is nee" in text
    assert "het aantal in huishouden waarvoor volwassen: 2" in text
    # a value per person, with how it was worked out
    assert "€ 1.000,00 per maand (inkomen) × 50% = € 500,00 per maand" in text
    steps = [s for t in result.trace for s in t.derivation if s.kind == "personen"]
    assert steps and all(p.kind == "persoon" for s in steps for p in s.steps)
    json.dumps(result.to_json())  # every step fits in JSON


# ---------------------------------------------------------------- generated households


PEOPLE = st.lists(
    st.tuples(
        st.sampled_from(["aanvrager", "partner", "kind", "ander"]),
        st.dates(datetime.date(1920, 1, 1), datetime.date(2011, 6, 1)),
        st.decimals(0, 99999, places=2, allow_nan=False, allow_infinity=False),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(PEOPLE)
def test_aggregates_agree_with_python_and_with_their_motivation(
    people: list[tuple[str, datetime.date, Decimal]],
) -> None:
    policies = _POLICIES.get("t") or _POLICIES.setdefault("t", loads(SOURCE))
    household = [
        {"rol": r, "geboortedatum": d.isoformat(), "inkomen": str(i)} for r, d, i in people
    ]
    inputs = {"huishouden": household, "drempel": "500"}
    plain = policies.evaluate("t", inputs, PEIL)
    explained = policies.evaluate("t", inputs, PEIL, trace=True)
    assert _values(plain) == _values(explained)

    def age(d: datetime.date) -> int:
        return PEIL.year - d.year - ((PEIL.month, PEIL.day) < (d.month, d.day))

    kids = [i for r, _, i in people if r == "kind"]
    assert plain["aantal_volwassen"] == sum(age(d) >= 18 for _, d, _ in people)
    assert plain["totaal"] == sum((i * Decimal("0.5") for _, _, i in people), Decimal(0)) + sum(
        kids, Decimal(0)
    )
    if people:
        assert plain["hoogste_inkomen"] == max(i for _, _, i in people)
    if kids:
        assert plain["laagste_inkomen_kind"] == min(kids)
    assert plain["iedereen_verdient"] is all(i > 0 for _, _, i in people)
    assert plain["een_kind"] is bool(kids)
    assert plain["boven_drempel"] is any(i > 500 for _, _, i in people)


_POLICIES: dict[str, Any] = {}


# ---------------------------------------------------------------- the shipped example


def test_the_example_and_the_service_schema_describe_each_person() -> None:
    policies = load(POLICIES / "voorbeeld")
    spec = policies.program.versions["voorbeeld_toeslag"][0].inputs["huishouden"]
    schema = rt.inputs.json_schema(spec)
    assert schema["type"] == "array" and schema["maxItems"] == 100
    person = schema["items"]
    assert person["additionalProperties"] is False
    assert person["required"] == ["relatie", "geboortedatum"]  # inkomen, student: standaard
    assert person["properties"]["relatie"]["enum"] == ["aanvrager", "partner", "kind", "ander"]
    with Server(__import__("regel.compiler.service", fromlist=["x"]).create_app(policies)) as s:
        _, _, api = s.request("GET", "/openapi.json", b"")
        assert "huishouden" in json.dumps(api)
        path = "/regelingen/voorbeeld_toeslag/besluiten/huishoudtoeslag"
        body = {
            "peildatum": "2020-06-01",
            "toeslag_aangevraagd": True,
            "huishouden": [{"relatie": "aanvrager", "geboortedatum": "1980-01-01"}],
        }
        status, answer = s.post(path, body)
        assert status == 200, answer
        assert answer["uitkomsten"]["toeslag"]["waarde"] == "300.00"
        body["huishouden"] = [{"relatie": "baas", "geboortedatum": "1980-01-01"}]
        status, answer = s.post(path, body)
        assert status == 422, answer
        assert "persoon 1, relatie" in answer["velden"]["huishouden"]


def test_regel_evalueer_takes_a_household_as_json(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "casus.json"
    case.write_text(
        json.dumps(
            {
                "toeslag_aangevraagd": True,
                "huishouden": [
                    {"relatie": "aanvrager", "geboortedatum": "1980-01-01", "inkomen": "1000"},
                    {"relatie": "kind", "geboortedatum": "2010-05-01"},
                ],
            }
        ),
        encoding="utf-8",
    )
    args = ["evalueer", str(POLICIES / "voorbeeld"), "--regeling", "voorbeeld_toeslag"]
    args += ["--invoer", str(case), "--peildatum", "2020-06-01", "--tekst"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "toeslag: € 400,00 per jaar" in out
    assert "persoon 2 (kind): telt mee, want jong kind (artikel 1 onder c) is ja" in out


def test_an_outcome_read_per_person_is_of_the_whole_case() -> None:
    """An outcome read within `… in huishouden` is resolved once, for the whole case, and its
    rule stands in the motivation as if it were read anywhere else."""
    policies = loads(
        HEADER
        + """gegevens
  grens: bedrag per maand
  huishouden: personen
    inkomen: bedrag per maand
uitkomsten
  drempel: bedrag per maand
  boven: aantal
artikel 1
  tekst "Wie meer verdient dan de drempel, telt."
  regel r_drempel
    drempel is grens × 2
  regel r_boven
    boven is het aantal in huishouden waarvoor (inkomen > drempel)
"""
    )
    household = [{"inkomen": "500"}, {"inkomen": "100"}, {"inkomen": "300"}]
    result = policies.evaluate("t", {"grens": "100", "huishouden": household}, PEIL, trace=True)
    assert result["boven"] == 2
    assert [t.rule for t in result.trace].count("r_drempel") == 1
