"""Doing a thing again whenever a source file changes: `regel docs --volg`.

The watching is watchdog's (MkDocs's own `serve` uses it, so it is installed already): the
system's file events, no polling. Editors save in bursts (a temporary file, a rename, a
touch), so the changes of a short while are taken together and the work runs once after them.
What the work itself writes (the site) is not watched, or it would start itself again.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

QUIET = 0.3  # seconds without a change before the work runs


def follow(
    paths: Iterable[Path],
    suffixes: tuple[str, ...],
    work: Callable[[], object],
    ignore: Iterable[Path] = (),
    stop: threading.Event | None = None,
    started: Callable[[], object] = lambda: None,
) -> None:
    """Run `work` after every change to a file with one of `suffixes` under `paths`, until
    `stop` is set (Ctrl+C sets it); `started` once the watching has begun."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    skipped = [p.resolve() for p in ignore]
    changed = threading.Event()
    stop = stop or threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = Path(str(raw)) if raw else None
                if path is None or not str(path).endswith(suffixes):
                    continue
                resolved = path.resolve()
                if any(resolved.is_relative_to(s) for s in skipped):
                    continue
                changed.set()

    observer = Observer()
    folders = {(p if p.is_dir() else p.parent).resolve() for p in paths}
    for folder in sorted(folders):
        observer.schedule(Handler(), str(folder), recursive=True)
    observer.start()
    previous = _stop_on_ctrl_c(stop)
    started()
    try:
        while not stop.is_set():
            if not changed.wait(0.1):
                continue
            while changed.is_set():  # until it has been quiet for a while
                changed.clear()
                if stop.wait(QUIET):
                    return
            work()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        observer.stop()
        observer.join()


def _stop_on_ctrl_c(stop: threading.Event) -> Any:
    """Ctrl+C ends the watching once the work in hand is done, rather than in the middle of
    it (where some library might take the interruption for its own); a second one at once.
    Returns the handler to put back (None where signals cannot be handled: not the main
    thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def ctrl_c(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    return signal.signal(signal.SIGINT, ctrl_c)
