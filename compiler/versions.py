"""The difference between two versions of one regulation, per artikel, as a lawyer reads it:
which texts changed (word by word), which rules, definitions and norms changed (line by line,
as written), which articles are new or gone, and what changed in the heading.

`compare` returns plain data, so the command line (`regel verschil`) and the generated docs can
show the same difference in their own way.
"""

from __future__ import annotations

import difflib
import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from regel.runtime.values import format_date, format_period

from . import nodes as n
from .diagnostics import source_lines
from .model import Analysis, RegInfo
from .vocabulary import ORGANS


@dataclass(slots=True)
class Change:
    what: str  # "tekst", "regel vergoeding", "gegeven loonkosten", "geldigheid", …
    kind: str  # nieuw | vervallen | gewijzigd
    old: list[str] = field(default_factory=list)  # the lines as written, before and after
    new: list[str] = field(default_factory=list)
    prose: bool = False  # official text, compared word by word; else lines as written


@dataclass(slots=True)
class Section:
    """The changes of one part: the heading, the declarations, or one artikel/lid/onderdeel."""

    where: str
    title: str | None
    kind: str  # nieuw | vervallen | gewijzigd
    changes: list[Change] = field(default_factory=list)


@dataclass(slots=True)
class Difference:
    old: RegInfo
    new: RegInfo
    sections: list[Section]
    unchanged: int  # artikelen (with their leden and onderdelen) without any change


def versions_to_compare(
    analysis: Analysis, regulation: str | None
) -> list[tuple[RegInfo, RegInfo]]:
    """Each pair of consecutive versions, of one regulation or of all that have several."""
    ids = [regulation] if regulation else sorted(analysis.versions)
    pairs: list[tuple[RegInfo, RegInfo]] = []
    for rid in ids:
        versions = analysis.of(rid)
        pairs.extend(itertools.pairwise(versions))
    return pairs


def compare(old: RegInfo, new: RegInfo, sources: dict[str, str]) -> Difference:
    text = _Sources(sources)
    sections: list[Section] = []
    heading = _heading(old.node, new.node)
    declared = _declarations(old.node, new.node, text)
    if heading:
        sections.append(Section("kop", None, "gewijzigd", heading))
    if declared:
        sections.append(Section("gegevens, uitkomsten en besluiten", None, "gewijzigd", declared))
    changed_articles: set[str] = set()
    whole: list[n.Anchor] = []  # new or lapsed units, shown with everything inside them
    for anchor in _ordered_anchors(old, new):
        if any(w.contains(anchor) for w in whole):
            continue
        before, after = old.units.get(anchor), new.units.get(anchor)
        section = _unit(anchor, before, after, text)
        if section is not None:
            sections.append(section)
            changed_articles.add(anchor.artikel)
            if section.kind != "gewijzigd":
                whole.append(anchor)
    articles = {a.artikel for a in old.units} & {a.artikel for a in new.units}
    return Difference(old, new, sections, len(articles - changed_articles))


# ---------------------------------------------------------------- parts


def _heading(old: n.Regulation, new: n.Regulation) -> list[Change]:
    def facts(reg: n.Regulation) -> dict[str, str]:
        m = reg.meta
        adopted = f"door {ORGANS[m.organ].words}" if m.organ in ORGANS else ""
        if m.adopted:
            adopted += f" op {format_date(m.adopted)}"
        return {
            "titel": reg.title,
            "citeertitel": m.citeertitel or "",
            "gemeente": m.gemeente or "",
            "vastgesteld": adopted.strip(),
            "geldigheid": period(reg),
            "gelet op": ", ".join(_ref(r) for r in m.legal_basis),
            "trekt in": "; ".join(m.withdraws),
            "bron": ", ".join(m.sources),
        }

    before, after = facts(old), facts(new)
    changes = []
    for key in before:
        if before[key] != after[key]:
            kind = "nieuw" if not before[key] else "vervallen" if not after[key] else "gewijzigd"
            changes.append(Change(key, kind, _lines(before[key]), _lines(after[key])))
    return changes


