"""The TextMate grammar of the VS Code extension (`editors/vscode`), made from the grammar.

Every keyword of `grammar/regel.lark` is in it, by the class `vocabulary` gives it: a unit, a
constant (`ja`, `nee`, `onbepaald`) or a keyword; a test checks that none is missing and that
the file in the extension is the one this module writes (`make editor` writes it again after
a change to the grammar). Texts, comments, dates, times, amounts and numbers have their own
patterns, in the notation of the language (1.234,56; € 500,00; 15-07-2011; 22:30).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import vocabulary
from .parser import keywords

TARGET = Path("editors/vscode/syntaxes/regel.tmLanguage.json")
CONSTANTS = ("ja", "nee", "onbepaald")
_LETTER = r"A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF"
_NUMBER = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)?"


def symbols() -> list[str]:
    """The literals of the grammar that are not words: units with a power, operators."""
    from .parser import _lark

    found = {
        t.pattern.value
        for t in _lark().terminals
        if t.pattern.type == "str" and not t.pattern.value.replace("/", "").isalpha()
    }
    return sorted(found)


def units() -> list[str]:
    words = {w for u in vocabulary.UNITS.values() for w in u.words}
    return sorted(w for w in words if w in keywords() or not w.isalpha())


def _words(words: list[str]) -> str:
    """A pattern for whole words: longest first, not inside a longer name."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return rf"(?<![{_LETTER}0-9])(?:{alternatives})(?![{_LETTER}0-9])"


def grammar() -> dict[str, object]:
    unit_words = units()
    plain = sorted(set(keywords()) - set(unit_words) - set(CONSTANTS))
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Regel",
        "scopeName": "source.regel",
        "fileTypes": ["regel"],
        "comment": "Gemaakt uit grammar/regel.lark (make editor); niet met de hand wijzigen.",
        "patterns": [
            {"include": "#comment"},
            {"include": "#text"},
            {"include": "#amount"},
            {"include": "#date"},
            {"include": "#time"},
            {"include": "#number"},
            {"include": "#constant"},
            {"include": "#unit"},
            {"include": "#keyword"},
            {"include": "#operator"},
        ],
        "repository": {
            "comment": {"name": "comment.line.number-sign.regel", "match": "#.*$"},
            "text": {
                "patterns": [
                    {
                        "name": "string.quoted.triple.regel",
                        "begin": '"""',
                        "end": '"""',
                    },
                    {"name": "string.quoted.double.regel", "match": '"[^"\\n]*"'},
                ]
            },
            "amount": {
                "name": "constant.numeric.amount.regel",
                "match": rf"€\s*-?\s*(?:{_NUMBER})",
            },
            "date": {
                "name": "constant.numeric.date.regel",
                "match": r"(?<![0-9])[0-9]{2}-[0-9]{2}-[0-9]{4}(?![0-9])",
            },
            "time": {
                "name": "constant.numeric.time.regel",
                "match": r"(?<![0-9.:])[0-9]{2}:[0-9]{2}(?![0-9])",
            },
            "number": {
                "name": "constant.numeric.regel",
                "match": rf"(?<![{_LETTER}0-9.,])(?:{_NUMBER})%?(?![{_LETTER}0-9])",
            },
            "constant": {"name": "constant.language.regel", "match": _words(list(CONSTANTS))},
            "unit": {"name": "support.type.unit.regel", "match": _words(unit_words)},
            "keyword": {"name": "keyword.control.regel", "match": _words(plain)},
            "operator": {"name": "keyword.operator.regel", "match": _operators(unit_words)},
        },
    }


def _operators(unit_words: list[str]) -> str:
    """The operators and comparison signs; not the units (m²), € (in an amount) or the
    punctuation of numbers and lists."""
    signs = [s for s in symbols() if s not in unit_words and s not in ("€", ",", ".", ":")]
    return "|".join(re.escape(s) for s in sorted(signs, key=len, reverse=True))


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    """`python -m regel.compiler.textmate`: write the extension's grammar."""
    root = Path(__file__).resolve().parent.parent
    target = root / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text(), encoding="utf-8")
    print(f"geschreven: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
