"""A decision over a whole caseload (`Policies.evaluate_many`, `regel doorreken`): per case
what deciding it alone gives, bad cases as rows with their message, and a summary."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from regel.compiler import batch, load, synthetic

from .conftest import POLICIES
from .test_cli import run

PEIL = datetime.date(2008, 3, 1)


@pytest.fixture(scope="module")
def policies() -> Any:
    return load(POLICIES)


def _alone(policies: Any, regulation: str, besluit: str, case: dict[str, Any]) -> dict[str, str]:
    """What deciding one case by itself gives, as a result row."""
    inputs = {k: v for k, v in case.items() if k != "peildatum"}
    result = policies.evaluate(regulation, inputs, case["peildatum"], besluit, trace=False)
    row: dict[str, str] = {}
    for name, found in result.outcomes.items():
        row[name] = batch.value_text(found.value) if found.status == "bepaald" else ""
        row[f"{name}_status"] = found.status
        row[f"{name}_grondslag"] = "; ".join(found.rules)
    return row


@pytest.mark.parametrize(
    ("regulation", "besluit", "days"),
    [
        ("berkelland", "loonkostensubsidie", [PEIL]),
        ("voorbeeld_toeslag", "huishoudtoeslag", [datetime.date(2020, 6, 1)]),
        # Two versions: each row is decided by the version in force on its own peildatum.
        ("voorbeeld_beleid", "opleiding_jongere", [datetime.date(y, 6, 1) for y in (2012, 2013)]),
    ],
)
def test_each_row_is_what_deciding_the_case_alone_gives(
    policies: Any, regulation: str, besluit: str, days: list[datetime.date]
) -> None:
    version = policies.version(regulation, days[0])
    cases = [
        {**case, "peildatum": days[i % len(days)]}
        for i, case in enumerate(synthetic.cases(version, besluit, 300, seed=2, peildatum=days[0]))
    ]
    rows, summary = policies.evaluate_many(regulation, besluit, cases)
    rows = list(rows)
    assert len(rows) == 300 and summary.rows == 300 and summary.errors == 0
    for number, (case, row) in enumerate(zip(cases, rows, strict=True), 1):
        assert row["rij"] == str(number)
        alone = _alone(policies, regulation, besluit, case)
        assert {k: row[k] for k in alone} == alone
    assert all(sum(counts.values()) == 300 for counts in summary.statuses.values())


def test_a_bad_case_is_a_row_with_its_message_and_the_run_goes_on(policies: Any) -> None:
    reg = policies["berkelland"]
    cases: list[dict[str, Any]] = list(
        synthetic.cases(reg, "loonkostensubsidie", 20, seed=4, peildatum=PEIL)
    )
    cases[3] = {**cases[3], "loonkosten": "veel"}
    cases[7] = {**cases[7], "peildatum": datetime.date(1990, 1, 1)}  # before the regulation
    rows, summary = policies.evaluate_many("berkelland", "loonkostensubsidie", cases, PEIL)
    rows = list(rows)
    assert len(rows) == 20 and summary.rows == 20 and summary.errors == 2
    assert rows[3]["fout"].startswith("ongeldige invoer: loonkosten: 'veel' is geen getal")
    assert rows[7]["rij"] == "8" and "1990" in rows[7]["fout"]
    assert all("fout" not in row for i, row in enumerate(rows) if i not in (3, 7))
    # The summary adds up what the rows say.
    amounts = [Decimal(r["loonkostensubsidie"]) for r in rows if r.get("loonkostensubsidie")]
    assert summary.sums.get("loonkostensubsidie", Decimal(0)) == sum(amounts, Decimal(0))
    assert sum(summary.statuses["loonkostensubsidie"].values()) == 18


def test_an_unknown_decision_is_refused_before_any_case(policies: Any) -> None:
    with pytest.raises(KeyError, match="onbekend besluit 'x'; bekend: algemeen_geaccepteerd"):
        policies.evaluate_many("berkelland", "x", [])


def _proefbestand(path: Path, count: int) -> None:
    proc = run("proefbestand", "policies", "--regeling", "berkelland", "--besluit",
               "loonkostensubsidie", "--aantal", str(count), "--peildatum", "2008-03-01",
               "--uit", str(path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_regel_doorreken_as_a_user_runs_it(tmp_path: Path) -> None:
    clients, results = tmp_path / "klanten.csv", tmp_path / "uitkomsten.csv"
    _proefbestand(clients, 200)
    with clients.open("a", encoding="utf-8") as f:
        f.write("bijstand,1980-01-01,12,misschien,2000.00,32,ja\n")  # row 202
    common = ["policies", "--regeling", "berkelland", "--besluit", "loonkostensubsidie",
              "--invoer", str(clients), "--peildatum", "2008-03-01"]  # fmt: skip
    proc = run("doorreken", *common, "--uit", str(results))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("201 rijen: 200 beslist, 1 niet te beslissen\n")
    assert "  rij 202: handicap: verwacht ja of nee\n" in proc.stdout
    assert "loonkostensubsidie: komt niet tot stand " in proc.stdout
    assert "  som € " in proc.stdout and "laagste € 500,00 per maand" in proc.stdout
    with results.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 201 and rows[-1]["fout"] == "handicap: verwacht ja of nee"
    assert rows[0].keys() >= {"rij", "loonkostensubsidie_grondslag", "duur_loonkostensubsidie"}
    granted = next(r for r in rows if r["loonkostensubsidie_status"] == "bepaald")
    assert granted["loonkostensubsidie_eenheid"] == "€ per maand"
    assert granted["loonkostensubsidie_grondslag"].startswith("paragraaf B.6 alinea 2 onder ")
    # The full motivation of one row, as `regel evalueer --tekst` gives it for the same case.
    number = granted["rij"]
    why = run("doorreken", *common, "--motivering", number)
    assert why.returncode == 0, why.stderr
    assert "Motivering:" in why.stdout and "paragraaf B.6 alinea 2" in why.stdout
    # a row refused: its reasons as codes, the rules the motivation names as not applied
    refused = next(r for r in rows if r["loonkostensubsidie_status"] == "komt_niet_tot_stand")
    codes = refused["loonkostensubsidie_niet_vervuld"].split("; ")
    assert codes and all(codes)
    told = run("doorreken", *common, "--motivering", refused["rij"])
    for code in codes:
        assert f"(regel {code}) is niet toegepast" in told.stdout, (code, told.stdout)
    bad = run("doorreken", *common, "--motivering", "202")
    assert bad.returncode == 1 and "rij 202: handicap: verwacht ja of nee" in bad.stderr
    none = run("doorreken", *common, "--motivering", "999")
    assert none.returncode == 2 and "het bestand heeft geen rij 999" in none.stderr


def test_regel_doorreken_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    common = ["policies", "--regeling", "berkelland", "--besluit", "loonkostensubsidie"]
    wrong = tmp_path / "verkeerd.csv"
    wrong.write_text("klantgroep,schoenmaat\nbijstand,42\n", encoding="utf-8")
    proc = run("doorreken", *common, "--invoer", str(wrong), "--uit", "-")
    assert proc.returncode == 2 and "onbekende kolom schoenmaat" in proc.stderr
    missing = run("doorreken", *common, "--invoer", str(tmp_path / "nee.csv"), "--uit", "-")
    assert missing.returncode == 2 and "kan '" in missing.stderr
    binary = tmp_path / "binair.csv"
    binary.write_bytes(b"\xff\xfe\x00klant")
    proc = run("doorreken", *common, "--invoer", str(binary), "--uit", "-")
    assert proc.returncode == 2 and "geen UTF-8-tekst" in proc.stderr
    nothing = run("doorreken", *common, "--invoer", str(wrong))
    assert nothing.returncode == 2 and "geef --uit" in nothing.stderr


def test_regel_doorreken_on_spark_refuses_what_it_does_not_read_or_write(tmp_path: Path) -> None:
    clients = tmp_path / "klanten.csv"
    _proefbestand(clients, 5)
    common = ["doorreken", "policies", "--regeling", "berkelland", "--besluit",
              "loonkostensubsidie", "--motor", "spark"]  # fmt: skip
    csv_in = run(*common, "--invoer", str(clients), "--uit", str(tmp_path / "uit.parquet"))
    assert csv_in.returncode == 2 and "--motor spark leest Parquet" in csv_in.stderr
    parquet = tmp_path / "k.parquet"
    parquet.write_bytes(b"")
    csv_out = run(*common, "--invoer", str(parquet), "--uit", str(tmp_path / "uit.csv"))
    assert csv_out.returncode == 2 and "--motor spark schrijft Parquet" in csv_out.stderr
    gone = run(*common, "--invoer", str(tmp_path / "nee.parquet"), "--uit", str(parquet))
    assert gone.returncode == 2 and "bestand niet gevonden" in gone.stderr


def test_a_result_cell_writes_each_kind_of_value() -> None:
    assert [batch.value_text(v) for v in (True, Decimal("1.50"), datetime.date(2024, 2, 29),
            datetime.time(22, 30), ("b", "a"), None, "tekst")] == [
        "ja", "1.50", "2024-02-29", "22:30", "a; b", "", "tekst"]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerow(batch.columns(["x"]))
    assert out.getvalue().strip() == "rij,x,x_status,x_eenheid,x_grondslag,x_niet_vervuld,fout"


def test_regel_doorreken_shows_progress_when_asked_and_not_in_a_pipe(tmp_path: Path) -> None:
    clients = tmp_path / "klanten.csv"
    _proefbestand(clients, 50)
    common = ["policies", "--regeling", "berkelland", "--besluit", "loonkostensubsidie",
              "--invoer", str(clients), "--peildatum", "2008-03-01",
              "--uit", str(tmp_path / "uit.csv")]  # fmt: skip
    shown = run("doorreken", *common, "--voortgang")
    assert shown.returncode == 0 and "doorrekenen: 100%" in shown.stderr
    assert "50/50" in shown.stderr  # the rows SQL decided at once, then those left, if any
    python = run("doorreken", *common, "--voortgang", "--motor", "python")
    assert python.returncode == 0 and "doorrekenen: 50 rijen" in python.stderr
    quiet = run("doorreken", *common)  # stderr is a pipe here, not a terminal
    assert run("doorreken", *common, "--geen-voortgang").stderr == ""
    assert quiet.returncode == 0 and quiet.stderr == ""
    both = run("doorreken", *common, "--voortgang", "--geen-voortgang")
    assert both.returncode == 2 and "niet samen met argument --voortgang" in both.stderr
    unknown = run("doorreken", "policies", "--regeling", "x", "--besluit", "y",
                  "--invoer", "z.csv", "--uit", "-")  # fmt: skip
    assert (
        unknown.returncode == 2 and "onbekende regeling 'x'; geladen: anderdorp" in unknown.stderr
    )


# ---------------------------------------------------------------- the service's batch endpoint

BATCH = "/regelingen/berkelland/besluiten/loonkostensubsidie/bestand"


@pytest.fixture(scope="module")
def server(policies: Any) -> Any:
    from regel.compiler.service import create_app

    from .test_service import Server

    with Server(create_app(policies)) as running:
        yield running


def _json_case(case: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, bool) else str(v)) for k, v in case.items()}


def test_the_batch_endpoint_gives_the_rows_evaluate_many_gives(policies: Any, server: Any) -> None:
    reg = policies["berkelland"]
    cases = list(synthetic.cases(reg, "loonkostensubsidie", 400, seed=9, peildatum=PEIL))
    body = {"peildatum": "2008-03-01", "gevallen": [_json_case(c) for c in cases]}
    body["gevallen"][5]["loonkosten"] = "veel"
    body["gevallen"][6]["peildatum"] = 20080301
    body["gevallen"][7]["peildatum"] = "1-3-2008"
    body["gevallen"][8]["peildatum"] = "2010-01-01"  # its own peildatum
    status, answer = server.post(BATCH, body)
    assert status == 200, answer
    rows = answer["rijen"]
    assert len(rows) == 400 and [r["rij"] for r in rows[:3]] == ["1", "2", "3"]
    assert rows[5]["fout"].startswith("ongeldige invoer: loonkosten: 'veel' is geen getal")
    assert rows[6]["fout"] == "peildatum: verwacht een datum (JJJJ-MM-DD)"
    assert rows[7]["fout"] == "peildatum: '1-3-2008' is geen geldige datum (JJJJ-MM-DD)"
    expected, summary = policies.evaluate_many(
        "berkelland", "loonkostensubsidie", body["gevallen"], PEIL
    )
    assert rows == list(expected)
    assert answer["samenvatting"]["rijen"] == 400 == summary.rows
    assert answer["samenvatting"]["niet_te_beslissen"] == 3 == summary.errors
    assert answer["samenvatting"]["sommen"]["loonkostensubsidie"] == str(
        summary.sums["loonkostensubsidie"]
    )
    # the spread as `regel doorreken` gives it over the same cases
    together = answer["samenvatting"]
    assert together["statussen"] == {k: dict(v) for k, v in summary.statuses.items()}
    assert together["laagste"]["loonkostensubsidie"] == str(summary.lowest["loonkostensubsidie"])
    spread = together["verdeling"]["loonkostensubsidie"]
    decided = sorted(
        Decimal(r["loonkostensubsidie"])
        for r in rows
        if r.get("loonkostensubsidie_status") == "bepaald"
    )
    assert len(spread) == 5 and all(Decimal(v) in decided for v in spread)
    assert [Decimal(v) for v in spread] == sorted(Decimal(v) for v in spread)
    assert Decimal(spread[2]) == decided[(len(decided) - 1) // 2]  # the median, a value decided


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"gevallen": {}}, "gevallen", "verwacht een lijst van gevallen"),
        ({}, "gevallen", "verwacht een lijst van gevallen"),
        ({"gevallen": [], "peildatum": 20080301}, "peildatum", "verwacht een datum"),
        ({"gevallen": [], "klanten": []}, "klanten", "onbekend veld"),
        ({"gevallen": [{}] * 10_001}, "gevallen", "te veel gevallen (ten hoogste 10.000"),
        (
            {"gevallen": [{}, 3, [], {}]},
            "gevallen",
            "verwacht bij elk geval een object met zijn gegevens, niet bij geval 2, 3",
        ),
    ],
)
def test_the_batch_endpoint_refuses_what_is_no_caseload(
    server: Any, body: dict[str, Any], field: str, message: str
) -> None:
    status, answer = server.post(BATCH, body)
    assert status == 422 and answer["fout"] == "ongeldige invoer"
    assert answer["velden"][field].startswith(message)


def test_the_batch_endpoint_refuses_a_body_past_its_limit(server: Any) -> None:
    from regel.compiler.service import MAX_BATCH_BODY

    status, _, answer = server.request(
        "POST", BATCH, b"{" + b" " * MAX_BATCH_BODY + b"}", {"Content-Type": "application/json"}
    )
    assert status == 413 and "ten hoogste 8192 kB" in answer["fout"]


def test_the_batch_endpoint_is_in_the_openapi_schema(server: Any) -> None:
    status, _, schema = server.request("GET", "/openapi.json")
    assert status == 200
    operation = schema["paths"][BATCH]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    case = body["properties"]["gevallen"]["items"]
    assert case["type"] == "object" and BATCH.removesuffix("/bestand") in case["description"]
    assert body["properties"]["gevallen"]["description"] == "Ten hoogste 10.000 gevallen"
    assert "200" in operation["responses"] and "413" in operation["responses"]


def test_the_batch_endpoint_refuses_a_wrong_gemeente_once(server: Any) -> None:
    status, answer = server.post(BATCH + "?gemeente=Delft", {"gevallen": [{}]})
    assert status == 422 and answer["velden"]["gemeente"].startswith("verwacht de code van het CBS")
    status, answer = server.post(BATCH + "?gemeente=GM0503", {"gevallen": [{}]})
    assert status == 422 and answer["code"] == "R605" and "niet in GM0503" in answer["fout"]


def test_the_example_of_docs_bestanden_is_answered_as_it_says(server: Any) -> None:
    import json
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```json\n(.*?)```", text, re.S)
    status, answer = server.post(BATCH, json.loads(example))
    assert status == 200, answer
    assert answer["samenvatting"]["beslist"] == 1
    assert answer["rijen"][0]["loonkostensubsidie_status"] == "bepaald"
