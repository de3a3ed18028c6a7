"""Two versions of one regulation side by side (DOMEIN §5): the version in force on the
peildatum decides, references and fillings follow the peildatum, and `regel verschil` shows what
changed."""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from regel import runtime as rt
from regel.compiler import CompileError, load
from regel.compiler.api import analyse_sources, load_sources
from regel.compiler.versions import compare, versions_to_compare, word_diff

from .conftest import POLICIES, ROOT
from .test_cli import run

VOORBEELD = POLICIES / "voorbeeld"
GOLDEN = Path(__file__).parent / "verschil" / "voorbeeld.txt"
JONGERE = {"geboortedatum": "1990-07-01", "uitkering": "WWB", "woonplaats": "Voorbeeld"}
OPLEIDING = {
    "eenmalige_kosten": "3500.00",
    "maanden_werkloos": "10",
    "ingangsdatum_uitkering": "2012-03-01",
}


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(scope="module")
def voorbeeld():
    return load(VOORBEELD)


def test_each_version_has_a_key_and_the_id_means_the_newest(voorbeeld) -> None:
    keys = sorted(k for k in voorbeeld.regulations if k.startswith("voorbeeld_beleid"))
    assert keys == ["voorbeeld_beleid@2012-01-01", "voorbeeld_beleid@2013-01-01"]
    old, new = voorbeeld.versions("voorbeeld_beleid")
    assert (old.valid_from, old.valid_until) == (day("2012-01-01"), day("2012-12-31"))
    assert (new.valid_from, new.valid_until) == (day("2013-01-01"), None)
    assert voorbeeld["voorbeeld_beleid"] is new
    assert voorbeeld["voorbeeld_beleid@2012-01-01"] is old
    assert voorbeeld["voorbeeld"] is voorbeeld.regulations["voorbeeld"]  # one version: the id


def test_the_version_in_force_on_the_peildatum_decides(voorbeeld) -> None:
    for peildatum, start in (("2012-12-31", "2012-01-01"), ("2013-01-01", "2013-01-01")):
        chosen = voorbeeld.version("voorbeeld_beleid", day(peildatum))
        assert chosen.valid_from == day(start)
        result = voorbeeld.evaluate(
            "voorbeeld_beleid", JONGERE, day(peildatum), "opleiding_jongere"
        )
        assert result.period[0] == day(start)  # the answer names the version it rests on
        assert result.to_json()["geldig_van"] == start


def test_a_norm_is_filled_by_the_version_of_the_filler_in_force(voorbeeld) -> None:
    """voorbeeld art. 6 reads the open norm that the beleidsregels fill: € 2.500 in 2012,
    € 3.000 from 2013; both with and without a trace."""
    for peildatum, want in (("2012-12-31", "2500.00"), ("2013-01-01", "3000.00")):
        for trace in (False, True):
            result = voorbeeld.evaluate(
                "voorbeeld", OPLEIDING, day(peildatum), "opleiding", trace=trace
            )
            got = result.outcomes["opleidingsvergoeding"]
            assert got.status == "bepaald" and got.value == Decimal(want), (peildatum, trace)


def test_no_version_in_force_is_an_error_that_names_every_period(voorbeeld) -> None:
    with pytest.raises(rt.PeriodError) as err:
        voorbeeld.evaluate("voorbeeld_beleid", JONGERE, day("2011-06-01"), "opleiding_jongere")
    assert err.value.code == "R601"
    assert "alle versies" in err.value.message
    assert "1 januari 2012 tot en met 31 december 2012" in err.value.message
    assert "vanaf 1 januari 2013" in err.value.message


def test_a_regulation_read_when_none_of_its_versions_is_in_force_is_undetermined(
    voorbeeld,
) -> None:
    result = voorbeeld.evaluate("voorbeeld_beleid", JONGERE, day("2014-06-01"), "opleiding_jongere")
    got = result.outcomes["opleiding_voor_jongere"]
    assert got.status == "onbepaald"
    assert got.reason == "geen versie van 'voorbeeld' geldt op 1 juni 2014"


