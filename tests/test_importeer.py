"""`regel importeer`: the official text becomes the skeleton of the shipped encoding.

Seed 003 (Delft, the plain text of overheid.nl) is imported and compared unit by unit with
policies/delft: every hoofdstuk, artikel, lid and onderdeel, with its title, its text and its
toelichting, exactly. The CVDR XML fixture (importeer/delft_cvdr.xml, written by hand from the
same seed in the CVDR format) gives the same units for the articles it has.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler import importer
from regel.compiler import nodes as n
from regel.compiler.api import check_paths
from regel.compiler.layout import lay_out
from regel.compiler.parser import parse

from .conftest import POLICIES, ROOT

HERE = Path(__file__).parent / "importeer"
# Seed 003 as shared/seeds has it, copied unchanged so that a clone has it too.
DELFT_TEXT = HERE / "003_58a8758147350c9d.txt"
SEEDS = ROOT.parent / "shared" / "seeds"
CVDR = HERE / "delft_cvdr.xml"
DELFT = POLICIES / "delft" / "reintegratieverordening.regel"

Unit = tuple[str | None, tuple[str, ...], tuple[str, ...]]


def units(tree: n.Regulation | n.CaseFile) -> dict[tuple[str, ...], Unit]:
    """Every unit by its path (hoofdstuk 1 / artikel 1 / onderdeel a): title, texts, toelichting."""
    assert isinstance(tree, n.Regulation)
    found: dict[tuple[str, ...], Unit] = {}

    def walk(parts: list[n.Unit], path: tuple[str, ...]) -> None:
        for u in parts:
            key = (*path, f"{u.level} {u.label}")
            blocks = [c for c in u.children if isinstance(c, n.TextBlock)]
            found[key] = (
                u.title,
                tuple(b.text for b in blocks if b.kind == "tekst"),
                tuple(b.text for b in blocks if b.kind == "toelichting"),
            )
            walk([c for c in u.children if isinstance(c, n.Unit)], key)

    walk(tree.units, ())
    return found


def imported(path: Path) -> str:
    return importer.to_regel(importer.read(path), path.name, "delft")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="alleen naast shared/seeds")
def test_the_copy_of_the_seed_is_unchanged() -> None:
    assert DELFT_TEXT.read_bytes() == (SEEDS / DELFT_TEXT.name).read_bytes()


def test_the_delft_text_gives_every_unit_of_the_shipped_encoding() -> None:
    got = units(parse(imported(DELFT_TEXT), "import.regel"))
    shipped = units(parse(DELFT.read_text(encoding="utf-8"), str(DELFT)))
    assert list(got) == list(shipped)  # the same units, in the same order
    for key, unit in shipped.items():
        assert got[key] == unit, key
    assert sum(1 for k in got if k[-1].startswith("onderdeel")) > 30


def test_the_metadata_of_the_delft_text() -> None:
    tree = parse(imported(DELFT_TEXT), "import.regel")
    shipped = parse(DELFT.read_text(encoding="utf-8"), str(DELFT))
    assert isinstance(tree, n.Regulation) and isinstance(shipped, n.Regulation)
    assert (tree.kind, tree.title) == (shipped.kind, shipped.title)
    for field in ("valid_from", "valid_until", "organ", "adopted", "gemeente", "citeertitel"):
        assert getattr(tree.meta, field) == getattr(shipped.meta, field), field


def test_cvdr_xml_gives_the_same_units() -> None:
    got = units(parse(imported(CVDR), "import.regel"))
    shipped = units(parse(DELFT.read_text(encoding="utf-8"), str(DELFT)))
    assert len(got) == 16  # h1, art. 1 with a-c; h2, art. 2 with 4 leden, 5 (lid 1: a, b), 6
    for key, (title, texts, explanation) in got.items():
        want = shipped[key]
        assert (title, texts) == want[:2], key
        assert not explanation or explanation == want[2], key
    assert got[("hoofdstuk 2", "artikel 6")][2]  # its toelichting came along
    meta = importer.read(CVDR)
    assert (meta.valid_from, meta.valid_until, meta.organ) == (
        shipped_meta().valid_from,
        shipped_meta().valid_until,
        "raad",
    )


def shipped_meta() -> n.Meta:
    tree = parse(DELFT.read_text(encoding="utf-8"), str(DELFT))
    assert isinstance(tree, n.Regulation)
    return tree.meta


def test_the_skeleton_checks_lists_every_unit_as_left_to_encode_and_is_laid_out(
    tmp_path: Path,
) -> None:
    target = tmp_path / "delft.regel"
    proc = subprocess.run(
        [sys.executable, "-m", "regel.compiler.cli", "importeer", str(DELFT_TEXT),
         "--uit", str(target)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "18 artikel" in proc.stdout and "hoofdstuk" in proc.stdout
    text = target.read_text(encoding="utf-8")
    assert lay_out(text) == text
    problems, _ = check_paths([target])
    assert not [d for d in problems if d.is_error]
    cover = subprocess.run([sys.executable, "-m", "regel.compiler.cli", "dekking", str(target)],
                           capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert cover.returncode == 1
    assert "dekking 0%: 0 gecodeerd, 0 niet uitvoerbaar" in cover.stdout
    again = subprocess.run(
        [sys.executable, "-m", "regel.compiler.cli", "importeer", str(DELFT_TEXT),
         "--uit", str(target)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert again.returncode == 2 and "bestaat al" in again.stderr


def test_a_text_without_articles_is_refused_in_dutch(tmp_path: Path) -> None:
    source = tmp_path / "handreiking.txt"
    source.write_text("Een handreiking\n\nIntitulé\n\nEen handreiking\n\nA. Inleiding\n\nTekst.\n")
    proc = subprocess.run([sys.executable, "-m", "regel.compiler.cli", "importeer", str(source)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 1
    assert "geen artikelen gevonden" in proc.stderr and "Traceback" not in proc.stderr
    broken = tmp_path / "kapot.xml"
    broken.write_text("<cvdr><meta>")
    proc = subprocess.run([sys.executable, "-m", "regel.compiler.cli", "importeer", str(broken)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 1 and "geen geldige XML" in proc.stderr


def test_texts_with_quotation_marks_and_line_breaks_survive() -> None:
    part = importer.Part("artikel", "1", "Titel met \"aanhalingstekens\"", texts=[
        'Onder "loonkosten" wordt verstaan: het brutoloon.', "Eerste regel\n\nTweede regel",
    ])  # fmt: skip
    text = importer.to_regel(importer.Imported("T", parts=[part]), "t.txt", "t")
    got = units(parse(text, "t.regel"))
    assert got[("artikel 1",)] == (part.title, tuple(part.texts), ())


JUNK = ['"', '"""', "Artikel 3-A. Titel", "Artikel IV", "  • 1°. tekst", "  • aa.", "•", "#",
        "Hoofdstuk X", "\t", "Artikel 5 bis. X", "  • 2. ", "q.voorbeeld", "Artikel 1.",
        "<lid>", "</lid>", "<li nr='3-A'>", "<kop><nr>IV-b</nr></kop>", "&amp;", "<al></al>",
        "<lijst><li/></lijst>", "</artikel>"]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_whatever_the_text_the_skeleton_parses_or_regel_says_why(data: st.DataObject) -> None:
    """Mangled official texts (plain and CVDR XML): a Dutch refusal, or a file that parses."""
    path = data.draw(st.sampled_from([DELFT_TEXT, CVDR]))
    rnd = data.draw(st.randoms(use_true_random=False))
    text = path.read_text(encoding="utf-8")
    for _ in range(rnd.randint(1, 8)):
        at = rnd.randrange(len(text))
        if rnd.random() < 0.6:
            text = text[:at] + rnd.choice(JUNK) + text[at:]
        else:
            text = text[:at] + text[at + rnd.randint(1, 40) :]
    source = path.with_name("verminkt" + path.suffix)
    try:
        found = importer.from_cvdr(text) if path.suffix == ".xml" else importer.from_text(text)
    except importer.UnreadableText:
        return
    parse(importer.to_regel(found, source.name, "t"), "t.regel")
