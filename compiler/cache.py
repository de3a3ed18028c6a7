"""Parsed files kept between runs, as Python keeps compiled modules in `__pycache__`.

Parsing is most of the time a command takes to load a folder of regulations (a fifth of a
second for the shipped ones, half of what deciding a million clients in DuckDB takes). A file
that parsed is stored as its tree, under a key that is the hash of its name, its text and the
source of the modules that make the tree (`_IDENTITY`): a change to any of them is a new key, so
a stored tree is never used for another text or by another version of the parser.

The store is a folder of the user's own (`REGEL_CACHE`, else `$XDG_CACHE_HOME/regel` or
`~/.cache/regel`); `REGEL_CACHE=uit` turns it off. A file in it is loaded only when it is the
user's own and no one else can write it, like the folder; whatever cannot be read or written
there is passed over, and the file is parsed as without a store. Trees are stored before the
checker annotates them. At most `MAX_ENTRIES` are kept; the oldest go first.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import tempfile
from pathlib import Path

from . import nodes as n
from .parser import parse as parse_text

OFF = "uit"
MAX_ENTRIES = 2000
# The modules whose source decides what tree a text parses to.
_MAKERS = ("generated_parser.py", "parser.py", "nodes.py", "diagnostics.py", "vocabulary.py")


@functools.cache
def _identity() -> bytes:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _MAKERS:
        digest.update((here / name).read_bytes())
    return digest.digest()


def folder() -> Path | None:
    """Where trees are kept, or None when the store is off."""
    chosen = os.environ.get("REGEL_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in (OFF, "", "0") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regel"


def _key(text: str, file: str) -> str:
    digest = hashlib.sha256(_identity())
    digest.update(file.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """The user's own, and writable by no one else."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def parse(text: str, file: str = "<tekst>") -> n.Regulation | n.CaseFile:
    """`parser.parse`, from the store when this text was parsed before."""
    where = folder()
    try:
        path = None if where is None else where / _key(text, file)
    except OSError:  # the parser's own source cannot be read: no store to trust
        path = None
    if where is None or path is None:
        return parse_text(text, file)
    try:
        if _private(where) and _private(path):
            tree = pickle.loads(path.read_bytes())
            if isinstance(tree, n.Regulation | n.CaseFile):
                return tree
    except Exception:  # absent, foreign, damaged or too deep: parse anew
        pass
    tree = parse_text(text, file)  # raises SyntaxProblem: nothing is stored
    _store(where, path, tree)
    return tree


def _store(where: Path, path: Path, tree: n.Regulation | n.CaseFile) -> None:
    try:
        data = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(where):
            return
        handle, scratch = tempfile.mkstemp(dir=where, prefix=".nieuw-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
        _prune(where)
    except Exception:  # a full disk, a read-only home, a tree too deep
        return


def _prune(where: Path) -> None:
    entries = [p for p in where.iterdir() if not p.name.startswith(".")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES // 2]:
        old.unlink(missing_ok=True)
