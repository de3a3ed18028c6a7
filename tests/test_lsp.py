"""`regel taalserver` as an editor meets it: a real LSP client (pygls) over JSON-RPC on the
stdin and stdout of the server as a subprocess, on a copy of the shipped Berkelland and landelijk
regulations (two regulations that fill each other's norms, and their gevallen)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from regel.compiler.api import check_paths
from regel.compiler.lsp import regel_files

from .conftest import POLICIES, ROOT

T = TypeVar("T")


class Editor:
    """The client, with the diagnostics the server published, per file. One event loop for
    the whole module, as an editor has: every step runs in it (`run`)."""

    def __init__(self, folder: Path):
        self.loop = asyncio.new_event_loop()
        self.folder = folder
        self.client = LanguageClient("test-editor", "1")
        self.published: dict[str, list[lsp.Diagnostic]] = {}
        self.changed = asyncio.Event()
        # Each step waits for the diagnostics of every file (the server publishes them all),
        # so that none of an earlier step arrives during a later one.
        self.files = len(regel_files(folder, recursive=True))
        self.received = 0
        self.versions: dict[str, int] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params.diagnostics
            self.received += 1
            if self.received >= self.files:
                self.changed.set()

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(step, 60))

    def uri(self, name: str) -> str:
        return (self.folder / name).resolve().as_uri()

    async def open(self, name: str, text: str | None = None) -> None:
        self.changed.clear()
        self.received = 0
        if not (self.folder / name).exists():
            self.files += 1  # a new file, not saved yet: the server checks it with the rest
        body = text if text is not None else (self.folder / name).read_text(encoding="utf-8")
        self.versions[name] = 1
        item = lsp.TextDocumentItem(uri=self.uri(name), language_id="regel", version=1, text=body)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
        await asyncio.wait_for(self.changed.wait(), 60)

    async def change(self, name: str, text: str) -> None:
        self.changed.clear()
        self.received = 0
        self.versions[name] += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=self.uri(name), version=self.versions[name])
        change = lsp.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(text_document=doc, content_changes=[change])
        )
        await asyncio.wait_for(self.changed.wait(), 60)

    def doc(self, name: str) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(uri=self.uri(name))

    def at(self, name: str, needle: str, offset: int = 0) -> lsp.Position:
        """The position of the first `needle` in a file (plus `offset` characters)."""
        lines = (self.folder / name).read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines):
            if needle in line:
                return lsp.Position(number, line.index(needle) + offset)
        raise AssertionError(f"{needle!r} niet in {name}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("werkmap")
    for part in ("berkelland", "landelijk"):
        shutil.copytree(POLICIES / part, root / part)
    for hidden in (".git/oud", "node_modules/pakket", ".venv/lib"):  # not part of the project
        (root / hidden).mkdir(parents=True)
        (root / hidden / "kapot.regel").write_text("dit is geen regeling\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def editor(folder: Path) -> Iterator[Editor]:
    ed = Editor(folder)
    ed.run(ed.client.start_io(sys.executable, "-m", "regel.compiler.cli", "taalserver", cwd=ROOT))
    ed.run(
        ed.client.initialize_async(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(),
                workspace_folders=[lsp.WorkspaceFolder(uri=folder.as_uri(), name="werkmap")],
            )
        )
    )
    ed.client.initialized(lsp.InitializedParams())
    ed.run(ed.open("berkelland/beleidsregels.regel"))
    yield ed
    ed.run(ed.client.shutdown_async(None))
    ed.client.exit(None)
    ed.run(ed.client.stop())
    ed.loop.close()


def test_diagnostics_while_typing_are_those_of_regel_controleer(
    editor: Editor, folder: Path, tmp_path: Path
) -> None:
    name = "berkelland/beleidsregels.regel"
    assert list(editor.published[editor.uri(name)]) == []  # the shipped file is in order
    original = (folder / name).read_text(encoding="utf-8")
    needle = "en uren_per_week minstens 12 uur per week"
    broken = original.replace(needle, "en uren_per_wek minstens 12 uur per week", 1)
    assert broken != original
    editor.run(editor.change(name, broken))  # typed, not saved
    assert (folder / name).read_text(encoding="utf-8") == original
    (found,) = editor.published[editor.uri(name)]
    saved = tmp_path / "opgeslagen"  # what regel controleer says of the same texts, saved
    shutil.copytree(folder, saved)
    (saved / name).write_text(broken, encoding="utf-8")
    found_there = check_paths([saved / "berkelland", saved / "landelijk"])[0]
    (expected,) = [d for d in found_there if d.is_error]
    assert found.code == expected.code == "R201"
    assert found.message == f"{expected.message}\nhint: {expected.hint}"
    assert expected.span is not None
    assert found.range.start == lsp.Position(expected.span.line - 1, expected.span.column - 1)
    assert found.severity == lsp.DiagnosticSeverity.Error and found.source == "regel"
    editor.run(editor.change(name, original))
    assert list(editor.published[editor.uri(name)]) == []


def test_diagnostics_cross_files_to_the_verordening(editor: Editor, folder: Path) -> None:
    """A change in one file that breaks another: the other gets the message."""
    name = "berkelland/reintegratieverordening.regel"
    text = (folder / name).read_text(encoding="utf-8")
    assert "maximale_loonkostensubsidie" in text
    editor.run(editor.open(name, text.replace("maximale_loonkostensubsidie", "maximum_lks")))
    other = editor.published[editor.uri("berkelland/beleidsregels.regel")]
    assert any("maximale_loonkostensubsidie" in d.message for d in other), other
    editor.run(editor.change(name, text))
    assert list(editor.published[editor.uri("berkelland/beleidsregels.regel")]) == []


def test_hover_gives_type_description_and_article(editor: Editor) -> None:
    name = "berkelland/beleidsregels.regel"
    at = editor.at(name, "en uren_per_week minstens", len("en "))
    hover = editor.run(
        editor.client.text_document_hover_async(
            lsp.HoverParams(text_document=editor.doc(name), position=at)
        )
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    text = hover.contents.value
    assert text.startswith("**uren_per_week** — gegeven: uur per week")
    assert "Het aantal uren per week van de arbeidsovereenkomst" in text


def test_hover_on_a_norm_says_its_value_and_who_fills_it(editor: Editor) -> None:
    name = "berkelland/beleidsregels.regel"
    at = editor.at(name, "maximum van berkelland_verordening.maximale_loonkostensubsidie ", 15)
    hover = editor.run(
        editor.client.text_document_hover_async(
            lsp.HoverParams(text_document=editor.doc(name), position=at)
        )
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    text = hover.contents.value
    assert "open norm" in text and "Ingevuld: `€ " in text, text
    assert "Beleidsregels Re-integratie 2007" in text


def test_definition_and_references_across_regulations(editor: Editor) -> None:
    name = "berkelland/beleidsregels.regel"
    at = editor.at(name, "maximum van berkelland_verordening.maximale_loonkostensubsidie ", 40)
    where = editor.run(
        editor.client.text_document_definition_async(
            lsp.DefinitionParams(text_document=editor.doc(name), position=at)
        )
    )
    assert isinstance(where, lsp.Location)
    assert where.uri == editor.uri("berkelland/reintegratieverordening.regel")
    declared = editor.at("berkelland/reintegratieverordening.regel", "maximale_loonkostensubsidie")
    assert where.range.start == declared
    found = editor.run(
        editor.client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=editor.doc(name),
                position=at,
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )
    )
    assert found is not None
    uris = {r.uri for r in found}
    assert uris == {editor.uri(name), editor.uri("berkelland/reintegratieverordening.regel")}
    assert any(r.range.start == declared for r in found)


def test_rename_changes_every_place_and_the_result_checks(editor: Editor, folder: Path) -> None:
    name = "berkelland/beleidsregels.regel"
    at = editor.at(name, "loonkosten:", 0)
    edit = editor.run(
        editor.client.text_document_rename_async(
            lsp.RenameParams(
                text_document=editor.doc(name), position=at, new_name="loonkosten_werkgever"
            )
        )
    )
    assert edit is not None and edit.changes
    target = folder.parent / f"{folder.name}-hernoemd"
    shutil.copytree(folder, target)
    for uri, edits in edit.changes.items():
        path = target / Path(uri.removeprefix(folder.resolve().as_uri() + "/"))
        lines = path.read_text(encoding="utf-8").split("\n")
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                        reverse=True):  # fmt: skip
            line = lines[e.range.start.line]
            start, end = e.range.start.character, e.range.end.character
            assert line[start:end].endswith("loonkosten")
            lines[e.range.start.line] = line[:start] + e.new_text + line[end:]
        path.write_text("\n".join(lines), encoding="utf-8")
    assert editor.uri("berkelland/gevallen.regel") in edit.changes  # the gevallen give it
    problems, _ = check_paths([target / "berkelland", target / "landelijk"])
    assert not [d for d in problems if d.is_error], problems[:3]
    text = (target / name).read_text(encoding="utf-8")
    assert "loonkosten_werkgever: bedrag per maand" in text
    assert "loonkostensubsidie" in text  # a longer name is left alone


def test_completion_offers_keywords_the_grammar_takes_and_names(editor: Editor) -> None:
    name = "berkelland/beleidsregels.regel"
    text = (editor.folder / name).read_text(encoding="utf-8")
    needle = "en uren_per_week minstens 12 uur per week en"
    at = editor.at(name, needle, len("en "))
    typed = text.replace(needle, "en ", 1)
    editor.run(editor.change(name, typed))
    items = editor.run(
        editor.client.text_document_completion_async(
            lsp.CompletionParams(text_document=editor.doc(name), position=at)
        )
    )
    assert isinstance(items, lsp.CompletionList)
    labels = {i.label for i in items.items}
    assert {"niet", "leeftijd", "uren_per_week", "handicap"} <= labels
    assert "artikel" not in labels and "regel" not in labels  # not where a condition goes
    assert "berkelland_verordening.maximale_loonkostensubsidie" in labels
    editor.run(editor.change(name, text))


def test_outline_lists_the_articles_and_their_parts(editor: Editor) -> None:
    name = "berkelland/beleidsregels.regel"
    found = editor.run(
        editor.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=editor.doc(name))
        )
    )
    assert found
    first = found[0]
    assert isinstance(first, lsp.DocumentSymbol)
    assert [s.name for s in found if isinstance(s, lsp.DocumentSymbol)][:2] == [
        "paragraaf A",
        "hoofdstuk B",
    ]
    chapter = found[1]
    assert isinstance(chapter, lsp.DocumentSymbol) and chapter.children
    b6 = next(s for s in chapter.children if s.name == "paragraaf B.6")
    assert b6.detail == "Loonkostensubsidies"
    assert b6.children and b6.children[0].name.startswith("alinea")
    assert b6.range.start.line < b6.children[0].range.start.line <= b6.range.end.line


def test_formatting_is_regel_opmaak(editor: Editor, folder: Path) -> None:
    name = "berkelland/reintegratieverordening.regel"
    text = (folder / name).read_text(encoding="utf-8")
    messy = text.replace("\n  ", "\n    ")  # this file has no text over several lines
    editor.run(editor.change(name, messy))
    edits = editor.run(
        editor.client.text_document_formatting_async(
            lsp.DocumentFormattingParams(
                text_document=editor.doc(name),
                options=lsp.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
    )
    assert edits and len(edits) == 1
    assert edits[0].new_text == text
    editor.run(editor.change(name, text))
    none = editor.run(
        editor.client.text_document_formatting_async(
            lsp.DocumentFormattingParams(
                text_document=editor.doc(name),
                options=lsp.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
    )
    assert not none


def test_every_meant_hint_is_a_quick_fix(editor: Editor, folder: Path) -> None:
    name = "berkelland/beleidsregels.regel"
    text = (folder / name).read_text(encoding="utf-8")
    broken = text.replace(
        "uren_per_week minstens 12", "uren_per_week is groter dan of gelijk aan 12", 1
    )
    editor.run(editor.change(name, broken))
    (problem,) = editor.published[editor.uri(name)]
    actions = editor.run(
        editor.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=editor.doc(name),
                range=problem.range,
                context=lsp.CodeActionContext(diagnostics=[problem]),
            )
        )
    )
    assert actions
    (fix,) = actions
    assert isinstance(fix, lsp.CodeAction) and fix.edit and fix.edit.changes
    (edit,) = fix.edit.changes[editor.uri(name)]
    lines = broken.split("\n")
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = (
        line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
    )
    assert "\n".join(lines) == text.replace(
        "uren_per_week minstens 12", "uren_per_week ten minste 12", 1
    )
    editor.run(editor.change(name, text))


HOSTILE = [
    "",
    "\n\n\n",
    'verordening x "onaf\n',
    "artikel 1\n\tregel\n  als ((((((((((((((((((((\n",
    "# alleen commentaar\n" * 3,
    'verordening t "T"\n  geldig vanaf 01-01-2011\nuitkomsten\n  x: getal\nartikel 1\n'
    '  tekst "t"\n  regel a\n    x is y.z.w\n    als 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 of “krul”\n',
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_any_text_gets_answers_not_errors(editor: Editor, text: str) -> None:
    """Half-typed and hostile texts: every request gets an answer (maybe empty), never an
    error, and the server keeps serving."""
    name = "berkelland/kladje.regel"
    if name in editor.versions:
        editor.run(editor.change(name, text))
    else:
        editor.run(editor.open(name, text))
    doc = editor.doc(name)
    lines = text.split("\n")
    for line in range(len(lines) + 1):
        for character in (0, 3, 200):
            at = lsp.Position(line, character)
            editor.run(
                editor.client.text_document_hover_async(
                    lsp.HoverParams(text_document=doc, position=at)
                )
            )
            editor.run(
                editor.client.text_document_completion_async(
                    lsp.CompletionParams(text_document=doc, position=at)
                )
            )
            editor.run(
                editor.client.text_document_definition_async(
                    lsp.DefinitionParams(text_document=doc, position=at)
                )
            )
    editor.run(
        editor.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=doc)
        )
    )
    editor.run(
        editor.client.text_document_formatting_async(
            lsp.DocumentFormattingParams(
                text_document=doc, options=lsp.FormattingOptions(tab_size=2, insert_spaces=True)
            )
        )
    )
    assert editor.uri(name) in editor.published


def test_hidden_folders_and_packages_are_not_part_of_the_project(editor: Editor) -> None:
    assert not [uri for uri in editor.published if "kapot.regel" in uri]
    assert editor.uri("landelijk/handreiking_inkoop.regel") in editor.published


def test_a_file_outside_the_workspace_is_checked_with_its_own_folder(
    editor: Editor, tmp_path_factory: pytest.TempPathFactory
) -> None:
    los = tmp_path_factory.mktemp("los")
    (los / "sub").mkdir()
    (los / "sub" / "kapot.regel").write_text("geen regeling\n", encoding="utf-8")
    text = (POLICIES / "voorbeeld" / "wet.regel").read_text(encoding="utf-8")
    uri = (los / "wet.regel").resolve().as_uri()
    item = lsp.TextDocumentItem(uri=uri, language_id="regel", version=1, text=text)
    editor.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
    for _ in range(600):
        if uri in editor.published:
            break
        editor.run(asyncio.sleep(0.1))
    assert list(editor.published[uri]) == []
    root = los.resolve().as_uri()
    assert [u for u in editor.published if u.startswith(root)] == [uri]  # not sub/
