"""The documentation site: from checked regulations to Markdown pages, then MkDocs to HTML.

The pages are written for a council member, a client's lawyer or a judge. Per regulation: its
metadata and contents, a page per article with the official text, the toelichting and every
rule in plain Dutch (`prose.py`), a glossary, and a page per decision with a diagram. Every
link between them is a relative Markdown link, so `mkdocs build --strict` checks each one,
anchors included. Where the pages live is decided by `sitemap.py`.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import posixpath
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2

from . import nodes as n
from . import sitemap
from .api import Policies
from .model import RegInfo, RuleInfo, reads
from .outdir import Folder, OutputError, same_folder, starts_with
from .prose import Prose, capitalize, date, escape, inline, label, paragraphs
from .vocabulary import TYPE_KINDS, UNITS, organ_name

KIND_TITLE = {
    "verordening": "Verordening",
    "beleidsregels": "Beleidsregels",
    "wet": "Wet",
    "handreiking": "Handreiking",
    "informatie": "Informatie",
}
GLOSSARY_KIND = {
    "input": "gegeven", "field": "gegeven", "begrip": "begrip", "outcome": "uitkomst",
    "norm": "norm",
}  # fmt: skip


class DocsError(Exception):
    """The site could not be built; the message is for the user, in Dutch."""


# ---------------------------------------------------------------- links


def relative(page: str, target: str, frag: str = "") -> str:
    """A Markdown link from one page of the site to another (paths end in .md)."""
    here = posixpath.dirname(page) or "."
    url = posixpath.relpath(target, here) if target != page else ""
    return f"{url}#{frag}" if frag else url


def safe_url(url: str | None) -> str | None:
    """An address from a policy as a link target, or None when it may not become a link.

    Only http(s) addresses with a host become links (never `javascript:` or `data:`), and
    every character that could end the Markdown link or an HTML attribute is percent-encoded,
    so that the address is only ever an address."""
    if url is None:
        return None
    text = url.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return None  # an address has no spaces or line breaks; this is no address
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(text, safe=":/?#@!$&*+,;=%-._~")


def law_url(extern: n.Extern, anchor: n.Anchor | None) -> str | None:
    """A deep link into wetten.overheid.nl (Juriconnect: jci1.3:c:BWBR…&artikel=…) where the
    law's address names its BWBR number; else the address as given, if it is a safe one."""
    address = safe_url(extern.url)
    if address is None:
        return None
    m = re.match(r"https?://wetten\.overheid\.nl/(BWBR\d+)(?:/(\d{4}-\d{2}-\d{2}))?", address)
    if not m or anchor is None:
        return address
    url = f"https://wetten.overheid.nl/jci1.3:c:{m[1]}&artikel={quote(anchor.artikel)}"
    if anchor.lid:
        url += f"&lid={quote(anchor.lid)}"
    if anchor.onderdeel:
        url += f"&onderdeel={quote(anchor.onderdeel)}"
    if m[2]:
        url += f"&z={m[2]}&g={m[2]}"
    return url


# ---------------------------------------------------------------- view models


@dataclass
class Item:
    """One part of an article as the template shows it."""

    # tekst, onbekend, toelichting, interpretatie, niet_uitvoerbaar, niet_opgenomen, verwijzing,
    # begrip, norm, invulling, regel, unit
    kind: str
    text: str = ""
    data: Any = None


@dataclass
class UnitView:
    id: str
    heading: str
    level: int
    items: list[Item]


@dataclass
class RuleView:
    id: str
    name: str
    title: str
    sentence: str
    level: int
    where: str  # the anchor, as cited
    deviates_from: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    oordelen: list[dict[str, str]] = field(default_factory=list)
    unit_text: str = ""
    decisions: list[str] = field(default_factory=list)
    interpretations: list[str] = field(default_factory=list)


@dataclass
class Page:
    path: str  # relative to the docs folder, ending in .md
    title: str
    content: str


@dataclass
class Site:
    pages: list[Page]
    nav: list[Any]


# ---------------------------------------------------------------- the generator


def _md(key: str, page: str) -> str:
    """The Markdown source of a page of a regulation version: `regelingen/delft/artikel-3.md`."""
    return f"{sitemap.regulation_dir(key)}/{page}.md"


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("regel.compiler", "templates/docs"),
        autoescape=False,  # Markdown; every source string is escaped by prose.escape
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape
    env.filters["paragraphs"] = paragraphs
    env.filters["date"] = date
    env.filters["zin"] = sentence
    env.filters["quote"] = lambda md: "\n".join(f"> {line}".rstrip() for line in md.splitlines())
    return env


def _walk(units: list[n.Unit]) -> Iterator[n.Unit]:
    for unit in units:
        yield unit
        yield from _walk([c for c in unit.children if isinstance(c, n.Unit)])


