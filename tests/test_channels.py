"""One definition of valid input (`regel.runtime.inputs`): the same input gets the same verdict
and the same Dutch message in every channel — `regel evalueer`, the Python API, a package of
`regel vertaal` and the decision service over HTTP. Each row changes one field of a valid case
(given as the JSON a client sends) and runs it through all four."""

from __future__ import annotations

import datetime
import importlib
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from regel import runtime as rt
from regel.compiler import load
from regel.compiler.cli import main
from regel.compiler.service import create_app

from .conftest import POLICIES, WAGE_SUBSIDY_CASE
from .test_service import Server

PEIL = "2012-06-01"
BASE = {  # voorbeeld, besluit subsidie: € 500,00 per maand
    "geboortedatum": "1970-01-01",
    "loonkosten": "1400.00",
    "loonwaarde": "0.6",
    "uren_per_week": 32,
    "maanden_werkloos": 14,
    "ingangsdatum_uitkering": "2012-01-31",
}
DIGITS = "te veel cijfers achter de komma (ten hoogste 10)"
LARGE = "getal is te groot (meer dan 15 cijfers voor de komma)"
NOT_A_NUMBER = 'is geen getal; schrijf het als "1234.56"'

# (field, the value as JSON text — or None to leave the field out —, the message for that
# field, or None when the case must be decided)
ROWS: list[tuple[str, str | None, str | None]] = [
    ("loonkosten", '"1400.00"', None),
    ("loonkosten", "1400.5", None),
    ("loonkosten", "1400", None),
    ("loonkosten", "1.5", None),
    ("loonkosten", "1e2", None),  # a JSON number: 100
    ("loonkosten", '"1e2"', f"'1e2' {NOT_A_NUMBER}"),
    ("loonkosten", '"1.400,00"', f"'1.400,00' {NOT_A_NUMBER}"),
    ("loonkosten", '" 12 "', f"' 12 ' {NOT_A_NUMBER}"),
    ("loonkosten", '"ja"', f"'ja' {NOT_A_NUMBER}"),
    ("loonkosten", "true", "verwacht een getal"),
    ("loonkosten", "[1]", "verwacht een getal"),
    ("loonkosten", "-3", "mag niet kleiner zijn dan € 0 per maand"),
    ("loonkosten", '"-3"', "mag niet kleiner zijn dan € 0 per maand"),
    ("loonkosten", "1e-100000000", DIGITS),
    ("loonkosten", "1e999999999", LARGE),
    ("loonkosten", "10.49999999999999999999999999999", DIGITS),
    ("loonkosten", '"10.49999999999999999999999999999"', DIGITS),
    ("loonkosten", "1" + "0" * 20, LARGE),
    ("loonkosten", None, "ontbreekt (verplicht gegeven)"),
    ("loonkosten", "null", "ontbreekt (verplicht gegeven)"),
    ("loonwaarde", '"50%"', None),
    ("loonwaarde", '"50 %"', '\'50 %\' is geen getal; schrijf het als "1234.56" of "50%"'),
    ("loonwaarde", "0.5", None),
    ("loonwaarde", '"150%"', "mag niet groter zijn dan 100%"),
    ("uren_per_week", '"ja"', f"'ja' {NOT_A_NUMBER}"),
    ("uren_per_week", "200", "mag niet groter zijn dan 168 uur per week"),
    ("maanden_werkloos", "14.0", None),
    ("geboortedatum", '"1970-02-30"', "'1970-02-30' is geen geldige datum (JJJJ-MM-DD)"),
    ("geboortedatum", '"19700101"', "'19700101' is geen geldige datum (JJJJ-MM-DD)"),
    ("geboortedatum", '"0000-01-01"', "'0000-01-01' is geen geldige datum (JJJJ-MM-DD)"),
    ("geboortedatum", '"\\ud800"', "'\\ud800' is geen geldige datum (JJJJ-MM-DD)"),
    ("geboortedatum", "19700101", "verwacht een datum (JJJJ-MM-DD)"),
    ("geboortedatum", None, "ontbreekt (verplicht gegeven)"),
    ("woonplaats", '"Voorbeeld"', "wordt in het besluit 'subsidie' niet gebruikt"),
    ("bestaat_niet", "1", "onbekend gegeven voor deze regeling"),
    ("\\udfff", "1", "onbekend gegeven voor deze regeling"),
]


def _case(field: str, value: str | None) -> str:
    """The case as JSON text, with one field changed (so that a value like 1e-100000000 is
    sent as written)."""
    parts = [f'"{k}": {json.dumps(v)}' for k, v in BASE.items() if k != field]
    if value is not None:
        parts.append(f'"{field}": {value}')
    return "{" + ", ".join(parts) + "}"


def _verdict(answer: dict[str, Any]) -> Any:
    """What every channel must agree on: the decision's outcomes, or the refusal."""
    if "uitkomsten" in answer:
        return {k: (v["status"], v["waarde"]) for k, v in answer["uitkomsten"].items()}
    return answer


