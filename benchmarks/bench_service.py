"""Throughput and latency of the decision service: one uvicorn worker, loaded by wrk over
loopback on the same machine, every request a motivated decision.

    .venv/bin/python benchmarks/bench_service.py [--duur 10] [--verbindingen 16]

The request is Berkelland's wage-cost subsidy (B.6) with the full motivation. Then, in this
process, the same request's parts are timed one by one (parsing and checking the body, the
decision with its trace, the answer as JSON), so that the report says what share of a
request's time goes to the decision and what to HTTP, the framework and validation.
wrk comes from Debian (`apt-get install wrk`); `make bench` installs it when it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from pathlib import Path

from regel.compiler import load
from regel.compiler.service import check_request, endpoints, parse_body

ROOT = Path(__file__).resolve().parent.parent
PATH = "/regelingen/berkelland/besluiten/loonkostensubsidie"
CASE = {
    "peildatum": "2008-03-01",
    "klantgroep": "bijstand",
    "geboortedatum": "1978-01-01",
    "maanden_werkloos": 14,
    "uren_per_week": 32,
    "bijstandsonafhankelijk_door_arbeid": True,
    "loonkosten": "1400.00",
}
LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"de service kwam niet op: {url}") from None
            time.sleep(0.1)


def seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def run_wrk(url: str, duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA.format(body=json.dumps(json.dumps(CASE))))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk kreeg {errors[1]} foute antwoorden:\n{out}")
    return {"rps": rps, **{f"p{k}": seconds(v) for k, v in latency.items()}}


def parts() -> dict[str, float]:
    """Seconds per request for each part the service does itself, in this process."""
    policies = load(str(ROOT / "policies"))
    ep = next(e for e in endpoints(policies) if e.path == PATH)
    raw = json.dumps(CASE).encode()
    peildatum, inputs = check_request(ep, parse_body(raw))
    regulation = policies.version("berkelland", peildatum)
    result = regulation.evaluate(inputs, peildatum, "loonkostensubsidie", trace=True)

    def best(fn, number: int = 2000) -> float:  # type: ignore[no-untyped-def]
        return min(timeit.repeat(fn, number=number, repeat=5)) / number

    return {
        "body lezen en controleren": best(lambda: check_request(ep, parse_body(raw))),
        "besluit met motivering": best(
            lambda: regulation.evaluate(inputs, peildatum, "loonkostensubsidie", trace=True)
        ),
        "antwoord als JSON": best(
            lambda: json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":"))
        ),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duur", type=int, default=10, help="seconden per meting")
    ap.add_argument("--verbindingen", type=int, default=16, help="gelijktijdige verbindingen")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk ontbreekt: apt-get install wrk (make bench doet dat zelf)", file=sys.stderr)
        return 2
    port = free_port()
    regel = str(Path(sys.executable).parent / "regel")
    server = subprocess.Popen(
        [regel, "dien", str(ROOT / "policies"), "--poort", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/gezondheid")
        run_wrk(base + PATH, 2, args.verbindingen)  # warm up
        m = run_wrk(base + PATH, args.duur, args.verbindingen)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(10)
    print(
        f"1 worker, wrk -t1 -c{args.verbindingen} -d{args.duur}s, Python {sys.version.split()[0]}"
    )
    print(f"besluiten met motivering per seconde: {m['rps']:,.0f}".replace(",", "."))
    for p in ("p50", "p90", "p99"):
        print(f"latentie {p}: {m[p] * 1000:.2f} ms".replace(".", ","))
    per_request = 1 / m["rps"]
    own = parts()
    print(f"\ntijd per verzoek (1 / doorvoer): {per_request * 1e6:.0f} µs, waarvan:")
    own["HTTP, uvicorn en FastAPI"] = per_request - sum(own.values())
    for name, t in own.items():
        print(f"  {name:<28} {t * 1e6:6.0f} µs  {t / per_request:5.1%}".replace(".", ","))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
