"""One diagnostic type for parser, checker, CLI and (later) service and editor.

Messages are Dutch and written for policy writers; the code (R101 …) is stable so that tests
and tools can match on it without depending on the prose.
"""

from __future__ import annotations

import functools
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

    def as_json(self) -> dict[str, object]:
        """The diagnostic for a tool (`--formaat json`, the editor): the same words."""
        out: dict[str, object] = {
            "code": self.code,
            "ernst": SEVERITY_NL.get(self.severity, self.severity),
            "melding": self.message,
            "hint": self.hint,
        }
        out.update(_span_json(self.span))
        out["verwant"] = [{"melding": text, **_span_json(span)} for text, span in self.related]
        return out

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.column, self.code)


def _span_json(span: Span | None) -> dict[str, object]:
    if span is None:
        return {"bestand": None}
    return {
        "bestand": span.file,
        "regel": span.line,
        "kolom": span.column,
        "eind_regel": span.end_line,
        "eind_kolom": span.end_column,
    }


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
    import difflib  # only when something is misspelt: not at every start

    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f"bedoelde u '{matches[0]}'?" if matches else None


@functools.lru_cache(maxsize=64)
def source_lines(text: str) -> tuple[str, ...]:
    """The lines of a source file as the parser counts them: split at line feeds only.

    Python's `splitlines()` also splits at form feeds, U+2028, NEL and the like, which Lark
    counts as ordinary characters; every span would then point at the wrong line. A carriage
    return before the line feed belongs to the line break and is dropped. Kept per text: the
    back ends ask for a line of the same file again and again.
    """
    lines = text.split("\n")
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    return tuple(lines)


def line_text(text: str, line: int) -> str:
    """One line (1-based) of a source, or "" when there is no such line."""
    lines = source_lines(text)
    return lines[line - 1] if 1 <= line <= len(lines) else ""


def _shown(line: str) -> tuple[str, list[int]]:
    """A source line as a terminal shows it, and per character the column it starts at:
    tabs expanded, control characters as '�' (one column), so a caret lines up."""
    out: list[str] = []
    starts: list[int] = []
    width = 0
    for ch in line:
        starts.append(width)
        if ch == "\t":
            step = 8 - width % 8
            out.append(" " * step)
            width += step
        else:
            out.append(ch if ch.isprintable() else "\ufffd")
            width += 1
    starts.append(width)
    return "".join(out), starts


def _excerpt(span: Span, sources: dict[str, str]) -> list[str]:
    text = sources.get(span.file)
    if text is None:
        return []
    lines = source_lines(text)
    if not 1 <= span.line <= len(lines):
        return []
    raw = lines[span.line - 1]
    shown, starts = _shown(raw)
    first = min(max(span.column, 1), len(raw) + 1) - 1
    last = span.end_column - 1 if span.end_line == span.line else len(raw)
    last = min(max(last, first + 1), len(raw))
    column = starts[first]
    width = max(1, starts[last] - column)
    gutter = f"{span.line:>4} | "
    return [
        gutter + shown,
        " " * (len(gutter) - 2) + "| " + " " * column + "^" * width,
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
