"""A Pygments lexer for .regel files, registered as a plug-in (entry point `pygments.lexers`),
so MkDocs, Sphinx or `pygmentize -l regel` highlight the language without further set-up.

The keywords come from the grammar (`parser.keywords()`), so the highlighter cannot drift from
the language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pygments.lexer import RegexLexer, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from .parser import keywords

# Words that open a declaration or a part of an article: shown as declarations, the rest of
# the keywords as ordinary keywords.
_DECLARING = frozenset(
    {
        "verordening", "beleidsregels", "wet", "handreiking", "informatie", "document",
        "hoofdstuk", "artikel", "paragraaf", "lid", "alinea", "onderdeel",
        "gegevens", "uitkomsten", "besluit", "begrip", "regel", "gevallen", "geval", "achtergrond",
        "tekst", "toelichting", "interpretatie",
    }
)  # fmt: skip
_CONSTANTS = frozenset({"ja", "nee", "onbepaald", "peildatum"})


def _keyword(lexer: RegexLexer, match: re.Match[str]) -> Iterator[tuple[int, Any, str]]:
    word = match.group()
    if word in _DECLARING:
        kind = Keyword.Declaration
    elif word in _CONSTANTS:
        kind = Keyword.Constant
    else:
        kind = Keyword
    yield match.start(), kind, word


class RegelLexer(RegexLexer):
    """Highlights the .regel policy language."""

    name = "Regel"
    aliases = ["regel"]  # noqa: RUF012 - attributes Pygments reads
    filenames = ["*.regel"]  # noqa: RUF012
    mimetypes = ["text/x-regel"]  # noqa: RUF012

    tokens = {  # noqa: RUF012 - the attribute Pygments reads
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"""', String.Double, "longstring"),
            (r'"[^"\n]*"', String.Double),
            (r"[0-9]{2}-[0-9]{2}-[0-9]{4}", Number.Other),  # a date, 15-07-2011
            (r"[0-9]{2}:[0-9]{2}\b", Number.Other),  # a time of day, 22:30
            (r"€\s*[0-9][0-9.]*(,[0-9]+)?", Number.Float),
            (r"[0-9][0-9.]*(,[0-9]+)?(\s*%)?", Number),
            # One pattern for all keywords, longest first: 'ja/nee' is one word, not 'ja'.
            (words(sorted(keywords(), key=lambda w: (-len(w), w)), suffix=r"\b"), _keyword),
            (r"[^\W\d]\w*", Name),  # with accents too: geïndiceerd
            (r"[=<>!]=?|[+\-*/×]", Operator),
            (r"[(),.:]", Punctuation),
            (r".", Text),
        ],
        "longstring": [
            (r'"""', String.Double, "#pop"),
            (r'[^"]+', String.Double),
            (r'"', String.Double),
        ],
    }
