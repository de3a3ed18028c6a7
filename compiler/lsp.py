"""`regel taalserver`: the language server for editors (LSP over stdio, with pygls).

What an editor shows is what `regel controleer` says: the same analysis (`api.analyse_sources`)
over the folder of the file, with the editor's unsaved texts over the files on disk, so that a
diagnostic names the same code and has the same Dutch words, across files and connected
regulations. Everything else reads the typed model of that analysis: hover (type and unit,
description, the article text of the anchor, the value of an open norm and who fills it), go
to definition, references and rename (across regulations: `regeling.naam`), completion (the
names in scope, and the keywords the grammar accepts at the cursor, from the parser's own
table), the outline (hoofdstuk, artikel, lid, onderdeel), formatting (`layout.lay_out`) and a
quick fix for every "bedoelde u '…'?" hint.

Positions: the model counts lines and characters from 1 in code points, LSP from 0 in UTF-16
code units; `Lines` converts between them per line.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from . import nodes as n
from .api import analyse_sources, read_sources
from .diagnostics import Diagnostic, Span
from .model import Analysis, RegInfo, Symbol
from .unparse import source as written

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

KIND_NL = {
    "input": "gegeven",
    "field": "gegeven van ieder persoon",
    "begrip": "begrip",
    "outcome": "uitkomst",
    "norm": "open norm",
}
_WORD = re.compile(r"[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF][\w\u00C0-\u00FF]*")
_QUALIFIED = re.compile(rf"{_WORD.pattern}(?:\.{_WORD.pattern})?")
_MEANT = re.compile(r"^bedoelde u '([^']*)'\?")
_LEVELS = {
    "hoofdstuk": lsp.SymbolKind.Namespace,
    "artikel": lsp.SymbolKind.Module,
    "lid": lsp.SymbolKind.Class,
    "onderdeel": lsp.SymbolKind.Field,
}


# ---------------------------------------------------------------- positions


class Lines:
    """A file's lines, to turn the model's positions into the editor's and back."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def position(self, line: int, column: int) -> lsp.Position:
        before = self.line(line)[: max(column - 1, 0)]
        return lsp.Position(max(line - 1, 0), len(before.encode("utf-16-le")) // 2)

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(
            self.position(span.line, span.column), self.position(span.end_line, span.end_column)
        )

    def column(self, position: lsp.Position) -> int:
        """The code point (from 1) at an editor's position."""
        units, text = 0, self.line(position.line + 1)
        for i, char in enumerate(text):
            if units >= position.character:
                return i + 1
            units += 2 if ord(char) > 0xFFFF else 1
        return len(text) + 1


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def uri_of(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


# ---------------------------------------------------------------- the analysis of a folder


@dataclass
class Project:
    """The files checked together with an open document, and what the checker made of them."""

    root: Path
    sources: dict[str, str] = field(default_factory=dict)  # by absolute path
    analysis: Analysis = field(default_factory=Analysis)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    recursive: bool = True  # a workspace folder; else only the file's own folder
    # The files on disk as last read, by path: (modification time, size, text); a keystroke
    # reads again only what changed.
    disk: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def refresh(self, open_texts: dict[str, str]) -> None:
        sources: dict[str, str] = {}
        problems: list[Diagnostic] = []
        for path in regel_files(self.root, self.recursive):
            name = str(path)
            try:
                info = path.stat()
                stamp = (info.st_mtime_ns, info.st_size)
                known = self.disk.get(name)
                if known is None or known[:2] != stamp:
                    found, unread = read_sources([path])
                    problems += unread
                    if name not in found:
                        continue
                    self.disk[name] = (*stamp, found[name])
                sources[name] = self.disk[name][2]
            except OSError:
                continue  # gone since the listing
        for name, text in open_texts.items():
            inside = Path(name).parent == self.root or (
                self.recursive and Path(name).is_relative_to(self.root)
            )
            if inside and name.endswith(".regel"):
                sources[name] = text
        self.sources = sources
        self.analysis, found_problems = analyse_sources(sources)
        self.diagnostics = problems + found_problems

    def text(self, file: str) -> Lines:
        return Lines(self.sources.get(file, ""))

    # -- what is where
    def regulation_of(self, file: str) -> RegInfo | None:
        """The regulation a file declares, or the one its gevallen are for."""
        for info in self.analysis.regs.values():
            if info.node.span.file == file:
                return info
        for cases in self.analysis.cases:
            if cases.span.file == file:
                versions = self.analysis.of(cases.regulation)
                return versions[-1] if versions else None
        return None

    def symbol(self, info: RegInfo, word: str) -> tuple[RegInfo, Symbol] | None:
        """What a name means in a regulation: its own, or `regeling.naam` of another."""
        if "." in word:
            rid, name = word.split(".", 1)
            for other in reversed(self.analysis.of(rid)):
                if name in other.symbols:
                    return other, other.symbols[name]
            return None
        return (info, info.symbols[word]) if word in info.symbols else None

    def occurrences(self, rid: str, name: str) -> Iterator[Span]:
        """Every place the symbol `name` of regulation `rid` is written: its declarations
        (one per version), every expression that reads it, and the gevallen that give it."""
        for info in self.analysis.regs.values():
            if info.node.id == rid and name in info.symbols:
                yield info.symbols[name].node.span
            for x in _names(info.node):
                if isinstance(x, n.QualName):
                    if (x.regulation, x.name) == (rid, name):
                        yield x.span
                elif x.name == name and info.node.id == rid and x.resolved:
                    yield x.span
        for cases in self.analysis.cases:
            if cases.regulation != rid:
                continue
            for case in cases.cases:
                for given, span, _ in case.givens:
                    if given == name:
                        yield span
                for e in case.expectations:
                    if e.outcome == name:
                        found = self._word_in(e.span, name)
                        if found is not None:
                            yield found

    def _word_in(self, span: Span, word: str) -> Span | None:
        line = self.text(span.file).line(span.line)
        m = re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", line[span.column - 1 :])
        if m is None:
            return None
        start = span.column + m.start()
        return Span(span.file, span.line, start, span.line, start + len(word))


MAX_FILES = 2000  # a workspace with more .regel files than this is not one project
_SKIPPED = {"node_modules", "site", "build", "dist", "__pycache__"}


def regel_files(root: Path, recursive: bool) -> list[Path]:
    """The .regel files of a project, in a stable order: below a workspace folder (not in
    hidden folders, virtual environments or build output, and at most MAX_FILES), or in the
    folder of a file opened on its own."""
    if not recursive:
        return sorted(p.resolve() for p in root.glob("*.regel") if p.is_file())
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in _SKIPPED and "venv" not in d
        )
        found += [Path(folder, f).resolve() for f in sorted(files) if f.endswith(".regel")]
        if len(found) >= MAX_FILES:
            break
    return found[:MAX_FILES]


def _names(node: object) -> Iterator[n.Name | n.QualName]:
    """Every name written in a tree: in expressions, wherever they stand."""
    if isinstance(node, n.Name | n.QualName):
        yield node
    if isinstance(node, list | tuple):
        for x in node:
            yield from _names(x)
    else:
        for _, value in n.said(node) or ():
            yield from _names(value)


class Meaning(NamedTuple):
    """What a name under the cursor means: in which project and regulation it is written,
    the regulation that declares it (`owner`: another one for `regeling.naam`), its symbol,
    and where the name is."""

    project: Project
    info: RegInfo
    owner: RegInfo
    symbol: Symbol
    span: Span


def word_at(text: Lines, position: lsp.Position) -> tuple[str, Span] | None:
    """The name (or `regeling.naam`) under the cursor, with where it is."""
    line = text.line(position.line + 1)
    column = text.column(position)
    for m in _QUALIFIED.finditer(line):
        if m.start() < column <= m.end() + 1:
            number = position.line + 1
            return m.group(), Span("", number, m.start() + 1, number, m.end() + 1)
    return None


# ---------------------------------------------------------------- what the editor asks


def hover_text(project: Project, info: RegInfo, owner: RegInfo, symbol: Symbol) -> str:
    """The hover of a name, in Markdown: what it is, its type, its description, its article."""
    node = symbol.node
    kind = KIND_NL.get(symbol.kind, symbol.kind)
    name = symbol.name if owner is info else f"{owner.node.id}.{symbol.name}"
    lines = [f"**{name}** — {kind}" + (f": {symbol.type.display()}" if symbol.type else "")]
    if getattr(node, "description", None):
        lines.append(str(node.description))
    if isinstance(node, n.Begrip):
        lines.append(f"`{written(node.value)}`")
    if isinstance(node, n.OpenNorm):
        lines.append(_norm_value(project, owner, node))
    anchor = symbol.anchor
    if anchor is not None:
        lines.append(f"*{anchor}* van {owner.node.title}")
        unit = owner.units.get(anchor)
        texts = [c.text for c in (unit.children if unit else []) if isinstance(c, n.TextBlock)]
        if texts:
            lines.append("> " + texts[0].replace("\n", "\n> "))
    return "\n\n".join(lines)


def _norm_value(project: Project, owner: RegInfo, norm: n.OpenNorm) -> str:
    fillers = project.analysis.fillers(owner.key, norm.name)
    if not fillers:
        own = f"`{written(norm.default)}`" if norm.default is not None else "geen"
        return f"Vastgesteld door {norm.organ}; niet ingevuld (standaard: {own})."
    parts = []
    for other in fillers:
        fill = next(f for f in other.fills if f.regulation == owner.node.id and f.norm == norm.name)
        where = f" ({fill.anchor})" if fill.anchor else ""
        parts.append(f"`{written(fill.value)}` in {other.node.title}{where}")
    return "Ingevuld: " + "; ".join(parts) + "."


def completion_items(project: Project, file: str, text: str, position: lsp.Position) -> list[str]:
    """What may be written at the cursor: the keywords the grammar accepts there and, where a
    name may stand, the names in scope."""
    from .parser import keywords

    lines = text.split("\n")
    view = Lines(text)
    column = view.column(position)
    current = lines[position.line][: column - 1] if position.line < len(lines) else ""
    typed = re.search(r"[\w.]*$", current)
    start = current[: len(current) - len(typed.group())] if typed else current
    prefix = "\n".join([*lines[: position.line], start])
    accepted, names = _accepted(prefix)
    words = sorted(w for w in accepted if w in keywords()) if accepted else sorted(keywords())
    if names or not accepted:
        info = project.regulation_of(file)
        if info is not None:
            words += sorted(info.symbols)
            for other in project.analysis.regs.values():
                if other.node.id != info.node.id:
                    words += [f"{other.node.id}.{s}" for s in sorted(other.symbols)]
    return list(dict.fromkeys(words))


_CURSOR = "regel_cursor"  # a word put at the cursor, to stop the parser there


def _accepted(prefix: str) -> tuple[set[str], bool]:
    """The keywords the parser accepts after `prefix`, and whether a name is accepted there:
    the parser reads up to the cursor and is asked what it would take next. Empty when the
    text before the cursor has an error of its own."""
    from .parser import _lark

    lark = _lark()
    parser = lark.parse_interactive(prefix + _CURSOR + "\n")
    try:
        for token in parser.iter_parse():  # each token is handed over before it is fed
            if token.start_pos is not None and token.start_pos >= len(prefix):
                break
    except Exception as err:  # the parser or the indenter stopped: at the cursor, or before?
        token = getattr(err, "token", None)
        position = token.start_pos if token is not None else getattr(err, "pos_in_stream", None)
        if position is None or position < len(prefix):
            return set(), False
    expected = parser.accepts()
    words: set[str] = set()
    for terminal in expected:
        try:
            pattern = lark.get_terminal(terminal).pattern
        except KeyError:
            continue
        if pattern.type == "str" and pattern.value.replace("/", "").isalpha():
            words.add(pattern.value)
    return words, "NAME" in expected


def outline(units: list[n.Unit], view: Lines) -> list[lsp.DocumentSymbol]:
    """hoofdstuk, artikel, lid and onderdeel, nested as in the text."""
    found = []
    for unit in units:
        children = [c for c in unit.children if isinstance(c, n.Unit)]
        last = _last_line(unit)
        whole = lsp.Range(view.position(unit.span.line, 1), view.position(last + 1, 1))
        head = lsp.Range(
            view.position(unit.span.line, unit.span.column),
            view.position(unit.span.line, len(view.line(unit.span.line)) + 1),
        )
        found.append(
            lsp.DocumentSymbol(
                name=f"{unit.level_word} {unit.label}",
                detail=unit.title or "",
                kind=_LEVELS.get(unit.level, lsp.SymbolKind.Object),
                range=whole,
                selection_range=head,
                children=outline(children, view),
            )
        )
    return found


def _last_line(unit: n.Unit) -> int:
    last = unit.span.end_line
    for child in unit.children:
        span = getattr(child, "span", None)
        if isinstance(child, n.Unit):
            last = max(last, _last_line(child))
        elif isinstance(span, Span):
            last = max(last, span.end_line)
    return last


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def to_lsp(d: Diagnostic, view: Lines) -> lsp.Diagnostic:
    span = d.span or Span("", 1, 1, 1, 1)
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return lsp.Diagnostic(
        range=view.range(span),
        message=message,
        severity=lsp.DiagnosticSeverity.Error if d.is_error else lsp.DiagnosticSeverity.Warning,
        code=d.code,
        source="regel",
        data={"hint": d.hint},
    )


# ---------------------------------------------------------------- the server


def server() -> LanguageServer:
    """The pygls server with every feature; `regel taalserver` starts it on stdio."""
    from importlib.metadata import PackageNotFoundError, version

    from pygls.lsp.server import LanguageServer

    try:
        number = version("regel")
    except PackageNotFoundError:
        number = "0"
    ls = LanguageServer("regel", number)
    projects: dict[Path, Project] = {}

    def project_of(uri: str) -> Project:
        path = path_of(uri).resolve()
        roots = [path_of(f.uri).resolve() for f in (ls.workspace.folders or {}).values()]
        inside = [r for r in roots if path.is_relative_to(r)]
        root = max(inside, key=lambda r: len(r.parts)) if inside else path.parent
        if root not in projects:  # a file outside every workspace folder: its folder alone
            projects[root] = Project(root, recursive=bool(inside))
        return projects[root]

    def ready(uri: str) -> Project:
        """The project of a document, analysed (a request may come before any change)."""
        project = project_of(uri)
        return project if project.sources else refresh(uri)

    def open_texts() -> dict[str, str]:
        return {
            str(path_of(uri).resolve()): doc.source
            for uri, doc in ls.workspace.text_documents.items()
        }

    def refresh(uri: str) -> Project:
        project = project_of(uri)
        project.refresh(open_texts())
        by_file: dict[str, list[lsp.Diagnostic]] = {name: [] for name in project.sources}
        for d in project.diagnostics:
            if d.span is not None and d.span.file in by_file:
                by_file[d.span.file].append(to_lsp(d, project.text(d.span.file)))
        for name, found in by_file.items():
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri_of(name), diagnostics=found)
            )
        return project

    @ls.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        refresh(params.text_document.uri)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        refresh(params.text_document.uri)

    @ls.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        refresh(params.text_document.uri)

    def looked_up(uri: str, position: lsp.Position) -> Meaning | None:
        project = ready(uri)
        file = str(path_of(uri).resolve())
        info = project.regulation_of(file)
        found = word_at(project.text(file), position)
        if info is None or found is None:
            return None
        word, span = found
        meant = project.symbol(info, word)
        if meant is None:
            return None
        return Meaning(project, info, *meant, dataclasses.replace(span, file=file))

    @ls.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        found = looked_up(params.text_document.uri, params.position)
        if found is None:
            return None
        text = hover_text(found.project, found.info, found.owner, found.symbol)
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
            range=found.project.text(found.span.file).range(found.span),
        )

    def location(project: Project, span: Span) -> lsp.Location:
        return lsp.Location(uri=uri_of(span.file), range=project.text(span.file).range(span))

    @ls.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(params: lsp.DefinitionParams) -> lsp.Location | None:
        found = looked_up(params.text_document.uri, params.position)
        if found is None:
            return None
        return location(found.project, found.symbol.node.span)

    def places(found: Meaning) -> list[Span]:
        occurrences = found.project.occurrences(found.owner.node.id, found.symbol.name)
        return list(dict.fromkeys(occurrences))

    @ls.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(params: lsp.ReferenceParams) -> list[lsp.Location]:
        found = looked_up(params.text_document.uri, params.position)
        if found is None:
            return []
        spans = places(found)
        if not params.context.include_declaration:
            spans = [s for s in spans if s != found.symbol.node.span]
        return [location(found.project, s) for s in spans]

    @ls.feature(lsp.TEXT_DOCUMENT_RENAME)
    def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        from .parser import reserved_words

        found = looked_up(params.text_document.uri, params.position)
        if found is None:
            return None
        project, owner = found.project, found.owner
        new = params.new_name
        if not re.fullmatch(_WORD.pattern, new) or new in reserved_words():
            raise ValueError(f"'{new}' kan geen naam zijn")
        if new in owner.symbols:
            raise ValueError(f"'{new}' bestaat al in {owner.node.id}")
        changes: dict[str, list[lsp.TextEdit]] = {}
        for span in places(found):
            view = project.text(span.file)
            written_there = view.line(span.line)[span.column - 1 : span.end_column - 1]
            replacement = new if "." not in written_there else f"{owner.node.id}.{new}"
            changes.setdefault(uri_of(span.file), []).append(
                lsp.TextEdit(range=view.range(span), new_text=replacement)
            )
        return lsp.WorkspaceEdit(changes=changes)

    @ls.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" ", "."]))
    def completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        project = ready(uri)
        file = str(path_of(uri).resolve())
        text = ls.workspace.get_text_document(uri).source
        words = completion_items(project, file, text, params.position)
        info = project.regulation_of(file)
        items = []
        for word in words:
            meant = project.symbol(info, word) if info is not None else None
            detail = KIND_NL.get(meant[1].kind, "") if meant else "sleutelwoord"
            kind = lsp.CompletionItemKind.Variable if meant else lsp.CompletionItemKind.Keyword
            items.append(lsp.CompletionItem(label=word, kind=kind, detail=detail))
        return lsp.CompletionList(is_incomplete=False, items=items)

    @ls.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        uri = params.text_document.uri
        project = ready(uri)
        file = str(path_of(uri).resolve())
        info = project.regulation_of(file)
        if info is None or info.node.span.file != file:
            return []
        return outline(info.node.units, project.text(file))

    @ls.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def formatting(params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        from .layout import checked
        from .parser import SyntaxProblem

        doc = ls.workspace.get_text_document(params.text_document.uri)
        text = doc.source
        try:
            laid = checked(text, doc.path)
        except SyntaxProblem:
            return []  # a file with an error is not laid out (see `regel opmaak`)
        if laid is None or laid == text:
            return []
        view = Lines(text)
        end = view.position(len(view.lines), len(view.lines[-1]) + 1)
        return [lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=laid)]

    @ls.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_actions(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        """A fix for each of our diagnostics in the range whose hint says what was meant; the
        server's own diagnostics, so that an editor that keeps no `data` gets them too."""
        uri = params.text_document.uri
        project = ready(uri)
        file = str(path_of(uri).resolve())
        view = project.text(file)
        actions = []
        for d in project.diagnostics:
            meant = _MEANT.match(d.hint or "")
            if meant is None or d.span is None or d.span.file != file:
                continue
            found = to_lsp(d, view)
            if not _overlaps(found.range, params.range):
                continue
            actions.append(
                lsp.CodeAction(
                    title=f"Vervang door '{meant[1]}'",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[found],
                    is_preferred=True,
                    edit=lsp.WorkspaceEdit(
                        changes={uri: [lsp.TextEdit(range=found.range, new_text=meant[1])]}
                    ),
                )
            )
        return actions

    return ls


def main() -> int:
    server().start_io()
    return 0
