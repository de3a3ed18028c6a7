"""Demand-driven evaluation: a decision from partial input takes only the path the given
facts open, and says exactly which gegevens and oordelen it still needs there."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from regel import runtime as rt
from regel.compiler import load, loads
from regel.compiler.cases import case_inputs, case_options
from regel.compiler.service import create_app

from .conftest import POLICIES, ROOT
from .test_service import DELFT, Server

SHIPPED = load(POLICIES)
DAY = datetime.date(2011, 9, 1)


def _answers(result: rt.Result) -> dict[str, tuple[str, Any]]:
    return {name: (r.status, r.value) for name, r in result.outcomes.items()}


def _complete_cases() -> list[tuple[str, Any]]:
    """Every shipped case that decides without an error, with its complete inputs."""
    found = []
    for case_file in SHIPPED.cases:
        for case in case_file.cases:
            if case.partial or any(e.kind == "fout" for e in case.expectations):
                continue
            found.append((case_file.regulation, case))
    return found


def test_leaving_out_any_gegeven_of_any_shipped_case_is_sound() -> None:
    """Per shipped case, each gegeven without a standaard left out in turn: every outcome
    is as before, or onbepaald and then the gegeven left out is what it still needs; nothing
    that is given is ever asked for. With all inputs there, onvolledig changes nothing."""
    dropped_total = 0
    for rid, case in _complete_cases():
        assert case.peildatum is not None
        regulation = SHIPPED.version(rid, case.peildatum)
        inputs, day, decision = case_inputs(case, regulation)
        where = case_options(case)["gemeente"]
        full = regulation.evaluate(inputs, day, decision, trace=True, gemeente=where)
        same = regulation.evaluate(inputs, day, decision, True, True, where)
        assert _answers(same) == _answers(full), case.name
        assert same.needed == full.needed, case.name
        for name in inputs:
            spec = regulation.inputs.get(name)
            if spec is None or spec.has_default:
                continue  # left out, its standaard decides: another case, not a gap
            rest = {k: v for k, v in inputs.items() if k != name}
            partial = regulation.evaluate(rest, day, decision, True, True, where)
            dropped_total += 1
            for outcome, (status, value) in _answers(partial).items():
                if (status, value) != _answers(full)[outcome]:
                    assert status == "onbepaald", (case.name, name, outcome)
                    assert name in partial.missing(outcome), (case.name, name, outcome)
            assert not set(partial.needed) & set(rest), (case.name, name)
    assert dropped_total > 300


def test_only_the_path_the_facts_open() -> None:
    delft = SHIPPED["delft"]
    result = delft.evaluate({}, DAY, "aanspraak", onvolledig=True)
    assert result.outcomes["aanspraak_voorziening"].status == "onbepaald"
    assert result.needed[:2] == ("uitkering", "woonplaats")
    # outside Delft no oordeel of the college is needed: the answer is no
    elsewhere = {"uitkering": "WWB", "woonplaats": "Rotterdam"}
    result = delft.evaluate(elsewhere, DAY, "aanspraak", onvolledig=True)
    assert _answers(result) == {"aanspraak_voorziening": ("bepaald", False)}
    assert result.needed == () and result.judgements == []
    # in Delft: the three oordelen, in the order the regulation declares them
    here = {"uitkering": "WWB", "woonplaats": "Delft"}
    result = delft.evaluate(here, DAY, "aanspraak", onvolledig=True)
    assert result.needed == (
        "inzet_noodzakelijk",
        "voorliggende_voorziening_volstaat",
        "arbeid_zonder_voorziening_mogelijk",
    )
    questions = result.to_json()["nog_nodig"]
    assert {q["soort"] for q in questions} == {"oordeel"}
    assert questions[0]["orgaan_naam"] == "het college"
    # given all that is asked, the answer is determinate and the same as with full input
    answers = {n: True for n in result.needed}
    done = delft.evaluate({**here, **answers}, DAY, "aanspraak", onvolledig=True)
    assert done.needed == ()
    assert _answers(done) == _answers(delft.evaluate({**here, **answers}, DAY, "aanspraak"))


def test_without_onvolledig_a_missing_gegeven_is_refused() -> None:
    with pytest.raises(rt.InputError) as err:
        SHIPPED["delft"].evaluate({"uitkering": "WWB"}, DAY, "aanspraak")
    assert err.value.problems["woonplaats"] == "ontbreekt (verplicht gegeven)"


KLEENE = """
verordening k "Kleene"
  vastgesteld door het college op 01-01-2020
  geldig vanaf 01-01-2020
gegevens
  a: ja/nee
  b: ja/nee
  inkomen: bedrag per maand
  norm: bedrag per maand
  oordeel_college: oordeel van het college "Acht het college het nodig?" standaard nee
uitkomsten
  recht: aanspraak standaard nee
  laag: ja/nee standaard nee
  nodig: ja/nee standaard nee
artikel 1 "Proef"
  tekst "…"
  regel r
    recht is ja
    als a en b
  regel l
    laag is ja
    als inkomen ten hoogste 120% van norm
  regel o
    nodig is ja
    als oordeel_college
