"""One diagnostic type for parser, checker, CLI and (later) service and editor.

Messages are Dutch and written for policy writers; the code (R101 …) is stable so that tests
and tools can match on it without depending on the prose.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

SEVERITY_NL = {"error": "fout", "warning": "waarschuwing"}


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end column exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None
    hint: str | None = None
    severity: str = "error"
    related: tuple[tuple[str, Span], ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.column, self.code)


class CompileError(Exception):
    """Raised by the loading API when a policy has errors; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.sources = sources
        super().__init__(f"{len(self.diagnostics)} fout(en) in de regeling")

    def render(self) -> str:
        return render_all(self.diagnostics, self.sources)


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The 'bedoelde u …?' hint for a misspelt name."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f"bedoelde u '{matches[0]}'?" if matches else None


def _excerpt(span: Span, sources: dict[str, str]) -> list[str]:
    text = sources.get(span.file)
    if text is None:
        return []
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].expandtabs(8)
    end = span.end_column if span.end_line == span.line else len(line) + 1
    width = max(1, end - span.column)
    gutter = f"{span.line:>4} | "
    return [
        gutter + line,
        " " * (len(gutter) - 2) + "| " + " " * (span.column - 1) + "^" * width,
    ]


def render(diag: Diagnostic, sources: dict[str, str]) -> str:
    """GNU-style: location first, then the source line with carets, then the hint."""
    severity = SEVERITY_NL.get(diag.severity, diag.severity)
    location = f"{diag.span}: " if diag.span else ""
    out = [f"{location}{severity}[{diag.code}]: {diag.message}"]
    if diag.span:
        out.extend(_excerpt(diag.span, sources))
    for note, span in diag.related:
        out.append(f"{span}: opmerking: {note}")
        out.extend(_excerpt(span, sources))
    if diag.hint:
        out.append(f"     = hint: {diag.hint}")
    return "\n".join(out)


def render_all(diagnostics: Iterable[Diagnostic], sources: dict[str, str]) -> str:
    return "\n\n".join(render(d, sources) for d in sorted(diagnostics, key=Diagnostic.sort_key))
