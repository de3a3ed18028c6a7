"""The decision service over real HTTP: uvicorn on 127.0.0.1, requests through a socket.

Good input gets a motivated decision; every kind of bad input gets a 4xx with a Dutch message
naming the field, never a 500 or a traceback; and the OpenAPI schema is tested against the
running service with schemathesis (valid and invalid data generated from the schema)."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler import load
from regel.compiler.cli import main
from regel.compiler.server import config
from regel.compiler.service import MAX_BODY, Refused, create_app, parse_body
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from .conftest import POLICIES, WAGE_SUBSIDY_CASE

LKS = "/regelingen/berkelland/besluiten/loonkostensubsidie"
DELFT = "/regelingen/delft/besluiten/aanspraak"
DELFT_CASE = {
    "peildatum": "2011-09-01",
    "uitkering": "WWB",
    "woonplaats": "Rotterdam",
    "inzet_noodzakelijk": True,
    "voorliggende_voorziening_volstaat": False,
    "arbeid_zonder_voorziening_mogelijk": False,
}


class Server:
    """The service's own server (compiler/server.py) in a thread, on a free port of
    127.0.0.1."""

    def __init__(self, app: Any, **options: Any):
        self.server = uvicorn.Server(config(app, "127.0.0.1", 0, **options))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn startte niet"
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            head = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        return response.status, head, json.loads(raw) if raw else None

    def post(self, path: str, data: Any) -> tuple[int, Any]:
        status, head, body = self.request(
            "POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"}
        )
        assert head["content-type"].startswith("application/json")
        return status, body


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    policies = load(POLICIES)
    with Server(create_app(policies, "https://regels.voorbeeld.nl/")) as s:
        yield s


# ---------------------------------------------------------------- good input


def test_a_motivated_decision(server: Server) -> None:
    status, body = server.post(LKS, {"peildatum": "2008-03-01", **WAGE_SUBSIDY_CASE})
    assert status == 200
    outcome = body["uitkomsten"]["loonkostensubsidie"]
    assert outcome == {
        "status": "bepaald",
        "waarde": "500.00",
        "weergave": "€ 500,00 per maand",
        "grondslag": ["paragraaf B.6 alinea 2 onder 1"],
    }
    assert (body["regeling"], body["besluit"]) == ("berkelland", "loonkostensubsidie")
    assert (body["geldig_van"], body["geldig_tot_en_met"]) == ("2007-10-01", "2020-02-20")
    applied = [s for s in body["motivering"] if s["status"] == "toegepast"]
    assert applied[0]["tekst"].startswith(
        "Paragraaf B.6 alinea 2 onder 1 (regel subsidie_algemeen)"
    )
    assert [s["soort"] for s in applied[0]["berekening"]] == [
        "norm", "berekening", "norm", "grens", "afronding"
    ]  # fmt: skip
    assert applied[0]["berekening"][1]["weergave"] == "€ 700,00 per maand"
    assert applied[0]["documentatie"] == (
        "https://regels.voorbeeld.nl/regelingen/berkelland/paragraaf-b-6/#regel-subsidie_algemeen"
    )


def test_oordelen_and_versions(server: Server) -> None:
    status, body = server.post(DELFT, DELFT_CASE)
    assert status == 200
    assert body["uitkomsten"]["aanspraak_voorziening"]["grondslag"] == ["artikel 3 lid 2"]
    # the exception of lid 2 decided; the oordelen looked at before it are named
    assert [o["gegeven"] for o in body["oordelen"]] == [
        "voorliggende_voorziening_volstaat",
        "arbeid_zonder_voorziening_mogelijk",
    ] or {o["gegeven"] for o in body["oordelen"]} == {
        "voorliggende_voorziening_volstaat",
        "arbeid_zonder_voorziening_mogelijk",
    }
    _, in_delft = server.post(DELFT, {**DELFT_CASE, "woonplaats": "Delft"})
    assert in_delft["uitkomsten"]["aanspraak_voorziening"]["waarde"] is True
    assert "inzet_noodzakelijk" in {o["gegeven"] for o in in_delft["oordelen"]}
    assert all(o["orgaan"] == "college" for o in in_delft["oordelen"])
    path = "/regelingen/voorbeeld_beleid/besluiten/opleiding_jongere"
    case = {"uitkering": "WWB", "woonplaats": "Voorbeeld", "geboortedatum": "1995-01-01"}
    _, old = server.post(path, {"peildatum": "2012-06-01", **case})
    _, new = server.post(path, {"peildatum": "2013-06-01", **case})
    assert (old["geldig_van"], new["geldig_van"]) == ("2012-01-01", "2013-01-01")


def test_numbers_stay_exact(server: Server) -> None:
    # as a JSON number with more digits than a float holds, and as text: exact
    exact = "1234567.0000000001"
    for loonkosten in (exact, f'"{exact}"'):
        raw = json.dumps({"peildatum": "2008-03-01", **WAGE_SUBSIDY_CASE}).replace(
            '"1400.00"', loonkosten
        )
        status, _, body = server.request("POST", LKS, raw.encode())
        assert status == 200, body
        assert body["uitkomsten"]["loonkostensubsidie"]["waarde"] == "500.00"
    # more digits than the input bounds allow: refused, the same in JSON and as text
    for loonkosten in ("1000.0000000000000000001", '"1000.0000000000000000001"', "1e-100000000"):
        raw = json.dumps({"peildatum": "2008-03-01", **WAGE_SUBSIDY_CASE}).replace(
            '"1400.00"', loonkosten
        )
        status, _, body = server.request("POST", LKS, raw.encode())
        assert status == 422, body
        assert body["velden"] == {"loonkosten": "te veel cijfers achter de komma (ten hoogste 10)"}


def test_listing_health_and_schema(server: Server) -> None:
    status, _, regs = server.request("GET", "/regelingen")
    assert status == 200
    delft = next(r for r in regs if r["id"] == "delft")
    assert delft["versies"][0]["geldigheid"] == "vanaf 15 juli 2011 tot en met 31 december 2011"
    assert {"naam": "aanspraak", "adres": DELFT}.items() <= delft["besluiten"][0].items()
    assert server.request("GET", "/regelingen/delft")[2]["id"] == "delft"
    assert server.request("GET", "/gezondheid")[2]["status"] == "in orde"
    status, _, spec = server.request("GET", "/openapi.json")
    post = spec["paths"][LKS]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {
        "peildatum", "klantgroep", "geboortedatum", "maanden_werkloos", "uren_per_week",
        "bijstandsonafhankelijk_door_arbeid", "loonkosten",
    }  # fmt: skip
    assert schema["additionalProperties"] is False
    assert schema["properties"]["klantgroep"]["enum"][:2] == ["bijstand", "ioaw_ioaz"]
    assert "€ per maand" in schema["properties"]["loonkosten"]["description"]
    assert schema["properties"]["handicap"]["default"] is False
    assert {"type": "null"} in schema["properties"]["handicap"]["anyOf"]
    delft_schema = spec["paths"][DELFT]["post"]["requestBody"]["content"]["application/json"]
    described = delft_schema["schema"]["properties"]["inzet_noodzakelijk"]["description"]
    assert described.startswith("Oordeel van het college:")
    assert {"200", "400", "413", "422"} <= set(post["responses"])
    text = json.dumps(spec)
    for english in ("Successful Response", "Validation Error", "HTTPValidationError"):
        assert english not in text


# ---------------------------------------------------------------- bad input


def test_every_wrong_field_is_named_in_dutch(server: Server) -> None:
    status, body = server.post(
        LKS,
        {
            "peildatum": "2008-02-30",
            "klantgroep": "rijk",
            "geboortedatum": "01-01-1978",
            "maanden_werkloos": "veertien",
            "uren_per_week": True,
            "bijstandsonafhankelijk_door_arbeid": "ja",
            "loonkosten": 1e20,
            "budgetplafond": 1,
            "afstand": 3,
        },
    )
    assert status == 422
    assert body["fout"] == "ongeldige invoer" and body["code"] == "R710"
    assert body["velden"] == {
        "peildatum": "'2008-02-30' is geen geldige datum (JJJJ-MM-DD)",
        "klantgroep": "verwacht een van: "
        "bijstand, ioaw_ioaz, anw_er, nugger, voormalig_wiw_id, geen",
        "geboortedatum": "'01-01-1978' is geen geldige datum (JJJJ-MM-DD)",
        "maanden_werkloos": "'veertien' is geen getal; schrijf het als \"1234.56\"",
        "uren_per_week": "verwacht een getal",
        "bijstandsonafhankelijk_door_arbeid": "verwacht ja of nee: true of false",
        "loonkosten": "getal is te groot (meer dan 15 cijfers voor de komma)",
        "budgetplafond": "onbekend gegeven voor deze regeling",
        "afstand": "wordt in het besluit 'loonkostensubsidie' niet gebruikt",
    }


def test_missing_fields_and_peildatum(server: Server) -> None:
    status, body = server.post(LKS, {})
    assert status == 422
    assert body["velden"]["peildatum"].startswith("ontbreekt")
    assert body["velden"]["loonkosten"] == "ontbreekt (verplicht gegeven)"
    status, body = server.post(LKS, {"peildatum": "2030-01-01", **WAGE_SUBSIDY_CASE})
    assert status == 422 and body["code"] == "R601"
    assert "valt buiten de geldigheid" in body["velden"]["peildatum"]


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"geen json", 400, "geen geldige JSON (regel 1, kolom 1: hier werd een waarde verwacht)"),
        (b'{"a": 1' + b"1" * 5000 + b"}", 400, "een getal heeft te veel cijfers"),
        (b"\xff\xfe{}", 400, "de body is geen UTF-8-tekst (byte 0)"),
        (b"", 400, "de body is leeg"),
        (b'{"peildatum": NaN}', 400, "'NaN' is geen getal in JSON"),
        (b"[" * 10_000 + b"]" * 10_000, 400, "de body is geen bruikbare JSON: te diep genest"),
        (b"[1, 2]", 422, "verwacht een JSON-object"),
        (b'"tekst"', 422, "verwacht een JSON-object"),
    ],
)
def test_bodies_that_are_not_a_case(server: Server, raw: bytes, status: int, message: str) -> None:
    got, _, body = server.request("POST", LKS, raw)
    assert got == status
    assert message in body["fout"]
    assert "Traceback" not in json.dumps(body)


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
@settings(max_examples=300, deadline=None)
def test_any_body_is_a_case_or_a_dutch_refusal(raw: bytes) -> None:
    try:
        data = parse_body(raw)
    except Refused as err:
        assert err.status in (400, 422) and err.message.startswith(("de body", "verwacht"))
    else:
        assert isinstance(data, dict)


def test_an_oversized_body_is_refused_without_reading_it(server: Server) -> None:
    big = b'{"x": "' + b"a" * (MAX_BODY + 1) + b'"}'
    status, _, body = server.request("POST", LKS, big)
    assert status == 413 and "te groot" in body["fout"]
    # sent in chunks, without a length up front
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall(
            f"POST {LKS} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"a" * 16384
        for _ in range(6):
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(4096).decode("utf-8", "replace")
    finally:
        sock.close()
    assert answer.startswith("HTTP/1.1 413")


def test_unknown_addresses_and_methods(server: Server) -> None:
    status, _, body = server.request("GET", "/bestaat/niet")
    assert status == 404 and body == {"fout": "onbekend adres '/bestaat/niet'; zie /regelingen"}
    status, _, body = server.request("GET", LKS)
    assert status == 405 and "GET" in body["fout"]
    status, _, body = server.request("GET", "/regelingen/amsterdam")
    assert status == 404 and body["fout"].startswith("onbekende regeling 'amsterdam'")


def test_the_service_keeps_serving_after_bad_input(server: Server) -> None:
    for raw in (b"\x00\x01", b"{", b'{"peildatum": []}', b"{}" * 1000):
        assert server.request("POST", DELFT, raw)[0] in (400, 422)
    assert server.post(DELFT, DELFT_CASE)[0] == 200


def test_dien_refuses_a_port_that_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dien", str(POLICIES / "delft"), "--poort", "70000"]) == 2
    assert "poort 70000 bestaat niet" in capsys.readouterr().err


# ---------------------------------------------------------------- the schema, tested

# A schema-valid case may still be refused for what no JSON schema can say: a peildatum outside
# the period of force (R601), or arithmetic beyond range on extreme inputs (R7xx).
SEMANTIC = re.compile(r"R6\d\d|R7[0-9][0-9]")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_service_keeps_its_schema(server: Server, mode: GenerationMode) -> None:
    """Bodies generated from the OpenAPI schema, valid and invalid, sent over HTTP to every
    operation: never a 5xx, every response as the schema describes it, invalid input refused,
    valid input accepted unless refused for a reason the schema cannot express."""
    api = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.method.upper() != "POST":
            continue  # nothing to get wrong in a GET without parameters
        _exercise(operation, mode)


def _exercise(operation: Any, mode: GenerationMode) -> None:
    post = operation.method.upper() == "POST"

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case: Any) -> None:
        response = case.call()
        excluded = [positive_data_acceptance]
        if (case.query or {}).get("onvolledig") == "ja":
            # partial input lifts `required`, which the schema cannot say of a query parameter
            excluded.append(negative_data_rejection)
        case.validate_response(response, excluded_checks=excluded)
        if mode is GenerationMode.POSITIVE and post and response.status_code != 200:
            body = response.json()
            assert response.status_code == 422, body
            assert SEMANTIC.fullmatch(body.get("code", "")), body

    check()


def test_dien_says_in_dutch_when_the_port_is_taken(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dien", str(POLICIES / "delft"), "--poort", str(server.port)]) == 1
    err = capsys.readouterr().err
    assert f"kan niet luisteren op 127.0.0.1:{server.port}: de poort is al in gebruik" in err


def test_regel_dien_serves_and_stops_cleanly() -> None:
    """The command itself, as a developer starts it: a process, a port, Ctrl+C."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    regel = str(Path(sys.executable).parent / "regel")
    proc = subprocess.Popen(
        [regel, "dien", str(POLICIES / "delft"), "--poort", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()  # type: ignore[union-attr]
        assert first.startswith(f"beslisservice op http://127.0.0.1:{port}/")
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", DELFT, json.dumps(DELFT_CASE))
                answer = conn.getresponse()
                body = json.loads(answer.read())
                conn.close()
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert answer.status == 200
        assert body["uitkomsten"]["aanspraak_voorziening"]["grondslag"] == ["artikel 3 lid 2"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "beslisservice gestopt" in out and "Traceback" not in err
