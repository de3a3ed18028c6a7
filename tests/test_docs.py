"""The documentation site: it builds strictly, every link in it resolves, the Markdown of two
articles matches its golden copy, the motivation links into it, and nothing from a .regel file
reaches the HTML as markup.

Set REGEL_GOLDEN_UPDATE=1 to rewrite the golden Markdown after a deliberate change.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name
from pygments.token import Error, Keyword
from regel.compiler.cli import main
from regel.compiler.docs import law_url
from regel.compiler.nodes import Anchor, Extern
from regel.compiler.parser import keywords
from regel.compiler.prose import money

from .conftest import POLICIES, WAGE_SUBSIDY_CASE

GOLDEN = Path(__file__).parent / "docs"


class _Page(HTMLParser):
    """The links, resources and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for key in ("src",) if tag != "a" else ():
            if a.get(key):
                self.resources.append(a[key] or "")
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"] or "")


class _Markup(HTMLParser):
    """Whatever in a page could run or change it: tags and attributes a .regel file must
    never produce."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("iframe", "img", "b", "i"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").lower().startswith("javascript:"):
                self.found.append(f"{name}={value}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.found.append("<script>alert")


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _target(html: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file and fragment a relative link on `page` points to."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    base = html if path.startswith("/") else page.parent  # 404.html links from the root
    target = (base / path.lstrip("/")).resolve() if path else page
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_site_builds_with_every_page(site: Path) -> None:
    html = site / "html"
    for page in [
        "index.html",
        "regelingen/delft/index.html",
        "regelingen/delft/artikel-3/index.html",
        "regelingen/delft/begrippen/index.html",
        "regelingen/delft/besluit-aanspraak/index.html",
        "regelingen/berkelland/paragraaf-b-6/index.html",
        "regelingen/voorbeeld_beleid/2013-01-01/index.html",
        "wie-komt-waarvoor-in-aanmerking/index.html",
        "handleiding/taal/index.html",
        "handleiding/prestaties/index.html",
    ]:
        assert (html / page).is_file(), page
    config = (site / "bron" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "strict: true" in config and "language: nl" in config and "font: false" in config


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    html = site / "html"
    pages = sorted(html.rglob("*.html"))
    parsed = {p.resolve(): _parse(p) for p in pages}
    broken: list[str] = []
    checked = 0
    for page, info in parsed.items():
        for href in info.links:
            scheme = urlsplit(href).scheme
            if scheme in ("http", "https", "mailto"):
                continue
            assert not scheme, f"{page}: link met schema {href!r}"
            target, frag = _target(html, page, href)
            checked += 1
            if target not in parsed:
                if not target.is_file():
                    broken.append(f"{page.relative_to(html.resolve())}: {href}")
                continue
            if frag and frag not in parsed[target].ids:
                broken.append(f"{page.relative_to(html.resolve())}: {href} (anker ontbreekt)")
    assert checked > 5000
    assert not broken, "\n".join(broken[:20])


def test_no_external_resources_are_loaded(site: Path) -> None:
    """Viewing the site makes no request elsewhere: no fonts, scripts or styles from a CDN."""
    for page in (site / "html").rglob("*.html"):
        for url in _parse(page).resources:
            assert not urlsplit(url).scheme, f"{page}: {url}"
    mermaid = site / "html" / "assets" / "mermaid.min.js"
    assert mermaid.stat().st_size > 1_000_000


@pytest.mark.parametrize(
    "page",
    [
        "regelingen/berkelland/paragraaf-b-6.md",
        "regelingen/delft/artikel-3.md",
        "regelingen/voorbeeld_apv/index.md",  # gemeentecode, gedeeltelijk opgenomen
        "regelingen/voorbeeld_apv/artikel-2-30b.md",  # 2:30b, onder b sub 1°, lijst is leeg
        "regelingen/voorbeeld_apv/artikel-2-10.md",  # niet opgenomen
    ],
)
def test_article_markdown_matches_golden(site: Path, page: str) -> None:
    text = (site / "bron" / "docs" / page).read_text(encoding="utf-8")
    golden = GOLDEN / page.replace("/", "__")
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_rules_read_as_dutch_sentences(site: Path) -> None:
    page = (site / "bron" / "docs" / "regelingen/berkelland/paragraaf-b-6.md").read_text(
        encoding="utf-8"
    )
    sentence = re.sub(r"\]\([^)]*\)", "]", page)  # drop the link targets
    assert (
        "[Loonkostensubsidie] is [50%] van [loonkosten], met een maximum van "
        "[€\xa0500,00 per maand], afgerond op centen half naar boven." in sentence
    )
    assert "**Uitzondering op** [paragraaf B.6 alinea 2 onder 1]" in sentence
    assert "**Hierop bestaan uitzonderingen:** [paragraaf B.6 alinea 2 onder 2]" in sentence
    assert '!!! info "Hier beslist het college"' in page


def test_dates_and_periods_in_dutch(site: Path) -> None:
    index = (site / "bron" / "docs" / "regelingen/delft/index.md").read_text(encoding="utf-8")
    assert "de gemeenteraad op 30 juni 2011" in index
    assert "van 15 juli 2011 tot en met 31 december 2011" in index


def test_national_law_links_to_the_article_on_wetten_overheid_nl(site: Path) -> None:
    index = (site / "bron" / "docs" / "regelingen/delft/index.md").read_text(encoding="utf-8")
    assert (
        "[artikel 8 lid 1 onder a van de Wet werk en bijstand](https://wetten.overheid.nl/"
        "jci1.3:c:BWBR0015703&artikel=8&lid=1&onderdeel=a&z=2011-07-01&g=2011-07-01)" in index
    )


def test_law_url_keeps_addresses_it_cannot_deepen() -> None:
    eu = Extern(None, "document", "EG", "EG-verordening", "https://eur-lex.europa.eu/x")  # type: ignore[arg-type]
    assert law_url(eu, Anchor("3")) == "https://eur-lex.europa.eu/x"
    wet = Extern(None, "wet", "WWB", "Wet", "https://wetten.overheid.nl/BWBR0015703")  # type: ignore[arg-type]
    assert law_url(wet, None) == "https://wetten.overheid.nl/BWBR0015703"
    assert (
        law_url(wet, Anchor("10a")) == "https://wetten.overheid.nl/jci1.3:c:BWBR0015703&artikel=10a"
    )


def test_glossary_links_every_use_back(site: Path) -> None:
    glossary = (site / "bron" / "docs" / "regelingen/delft/begrippen.md").read_text(
        encoding="utf-8"
    )
    entry = glossary.split("### doelgroep { #begrip-doelgroep }")[1].split("\n### ")[0]
    assert "Staat in [artikel 1 onder b](artikel-1.md#onder-b)" in entry
    assert (
        "[artikel 3 lid 1 (regel aanspraak\\_doelgroep)](artikel-3.md#regel-aanspraak_doelgroep)"
        in entry
    )


def test_motivation_carries_the_url_of_each_rule(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "casus.json"
    case.write_text(json.dumps(WAGE_SUBSIDY_CASE), encoding="utf-8")
    code = main(
        [
            "evalueer",
            str(POLICIES / "berkelland"),
            "--invoer",
            str(case),
            "--peildatum",
            "2008-03-01",
            "--besluit",
            "loonkostensubsidie",
            "--documentatie",
            "https://regels.example.nl/",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    step = next(m for m in result["motivering"] if m["regel"] == "subsidie_algemeen")
    url = step["documentatie"]
    assert url == (
        "https://regels.example.nl/regelingen/berkelland/paragraaf-b-6/#regel-subsidie_algemeen"
    )
    # The address exists in the site that `regel docs` builds.
    rel = urlsplit(url)
    page = site / "html" / rel.path.lstrip("/") / "index.html"
    assert rel.fragment in _parse(page).ids
    for step in result["motivering"]:
        assert step["documentatie"].startswith("https://regels.example.nl/regelingen/")


HOSTILE = '''verordening kwaad "Kwaad <script>alert(1)</script> [x](javascript:alert(1))"
  vastgesteld door de raad op 01-01-2011
  geldig van 01-01-2011 tot en met 31-12-2011

gegevens
  oud: getal "Leeftijd <img src=x onerror=alert(1)>"

uitkomsten
  recht: aanspraak "Recht *vet* `code` {: onclick=alert(3) }" standaard nee

besluit recht "Recht <b>": recht

artikel 1 "Titel <b>vet</b> </title><script>alert(9)</script>"
  lid 1
    tekst """
      # geen kop
      ``` <script>alert(2)</script>
      <a href="javascript:alert(4)">klik</a> [y](javascript:alert(5))
    """
    regel r "Regel <i>x</i> <iframe>"
      recht is ja
      als oud minstens 18
'''


def test_nothing_from_a_regel_file_becomes_markup(tmp_path: Path) -> None:
    source = tmp_path / "kwaad.regel"
    source.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "html"
    assert main(["docs", str(source), "--uit", str(out)]) == 0
    for page in out.rglob("*.html"):
        markup = _Markup()
        markup.feed(page.read_text(encoding="utf-8"))
        assert not markup.found, (page, markup.found)
    article = (out / "regelingen/kwaad/artikel-1/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in article  # shown, as text
    assert "# geen kop" in article


def test_docs_reports_errors_in_dutch_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "stuk.regel"
    broken.write_text('verordening x "X"\n  geldig van 01-01-2011\n', encoding="utf-8")
    assert main(["docs", str(broken), "--uit", str(tmp_path / "uit")]) == 1
    err = capsys.readouterr().err
    assert "stuk.regel:2:" in err and "fout" in err and "Traceback" not in err
    code = main(["docs", str(POLICIES / "delft"), "--uit", str(tmp_path / "u"), "--handleiding",
                 str(tmp_path / "bestaat-niet")])  # fmt: skip
    assert code == 2
    assert "--handleiding bestaat niet" in capsys.readouterr().err


def test_amounts_are_rounded_to_cents_before_formatting() -> None:
    from decimal import Decimal

    assert money(Decimal("1234.565")) == "€\xa01.234,57"
    assert money(Decimal("500"), ("maand",)) == "€\xa0500,00 per maand"
    assert money(Decimal("36.1"), ("m2", "jaar")) == "€\xa036,10 per m² per jaar"


# ---------------------------------------------------------------- the highlighter


def test_pygments_finds_the_lexer_by_name_and_file_name() -> None:
    from pygments.lexers import get_lexer_for_filename

    assert get_lexer_by_name("regel").name == "Regel"
    assert get_lexer_for_filename("beleid.regel").name == "Regel"


@pytest.mark.parametrize("word", sorted(keywords()))
def test_every_keyword_of_the_grammar_is_highlighted(word: str) -> None:
    tokens = [(t, v) for t, v in get_lexer_by_name("regel").get_tokens(word) if v.strip()]
    assert tokens == [(tokens[0][0], word)] and tokens[0][0] in Keyword


@given(st.text(max_size=200))
def test_lexer_keeps_every_character_and_never_errors(text: str) -> None:
    lexer = get_lexer_by_name("regel", ensurenl=False, stripnl=False)
    tokens = list(lexer.get_tokens(text))
    # Pygments reads \r\n and \r as \n before lexing.
    assert "".join(v for _, v in tokens) == text.replace("\r\n", "\n").replace("\r", "\n")
    assert not any(t in Error for t, _ in tokens)


def test_site_code_blocks_are_highlighted(site: Path) -> None:
    page = (site / "html" / "regelingen/delft/artikel-3/index.html").read_text(encoding="utf-8")
    code = page.split("Dit artikel in de taal van regel")[1]
    assert '<div class="highlight">' in code
    assert '<span class="kd">artikel</span>' in code and '<span class="k">als</span>' in code
    assert '<span class="s2">"Aanspraak"</span>' in code


# ---------------------------------------------------------------- where the site is written


def test_docs_never_replaces_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mijn-map"
    mine.mkdir()
    (mine / "belangrijk.txt").write_text("niet weggooien", encoding="utf-8")
    for option in ("--uit", "--bron"):
        args = ["docs", str(POLICIES / "delft"), "--uit", str(tmp_path / "site")]
        args += [option, str(mine)] if option == "--bron" else []
        if option == "--uit":
            args[3] = str(mine)
        assert main(args) == 1
        err = capsys.readouterr().err
        assert f"de map '{mine}' voor {option} is niet leeg" in err and "Traceback" not in err
        assert (mine / "belangrijk.txt").read_text(encoding="utf-8") == "niet weggooien"


def test_docs_replaces_its_own_site_and_keeps_it_when_a_build_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, src = tmp_path / "site", tmp_path / "bron"
    args = ["docs", str(POLICIES / "delft"), "--uit", str(out), "--bron", str(src)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"python3 -m http.server --directory {out}" in printed
    assert (out / "regelingen/delft/artikel-3/index.html").is_file()
    config = (src / "mkdocs.yml").read_text(encoding="utf-8")
    assert config.startswith("# Gemaakt door `regel docs`")
    assert main(args) == 0  # a second build replaces the first
    before = (out / "index.html").read_text(encoding="utf-8")

    guide = tmp_path / "handleiding"
    guide.mkdir()
    (guide / "kapot.md").write_text(
        "# Kapot\n\n[weg](bestaat-niet.md), [anker](#nergens), [daar](../index.md#nergens)\n",
        encoding="utf-8",
    )
    assert main([*args, "--handleiding", str(guide)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "regel: fout: de site is niet gemaakt: bij een strikte bouw is elke waarschuwing een fout",
        "  handleiding/kapot.md: de link 'bestaat-niet.md' wijst naar "
        "'handleiding/bestaat-niet.md', maar die pagina bestaat niet",
        "  handleiding/kapot.md: de link '#nergens' wijst naar een anker dat op deze pagina "
        "niet bestaat",
        "  handleiding/kapot.md: de link '../index.md#nergens' wijst naar het anker '#nergens', "
        "maar 'index.md' heeft dat anker niet",
    ]
    assert (out / "index.html").read_text(encoding="utf-8") == before
    assert not list(tmp_path.glob(".regel-docs-*"))  # no half-built site left behind


def test_a_regulation_with_versions_lists_them_at_its_own_address(site: Path) -> None:
    listing = (site / "html/regelingen/voorbeeld_beleid/index.html").read_text(encoding="utf-8")
    assert "alle versies" in listing
    assert 'href="2012-01-01/"' in listing and 'href="2013-01-01/"' in listing
    assert "van 1 januari 2012 tot en met 31 december 2012" in listing