VERSION = """verordening v "Verordening {year}"
  vastgesteld door de raad op 01-12-{prev}
  geldig van 01-01-{year} tot en met 31-12-{year}
gegevens
  uren: uur per week "Uren"
uitkomsten
  toegestaan: bevoegdheid "Mag het?" standaard nee
besluit b "Besluit": toegestaan
artikel 1 "Uren"
  tekst "Ten hoogste {max} uur per week."
  begrip weinig "Weinig uren": uren ten hoogste {max} uur per week
  regel r
    toegestaan is ja
    als weinig
"""


def version(year: int, hours: int = 20) -> str:
    return VERSION.format(year=year, prev=year - 1, max=hours)


def test_versions_with_a_gap_between_them() -> None:
    policies = load_sources({"a.regel": version(2012), "b.regel": version(2014, 24)})
    for peildatum, hours, want in (
        ("2012-06-01", "22", False),
        ("2014-06-01", "22", True),
        ("2014-06-01", "25", False),
    ):
        result = policies.evaluate("v", {"uren": hours}, day(peildatum), "b")
        assert result.outcomes["toegestaan"].value is want
    with pytest.raises(rt.PeriodError) as err:
        policies.evaluate("v", {"uren": "1"}, day("2013-06-01"), "b")
    assert "alle versies van 'Verordening 2014'" in err.value.message


def codes(sources: dict[str, str]) -> list[str]:
    _, problems = analyse_sources(sources)
    return [d.code for d in problems if d.is_error]


def test_overlapping_versions_and_versions_of_another_kind_are_refused() -> None:
    overlapping = version(2012).replace("tot en met 31-12-2012", "tot en met 30-06-2013")
    assert codes({"a.regel": overlapping, "b.regel": version(2013)}) == ["R509"]
    other_kind = (
        version(2013).replace("verordening v", "beleidsregels v").replace("de raad", "het college")
    )
    assert codes({"a.regel": version(2012), "b.regel": other_kind}) == ["R202"]


READER = """beleidsregels lezer "Lezer"
  vastgesteld door het college op 01-12-2011
  geldig van {start} tot en met 31-12-2013
uitkomsten
  mag: bevoegdheid "Mag het?" standaard nee
besluit b "Besluit": mag
artikel 1
  tekst "t"
  regel r
    mag is ja
    als v.weinig
"""


def test_a_reference_is_checked_against_every_version_it_can_meet() -> None:
    renamed = (
        version(2013).replace("begrip weinig", "begrip minder").replace("als weinig", "als minder")
    )
    both = {"a.regel": version(2012), "b.regel": renamed}
    # From 2012 on, the reader meets both versions; the second lacks `weinig`.
    found = codes({**both, "l.regel": READER.format(start="01-01-2012")})
    assert found == ["R205"]
    # Only in force in 2012: it meets the first version only, which has it.
    only_first = READER.format(start="01-01-2012").replace("31-12-2013", "31-12-2012")
    assert codes({**both, "l.regel": only_first}) == []
    retyped = version(2013).replace(
        "uren ten hoogste 20 uur per week", "uren"
    )  # now a number of hours, not yes/no
    assert "R301" in codes(
        {"a.regel": version(2012), "b.regel": retyped, "l.regel": READER.format(start="01-01-2012")}
    )


def test_a_reference_follows_the_peildatum() -> None:
    policies = load_sources(
        {
            "a.regel": version(2012),
            "b.regel": version(2013, 30),
            "l.regel": READER.format(start="01-01-2012"),
        }
    )
    for peildatum, want in (("2012-06-01", False), ("2013-06-01", True)):
        result = policies.evaluate("lezer", {"uren": "25"}, day(peildatum), "b")
        assert result.outcomes["mag"].value is want, peildatum


