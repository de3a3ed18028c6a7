"""Slow clients against `regel dien`: does a normal request still get its answer?

    .venv/bin/python benchmarks/bench_slow_clients.py [--seconden 15] [--traag 300]

Starts `regel dien policies/delft` as a process that may open only 256 files (as on a small
server), keeps `--traag` connections open that send the head of a request a byte at a time
(slowloris; a closed one is opened again at once), and meanwhile sends an ordinary decision
request every 50 ms. Reports how many ordinary requests got their answer and how fast, how many
slow connections the service closed, and how much it logged.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGEL = str(Path(sys.executable).parent / "regel")
DELFT = "/regelingen/delft/besluiten/aanspraak"
CASE = {
    "peildatum": "2011-09-01",
    "uitkering": "WWB",
    "woonplaats": "Rotterdam",
    "inzet_noodzakelijk": True,
    "voorliggende_voorziening_volstaat": False,
    "arbeid_zonder_voorziening_mogelijk": False,
}
FILES = 256


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ordinary(port: int) -> float | None:
    """One decision request; its time in seconds, or None if it got no answer within 5 s."""
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", DELFT, json.dumps(CASE), {"Content-Type": "application/json"})
        answer = conn.getresponse()
        body = json.loads(answer.read())
        conn.close()
    except (OSError, ValueError):
        return None
    if answer.status != 200 or "uitkomsten" not in body:
        return None
    return time.monotonic() - start


class Slowloris:
    """`count` connections that each send the head of a request a byte at a time, never
    finishing it; one the service closes is opened again at once. Never blocks."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.head = f"POST {DELFT} HTTP/1.1\r\nHost: x\r\nX-Traag: ".encode()
        self.selector = selectors.DefaultSelector()
        self.sent: dict[socket.socket, int] = {}
        self.opened = self.closed = 0

    def _open(self) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", self.port))
        self.sent[sock] = 0
        self.selector.register(sock, selectors.EVENT_READ)
        self.opened += 1

    def step(self) -> None:
        while len(self.sent) < self.count:
            self._open()
        for key, _ in self.selector.select(timeout=0):  # closed (or answered) by the service
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            self.selector.unregister(sock)
            sock.close()
            del self.sent[sock]
            self.closed += 1
        for sock, sent in list(self.sent.items()):
            if sent < len(self.head):
                with contextlib.suppress(OSError):
                    self.sent[sock] += sock.send(self.head[sent : sent + 1])

    def close(self) -> None:
        for sock in self.sent:
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconden", type=float, default=15)
    parser.add_argument("--traag", type=int, default=300)
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))  # for the slow ones
    port = free_port()
    with tempfile.TemporaryFile() as log:
        service = subprocess.Popen(
            [REGEL, "dien", str(ROOT / "policies" / "delft"), "--poort", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=_limit_files,
        )
        try:
            deadline = time.monotonic() + 30
            while ordinary(port) is None:
                if time.monotonic() > deadline:
                    print("de service startte niet")
                    return 1
                time.sleep(0.2)
            times: list[float] = []
            failed = [0]
            stop = time.monotonic() + args.seconden

            def client() -> None:  # an ordinary request every 50 ms
                next_request = time.monotonic()
                while time.monotonic() < stop:
                    took = ordinary(port)
                    if took is None:
                        failed[0] += 1
                    else:
                        times.append(took)
                    next_request += 0.05
                    time.sleep(max(0.0, next_request - time.monotonic()))

            slow = Slowloris(port, args.traag)
            slow.step()
            thread = threading.Thread(target=client)
            thread.start()
            while time.monotonic() < stop:
                slow.step()
                time.sleep(0.01)
            thread.join()
            slow.close()
        finally:
            service.terminate()
            service.wait(20)
        log.seek(0, 2)
        logged = log.tell()
    total = len(times) + failed[0]
    print(f"regel dien met {FILES} open bestanden, {args.traag} trage verbindingen, "
          f"{args.seconden:g} s")  # fmt: skip
    print(f"  gewone verzoeken: {len(times)} van {total} beantwoord, {failed[0]} zonder antwoord")
    if times:
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"  tijd per gewoon verzoek: mediaan {statistics.median(times) * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms, langste {ordered[-1] * 1000:.1f} ms")  # fmt: skip
    print(f"  trage verbindingen geopend: {slow.opened}, door de service gesloten: {slow.closed}")
    print(f"  log van de service: {logged} bytes")
    return 0 if failed[0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
