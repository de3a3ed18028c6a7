"""The HTTP server under the decision service: uvicorn, with limits, timeouts and Dutch answers.

Uvicorn answers what it cannot parse itself (a bad request line, broken headers) with English
plain text, and waits forever for a client that sends its request slowly. This module gives
the service a protocol of its own on top of uvicorn's:

- the request line and headers must arrive within `HEAD_TIMEOUT` seconds and stay under
  `MAX_HEAD` bytes; the body must arrive within `BODY_TIMEOUT` (checked by the service);
- at most `max_connections` connections at a time; when they are all taken, the one that has
  waited longest without sending a complete request is closed for the newcomer;
- every refusal the server gives itself is the Dutch JSON of the service (`{"fout": …}`);
- its log is bounded: a message that repeats is logged a few times a minute, with a count.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT = 10.0  # seconds for the request line and headers
BODY_TIMEOUT = 10.0  # seconds for the body (see service._read)
MAX_HEAD = 16 * 1024  # bytes of request line and headers
_FILES_FOR_OTHERS = 64  # file descriptors kept free of connections (logs, the policies, …)

_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large",
            503: "Service Unavailable"}  # fmt: skip


def refusal(status: int, message: str) -> bytes:
    """A complete HTTP response with the service's Dutch JSON body, closing the connection."""
    body = json.dumps({"fout": message}, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
        "content-type: application/json; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _HeadTooLarge(Exception):
    pass


class Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for the head of every
    request, a cap on connections, and Dutch refusals."""

    max_connections = 1000  # set by `config` from the file descriptors the process may open
    head_timeout = HEAD_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head = 0  # bytes of the head of the current request
        self._waiting_since = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None
        self._refused: tuple[int, str] | None = None
        self._started = False  # has the current request sent anything yet?
        if len(self.server_state.connections) >= self.max_connections and not self._make_room():
            self.transport = transport  # uvicorn's connection_lost closes it
            transport.write(
                refusal(503, "de beslisservice heeft het te druk; probeer het zo opnieuw")
            )
            transport.close()
            return
        super().connection_made(transport)
        self._arm()

    # -- the head of a request: its deadline and its size
    def _arm(self) -> None:
        if self._timer is None:
            self._waiting_since = time.monotonic()
            self._timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def waiting(self) -> float | None:
        """Since when this connection waits for a complete request head; None while a request
        is being answered."""
        return self._waiting_since if self._timer is not None else None

    def _too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and cycle.response_complete and cycle.more_body:
            # Answered already (a body too large or too slow), and the rest of that body has
            # not come in time either: the connection goes, without a second answer.
            self.transport.close()
            return
        if self._started:
            self.transport.write(
                refusal(
                    408,
                    f"het verzoek kwam niet binnen {self.head_timeout:g} seconden binnen (de "
                    "eerste regel en de kopregels); de verbinding is gesloten",
                )
            )
        self.transport.close()  # an idle connection is closed without a word, as is usual

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for a complete request, if any."""
        waiting = [
            (since, other)
            for other in self.server_state.connections
            if isinstance(other, Protocol) and (since := other.waiting()) is not None
        ]
        if not waiting:
            return False
        _, oldest = min(waiting, key=lambda pair: pair[0])
        oldest._disarm()
        if oldest._started:
            oldest.transport.write(
                refusal(408, "het verzoek duurde te lang en de service had de plaats nodig")
            )
        oldest.transport.close()
        self.server_state.connections.discard(oldest)
        return True

    def data_received(self, data: bytes) -> None:
        self._started = True
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._head = 0
        self._started = True
        self._arm()
        super().on_message_begin()

    def _count(self, size: int) -> None:
        self._head += size
        if self._head > MAX_HEAD:
            self._refused = (
                431,
                f"de eerste regel en de kopregels van het verzoek zijn te groot (ten hoogste "
                f"{MAX_HEAD // 1024} kB)",
            )
            raise _HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._started = False
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """What uvicorn sends for a request it cannot parse, in the service's words."""
        status, message = self._refused or (
            400,
            "ongeldig HTTP-verzoek: de eerste regel of de kopregels kloppen niet",
        )
        self._disarm()
        self.transport.write(refusal(status, message))
        self.transport.close()


# What uvicorn and asyncio log about bad or too many requests, for a Dutch operator.
_LOG_NL = {
    "Invalid HTTP request received.": "ongeldig HTTP-verzoek ontvangen (beantwoord met 400)",
    "socket.accept() out of system resource": "kan geen verbinding aannemen: te veel open "
    "bestanden (asyncio probeert het na een seconde opnieuw)",
    "Exceeded concurrency limit.": "te veel verzoeken tegelijk (beantwoord met 503)",
}


class _Bounded(logging.Filter):
    """Lets a message through a few times per minute; then once more with how often it was
    held back. A flood of bad requests cannot fill the disk."""

    def __init__(self, per_minute: int = 5):
        super().__init__()
        self.per_minute = per_minute
        self.seen: dict[str, tuple[float, int, int]] = {}  # message → (start, shown, held)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            for english, dutch in _LOG_NL.items():
                if record.msg.startswith(english):
                    record.msg = dutch + record.msg[len(english) :]
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        start, shown, held = self.seen.get(key, (now, 0, 0))
        if now - start >= 60:
            if held:
                record.msg = f"{record.msg} (en {held} keer eerder in de laatste minuut)"
            start, shown, held = now, 0, 0
        if shown >= self.per_minute:
            self.seen[key] = (start, shown, held + 1)
            return False
        self.seen[key] = (start, shown + 1, held)
        if len(self.seen) > 1000:  # messages with ever-new text: forget the oldest
            self.seen.pop(next(iter(self.seen)))
        return True


def bound_logs() -> None:
    """Bound what uvicorn and asyncio log (a refused accept, a bad request) per minute."""
    flood = _Bounded()
    for name in ("uvicorn", "uvicorn.error", "asyncio"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Bounded) for f in logger.filters):
            logger.addFilter(flood)


def raise_file_limit() -> int:
    """Let the process open as many files as it is allowed to (the soft limit up to the hard
    one), and return how many it may then open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft if soft != resource.RLIM_INFINITY else 65536


def limits(files: int) -> tuple[int, int]:
    """The listen backlog and the most connections for a process that may open `files` files.

    asyncio accepts up to a backlog of connections at once and sets each up a moment later;
    one that must make room closes another, whose descriptor is freed later still. So a few
    backlogs of descriptors stay free, besides those for everything else; then a flood of
    connections never runs the process out of files (and asyncio never stops accepting)."""
    backlog = min(128, max(16, files // 32))
    return backlog, max(8, min(files - _FILES_FOR_OTHERS - 4 * backlog, 10_000))


def config(
    app: Any,
    host: str,
    port: int,
    head_timeout: float = HEAD_TIMEOUT,
    max_connections: int | None = None,
    **options: Any,
) -> uvicorn.Config:
    """The uvicorn configuration of the service: its own protocol, no access log, bounded
    logs, and a cap on connections from the file descriptors this process may open."""
    backlog, most = limits(raise_file_limit())
    protocol = type(
        "Protocol",
        (Protocol,),
        {"head_timeout": head_timeout, "max_connections": max_connections or most},
    )
    bound_logs()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        log_level=options.pop("log_level", "warning"),
        access_log=False,
        timeout_keep_alive=5,
        backlog=backlog,
        **options,
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket of our own, so that a busy port gets a Dutch message (OSError).
    IPPROTO_TCP, as asyncio sets TCP_NODELAY on accepted connections only for such sockets;
    without it each answer waits for the peer's delayed ACK (40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
