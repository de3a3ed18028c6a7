"""Where each part of a regulation lives in the generated documentation site.

One module for the URL scheme, because two stages need the same answer: the docs generator
writes pages at these paths, and the code generator gives every rule the path of its page,
so that a motivation links to the article it rests on. The paths are stable: they depend
only on the regulation's key and the article, lid and rule names, never on order.

    regelingen/delft/                          the regulation: metadata and contents
    regelingen/delft/artikel-3/#lid-1          an article page and its lid
    regelingen/delft/artikel-3/#regel-x        a rule, on the page of its article
    regelingen/delft/begrippen/#begrip-x       the glossary
    regelingen/delft/besluit-aanspraak/        a decision: its diagram and rules
    regelingen/voorbeeld/2013-01-01/           one version, when several are loaded
"""

from __future__ import annotations

import re

from .nodes import Anchor

ROOT = "regelingen"


def slug(text: str) -> str:
    """Lower case, letters and digits, the rest one hyphen: 'B.6' → 'b-6'. Letters with an
    accent stay what they are ('beëindiging'), so that no two names share an address."""
    return re.sub(r"[^0-9a-z\u00df-\u00f6\u00f8-\u00ff]+", "-", text.lower()).strip("-")


def regulation_dir(key: str) -> str:
    """The folder of a regulation version: its id, and its first day when there are more."""
    rid, _, day = key.partition("@")
    return f"{ROOT}/{rid}/{day}" if day else f"{ROOT}/{rid}"


def article_page(anchor: Anchor) -> str:
    """The page name of the article (or paragraaf) an anchor lies in."""
    return slug(f"{anchor.word} {anchor.artikel}")


def fragment(anchor: Anchor) -> str:
    """The id of a lid or onderdeel on its article page; empty for the article itself."""
    parts = []
    if anchor.lid:
        parts.append(f"{anchor.lid_word} {anchor.lid}")
    if anchor.onderdeel:
        parts.append(f"onder {anchor.onderdeel}")
    return slug(" ".join(parts))


def unit_url(key: str, anchor: Anchor) -> str:
    """Site-relative URL of an article, lid or onderdeel."""
    url = f"{regulation_dir(key)}/{article_page(anchor)}/"
    frag = fragment(anchor)
    return f"{url}#{frag}" if frag else url


def rule_id(name: str) -> str:
    return f"regel-{name}"


def rule_url(key: str, anchor: Anchor, name: str) -> str:
    """Site-relative URL of a rule: the page of its article, at the rule."""
    return f"{regulation_dir(key)}/{article_page(anchor)}/#{rule_id(name)}"


def symbol_id(kind: str, name: str) -> str:
    """The id of a begrip, gegeven, oordeel or open norm in the glossary."""
    return f"{slug(kind)}-{name}"


def glossary_url(key: str, kind: str, name: str) -> str:
    return f"{regulation_dir(key)}/begrippen/#{symbol_id(kind, name)}"


def decision_page(name: str) -> str:
    return f"besluit-{slug(name)}"
