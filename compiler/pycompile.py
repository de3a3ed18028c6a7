"""Generated Python → code objects, for `codegen.execute`.

A module is compiled in pieces: Python's compiler holds the tree of all it compiles at once,
and small pieces are faster as well. A large module has its second half compiled by a
helper process on another core meanwhile (compiling is most of loading a large
regulation); the code comes back marshalled, as Python's own `.pyc` files hold it. Whatever
goes wrong with the helper, the pieces are compiled here instead: the helper changes how
long loading takes, never what is loaded or which error is raised.
"""

from __future__ import annotations
import __future__

import contextlib
import marshal
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from types import CodeType

ANNOTATIONS = __future__.annotations.compiler_flag  # what every piece of a module has
PIECE = 1 << 16  # characters
# From this size (characters) a helper process compiles half: below it, starting one costs
# more than it saves (about 30 ms against 0.2 µs a character).
PARALLEL_FROM = 1 << 21
# Where a top-level statement of a generated module starts: nothing else starts a line so.
_STATEMENT = re.compile(r"\n\n(?=def |REGEL_|UITKOMST_)")

_HELPER = """\
import marshal, sys
with open(sys.argv[1], "rb") as f:
    pieces, name, flags = marshal.load(f)
codes = [
    compile("\\n" * (first - 1) + text, name, "exec", flags=flags, dont_inherit=True)
    for first, text in pieces
]
sys.stdout.buffer.write(marshal.dumps(codes))
"""


def pieces(source: str, size: int | None = None) -> Iterator[tuple[int, str]]:
    """A module in pieces of about 64 kB, each ending before a top-level statement, with the
    number of its first line. The module of 50,000 lines of regulation takes 540 MB to
    compile whole, 110 MB in pieces of a megabyte; pieces of 64 kB are a quarter faster than
    those (benchmarks/bench_evaluatie.py)."""
    size = size or PIECE
    start, line = 0, 1
    while start < len(source):
        found = _STATEMENT.search(source, start + size)
        end = found.end() if found else len(source)
        piece = source[start:end]
        yield line, piece
        line += piece.count("\n")
        start = end


def compile_module(source: str, filename: str) -> list[CodeType]:
    """The code of each piece of `source`, in order. Raises RecursionError where Python's
    compiler gives up on nesting (a regulation too deep), SyntaxError for a fault of the
    generator."""
    parts = list(pieces(source))
    # The helper gets the last two fifths: a fresh process compiles more slowly, and both
    # are then done at about the same time (measured on the module of 50,000 lines).
    mine = (3 * len(parts)) // 5
    helper = _Helper.start(parts[mine:], filename) if _parallel(len(source)) else None
    codes = [_compile(first, text, filename) for first, text in parts[:mine]]
    rest = helper.result() if helper is not None else None
    if rest is None or len(rest) != len(parts) - mine:
        rest = [_compile(first, text, filename) for first, text in parts[mine:]]
    return codes + rest


def _parallel(size: int) -> bool:
    return (
        size >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and bool(sys.executable)
        and not getattr(sys, "frozen", False)  # a frozen program is no Python to run `-c`
    )


def _compile(first: int, text: str, filename: str) -> CodeType:
    # Blank lines before a piece keep its line numbers those of the whole module.
    padded = "\n" * (first - 1) + text
    try:
        return compile(padded, filename, "exec", flags=ANNOTATIONS, dont_inherit=True)
    except (RecursionError, MemoryError) as err:
        raise RecursionError(str(err)) from err
    except SyntaxError as err:  # Python's own limit on nesting (`too many nested …`)
        if "nested" not in str(err.msg):
            raise  # a fault of the generator, not of the regulation
        raise RecursionError(str(err)) from err


class _Helper:
    """A Python process compiling some pieces, started before this one compiles its own."""

    def __init__(self, process: subprocess.Popen[bytes], path: str):
        self.process, self.path = process, path

    @classmethod
    def start(cls, parts: list[tuple[int, str]], filename: str) -> _Helper | None:
        path = ""
        try:
            fd, path = tempfile.mkstemp(prefix="regel-", suffix=".marshal")
            with os.fdopen(fd, "wb") as f:
                marshal.dump((parts, filename, ANNOTATIONS), f)
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _HELPER, path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):
            _remove(path)
            return None
        return cls(process, path)

    def result(self) -> list[CodeType] | None:
        try:
            out, _ = self.process.communicate(timeout=120)
            codes = marshal.loads(out) if self.process.returncode == 0 else None
        except (OSError, ValueError, EOFError, TypeError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
            codes = None
        finally:
            _remove(self.path)
        if not isinstance(codes, list) or not all(isinstance(c, CodeType) for c in codes):
            return None
        return codes


def _remove(path: str) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)
