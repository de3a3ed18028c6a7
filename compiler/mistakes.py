"""The mistakes of people who write law rather than code, recognised where a syntax error is.

Lark can only say which token it did not expect and list the ones it did; for a lawyer who
wrote "is kleiner dan", typed in Word, or capitalised a keyword, that list is no help. Each
recogniser here looks at the line of the error and, when it knows the mistake, returns the
diagnostic to give instead: what is wrong in the writer's words, and a hint. Where one fix is
meant, the hint says "bedoelde u '…'?" and the span covers exactly what to replace, so that an
editor can offer it as a quick fix. The phrasings are rows of `vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .diagnostics import Diagnostic, Span
from .vocabulary import MISTAKEN_COMPARATORS

# Quotation marks a word processor writes for a straight one.
CURLY_QUOTES = "“”„‟〝〞＂‘’‚‛«»‹›"
_TEXT = re.compile(r'"""|"[^"\n]*"')
_WORD = re.compile(r"[^\W\d]\w*(?:/[^\W\d]\w*)*")  # ja/nee is one keyword
_PHRASES = sorted(MISTAKEN_COMPARATORS, key=len, reverse=True)
_PHRASE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _PHRASES) + r")(?!\w)"
)


def code_of(line: str) -> str:
    """The line with its texts and comment blanked (same length): what is left is code."""
    out = _TEXT.sub(lambda m: " " * len(m.group()), line)
    hash_at = out.find("#")
    return out if hash_at < 0 else out[:hash_at] + " " * (len(out) - hash_at)


def recognise(
    line_text: str, line: int, column: int, file: str, keywords: Iterable[str]
) -> Diagnostic | None:
    """A known mistake on the line of a syntax error at `column` (1-based), if there is one."""
    return (
        _comparison(line_text, line, column, file)
        or _capital(line_text, line, column, file, frozenset(keywords))
        or _quotes_inside(line_text, line, column, file)
        or _exception_on_rule_line(line_text, line, column, file)
    )


def curly_quote(char: str, span: Span) -> Diagnostic | None:
    """A quotation mark from a word processor where a text begins or ends."""
    if char not in CURLY_QUOTES:
        return None
    return Diagnostic(
        "R106",
        f"gekruld aanhalingsteken '{char}': een tekst staat tussen rechte aanhalingstekens",
        span,
        'bedoelde u \'"\'? Een tekstverwerker (Word) maakt van "…" vaak “…”; binnen een tekst '
        "mogen zulke aanhalingstekens wel",
    )


def _comparison(text: str, line: int, column: int, file: str) -> Diagnostic | None:
    code = code_of(text)
    for found in _PHRASE.finditer(code):
        start, end = found.start() + 1, found.end() + 1
        # the error is in the phrase, or at the word after it (`is minstens` read as `is` and
        # a name, then a number where none can be)
        after = end + len(code[end - 1 :]) - len(code[end - 1 :].lstrip())
        if not start <= column <= after:
            continue
        written = " ".join(found.group().split())
        meant = MISTAKEN_COMPARATORS[written]
        return Diagnostic(
            "R100",
            f"'{written}' is geen vergelijking van de taal; schrijf '{meant}'",
            Span(file, line, start, line, end),
            f"bedoelde u '{meant}'? De vergelijkingen staan in docs/taal.md onder 'Voorwaarden'",
        )
    return None


def _capital(
    text: str, line: int, column: int, file: str, keywords: frozenset[str]
) -> Diagnostic | None:
    """A keyword with a capital letter (`Als`, `EN`, `Artikel`): the error is at the word or
    at the one after it (the lexer took it for a name)."""
    words = list(_WORD.finditer(code_of(text)))
    for i, word in enumerate(words):
        w = word.group()
        if w == w.lower() or w.lower() not in keywords:
            continue
        at = word.start() + 1
        after = words[i + 1].start() + 1 if i + 1 < len(words) else None
        if column == at or (after is not None and column == after):
            return Diagnostic(
                "R100",
                f"'{w}' met een hoofdletter: sleutelwoorden schrijft u met kleine letters",
                Span(file, line, at, line, at + len(w)),
                f"bedoelde u '{w.lower()}'?",
            )
    return None


def _quotes_inside(text: str, line: int, column: int, file: str) -> Diagnostic | None:
    """Straight quotes inside a text end it early: the error is after the first text of the
    line and before its last quotation mark."""
    quotes = text.count('"')
    if '"""' in text or quotes < 3:
        return None
    first = text.index('"')
    last = text.rindex('"')
    if not first < column - 1 < last:
        return None
    if quotes % 2 == 0 and text[column - 2] != '"':  # two texts, and something between them
        return None
    return Diagnostic(
        "R103",
        "aanhalingstekens binnen een tekst: de tekst houdt op bij het tweede aanhalingsteken",
        Span(file, line, first + 1, line, last + 2),
        f'zet de hele tekst tussen drie aanhalingstekens: """{text[first + 1 : last]}"""',
    )


def _exception_on_rule_line(text: str, line: int, column: int, file: str) -> Diagnostic | None:
    """`regel b in afwijking van regel a` on one line: the exception is a line of its own."""
    m = re.match(r"^(\s*)regel\s+\S+\s+(in afwijking van\b.*?)\s*$", code_of(text))
    if m is None or column - 1 < m.start(2):
        return None
    start = m.start(2) + 1
    return Diagnostic(
        "R100",
        "'in afwijking van' staat op een eigen regel onder 'regel …', niet erachter",
        Span(file, line, start, line, start + len(m[2])),
        f"schrijf op de regel eronder, ingesprongen: {m[1]}  {text[m.start(2) : m.end(2)]}",
    )