@pytest.fixture(scope="module")
def channels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import datetime

    policies = load(POLICIES / "voorbeeld")
    peil = datetime.date.fromisoformat(PEIL)
    out = tmp_path_factory.mktemp("pakketten")
    assert main(["vertaal", str(POLICIES / "voorbeeld"), "--uit", str(out)]) == 0
    sys.path.insert(0, str(out))
    package = importlib.import_module("voorbeeld")
    folder = tmp_path_factory.mktemp("invoer")

    def python(text: str) -> Any:
        try:
            result = policies.evaluate("voorbeeld", rt.inputs.read_json(text), peil, "subsidie")
        except rt.EvaluationError as err:
            return err.to_json()
        return result.to_json()

    def packaged(text: str) -> Any:
        try:
            result = package.evaluate(rt.inputs.read_json(text), peil, besluit="subsidie")
        except rt.EvaluationError as err:
            return err.to_json()
        return result.to_json()

    def cli(text: str, capsys: pytest.CaptureFixture[str]) -> Any:
        case = folder / "casus.json"
        case.write_text(text, encoding="utf-8")
        args = ["evalueer", str(POLICIES / "voorbeeld"), "--regeling", "voorbeeld"]
        main([*args, "--invoer", str(case), "--peildatum", PEIL, "--besluit", "subsidie"])
        return json.loads(capsys.readouterr().out)

    with Server(create_app(policies)) as server:

        def http(text: str) -> Any:
            body = text.replace("{", '{"peildatum": "' + PEIL + '", ', 1)
            _, _, answer = server.request(
                "POST", "/regelingen/voorbeeld/besluiten/subsidie", body.encode("utf-8")
            )
            return answer

        yield {"python": python, "pakket": packaged, "cli": cli, "http": http}
    sys.path.remove(str(out))


def test_there_are_enough_rows() -> None:
    assert len(ROWS) >= 30


@pytest.mark.parametrize(("field", "value", "message"), ROWS)
def test_every_channel_gives_the_same_verdict(
    channels: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: str | None,
    message: str | None,
) -> None:
    text = _case(field, value)
    answers = {
        "python": channels["python"](text),
        "pakket": channels["pakket"](text),
        "cli": channels["cli"](text, capsys),
        "http": channels["http"](text),
    }
    verdicts = {name: _verdict(answer) for name, answer in answers.items()}
    assert len({json.dumps(v, sort_keys=True) for v in verdicts.values()}) == 1, verdicts
    verdict = verdicts["python"]
    if message is None:
        assert "fout" not in verdict, verdict
    else:
        assert verdict["code"] == "R710", verdict
        shown = rt.inputs.field_name(json.loads(f'"{field}"'))
        assert verdict["velden"] == {shown: message}


# Partial input and a gemeente, through all four channels: (regulation, besluit, the case as
# JSON, onvolledig, gemeente).
OPTIONS: list[tuple[str, str, str, bool, str | None]] = [
    ("voorbeeldwet", "jongere", '{"geboortedatum": "1995-01-01"}', False, "GM9999"),
    ("voorbeeldwet", "jongere", '{"geboortedatum": "1995-01-01"}', False, "GM0503"),
    ("voorbeeldwet", "jongere", '{"geboortedatum": "1995-01-01"}', False, None),
    ("voorbeeldwet", "jongere", "{}", True, "GM9998"),
    ("voorbeeld_apv", "terras", '{"terras_exploiteren": true}', True, None),
    ("voorbeeld_apv", "terras", '{"terras_exploiteren": true, "terras_op_openbare_weg": true}',
     True, None),
    ("voorbeeld_apv", "terras", '{"terras_exploiteren": true}', True, "GM9999"),
    ("voorbeeld_apv", "terras", '{"terras_exploiteren": true}', True, "Voorbeeld"),
    ("voorbeeld_toeslag", "huishoudtoeslag", '{"toeslag_aangevraagd": true, "huishouden": '
     '[{"relatie": "aanvrager", "geboortedatum": "1980-01-01", "inkomen": "900"}, '
     '{"relatie": "kind", "geboortedatum": "1990-01-01", "inkomen": 100}]}', False, None),
    ("voorbeeld_toeslag", "huishoudtoeslag", '{"toeslag_aangevraagd": true, "huishouden": '
     '[{"relatie": "baas", "geboortedatum": "1980-01-01"}]}', False, None),
    ("voorbeeld_toeslag", "huishoudtoeslag", '{"toeslag_aangevraagd": true, "huishouden": 3}',
     False, None),
    ("voorbeeld_toeslag", "huishoudtoeslag", '{"toeslag_aangevraagd": true}', True, None),
    ("voorbeeld_apv", "sluitingstijd",
     '{"openingstijd_terras": "10:00", "sluitingstijd_terras": "01:30"}', False, None),
    ("voorbeeld_apv", "sluitingstijd",
     '{"openingstijd_terras": "10:00", "sluitingstijd_terras": "25:00"}', False, None),
    ("voorbeeld_apv", "sluitingstijd", '{"openingstijd_terras": "10:00"}', True, None),
]  # fmt: skip