"""


def test_en_of_and_comparisons_ask_for_all_they_need() -> None:
    k = loads(KLEENE)["k"]
    day = datetime.date(2021, 1, 1)
    # `a en b` with b nee is nee, whatever a is
    assert _answers(k.evaluate({"b": False}, day, onvolledig=True))["recht"] == ("bepaald", False)
    both_missing = k.evaluate({}, day, onvolledig=True)
    assert both_missing.missing("recht") == ("a", "b")
    # both amounts of a comparison at once, not one question per round
    assert both_missing.missing("laag") == ("inkomen", "norm")
    half = k.evaluate({"norm": Decimal("1000")}, day, onvolledig=True)
    assert half.missing("laag") == ("inkomen",)


def test_an_oordeel_with_a_standaard() -> None:
    k = loads(KLEENE)["k"]
    day = datetime.date(2021, 1, 1)
    given = {"a": True, "b": True, "inkomen": Decimal(1), "norm": Decimal(1)}
    result = k.evaluate(given, day, trace=True)
    assert _answers(result)["nodig"] == ("bepaald", False)
    [judgement] = result.judgements
    assert judgement.assumed
    assert "niet gegeven door het college, dus de standaard" in result.text()
    assert result.to_json()["oordelen"][0]["standaard"] is True
    judged = k.evaluate({**given, "oordeel_college": True}, day, trace=True)
    assert _answers(judged)["nodig"] == ("bepaald", True)
    assert not judged.judgements[0].assumed
    assert "naar het oordeel van het college" in judged.text()


def test_the_cli_lists_what_is_still_needed() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "regel.compiler.cli", "evalueer", "policies/delft", "--invoer",
         "-", "--peildatum", "2011-09-01", "--besluit", "aanspraak", "--onvolledig", "--tekst"],
        input=json.dumps({"uitkering": "WWB", "woonplaats": "Delft"}),
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Nog nodig om te beslissen:\n- inzet noodzakelijk (" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_the_service_takes_partial_input_on_request() -> None:
    with Server(create_app(SHIPPED)) as server:
        partial = {"peildatum": "2011-09-01", "uitkering": "WWB", "woonplaats": "Delft"}
        status, body = server.post(DELFT + "?onvolledig=ja", partial)
        assert status == 200
        assert body["uitkomsten"]["aanspraak_voorziening"]["status"] == "onbepaald"
        assert [q["gegeven"] for q in body["nog_nodig"]] == [
            "inzet_noodzakelijk",
            "voorliggende_voorziening_volstaat",
            "arbeid_zonder_voorziening_mogelijk",
        ]
        status, body = server.post(DELFT, partial)
        assert status == 422
        assert body["velden"]["inzet_noodzakelijk"] == "ontbreekt (verplicht gegeven)"
        status, body = server.post(DELFT + "?onvolledig=misschien", partial)
        assert status == 422
        assert "ja of nee" in body["velden"]["onvolledig"]
        status, _, schema = server.request("GET", "/openapi.json")
        operation = schema["paths"][DELFT]["post"]
        assert [p["name"] for p in operation["parameters"]] == ["onvolledig", "gemeente"]
        assert "nog_nodig" in schema["components"]["schemas"]["Besluit"]["properties"]


def test_the_service_decides_for_the_gemeente_asked() -> None:
    path = "/regelingen/voorbeeldwet/besluiten/jongere"
    body = {"peildatum": "2020-06-01", "geboortedatum": "1995-01-01"}
    with Server(create_app(SHIPPED)) as server:
        status, answer = server.post(path + "?gemeente=GM9999", body)
        assert status == 200
        assert answer["gemeente"] == "GM9999"
        assert answer["uitkomsten"]["jongere"]["waarde"] is False
        assert "Anderdorp" in answer["normen"][0]
        status, answer = server.post(path + "?gemeente=GM9998", body)
        assert answer["uitkomsten"]["jongere"]["waarde"] is True
        status, answer = server.post(path + "?gemeente=Delft", body)
        assert status == 422 and "gemeente" in answer["velden"]
        status, answer = server.post(
            "/regelingen/delft/besluiten/aanspraak?gemeente=GM9999&onvolledig=ja",
            {"peildatum": "2011-09-01"},
        )
        assert status == 422 and answer["code"] == "R605"


def test_every_shipped_decision_from_no_input_at_all_says_what_it_needs() -> None:
    """From an empty case every decision answers (never a crash): determinate, or onbepaald
    with what it needs; the gegevens it asks for are its own or those it reads elsewhere."""
    asked = 0
    for key, regulation in SHIPPED.regulations.items():
        day = regulation.valid_from or DAY
        for decision in regulation.decisions:
            for gemeente in (None, regulation.territory or "GM0503"):
                try:
                    result = regulation.evaluate({}, day, decision, True, True, gemeente)
                except rt.EvaluationError as err:
                    assert err.code == "R605", (key, decision, err.message)
                    continue
                assert "Traceback" not in result.text()
                asked += len(result.needed)
                for name in result.needed:
                    assert name in regulation.inputs or any(
                        name in other.inputs for other in SHIPPED.regulations.values()
                    ), (key, decision, name)
    assert asked > 100


def test_an_interview_asks_one_question_at_a_time_and_ends_determinate() -> None:
    """The loop of docs/ontwikkelaars.md: ask what is needed first, until the decision is
    determinate; the answer equals that of the complete case, and outside Delft nothing is
    asked at all."""
    delft = SHIPPED["delft"]
    for place, asked_at_most in (("Delft", 3), ("Rotterdam", 0)):
        gegevens: dict[str, Any] = {"uitkering": "WWB", "woonplaats": place}
        asked = 0
        while True:
            result = delft.evaluate(gegevens, DAY, "aanspraak", onvolledig=True)
            if not result.needed:
                break
            gegevens[result.questions()[0]["gegeven"]] = asked == 0  # ja, then nee, nee
            asked += 1
        assert asked <= asked_at_most
        complete = {
            "inzet_noodzakelijk": True,
            "voorliggende_voorziening_volstaat": False,
            "arbeid_zonder_voorziening_mogelijk": False,
            **gegevens,
        }
        assert _answers(result) == _answers(delft.evaluate(complete, DAY, "aanspraak"))
