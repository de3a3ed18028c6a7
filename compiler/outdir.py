"""Output folders: regel replaces only what it wrote itself, and only once the new result is
complete.

`regel docs` and `regel vertaal` write into folders the user names. A typo or `--uit .` must
never wipe the user's files, a failed build must not leave half a result behind, and a file the
user put in a folder regel made (a `CNAME`, a `.git`, a module of their own) stays where it is.
So every folder regel writes holds a list of the files it wrote, with their checksums; the next
run replaces exactly those. Were it to overwrite a file the user made, or a file of regel's the
user changed, it stops and says which. Two runs into one folder take turns (a lock).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK = ".regel-slot"
_SHOWN = 5  # files named in a refusal, at most


class OutputError(Exception):
    """The folder cannot be written as asked; the message is Dutch and says why."""


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _files(folder: Path) -> list[str]:
    """Every file below `folder`, as a relative POSIX path, in a stable order."""
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )


class Folder:
    """A folder regel writes into, with the list of the files it wrote (`manifest`, a file in
    the folder). `legacy` tells a folder an earlier version of regel made, before that list
    existed: all of it counts as regel's."""

    def __init__(self, path: Path, manifest: str, note: str, legacy: Callable[[Path], bool]):
        self.path, self.manifest, self.note, self.legacy = path, manifest, note, legacy

    def written(self) -> dict[str, str | None] | None:
        """The files regel wrote here with their checksums (None: not known), or None when
        this is not a folder of regel's. An absent or empty folder is regel's to fill."""
        folder = self.path
        if not folder.exists():
            return {}
        if not folder.is_dir():
            return None
        present = [p for p in folder.iterdir() if p.name != LOCK]
        if not present:
            return {}
        listing = folder / self.manifest
        if listing.is_file():
            files: dict[str, str | None] = {}
            for line in listing.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
                digest, _, rel = line.partition("  ")
                if rel:
                    files[rel] = digest
            if files:
                return files
        if self.legacy(folder):
            return dict.fromkeys(f for f in _files(folder) if f != LOCK)
        return None

    def check(self, option: str) -> None:
        """Refuse a folder that is neither empty nor regel's, before any work is done."""
        if self.written() is None:
            raise self._foreign(option)

    def _foreign(self, option: str) -> OutputError:
        return OutputError(
            f"de map '{self.path}' voor {option} is niet leeg en is niet door regel gemaakt; "
            "regel schrijft alleen in zijn eigen mappen, zodat er nooit andere bestanden "
            "verloren gaan. Kies een nieuwe of lege map, of verwijder deze map zelf als zij "
            "weg mag."
        )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One run at a time in this folder: a second waits until the first is done."""
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: no lock
            yield
            return
        with (self.path / LOCK).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(
                    f"regel: wacht tot een andere opdracht klaar is met '{self.path}'",
                    file=sys.stderr,
                    flush=True,
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def install(self, built: Path) -> None:
        """Put the files of a complete build in place: those regel wrote before are replaced
        or removed, everything else in the folder stays. Refuses, before touching anything,
        if that would overwrite a file that is not regel's or a change the user made."""
        old = self.written()
        if old is None:
            raise self._foreign("de uitvoer")
        new = _files(built)
        foreign = [f for f in new if f not in old and (self.path / f).exists() and f != LOCK]
        changed = [
            f
            for f, digest in old.items()
            if digest is not None and (self.path / f).is_file() and _digest(self.path / f) != digest
        ]
        if foreign or changed:
            raise OutputError(self._conflict(foreign, changed))
        for rel in old:
            if rel not in new:
                with contextlib.suppress(FileNotFoundError):
                    (self.path / rel).unlink()
        for rel in new:
            target = self.path / rel
            if target.is_dir() and not target.is_symlink():
                raise OutputError(
                    f"'{target}' is een map, maar regel wil daar een bestand schrijven; "
                    "verwijder of hernoem die map"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(built / rel, target)
        self._prune(set(old) - set(new))
        lines = [self.note, *(f"{_digest(self.path / rel)}  {rel}" for rel in new)]
        (self.path / self.manifest).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _prune(self, removed: set[str]) -> None:
        """Folders that held only removed files of regel's go too; the user's stay."""
        parents = {Path(rel).parent for rel in removed}
        for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
            while parent != Path("."):
                folder = self.path / parent
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                parent = parent.parent

    def _conflict(self, foreign: list[str], changed: list[str]) -> str:
        parts = []
        if foreign:
            names = ", ".join(foreign[:_SHOWN]) + (" …" if len(foreign) > _SHOWN else "")
            parts.append(
                f"deze bestanden zijn niet door regel gemaakt en zouden worden overschreven: "
                f"{names}"
            )
        if changed:
            names = ", ".join(changed[:_SHOWN]) + (" …" if len(changed) > _SHOWN else "")
            parts.append(f"deze bestanden zijn gewijzigd sinds regel ze schreef: {names}")
        return (
            f"regel schrijft niet in '{self.path}': "
            + "; ".join(parts)
            + ". Verplaats of verwijder ze als ze weg mogen, of kies een andere map."
        )


def starts_with(path: Path, *heads: str) -> bool:
    """Whether a file exists and its first line starts with one of `heads`: how a folder made
    by an earlier version of regel is recognised."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as f:
        return f.readline().startswith(heads)


def same_folder(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()