@pytest.mark.parametrize(("rid", "decision", "text", "partial", "gemeente"), OPTIONS)
def test_partial_input_and_a_gemeente_answer_alike_in_every_channel(
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
    channels: dict[str, Any],
    rid: str,
    decision: str,
    text: str,
    partial: bool,
    gemeente: str | None,
) -> None:
    import datetime

    policies = load(POLICIES / "voorbeeld")
    peil = datetime.date(2020, 6, 1)
    package = importlib.import_module(rid)  # `channels` put the packages on the path

    def shown(answer: Any) -> Any:
        if "uitkomsten" not in answer:
            return answer.get("code"), sorted(answer.get("velden", {}))
        outcomes = {k: (v["status"], v["waarde"]) for k, v in answer["uitkomsten"].items()}
        return outcomes, [q["gegeven"] for q in answer.get("nog_nodig", [])], answer.get("gemeente")

    def python() -> Any:
        try:
            return policies.evaluate(
                rid, rt.inputs.read_json(text), peil, decision, True, partial, gemeente
            ).to_json()
        except rt.EvaluationError as err:
            return err.to_json()

    def packaged() -> Any:
        try:
            return package.evaluate(
                rt.inputs.read_json(text), peil, decision, True, partial, gemeente
            ).to_json()
        except rt.EvaluationError as err:
            return err.to_json()

    def cli() -> Any:
        case = tmp_path / "casus.json"
        case.write_text(text, encoding="utf-8")
        args = ["evalueer", str(POLICIES / "voorbeeld"), "--regeling", rid, "--besluit", decision]
        args += ["--invoer", str(case), "--peildatum", "2020-06-01"]
        args += ["--onvolledig"] * partial + (["--gemeente", gemeente] if gemeente else [])
        main(args)
        return json.loads(capsys.readouterr().out)

    def http() -> Any:
        query = "&".join(
            ["onvolledig=ja"] * partial + ([f"gemeente={gemeente}"] if gemeente else [])
        )
        body = text.replace("{", '{"peildatum": "2020-06-01"' + (", " if text != "{}" else ""), 1)
        with Server(create_app(policies)) as server:
            _, _, answer = server.request(
                "POST", f"/regelingen/{rid}/besluiten/{decision}?{query}", body.encode("utf-8")
            )
        return answer

    answers = {"python": python(), "pakket": packaged(), "cli": cli(), "http": http()}
    seen = {name: shown(answer) for name, answer in answers.items()}
    assert len({json.dumps(v, sort_keys=True) for v in seen.values()}) == 1, seen


# Berkelland B.6 has a one-pass function and its input check: (field, value) changes of a
# valid case, given as Python values; None leaves the field out.
MOTIVATED: list[tuple[str, Any]] = [
    ("loonkosten", Decimal("1400.00")),
    ("loonkosten", Decimal("1400.000000000000000000")),  # more zeros than the bounds allow
    ("loonkosten", 1400),
    ("loonkosten", "1400.00"),
    ("loonkosten", Decimal("NaN")),
    ("loonkosten", Decimal("-1")),
    ("loonkosten", True),
    ("uren_per_week", Decimal("200")),
    ("maanden_werkloos", Decimal("14.5")),
    ("geboortedatum", datetime.datetime(1978, 1, 1, 12, 0)),
    ("geboortedatum", "1978-01-01"),
    ("klantgroep", "WWB"),
    ("handicap", None),
    ("handicap", 1),
    ("loonkosten", None),
    ("bestaat_niet", 1),
]


@pytest.mark.parametrize(("field", "value"), MOTIVATED)
def test_a_motivation_takes_the_same_input_as_a_decision_without_one(
    field: str, value: Any
) -> None:
    """With a motivation, inputs that the generated check passes are used as they are, the
    rest converted one by one (`coerce_inputs`): either way the verdict of a decision
    without a motivation."""
    regulation = _berkelland()
    assert "loonkostensubsidie" in regulation.checks
    case = {k: v for k, v in WAGE_SUBSIDY_CASE.items() if k != field}
    case["geboortedatum"] = datetime.date(1978, 1, 1)
    case["maanden_werkloos"], case["uren_per_week"] = Decimal(14), Decimal(32)
    case["loonkosten"] = Decimal("1400.00")
    case.pop(field, None)
    if value is not None:
        case[field] = value
    verdicts = []
    for trace in (False, True):
        try:
            result = regulation.evaluate(case, PEIL_B6, "loonkostensubsidie", trace)
            verdicts.append(_verdict(result.to_json()))
        except rt.EvaluationError as err:
            verdicts.append(err.to_json())
    assert verdicts[0] == verdicts[1]


PEIL_B6 = datetime.date(2008, 3, 1)
_LOADED: list[Any] = []


def _berkelland() -> rt.Regulation:
    if not _LOADED:
        _LOADED.append(load(POLICIES)["berkelland"])
    regulation: rt.Regulation = _LOADED[0]
    return regulation