class SiteBuilder:
    """Builds the Markdown pages of one site from loaded policies."""

    def __init__(self, policies: Policies):
        self.policies = policies
        self.analysis = policies.analysis
        self.env = _env()
        self.pages: list[Page] = []

    def render(self, template: str, **context: Any) -> str:
        text = self.env.get_template(template).render(**context)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    # ------------------------------------------------------------ the whole site

    def build(self, guide: list[Page] | None = None) -> Site:
        regs = sorted(self.analysis.regs.values(), key=lambda r: (r.node.id, r.key))
        nav: list[Any] = [{"Start": "index.md"}]
        reg_nav: list[Any] = []
        for rid in dict.fromkeys(info.node.id for info in regs):
            versions = [info for info in regs if info.node.id == rid]
            parts = [self.regulation(info) for info in versions]
            if len(versions) > 1:
                # A link to the regulation without a date must not 404: it lists the versions.
                listing = self.version_list(versions)
                self.pages.append(listing)
                parts = [{"Alle versies": listing.path}, *parts]
                reg_nav.append({versions[-1].node.title: parts})
            else:
                reg_nav.extend(parts)
        overview = self.overview(regs)
        nav.append({"Regelingen": reg_nav})
        nav.append({"Wie komt waarvoor in aanmerking": overview.path})
        self.pages.append(overview)
        if guide:
            nav.append({"Handleiding": [{p.title: p.path} for p in guide]})
            self.pages.extend(guide)
        home = Page(
            "index.md",
            "Start",
            self.render(
                "index.md.jinja",
                regs=[self._summary(info) for info in regs],
                overview=overview.path,
                guide=[(p.title, p.path) for p in guide or []],
            ),
        )
        self.pages.insert(0, home)
        return Site(self.pages, nav)

    def _summary(self, info: RegInfo) -> dict[str, Any]:
        reg = info.node
        return {
            "title": reg.title,
            "kind": KIND_TITLE.get(reg.kind, reg.kind),
            "gemeente": reg.meta.gemeente,
            "period": self._period(reg.meta),
            "path": _md(info.key, "index"),
            "decisions": len(reg.decisions),
        }

    @staticmethod
    def _period(meta: n.Meta) -> str:
        if meta.valid_from and meta.valid_until:
            return f"van {date(meta.valid_from)} tot en met {date(meta.valid_until)}"
        if meta.valid_from:
            return f"vanaf {date(meta.valid_from)}"
        return "onbekend"

    # ------------------------------------------------------------ one regulation

    def regulation(self, info: RegInfo) -> dict[str, Any]:
        """Writes the pages of one regulation version; returns its part of the navigation."""
        reg = info.node
        index = _md(info.key, "index")
        articles = [u for u in _walk(reg.units) if u.level == "artikel"]
        decisions = [self.decision(info, d) for d in reg.decisions]
        glossary = self.glossary(info)
        toc: list[dict[str, Any]] = []
        nav_articles: list[Any] = []
        for top in reg.units:
            if top.level == "hoofdstuk":
                inner = [u for u in _walk([top]) if u.level == "artikel"]
                heading = f"Hoofdstuk {top.label}" + (f" {top.title}" if top.title else "")
                toc.append({"heading": heading, "articles": [self._toc(info, a) for a in inner]})
                nav_articles.append(
                    {
                        heading: [
                            {self._article_title(a): self._article_path(info, a)} for a in inner
                        ]
                    }
                )
            elif top.level == "artikel":
                toc.append({"heading": None, "articles": [self._toc(info, top)]})
                nav_articles.append({self._article_title(top): self._article_path(info, top)})
        for article in articles:
            self.pages.append(self.article(info, article))
        meta = reg.meta
        content = self.render(
            "regeling.md.jinja",
            reg=reg,
            key=info.key,
            kind=KIND_TITLE.get(reg.kind, reg.kind),
            organ=organ_name(meta.organ, "") if meta.organ else None,
            adopted=meta.adopted,
            period=self._period(meta),
            basis=[self._ref(info, index, ref) for ref in meta.legal_basis],
            externs=[self._extern(e) for e in reg.externs],
            toc=toc,
            decisions=[(d.title, relative(index, d.path)) for d in decisions],
            glossary=relative(index, glossary.path),
            versions=self._versions(info, index),
            norms_filled=self._fills(info, index),
        )
        self.pages.append(Page(index, reg.title, content))
        self.pages.append(glossary)
        self.pages.extend(decisions)
        title = self._period(meta) if "@" in info.key else reg.title
        return {
            title: [
                {"Overzicht": index},
                *nav_articles,
                {"Begrippen": glossary.path},
                *([{"Besluiten": [{d.title: d.path} for d in decisions]}] if decisions else []),
            ]
        }

    def version_list(self, versions: list[RegInfo]) -> Page:
        rid = versions[0].node.id
        path = f"{sitemap.ROOT}/{rid}/index.md"
        items = [
            {
                "title": v.node.title,
                "period": self._period(v.node.meta),
                "link": relative(path, _md(v.key, "index")),
            }
            for v in versions
        ]
        return Page(path, versions[-1].node.title, self.render("versies.md.jinja", items=items))

    def _versions(self, info: RegInfo, page: str) -> list[tuple[str, str, bool]]:
        versions = self.analysis.of(info.node.id)
        if len(versions) < 2:
            return []
        return [
            (
                self._period(v.node.meta),
                relative(page, _md(v.key, "index")),
                v.key == info.key,
            )
            for v in versions
        ]

    def _fills(self, info: RegInfo, page: str) -> list[str]:
        """Links to the open norms of other regulations that this one fills."""
        out = []
        for fill in info.fills:
            target = self._other(fill.regulation)
            if target is None:
                continue
            where = self._link_unit(info, page, fill.anchor)
            url = relative(
                page,
                _md(target.key, "begrippen"),
                sitemap.symbol_id("norm", fill.norm),
            )
            out.append(f"[{label(fill.norm)}]({url}) van {escape(target.node.title)} ({where})")
        return out

    def _other(self, regulation: str) -> RegInfo | None:
        versions = self.analysis.of(regulation)
        return versions[-1] if versions else None

    def _article_path(self, info: RegInfo, unit: n.Unit) -> str:
        assert unit.anchor is not None
        return _md(info.key, sitemap.article_page(unit.anchor))

    @staticmethod
    def _article_title(unit: n.Unit) -> str:
        text = f"{capitalize(unit.level_word)} {unit.label}"
        return text + (f" {unit.title}" if unit.title else "")

    def _toc(self, info: RegInfo, unit: n.Unit) -> tuple[str, str]:
        index = _md(info.key, "index")
        return (escape(self._article_title(unit)), relative(index, self._article_path(info, unit)))

    def _extern(self, e: n.Extern) -> dict[str, Any]:
        return {"name": e.name, "title": e.title, "url": safe_url(e.url), "kind": e.kind}

    def _ref(self, info: RegInfo, page: str, ref: n.Ref) -> str:
        """A reference as a link: to an article of this or another regulation, or to the
        national law on wetten.overheid.nl."""
        if ref.source and ref.source in info.externs:
            ext = info.externs[ref.source]
            text = f"{ref.anchor} van de {ext.title}" if ref.anchor else ext.title
            url = law_url(ext, ref.anchor)
            return f"[{escape(text)}]({url})" if url else escape(text)
        if ref.source:
            other = self._other(ref.source)
            if other is None:
                return escape(f"{ref.anchor or ''} {ref.source}".strip())
            if ref.anchor is None:
                target = _md(other.key, "index")
                return f"[{escape(other.node.title)}]({relative(page, target)})"
            return f"{self._link_unit(other, page, ref.anchor)} van {escape(other.node.title)}"
        return self._link_unit(info, page, ref.anchor)

    def _link_unit(self, info: RegInfo, page: str, anchor: n.Anchor | None) -> str:
        if anchor is None:
            return escape(info.node.title)
        target = _md(info.key, sitemap.article_page(anchor))
        return f"[{escape(str(anchor))}]({relative(page, target, sitemap.fragment(anchor))})"

    # ------------------------------------------------------------ articles

    def prose(self, info: RegInfo, page: str) -> Prose:
        glossary = _md(info.key, "begrippen")

        def link(kind: str, name: str) -> str:
            if kind.startswith("elders:"):
                other = self._other(kind.removeprefix("elders:"))
                if other is None or name not in other.symbols:
                    return relative(page, glossary)
                target = _md(other.key, "begrippen")
                return relative(
                    page, target, self._glossary_id(other, other.symbols[name].kind, name)
                )
            return relative(page, glossary, self._glossary_id(info, kind, name))

        return Prose(self.analysis, info, link)

    @staticmethod
    def _glossary_id(info: RegInfo, kind: str, name: str) -> str:
        sym = info.symbols.get(name)
        if kind == "input" and sym is not None and getattr(sym.node, "oordeel", None):
            return sitemap.symbol_id("oordeel", name)
        return sitemap.symbol_id(GLOSSARY_KIND.get(kind, kind), name)

    def article(self, info: RegInfo, unit: n.Unit) -> Page:
        path = self._article_path(info, unit)
        prose = self.prose(info, path)
        hoofdstuk = self._hoofdstuk_of(info, unit)
        items = self._items(info, path, prose, unit, 1, unit)
        content = self.render(
            "artikel.md.jinja",
            title=escape(self._article_title(unit)),
            reg=info.node,
            index=relative(path, _md(info.key, "index")),
            hoofdstuk=hoofdstuk,
            items=items,
            source=self._source(unit),
            fence="`" * max(3, _longest_backticks(self._source(unit)) + 1),
        )
        return Page(path, self._article_title(unit), content)

    @staticmethod
    def _hoofdstuk_of(info: RegInfo, unit: n.Unit) -> str | None:
        for top in info.node.units:
            if top.level == "hoofdstuk" and any(u is unit for u in _walk([top])):
                return f"Hoofdstuk {top.label}" + (f" {top.title}" if top.title else "")
        return None

    def _source(self, unit: n.Unit) -> str:
        """The unit as written in its .regel file, without the start of the next one."""
        lines = self.policies.sources.get(unit.span.file or "", "").splitlines()
        block = lines[unit.span.line - 1 : unit.span.end_line]
        indent = len(block[0]) - len(block[0].lstrip()) if block else 0
        while len(block) > 1 and (
            not block[-1].strip() or len(block[-1]) - len(block[-1].lstrip()) <= indent
        ):
            block.pop()
        return textwrap.dedent("\n".join(block)).strip()

    def _items(
        self, info: RegInfo, page: str, prose: Prose, unit: n.Unit, level: int, article: n.Unit
    ) -> list[Item]:
        """The contents of a unit, in the order of the source."""
        items: list[Item] = []
        unit_text = " ".join(
            c.text for c in unit.children if isinstance(c, n.TextBlock) and c.kind == "tekst"
        )
        for child in unit.children:
            match child:
                case n.TextBlock(kind="tekst"):
                    items.append(Item("tekst", paragraphs(child.text)))
                case n.TextBlock(kind="tekst onbekend"):
                    items.append(Item("onbekend", paragraphs(child.text)))
                case n.TextBlock(kind="toelichting"):
                    items.append(Item("toelichting", paragraphs(child.text)))
                case n.TextBlock(kind="interpretatie"):
                    items.append(Item("interpretatie", paragraphs(child.text)))
                case n.NotExecutable():
                    items.append(
                        Item(
                            "niet_opgenomen" if child.omitted else "niet_uitvoerbaar",
                            paragraphs(child.reason) if child.reason else "",
                        )
                    )
                case n.References():
                    refs = [self._ref(info, page, r) for r in child.refs]
                    items.append(Item("verwijzing", data=refs))
                case n.Begrip():
                    items.append(Item("begrip", data=self._begrip(info, page, prose, child)))
                case n.OpenNorm():
                    items.append(Item("norm", data=self._norm(info, page, prose, child)))
                case n.FillNorm():
                    items.append(Item("invulling", data=self._fill(info, page, prose, child)))
                case n.Rule():
                    items.append(
                        Item("regel", data=self._rule(info, page, prose, child, level, unit_text))
                    )
                case n.Unit():
                    assert child.anchor is not None
                    heading = f"{capitalize(child.level_word)} {child.label}"
                    if child.level == "onderdeel" and unit.level in ("lid", "onderdeel"):
                        a = child.anchor  # lid 2 onder b sub 1°, as the anchor cites it
                        where = f"{a.lid_word} {a.lid} onder" if a.lid else "onder"
                        heading = capitalize(f"{where} {a.onderdeel}")
                    view = UnitView(
                        sitemap.fragment(child.anchor),
                        escape(heading + (f" {child.title}" if child.title else "")),
                        min(level + 1, 6),
                        self._items(info, page, prose, child, level + 1, article),
                    )
                    items.append(Item("unit", data=view))
        return items

    def _begrip(self, info: RegInfo, page: str, prose: Prose, b: n.Begrip) -> dict[str, Any]:
        return {
            "id": sitemap.symbol_id("begrip", b.name),
            "name": label(b.name),
            "description": escape(b.description) if b.description else "",
            "definition": prose.definition(b),
            "group": (
                self._symbol_anchor(info, page, b.group[0])
                if b.group and b.group[0] in info.symbols
                else None
            ),
            "glossary": relative(
                page, _md(info.key, "begrippen"), sitemap.symbol_id("begrip", b.name)
            ),
            "oordelen": self._oordelen(info, page, prose.oordelen),
        }

    def _norm(self, info: RegInfo, page: str, prose: Prose, o: n.OpenNorm) -> dict[str, Any]:
        fillers = self.analysis.fillers(info.key, o.name)
        return {
            "name": label(o.name),
            "description": escape(o.description) if o.description else "",
            "organ": organ_name(o.organ),
            "default": prose.expr(o.default) if o.default is not None else None,
            "filled_by": [self._regulation_link(f, page) for f in fillers],
            "glossary": relative(
                page, _md(info.key, "begrippen"), sitemap.symbol_id("norm", o.name)
            ),
        }

    def _fill(self, info: RegInfo, page: str, prose: Prose, f: n.FillNorm) -> dict[str, Any]:
        other = self._other(f.regulation)
        target = (
            relative(
                page,
                _md(other.key, "begrippen"),
                sitemap.symbol_id("norm", f.norm),
            )
            if other
            else None
        )
        return {
            "name": label(f.norm),
            "url": target,
            "regulation": escape(other.node.title) if other else escape(f.regulation),
            "value": prose.expr(f.value),
        }

    def _rule(
        self, info: RegInfo, page: str, prose: Prose, r: n.Rule, level: int, unit_text: str
    ) -> RuleView:
        rinfo = info.rules[r.name]
        deviates = self._deviates(info, page, r)
        sentence = prose.rule(r, " en ".join(deviates))
        exceptions = [
            self._rule_link(info, page, other.node.name, other.anchor, False)
            for other in info.rules.values()
            if r.name in other.overrides
        ]
        outcomes = {r.outcome} | {info.rules[o].node.outcome for o in rinfo.overrides}
        decisions = [
            self._decision_link(info, page, d)
            for d in info.node.decisions
            if outcomes & {o for o, _ in d.outcomes}
        ]
        return RuleView(
            id=sitemap.rule_id(r.name),
            name=r.name,
            title=escape(r.description) if r.description else label(r.name),
            sentence=sentence,
            level=min(level + 1, 6),
            where=str(rinfo.anchor),
            deviates_from=deviates,
            exceptions=exceptions,
            oordelen=self._oordelen(info, page, prose.oordelen),
            unit_text=paragraphs(unit_text) if unit_text else "",
            decisions=decisions,
            interpretations=[paragraphs(t) for t in r.interpretations],
        )

    def _deviates(self, info: RegInfo, page: str, r: n.Rule) -> list[str]:
        """Links to what an exception deviates from: a rule, or every rule of a unit."""
        out = []
        for target in r.exceptions:
            if target.rule and target.rule in info.rules:
                other = info.rules[target.rule]
                out.append(self._rule_link(info, page, other.node.name, other.anchor, True))
            elif target.anchor is not None:
                out.append(self._link_unit(info, page, target.anchor))
        return out

    def _oordelen(self, info: RegInfo, page: str, names: list[str]) -> list[dict[str, str]]:
        """The oordelen a rule or begrip relies on: whose they are, the question, a link."""
        glossary = _md(info.key, "begrippen")
        out = []
        for name in names:
            node = info.symbols[name].node
            out.append(
                {
                    "organ": organ_name(getattr(node, "oordeel", None)),
                    "question": escape(getattr(node, "description", None) or label(name)),
                    "link": relative(page, glossary, sitemap.symbol_id("oordeel", name)),
                }
            )
        return out

    @staticmethod
    def _regulation_link(info: RegInfo, page: str) -> str:
        target = _md(info.key, "index")
        return f"[{escape(info.node.title)}]({relative(page, target)})"

    def _decision_link(self, info: RegInfo, page: str, d: n.DecisionDecl) -> str:
        target = _md(info.key, sitemap.decision_page(d.name))
        return f"[{escape(d.description or label(d.name))}]({relative(page, target)})"

    def _rule_link(
        self, info: RegInfo, page: str, name: str, anchor: n.Anchor, with_name: bool
    ) -> str:
        target = _md(info.key, sitemap.article_page(anchor))
        text = f"{anchor} (regel {name})" if with_name else str(anchor)
        return f"[{escape(text)}]({relative(page, target, sitemap.rule_id(name))})"

    # ------------------------------------------------------------ glossary and decisions

    def _uses(self, info: RegInfo, page: str) -> dict[tuple[str, str], list[str]]:
        """Per symbol (kind, name) of this regulation: links to the rules, begrippen and
        fillings that read it, in this and in other regulations."""
        uses: dict[tuple[str, str], list[str]] = {}
        for other in self.analysis.regs.values():
            for unit in _walk(other.node.units):
                for child in unit.children:
                    exprs: list[n.Expr | None] = []
                    if isinstance(child, n.Rule):
                        exprs = [child.condition, child.value]
                        link = self._rule_link(
                            other, page, child.name, other.rules[child.name].anchor, True
                        )
                    elif isinstance(child, n.Begrip):
                        exprs = [child.value]
                        link = self._symbol_link(other, page, "begrip", child.name)
                    elif isinstance(child, n.FillNorm):
                        exprs = [child.value]
                        link = self._link_unit(other, page, child.anchor)
                    for read in reads(*exprs):
                        here = read.regulation == info.node.id if read.regulation else other is info
                        if not here or read.kind == "peildatum":
                            continue
                        found = uses.setdefault((read.kind, read.name), [])
                        if link not in found:
                            found.append(link)
        return uses

    def _symbol_anchor(self, info: RegInfo, page: str, name: str) -> str:
        """A gegeven of the regulation, as a link to its entry on the glossary."""
        target = relative(page, _md(info.key, "begrippen"), self._glossary_id(info, "input", name))
        return f"[{label(name)}]({target})"

    def _symbol_link(self, info: RegInfo, page: str, kind: str, name: str) -> str:
        target = _md(info.key, "begrippen")
        return (
            f"[{kind} {label(name)}]({relative(page, target, self._glossary_id(info, kind, name))})"
        )

    def glossary(self, info: RegInfo) -> Page:
        """Every begrip, gegeven, oordeel, open norm and uitkomst, with where it is defined
        and where it is used."""
        reg = info.node
        page = _md(info.key, "begrippen")
        prose = self.prose(info, page)
        uses = self._uses(info, page)
        begrippen = []
        for unit in _walk(reg.units):
            for child in unit.children:
                if isinstance(child, n.Begrip):
                    view = self._begrip(info, page, prose, child)
                    view["where"] = self._link_unit(info, page, child.anchor or unit.anchor)
                    view["uses"] = uses.get(("begrip", child.name), [])
                    begrippen.append(view)
        norms = []
        for unit in _walk(reg.units):
            for child in unit.children:
                if isinstance(child, n.OpenNorm):
                    view = self._norm(info, page, prose, child)
                    view["id"] = sitemap.symbol_id("norm", child.name)
                    view["where"] = self._link_unit(info, page, child.anchor or unit.anchor)
                    view["uses"] = uses.get(("norm", child.name), [])
                    norms.append(view)
        inputs: list[dict[str, Any]] = []
        oordelen: list[dict[str, Any]] = []
        everyone: list[tuple[n.Input, n.Input | None]] = []
        for inp in reg.inputs:  # a group, then the gegevens of each person in it
            everyone += [(inp, None), *((f, inp) for f in inp.fields)]
        for inp, group in everyone:
            view = {
                "id": self._glossary_id(info, "field" if group else "input", inp.name),
                "name": label(inp.name),
                "group": self._symbol_anchor(info, page, group.name) if group else None,
                "description": escape(inp.description) if inp.description else "",
                "type": self._type(inp.type),
                "bounds": " en ".join(
                    f"{word} {prose.expr(bound)}"
                    for word, bound in (("ten minste", inp.minimum), ("ten hoogste", inp.maximum))
                    if bound is not None
                ),
                "default": prose.expr(inp.default) if inp.default is not None else None,
                "optional": inp.optional,
                "organ": organ_name(inp.oordeel) if inp.oordeel else None,
                "uses": uses.get(("field" if group else "input", inp.name), []),
            }
            (oordelen if inp.oordeel else inputs).append(view)
        outcomes = [
            {
                "id": sitemap.symbol_id("uitkomst", out.name),
                "name": label(out.name),
                "description": escape(out.description) if out.description else "",
                "type": self._type(out.type),
                "default": prose.expr(out.default) if out.default is not None else None,
                "open": out.open,
                "list": out.type.kind == "lijst",
                "rules": [
                    self._rule_link(info, page, r.node.name, r.anchor, True)
                    for r in info.rules_for(out.name)
                ],
                "decisions": [
                    self._decision_link(info, page, d)
                    for d in reg.decisions
                    if out.name in [o for o, _ in d.outcomes]
                ],
            }
            for out in reg.outcomes
        ]
        content = self.render(
            "begrippen.md.jinja",
            reg=reg,
            index=relative(page, _md(info.key, "index")),
            begrippen=sorted(begrippen, key=lambda b: b["name"]),
            inputs=inputs,
            oordelen=oordelen,
            norms=norms,
            outcomes=outcomes,
        )
        return Page(page, "Begrippen", content)

    @staticmethod
    def _type(t: n.TypeSpec) -> str:
        if t.kind == "keuze":
            return "een van: " + ", ".join(label(c) for c in t.choices)
        if t.kind == "grootheid" and t.unit:
            unit = UNITS[t.unit.word]
            word = "bedrag" if unit.symbol else unit.plural
            return word + "".join(f" per {UNITS[p].singular}" for p in t.unit.per)
        if t.kind == "duur" and t.unit:
            return f"duur in {UNITS[t.unit.word].words[-1]}"
        return TYPE_KINDS[t.kind].docs

    def decision(self, info: RegInfo, d: n.DecisionDecl) -> Page:
        """A decision: its outcomes, a diagram of how they are reached, and its rules."""
        page = _md(info.key, sitemap.decision_page(d.name))
        names = [o for o, _ in d.outcomes]
        sections = []
        for name in names:
            rules = info.rules_for(name)
            silencers = info.silencers.get(name, [])
            out = info.symbols[name].node
            sections.append(
                {
                    "name": label(name),
                    "glossary": relative(
                        page,
                        _md(info.key, "begrippen"),
                        sitemap.symbol_id("uitkomst", name),
                    ),
                    "description": escape(getattr(out, "description", None) or ""),
                    "rules": [self._rule_summary(info, page, r) for r in rules + silencers],
                }
            )
        inputs = sorted(
            name
            for reg_key, name in self.analysis.inputs_read((info.key, o) for o in names)
            if reg_key == info.key
        )
        plain = [i for i in inputs if not getattr(info.symbols[i].node, "oordeel", None)]
        judged = [i for i in inputs if getattr(info.symbols[i].node, "oordeel", None)]
        content = self.render(
            "besluit.md.jinja",
            reg=reg_title(info),
            title=escape(d.description or label(d.name)),
            name=d.name,
            index=relative(page, _md(info.key, "index")),
            sections=sections,
            diagram=self._diagram(info, names),
            inputs=[self._plain_link(info, page, i) for i in plain],
            oordelen=[
                (
                    escape(getattr(info.symbols[i].node, "description", None) or label(i)),
                    relative(
                        page,
                        _md(info.key, "begrippen"),
                        sitemap.symbol_id("oordeel", i),
                    ),
                    organ_name(getattr(info.symbols[i].node, "oordeel", None)),
                )
                for i in judged
            ],
            judges=_enumerate_nl(
                list(
                    dict.fromkeys(
                        organ_name(getattr(info.symbols[i].node, "oordeel", None)) for i in judged
                    )
                )
            ),
        )
        return Page(page, d.description or label(d.name), content)

    def _plain_link(self, info: RegInfo, page: str, name: str) -> str:
        target = _md(info.key, "begrippen")
        return f"[{label(name)}]({relative(page, target, self._glossary_id(info, 'input', name))})"

    def _rule_summary(self, info: RegInfo, page: str, r: RuleInfo) -> dict[str, Any]:
        return {
            "link": self._rule_link(info, page, r.node.name, r.anchor, False),
            "title": escape(r.node.description) if r.node.description else label(r.node.name),
            "exception": bool(r.overrides),
            "sentence": self.prose(info, page).rule(
                r.node, " en ".join(self._deviates(info, page, r.node))
            ),
        }

    def _diagram(self, info: RegInfo, outcomes: list[str]) -> str:
        """Mermaid: the facts each rule reads, the rules, the outcome; exceptions dashed."""
        lines = ["flowchart LR"]
        ids: dict[tuple[str, str], str] = {}

        def node(kind: str, name: str, text: str, shape: str) -> str:
            key = (kind, name)
            if key not in ids:
                ids[key] = f"n{len(ids) + 1}"
                left, right = shape.split("|")
                lines.append(f'    {ids[key]}{left}"{_mermaid(text)}"{right}')
            return ids[key]

        rules = [r for r in info.rules.values() if r.node.outcome in outcomes]
        quiet = {r.node.name for o in outcomes for r in info.silencers.get(o, [])}
        rules += [r for r in info.rules.values() if r.node.name in quiet and r not in rules]
        judged: list[str] = []
        for r in rules:
            rid = node("regel", r.node.name, _caption(r), "[|]")
            for read in reads(r.node.condition, r.node.value):
                if read.kind == "peildatum":
                    continue
                sym = info.symbols.get(read.name)
                if read.regulation and read.kind == "input":  # the case's, read via the law
                    src = node("input", read.name, label(read.name), "[/|/]")
                elif read.regulation:
                    src = node("norm", read.label, label(read.name), "[(|)]")
                elif read.kind == "input" and sym is not None and sym.input.oordeel:
                    src = node("oordeel", read.name, f"oordeel: {label(read.name)}", "{{|}}")
                    judged.append(src)
                elif read.kind == "input":
                    src = node("input", read.name, label(read.name), "[/|/]")
                else:
                    src = node(read.kind, read.name, label(read.name), "(|)")
                edge = f"    {src} --> {rid}"
                if edge not in lines:
                    lines.append(edge)
            for outcome in [r.node.outcome] if r.node.outcome in outcomes else []:
                oid = node("uitkomst", outcome, label(outcome), "[[|]]")
                lines.append(f"    {rid} --> {oid}")
            for other in r.overrides:
                if other in info.rules:
                    target = node("regel", other, _caption(info.rules[other]), "[|]")
                    lines.append(f"    {rid} -. uitzondering op .-> {target}")
        if judged:
            lines.append("    classDef oordeel fill:#fff3c4,stroke:#b58900")
            lines.append(f"    class {','.join(dict.fromkeys(judged))} oordeel")
        return "\n".join(lines)

    def overview(self, regs: list[RegInfo]) -> Page:
        """Which instruments serve which target groups: per regulation the items of its
        lists and its aanspraken and bevoegdheden, with the groups their rules name."""
        page = "wie-komt-waarvoor-in-aanmerking.md"
        sections = []
        for info in regs:
            rows = []
            edges: list[tuple[str, str]] = []
            for r in info.rules.values():
                out = info.symbols.get(r.node.outcome or "")
                if out is None or out.type is None or r.node.not_applicable:
                    continue
                if r.node.item is not None:
                    instrument = r.node.item
                elif (
                    out.type.label in ("aanspraak", "bevoegdheid")
                    and isinstance(r.node.value, n.BoolLit)
                    and r.node.value.value
                ):
                    instrument = getattr(out.node, "description", None) or label(out.name)
                else:
                    continue
                groups = self._groups(info, r.node.condition)
                rows.append(
                    {
                        "instrument": escape(instrument),
                        "groups": ", ".join(escape(g) for g in groups)
                        or "iedereen die aan de voorwaarden voldoet",
                        "link": self._rule_link(info, page, r.node.name, r.anchor, False),
                    }
                )
                edges += [(g, instrument) for g in groups]
            if not rows:
                continue
            sections.append(
                {"title": reg_title(info), "rows": rows, "diagram": _group_diagram(edges)}
            )
        content = self.render("overzicht.md.jinja", sections=sections)
        return Page(page, "Wie komt waarvoor in aanmerking", content)

    def _groups(self, info: RegInfo, cond: n.Expr | None) -> list[str]:
        """The target groups a condition names: yes/no begrippen and gegevens (not oordelen)
        and the choices of a keuze gegeven ('klantgroep: nugger')."""
        groups: list[str] = []

        def visit(e: n.Expr | None) -> None:
            match e:
                case n.Binary(op="en" | "of" | "tenzij"):
                    visit(e.left)
                    if e.op != "tenzij":
                        visit(e.right)
                case n.Not():
                    pass
                case n.Membership(value=n.Name() as v, negated=False):
                    for o in e.options:
                        kind, value = o.resolved or ("", "")
                        if kind == "choice":
                            groups.append(f"{label(v.name)}: {label(value)}")
                case n.Binary(op="=", left=n.Name() as v, right=n.Name() as o):
                    kind, value = o.resolved or ("", "")
                    if kind == "choice":
                        groups.append(f"{label(v.name)}: {label(value)}")
                case n.Name():
                    kind, name = e.resolved or ("", "")
                    sym = info.symbols.get(name)
                    if (
                        kind in ("begrip", "input")
                        and sym is not None
                        and sym.type is not None
                        and sym.type.kind == "bool"
                        and not getattr(sym.node, "oordeel", None)
                    ):
                        groups.append(label(name))

        visit(cond)
        return list(dict.fromkeys(groups))