# ---------------------------------------------------------------- the difference


def test_regel_verschil_shows_the_difference_of_the_shipped_versions() -> None:
    proc = run("verschil", "policies/voorbeeld")
    assert proc.returncode == 0, proc.stderr
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(proc.stdout, encoding="utf-8")
    assert proc.stdout == GOLDEN.read_text(encoding="utf-8")
    assert "[was: 2.500,00.]" in proc.stdout and "[wordt: 3.000,00.]" in proc.stdout


def test_regel_verschil_without_two_versions_is_wrong_use() -> None:
    proc = run("verschil", "policies/delft")
    assert proc.returncode == 2
    assert "maar één versie" in proc.stderr
    proc = run("verschil", "policies/voorbeeld", "--regeling", "onbekend")
    assert proc.returncode == 2 and "onbekende regeling 'onbekend'" in proc.stderr
    proc = run("verschil", str(ROOT / "tests/diagnostics/R509_versies_overlappen"))
    assert proc.returncode == 1 and "R509" in proc.stderr


OLD = """verordening w "Wijziging"
  vastgesteld door de raad op 01-12-2011
  geldig van 01-01-2012 tot en met 31-12-2012
gegevens
  uren: uur per week "Uren"
  werkjaren: jaren "Werkjaren"
uitkomsten
  toegestaan: bevoegdheid "Mag het?" standaard nee
besluit b "Besluit": toegestaan
artikel 1 "Uren"
  tekst "Werken met behoud van uitkering mag tot 20 uur per week."
  toelichting "Zo blijft er tijd voor sollicitaties."
  lid 1
    tekst "Ten hoogste 20 uur."
    regel r
      toegestaan is ja
      als uren ten hoogste 20 uur per week
artikel 2 "Vervalt"
  tekst "Dit artikel vervalt."
  niet uitvoerbaar "geen norm"
artikel 3 "Blijft"
  tekst "Ongewijzigd."
  niet uitvoerbaar "geen norm"
"""

NEW = (
    OLD.replace("31-12-2012", "31-12-2013")
    .replace("01-01-2012", "01-01-2013")
    .replace("tot 20 uur", "tot 24 uur")
    .replace("Ten hoogste 20 uur.", "Ten hoogste 24 uur.")
    .replace("ten hoogste 20 uur per week", "ten hoogste 24 uur per week")
    .replace('  werkjaren: jaren "Werkjaren"\n', "")
    .replace(
        'artikel 2 "Vervalt"\n  tekst "Dit artikel vervalt."\n  niet uitvoerbaar "geen norm"\n', ""
    )
    + 'artikel 4 "Nieuw"\n  tekst "Nieuw artikel."\n  lid 1\n    tekst "a"\n'
    + '    niet uitvoerbaar "geen norm"\n'
)


def test_compare_names_every_kind_of_change() -> None:
    sources = {"oud.regel": OLD, "nieuw.regel": NEW}
    analysis, problems = analyse_sources(sources)
    assert not [p for p in problems if p.is_error], problems
    [(old, new)] = versions_to_compare(analysis, "w")
    diff = compare(old, new, sources)
    sections = {(s.where, s.kind): s for s in diff.sections}
    assert set(sections) == {
        ("kop", "gewijzigd"),
        ("gegevens, uitkomsten en besluiten", "gewijzigd"),
        ("artikel 1", "gewijzigd"),
        ("artikel 1 lid 1", "gewijzigd"),
        ("artikel 2", "vervallen"),
        ("artikel 4", "nieuw"),  # its lid 1 is shown inside it, not apart
    }
    assert [c.what for c in sections["kop", "gewijzigd"].changes] == ["geldigheid"]
    [gone] = sections["gegevens, uitkomsten en besluiten", "gewijzigd"].changes
    assert (gone.what, gone.kind) == ("gegeven werkjaren", "vervallen")
    assert [(c.what, c.prose) for c in sections["artikel 1", "gewijzigd"].changes] == [
        ("tekst", True)
    ]  # the toelichting did not change
    lid = sections["artikel 1 lid 1", "gewijzigd"].changes
    assert [c.what for c in lid] == ["tekst", "regel r"]
    assert lid[1].old[-1].strip() == "als uren ten hoogste 20 uur per week"
    assert lid[1].new[-1].strip() == "als uren ten hoogste 24 uur per week"
    assert diff.unchanged == 1  # artikel 3
    assert "lid 1" in sections["artikel 4", "nieuw"].changes[0].new


