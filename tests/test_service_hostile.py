"""The decision service against a hostile client, over real HTTP on 127.0.0.1: lone
surrogates, numbers with absurd exponents, deep nesting, requests sent slowly or never
finished, broken request lines and oversized headers. Every answer is the service's Dutch
JSON with a 4xx, it comes within a bounded time, and the service keeps serving."""

from __future__ import annotations

import json
import logging
import select
import socket
import time
from collections.abc import Iterator

import pytest
from regel.compiler import load
from regel.compiler.service import create_app

from .conftest import POLICIES, WAGE_SUBSIDY_CASE
from .test_service import DELFT, DELFT_CASE, LKS, Server

TIMEOUT = 1.0  # seconds the test server allows for a head and for a body
# An answer that does not wait on anything comes within this many seconds, also on a busy CI
# machine; the point is that it comes, not how fast (that is benchmarks/).
QUICK = 5.0


@pytest.fixture(scope="module")
def strict() -> Iterator[Server]:
    app = create_app(load(POLICIES), body_timeout=TIMEOUT)
    with Server(app, head_timeout=TIMEOUT, max_connections=20) as s:
        yield s


def raw_exchange(server: Server, data: bytes, wait: float = 10.0) -> tuple[bytes, float]:
    """Send bytes as they are, read the answer until the server closes; and how long it took."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    return b"".join(chunks), time.monotonic() - start


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def dutch_refusal(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    assert b"application/json" in head.lower(), head
    text = json.loads(body.decode("utf-8"))
    assert isinstance(text["fout"], str) and "Traceback" not in body.decode()
    return status, text


def post(server: Server, body: bytes) -> tuple[int, dict[str, object], float]:
    start = time.monotonic()
    status, _, answer = server.request("POST", LKS, body, {"Content-Type": "application/json"})
    return status, answer, time.monotonic() - start


def case_with(**fields: object) -> bytes:
    return json.dumps({"peildatum": "2008-03-01", **WAGE_SUBSIDY_CASE, **fields}).encode()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b'{"\\udfff": 1}', "\\udfff", "onbekend gegeven voor deze regeling"),
        (b'{"peildatum": "\\ud800"}', "peildatum", "'\\ud800' is geen geldige datum (JJJJ-MM-DD)"),
        (
            case_with(klantgroep="x").replace(b'"x"', b'"\\ud800"'),
            "klantgroep",
            "verwacht een van",
        ),
    ],
)
def test_lone_surrogates_get_a_dutch_refusal(
    strict: Server, body: bytes, field: str, message: str
) -> None:
    status, answer, took = post(strict, body)
    assert status == 422 and took < QUICK
    assert message in answer["velden"][field]  # type: ignore[index]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1e-100000000", "te veel cijfers achter de komma (ten hoogste 10)"),
        ("1e-999999999", "te veel cijfers achter de komma (ten hoogste 10)"),
        ("1e999999999", "getal is te groot (meer dan 15 cijfers voor de komma)"),
        ("-1E+16", "getal is te groot (meer dan 15 cijfers voor de komma)"),
        ('"1e-100000000"', "'1e-100000000' is geen getal; schrijf het als \"1234.56\""),
        ("0." + "0" * 5000 + "1", "te veel cijfers achter de komma (ten hoogste 10)"),
    ],
)
def test_huge_and_tiny_exponents_are_refused_quickly_and_briefly(
    strict: Server, number: str, message: str
) -> None:
    body = case_with(loonkosten="X").replace(b'"X"', number.encode())
    status, answer, took = post(strict, body)
    assert status == 422 and took < QUICK
    assert answer["velden"] == {"loonkosten": message}
    assert len(json.dumps(answer)) < 500


def test_deep_nesting_is_refused(strict: Server) -> None:
    status, answer, took = post(strict, b'{"a": ' + b"[" * 20_000 + b"]" * 20_000 + b"}")
    assert status == 400 and took < QUICK and "te diep genest" in answer["fout"]  # type: ignore[operator]


def test_a_body_that_never_comes_gets_a_408(strict: Server) -> None:
    head = f"POST {LKS} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".encode()
    answer, took = raw_exchange(strict, head + b'{"peildatum": ')
    status, text = dutch_refusal(answer)
    assert status == 408 and TIMEOUT <= took < TIMEOUT + QUICK
    assert "body kwam niet binnen" in text["fout"]  # type: ignore[operator]


def test_a_body_sent_a_byte_at_a_time_gets_a_408(strict: Server) -> None:
    body = case_with()
    head = f"POST {LKS} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", strict.port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        while sent < len(body) and not select.select([sock], [], [], 0.2)[0]:
            sock.sendall(body[sent : sent + 1])  # until the service answers
            sent += 1
        answer = b""
        while not (b"\r\n\r\n" in answer and _complete(answer)):  # head and body may come apart
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status, _ = dutch_refusal(answer)
    assert status == 408 and time.monotonic() - start < TIMEOUT + QUICK


def test_a_head_that_never_ends_gets_a_408(strict: Server) -> None:
    answer, took = raw_exchange(strict, f"POST {LKS} HTTP/1.1\r\nHost: x\r\nX-Tr".encode())
    status, text = dutch_refusal(answer)
    assert status == 408 and TIMEOUT <= took < TIMEOUT + QUICK
    assert "kopregels" in text["fout"]  # type: ignore[operator]


def test_an_idle_connection_is_closed_without_a_word(strict: Server) -> None:
    answer, took = raw_exchange(strict, b"")
    assert answer == b"" and took < TIMEOUT + QUICK


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        (b"GARBAGE\r\n\r\n", 400, "ongeldig HTTP-verzoek"),
        (b"GET / HTTP/9.9\r\n\r\n", 400, "ongeldig HTTP-verzoek"),
        (b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "ongeldig HTTP-verzoek"),
        (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, "ongeldig HTTP-verzoek"),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "ongeldig HTTP-verzoek"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20_000 + b"\r\n\r\n",
            431,
            "te groot",
        ),
        (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n\r\n", 431, "te groot"),
    ],
)
def test_requests_the_http_server_cannot_parse_get_dutch_json(
    strict: Server, request_bytes: bytes, status: int, words: str
) -> None:
    answer, took = raw_exchange(strict, request_bytes)
    got, text = dutch_refusal(answer)
    assert got == status and took < QUICK
    assert words in text["fout"]  # type: ignore[operator]


def test_slow_clients_do_not_keep_others_out(strict: Server) -> None:
    """More half-sent requests than the server takes connections: the one waiting longest
    gives way, and a normal request is answered at once."""
    slow = []
    try:
        for _ in range(30):  # the server takes 20
            sock = socket.create_connection(("127.0.0.1", strict.port), timeout=10)
            sock.sendall(f"POST {DELFT} HTTP/1.1\r\nHost: x\r\n".encode())
            slow.append(sock)
        start = time.monotonic()
        status, body = strict.post(DELFT, DELFT_CASE)
        assert status == 200 and time.monotonic() - start < QUICK
        assert body["uitkomsten"]["aanspraak_voorziening"]["waarde"] is False
    finally:
        for sock in slow:
            sock.close()


def test_a_flood_of_bad_requests_keeps_the_log_short(
    strict: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        for _ in range(50):
            raw_exchange(strict, b"GARBAGE\r\n\r\n")
    shown = [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert len(shown) <= 5, [r.getMessage() for r in shown]
    status, _ = strict.post(DELFT, DELFT_CASE)
    assert status == 200