def _enumerate_nl(items: list[str]) -> str:
    """a, b en c."""
    return ", ".join(items[:-1]) + " en " + items[-1] if len(items) > 1 else "".join(items)


def reg_title(info: RegInfo) -> str:
    return escape(info.node.title)


def _caption(r: RuleInfo) -> str:
    """A rule in a diagram: where it stands and, shortened, what it says."""
    title = r.node.description or r.node.name.replace("_", " ")
    return f"{r.anchor}: {textwrap.shorten(title, 60, placeholder=' …')}"


def _mermaid(text: str) -> str:
    """A label Mermaid shows literally, on one line of the diagram (a line break could end
    the code block or start a directive): quotes, angle brackets and backticks as its entity
    codes."""
    text = inline(text).replace("#", "#35;")
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


def _group_diagram(edges: list[tuple[str, str]]) -> str:
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}
    for group, instrument in edges:
        for kind, text in (("g", group), ("i", instrument)):
            if (kind + text) not in ids:
                ids[kind + text] = f"{kind}{len(ids) + 1}"
                shape = ('(["', '"])') if kind == "g" else ('["', '"]')
                lines.append(f"    {ids[kind + text]}{shape[0]}{_mermaid(text)}{shape[1]}")
        edge = f"    {ids['g' + group]} --> {ids['i' + instrument]}"
        if edge not in lines:
            lines.append(edge)
    return "\n".join(lines) if len(lines) > 1 else ""