WORD = st.text(alphabet="abcdefghij€.,0123456789", min_size=1, max_size=6)


@given(st.lists(WORD, max_size=30), st.lists(WORD, max_size=30))
def test_word_diff_keeps_both_texts(old: list[str], new: list[str]) -> None:
    """Reading only the unmarked words and [was: …] gives the old text; the unmarked words and
    [wordt: …] give the new one."""
    marked = word_diff(" ".join(old), " ".join(new))
    back_old: list[str] = []
    back_new: list[str] = []
    for token in marked.split(" "):
        words = token.split("\u00a0")
        if words[0] == "[was:":
            back_old += [*words[1:-1], words[-1][:-1]]
        elif words[0] == "[wordt:":
            back_new += [*words[1:-1], words[-1][:-1]]
        elif token:
            back_old.append(token)
            back_new.append(token)
    assert back_old == old
    assert back_new == new


def test_loading_overlapping_versions_fails_with_both_places() -> None:
    with pytest.raises(CompileError) as err:
        load(ROOT / "tests/diagnostics/R509_versies_overlappen")
    text = err.value.render()
    assert re.search(r"b_2013\.regel:3:3: fout\[R509\]", text)
    assert "a_2012.regel:3:3: opmerking: andere versie" in text


def test_the_language_reference_shows_real_output() -> None:
    """The excerpt of `regel verschil` in docs/taal.md is what the command prints."""
    text = (ROOT / "docs" / "taal.md").read_text(encoding="utf-8")
    excerpt = re.search(r"\$ regel verschil policies/voorbeeld\n(.*?)```", text, re.S).group(1)
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    shown = [line for line in excerpt.splitlines() if line != "…"]
    assert len(shown) > 8
    for line in shown:
        assert line in golden, line


NORM = """verordening t "Testverordening"
  vastgesteld door de raad op 01-12-2011
  geldig van 01-01-2012 tot en met 31-12-2014
gegevens
  kosten: bedrag "Kosten"
uitkomsten
  vergoeding: bedrag "Vergoeding"
besluit b "Besluit": vergoeding
artikel 1
  tekst "t"
  open norm hoogste: bedrag "Hoogste vergoeding" overgelaten aan het college standaard € 100,00
  regel r
    vergoeding is minimum van (kosten, hoogste)
"""

FILL = """beleidsregels {id} "Collegeregels"
  vastgesteld door het college op 01-12-2011
  geldig van {start} tot en met {end}
artikel 1
  tekst "t"
  vult norm t.hoogste met € {amount},00
"""


def test_different_regulations_may_fill_a_norm_one_after_another() -> None:
    """Not versions of one regulation: two regulations that fill the norm in turn, with the
    default of the norm where neither is in force."""
    policies = load_sources(
        {
            "t.regel": NORM,
            "a.regel": FILL.format(id="a", start="01-01-2012", end="31-12-2012", amount=500),
            "b.regel": FILL.format(id="b", start="01-01-2014", end="31-12-2014", amount=700),
        }
    )
    for peildatum, want in (("2012-06-01", 500), ("2013-06-01", 100), ("2014-06-01", 700)):
        for trace in (False, True):
            result = policies.evaluate("t", {"kosten": "1000"}, day(peildatum), "b", trace)
            assert result.outcomes["vergoeding"].value == want, (peildatum, trace)