def _declarations(old: n.Regulation, new: n.Regulation, text: _Sources) -> list[Change]:
    changes: list[Change] = []
    for label, items in (
        ("bron", lambda r: r.externs),
        ("gegeven", lambda r: r.inputs),
        ("uitkomst", lambda r: r.outcomes),
        ("besluit", lambda r: r.decisions),
    ):
        before = {x.name: text.block(x.span) for x in items(old)}
        after = {x.name: text.block(x.span) for x in items(new)}
        changes += _keyed(label, before, after)
    return changes


def _unit(
    anchor: n.Anchor, old: n.Unit | None, new: n.Unit | None, text: _Sources
) -> Section | None:
    if old is None or new is None:  # shown whole, as written, with its leden and onderdelen
        unit = new or old
        assert unit is not None
        # the heading line is the section's own; the rest one level less indented
        lines = [line.removeprefix("  ") for line in text.block(unit.span)[1:]]
        kind = "nieuw" if old is None else "vervallen"
        change = Change("", kind, lines if old else [], lines if new else [])
        return Section(str(anchor), unit.title, kind, [change])
    changes: list[Change] = []
    was_title, now_title = old.title or "", new.title or ""  # no title and "" read alike
    if was_title != now_title:
        kind = "nieuw" if not was_title else "vervallen" if not now_title else "gewijzigd"
        changes.append(Change("opschrift", kind, _lines(was_title), _lines(now_title), prose=True))
    before = dict(_keyed_items(old))
    after = dict(_keyed_items(new))
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key), after.get(key)
        was_lines = _item_lines(was, text) if was is not None else []
        now_lines = _item_lines(now, text) if now is not None else []
        if was is not None and now is not None and was_lines == now_lines:
            continue
        kind = "nieuw" if was is None else "vervallen" if now is None else "gewijzigd"
        prose = isinstance(was or now, n.TextBlock)
        changes.append(Change(key, kind, was_lines, now_lines, prose))
    if not changes:
        return None
    return Section(str(anchor), new.title, "gewijzigd", changes)


def _keyed(label: str, before: dict[str, list[str]], after: dict[str, list[str]]) -> list[Change]:
    changes = []
    for name in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(name), after.get(name)
        if was != now:
            kind = "nieuw" if was is None else "vervallen" if now is None else "gewijzigd"
            changes.append(Change(f"{label} {name}", kind, was or [], now or []))
    return changes


def _own(unit: n.Unit) -> list[object]:
    """A unit's own contents; its leden and onderdelen are compared on their own."""
    return [c for c in unit.children if not isinstance(c, n.Unit)]


def _keyed_items(unit: n.Unit) -> list[tuple[str, object]]:
    """The contents of a unit with a name that identifies them across versions."""
    keyed: list[tuple[str, object]] = []
    counts: dict[str, int] = {}
    for item in _own(unit):
        named = n.executable_name(item)
        if named is not None:
            kind, name = named
            key = f"invulling van {name}" if kind == "invulling" else f"{kind} {name}"
        elif isinstance(item, n.TextBlock):
            key = item.kind
        elif isinstance(item, n.References):
            key = "verwijzingen"
        else:
            key = "niet uitvoerbaar"
        counts[key] = counts.get(key, 0) + 1
        keyed.append((key if counts[key] == 1 else f"{key} ({counts[key]})", item))
    return keyed


def _item_lines(item: object, text: _Sources) -> list[str]:
    if isinstance(item, n.TextBlock):
        return [item.text]  # compared word by word
    return text.block(item.span)  # type: ignore[attr-defined]


def _ordered_anchors(old: RegInfo, new: RegInfo) -> list[n.Anchor]:
    """The anchors of the new version in its order, with those that lapsed where they stood."""
    order = list(new.units)
    for i, anchor in enumerate(old.units):
        if anchor not in new.units:
            previous = list(old.units)[:i]
            at = max((order.index(a) + 1 for a in previous if a in order), default=0)
            order.insert(at, anchor)
    return order