def sentence(text: str) -> str:
    """A description as a sentence: with a full stop unless it already ends in one."""
    text = text.strip()
    return text if not text or text[-1] in ".?!:" else text + "."


def _longest_backticks(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


# ---------------------------------------------------------------- writing and building

STATIC = ("regel.css", "mermaid.min.js", "mermaid.LICENSE")
GUIDE_FIRST = ("aan-de-slag.md", "taal.md")


def guide_pages(folder: Path) -> list[Page]:
    """The project's own Markdown docs, as a section of the same site: getting started
    first, then the language reference, then the rest by name."""
    files = sorted(folder.glob("*.md"), key=lambda f: (f.name not in GUIDE_FIRST,
                   GUIDE_FIRST.index(f.name) if f.name in GUIDE_FIRST else 0, f.name))  # fmt: skip
    pages = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        m = re.search(r"^# (.+)$", text, re.MULTILINE)
        title = re.sub(r"[`*_]", "", m[1]).strip() if m else f.stem
        pages.append(Page(f"handleiding/{f.name}", title, text))
    return pages


def write_sources(site: Site, folder: Path, site_name: str, site_url: str | None = None) -> None:
    """The MkDocs project: mkdocs.yml, the pages under docs/ and the assets."""
    docs = folder / "docs"
    for page in site.pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, encoding="utf-8")
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    static = resources.files("regel.compiler").joinpath("static")
    for name in STATIC:
        (assets / name).write_bytes(static.joinpath(name).read_bytes())
    config = (
        _env()
        .get_template("mkdocs.yml.jinja")
        .render(site_name=_safe_title(site_name), site_url=site_url, nav=_safe_nav(site.nav))
    )
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")


