"""Makes `generated_parser.py`, the parser of `grammar/regel.lark`, with Lark's standalone
tool: the LALR tables and the part of Lark that runs them, in one module. A command then
starts without importing Lark, reading a cache or building its tables (docs/prestaties.md).

Run by `make parser` after every change to the grammar; a test fails until it has been.
Lark itself is needed only here and in the tests (`build_lark`).
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).with_name("generated_parser.py")
MARK = "# grammatica sha256: "


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_lark(strict: bool = False, indent: bool = True) -> Any:
    """A parser built by Lark from the grammar; `strict=True` also fails on any conflict or
    collision in the grammar. Without `indent`, for the generated module: the indentation
    rules are given to it when it is loaded, and are no part of its tables."""
    from lark import Lark
    from lark.indenter import Indenter

    from .parser import IndentRules, grammar_text

    class LarkIndenter(IndentRules, Indenter):
        pass

    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        postlex=LarkIndenter() if indent else None,
        propagate_positions=True,
        maybe_placeholders=True,
        strict=strict,
    )


def standalone_source() -> str:
    """The text of `generated_parser.py` for the grammar as it is now."""
    from lark.tools.standalone import gen_standalone

    from .parser import grammar_text

    out = io.StringIO()
    gen_standalone(build_lark(indent=False), out=out)
    header = (
        "# Gemaakt door `make parser` (compiler/parsegen.py) uit grammar/regel.lark, met het\n"
        "# standalone-gereedschap van Lark; niet met de hand bewerken. De code van Lark hierin\n"
        "# valt onder de Mozilla Public License 2.0 (zie hieronder).\n"
        f"{MARK}{grammar_digest(grammar_text())}\n"
    )
    return header + out.getvalue()


def main() -> int:
    TARGET.write_text(standalone_source(), encoding="utf-8")
    print(f"geschreven: {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