def period(reg: n.Regulation) -> str:
    return format_period(reg.meta.valid_from, reg.meta.valid_until)


def _ref(ref: n.Ref) -> str:
    where = str(ref.anchor) if ref.anchor else ""
    return f"{where} van {ref.source}".strip() if ref.source else where


def _lines(value: str | None) -> list[str]:
    return [value] if value else []


class _Sources:
    def __init__(self, sources: dict[str, str]):
        self.lines = {name: source_lines(text) for name, text in sources.items()}

    def block(self, span: object) -> list[str]:
        """The lines of a statement with its indented block, as written, without the
        indentation of the statement itself and without comments."""
        lines: Sequence[str] = self.lines.get(span.file, ())  # type: ignore[attr-defined]
        start = span.line - 1  # type: ignore[attr-defined]
        if start >= len(lines):
            return []
        head = lines[start]
        indent = len(head) - len(head.lstrip())
        block = [head.strip()]
        for line in lines[start + 1 :]:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if len(line) - len(line.lstrip()) <= indent:
                break
            block.append("  " * ((len(line) - len(line.lstrip()) - indent) // 2) + stripped)
        return block


# ---------------------------------------------------------------- text rendering


def word_diff(old: str, new: str) -> str:
    """The new text with every change marked: [was: …] what went, [wordt: …] what came."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.extend(a[i1:i2])
            continue
        if i2 > i1:
            parts.append(_NBSP.join(["[was:", *a[i1:i2]]) + "]")
        if j2 > j1:
            parts.append(_NBSP.join(["[wordt:", *b[j1:j2]]) + "]")
    return " ".join(parts)


# Joins the words of one marked change, so that wrapping keeps the marks together; `_wrapped`
# turns it back into a space.
_NBSP = "\u00a0"


def render(diff: Difference, width: int = 100) -> str:
    old, new = diff.old.node, diff.new.node
    out = [
        f"{new.id}: {new.title}",
        f"  oud:   geldig {period(old)} ({old.span.file})",
        f"  nieuw: geldig {period(new)} ({new.span.file})",
    ]
    if not diff.sections:
        out += ["", "  geen verschillen in tekst, regels of kop"]
    for section in diff.sections:
        title = f' "{section.title}"' if section.title else ""
        suffix = {"nieuw": " (nieuw)", "vervallen": " (vervallen)"}.get(section.kind, "")
        out += ["", f"{section.where}{title}{suffix}"]
        for change in section.changes:
            out += _render_change(change, width)
    counts = {
        k: sum(1 for s in diff.sections if s.kind == k and s.where.startswith("artikel"))
        for k in ("gewijzigd", "nieuw", "vervallen")
    }
    out += [
        "",
        f"{counts['gewijzigd']} gewijzigd, {counts['nieuw']} nieuw, {counts['vervallen']} "
        f"vervallen (artikelen, leden en onderdelen); {diff.unchanged} artikel(en) ongewijzigd",
    ]
    return "\n".join(out)


def _render_change(change: Change, width: int) -> list[str]:
    if change.prose:
        if change.kind == "gewijzigd":
            marked = word_diff(change.old[0], change.new[0])
            return _wrapped(f"  {change.what} gewijzigd: ", marked, width)
        return _wrapped(f"  {change.what} {change.kind}: ", (change.new or change.old)[0], width)
    if not change.what:  # a whole new or lapsed unit
        sign = "+" if change.kind == "nieuw" else "-"
        return [f"    {sign} {line}" for line in change.new or change.old]
    if change.kind != "gewijzigd":
        return [f"  {change.what} {change.kind}:"] + [
            f"      {line}" for line in change.new or change.old
        ]
    out = [f"  {change.what} gewijzigd:"]
    for line in difflib.ndiff(change.old, change.new):
        if line[0] in "-+ ":
            out.append(f"    {line[0]} {line[2:]}")
    return out


def _wrapped(first: str, text: str, width: int) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_NBSP, " ") for line in lines]