def _safe_title(title: str) -> str:
    """A navigation title as HTML text on one line. The theme puts it into the page as is, and
    into <title> after unescaping it, so angle brackets become look-alikes that cannot open a
    tag."""
    return html.escape(inline(title).replace("<", "‹").replace(">", "›"))


def _safe_nav(nav: Any) -> Any:
    if isinstance(nav, list):
        return [_safe_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {_safe_title(key): _safe_nav(value) for key, value in nav.items()}
    return nav


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:  # MkDocs repeats a broken link once per pass
            self.messages.append(message)


def build_html(folder: Path, out: Path) -> None:
    """`mkdocs build --strict`: any warning (a broken link or anchor) fails the build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # Material announces its end of life on every build; our users need not read that.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    log = logging.getLogger("mkdocs")
    collect = _Collect()
    level, propagate = log.level, log.propagate
    log.addHandler(collect)
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        config = load_config(str(folder / "mkdocs.yml"), site_dir=str(out.resolve()), strict=True)
        build(config)
    except MkDocsException as err:
        if not collect.messages:
            raise DocsError(f"MkDocs kon de site niet bouwen: {err}") from None
    finally:
        log.removeHandler(collect)
        log.setLevel(level)
        log.propagate = propagate
    if collect.messages:
        details = "\n".join(f"  {_dutch(m)}" for m in collect.messages)
        raise DocsError(
            "de site is niet gemaakt: bij een strikte bouw is elke waarschuwing een fout\n"
            + details
        )


# The MkDocs warnings a user can cause with pages of their own (`--handleiding`), in Dutch.
_WARNINGS = [
    (
        r"Doc file '(?P<page>[^']+)' contains a link '(?P<link>[^']+)', but the target "
        r"'(?P<target>[^']+)' is not found among documentation files\.",
        "{page}: de link '{link}' wijst naar '{target}', maar die pagina bestaat niet",
    ),
    (
        r"Doc file '(?P<page>[^']+)' contains a link '(?P<link>[^']+)', but the doc "
        r"'(?P<target>[^']+)' does not contain an anchor '(?P<anchor>[^']+)'\.",
        "{page}: de link '{link}' wijst naar het anker '{anchor}', maar '{target}' heeft dat "
        "anker niet",
    ),
    (
        r"Doc file '(?P<page>[^']+)' contains a link '(?P<link>[^']+)', but there is no such "
        r"anchor on this page\..*",
        "{page}: de link '{link}' wijst naar een anker dat op deze pagina niet bestaat",
    ),
    (
        r"Doc file '(?P<page>[^']+)' contains an absolute link '(?P<link>[^']+)'.*",
        "{page}: de link '{link}' begint met '/'; gebruik een relatief pad naar de pagina",
    ),
]


def _dutch(message: str) -> str:
    for pattern, text in _WARNINGS:
        m = re.fullmatch(pattern, message.strip(), re.S)
        if m:
            return text.format(**m.groupdict())
    return message


# The list of the files `regel docs` wrote, kept in every folder it writes: only those are
# replaced by a next build (compiler/outdir.py). A site made before that list existed has a
# file of this name too, and the sources their header in mkdocs.yml.
MARKER = ".regel-docs"
SOURCES_MANIFEST = ".regel-bron"
# How mkdocs.yml starts, now and in sites of earlier versions of regel.
SOURCES_HEADERS = ("# Gemaakt door `regel docs`", "# Generated by `regel docs`")


def _site_folder(path: Path) -> Folder:
    return Folder(
        path,
        MARKER,
        "Gemaakt door 'regel docs'; een volgende 'regel docs' vervangt alleen deze bestanden.",
        lambda folder: (folder / MARKER).is_file(),
    )


def _sources_folder(path: Path) -> Folder:
    return Folder(
        path,
        SOURCES_MANIFEST,
        "De MkDocs-bronnen die 'regel docs' schreef; een volgende 'regel docs' vervangt ze.",
        lambda folder: starts_with(folder / "mkdocs.yml", *SOURCES_HEADERS),
    )


def make_site(
    policies: Policies,
    out: Path,
    sources: Path | None = None,
    guide: Path | None = None,
    site_name: str = "Regelgeving re-integratie",
    site_url: str | None = None,
) -> Site:
    """Generate the Markdown, keep it in `sources` if given, and build the HTML into `out`.

    Both are built apart and put in place only when the strict build succeeds: a failed
    build leaves the previous site as it was. Files in `out` (or `sources`) that regel did not
    write stay."""
    if sources is not None and same_folder(out, sources):
        raise DocsError(
            f"--uit en --bron wijzen allebei naar '{out}'; de site zou de bronnen vervangen. "
            "Kies voor --bron een andere map."
        )
    site_folder = _site_folder(out)
    source_folder = _sources_folder(sources) if sources is not None else None
    try:
        site_folder.check("--uit")
        if source_folder is not None:
            source_folder.check("--bron")
        site = SiteBuilder(policies).build(guide_pages(guide) if guide else None)
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            stack.enter_context(site_folder.locked())
            if source_folder is not None:
                stack.enter_context(source_folder.locked())
            work = Path(tempfile.mkdtemp(prefix=".regel-docs-", dir=out.parent))
            try:
                write_sources(site, work / "bron", site_name, site_url)
                build_html(work / "bron", work / "html")
                if source_folder is not None:
                    source_folder.install(work / "bron")
                site_folder.install(work / "html")
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OutputError as err:
        raise DocsError(str(err)) from None
    return site


__all__ = ["DocsError", "Page", "Site", "SiteBuilder", "make_site"]
