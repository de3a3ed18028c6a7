"""One layout for every .regel file (`regel opmaak`), as gofmt has one for Go.

The layout is about white space only, never about words: two spaces per block, one space
between the parts of a line, no space after `(` or before `)`, no white space at the end of
a line, at most one empty line in a row, none at the start, one line break at the end, and a
comment line indented as the code it stands above. Texts (also over several lines between
`\"\"\"`) and comments keep every character; a file keeps its words, so its meaning stays the
same (a property test compares the trees of every shipped file and of mangled versions).

Only a file that parses is laid out: the indentation says which block a line is in, and that
is known only of a file the parser reads. The lines are classified by one scan that knows
texts and comments, then each kind is written in its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INDENT = "  "
TAB = 8  # as the parser counts a tab (`parser.IndentRules.tab_len`)
_SPACES = re.compile(r"[ \t]+")


@dataclass(slots=True)
class _Line:
    kind: str  # blank, comment, code, text (inside a text of several lines), open (in parentheses)
    raw: str  # without its line break
    width: int = 0  # the indentation, as the parser counts it
    level: int = 0


def lay_out(text: str) -> str:
    """The text in the one layout; the text of a file that parses."""
    lines = _classify(text.replace("\r\n", "\n"))
    _levels(lines)
    out: list[str] = []
    for line in lines:
        if line.kind == "blank":
            if out and out[-1] != "":
                out.append("")
        elif line.kind == "text":
            out.append(line.raw)  # a line of a text keeps every character, its end too
        elif line.kind == "comment":
            out.append(INDENT * line.level + line.raw.strip())
        else:
            extra = 2 if line.kind == "open" else 0
            out.append(INDENT * (line.level + extra) + _code(line.raw.lstrip(" \t")))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def checked(text: str, name: str) -> str | None:
    """The text laid out, or None when the laid-out text would not mean the same (as black
    checks its own work: a fault here must never change a regulation). Raises the parser's
    SyntaxProblem for a text that does not parse: that is not laid out."""
    from . import nodes
    from .parser import SyntaxProblem, parse

    tree = parse(text, name)
    laid = lay_out(text)
    if laid == text:
        return laid
    try:
        return laid if nodes.shape(parse(laid, name)) == nodes.shape(tree) else None
    except SyntaxProblem:
        return None


def _classify(text: str) -> list[_Line]:
    """Each line with its kind: one scan through texts, comments and parentheses."""
    lines: list[_Line] = []
    in_text = False  # inside \"\"\"…\"\"\"
    depth = 0  # parentheses open at the start of the line
    for raw in text.split("\n"):
        stripped = raw.strip(" \t")
        if in_text:
            kind = "text"
        elif not stripped:
            kind = "blank"
        elif stripped.startswith("#"):
            kind = "comment"
        else:
            kind = "open" if depth > 0 else "code"
        width = 0 if kind == "text" else _width(raw)
        lines.append(_Line(kind, raw, width))
        in_text, depth = _scan(raw, in_text, depth)
    if lines and lines[-1].kind == "blank" and not lines[-1].raw:
        lines.pop()  # the line break at the end of the file
    return lines


def _scan(raw: str, in_text: bool, depth: int) -> tuple[bool, int]:
    """Whether a text is still open at the end of the line, and how many parentheses."""
    i = 0
    while i < len(raw):
        if in_text:
            end = raw.find('"""', i)
            if end < 0:
                return True, depth
            in_text, i = False, end + 3
            continue
        char = raw[i]
        if raw.startswith('"""', i):
            in_text, i = True, i + 3
        elif char == '"':
            end = raw.find('"', i + 1)
            i = len(raw) if end < 0 else end + 1
        elif char == "#":
            break
        else:
            depth += (char == "(") - (char == ")")
            i += 1
    return in_text, max(depth, 0)


def _width(raw: str) -> int:
    lead = raw[: len(raw) - len(raw.lstrip(" \t"))]
    return lead.count(" ") + lead.count("\t") * TAB


def _levels(lines: list[_Line]) -> None:
    """The block level of each line, as the parser's indenter finds it. A line within
    parentheses belongs to the line that opened them; a comment line to the code below it."""
    stack = [0]
    level = 0
    for line in lines:
        if line.kind == "code":
            while line.width < stack[-1]:
                stack.pop()
            if line.width > stack[-1]:
                stack.append(line.width)
            level = len(stack) - 1
        line.level = level
    below: int | None = None
    for line in reversed(lines):
        if line.kind == "code":
            below = line.level
        elif line.kind == "comment":
            # after the last code: the deepest open block its own indentation reaches
            line.level = below if below is not None else sum(w <= line.width for w in stack) - 1


def _code(rest: str) -> str:
    """A line of code without its indentation: its white space made one space, no space after
    `(` or before `)`; texts and a comment at the end as written."""
    parts: list[tuple[bool, str]] = []  # (is code, as written or made one space)
    i = code_start = 0

    def flush(end: int) -> None:
        parts.append((True, _SPACES.sub(" ", rest[code_start:end])))

    def joined() -> str:
        return "".join(_parens(text) if code else text for code, text in parts)

    while i < len(rest):
        if rest[i] == '"':  # a text, as written: to its end, or to the end of the line
            quote = '"""' if rest.startswith('"""', i) else '"'
            end = rest.find(quote, i + len(quote))
            stop = len(rest) if end < 0 else end + len(quote)
            flush(i)
            parts.append((False, rest[i:stop]))
            i = code_start = stop
        elif rest[i] == "#":
            flush(i)
            if parts[-1][1] and not parts[-1][1].endswith(" "):
                parts.append((False, " "))
            parts.append((False, rest[i:].rstrip(" \t")))
            return joined()
        else:
            i += 1
    flush(len(rest))
    line = joined()
    if line.count('"""') % 2:
        return line  # a text opens here: its first line as written, its end too
    return line.rstrip(" \t")


def _parens(code: str) -> str:
    return code.replace("( ", "(").replace(" )", ")")
