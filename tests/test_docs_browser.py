"""The documentation site in a real browser: headless Debian Chromium, driven by Playwright, on
the site served over HTTP on 127.0.0.1. Screenshots go to `test-artifacts/` (or the folder in
REGEL_ARTEFACTEN) so that a person can look at what a council member would see.

Chromium is not optional here: `make test` installs it, and a missing browser fails the run
rather than skipping the only test that proves the site works for its readers."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, ROOT

BERKELLAND = "regelingen/berkelland/"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A site over HTTP on 127.0.0.1, as a reader gets it; yields its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(site / "html") as url:
        yield url


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page that records every request leaving 127.0.0.1 and every script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.outside = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on(
        "request",
        lambda r: None if r.url.startswith(base_url) else page.outside.append(r.url),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page
        assert page.outside == [], f"verzoeken buiten de site: {page.outside}"
        assert page.errors == [], f"fouten in de pagina: {page.errors}"
    finally:
        context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_rule_to_article_and_back(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    decision = base_url + BERKELLAND + "besluit-loonkostensubsidie/"
    page.goto(decision)
    shot(page, "1-besluit-loonkostensubsidie")

    # The decision names each rule's article; follow it.
    page.get_by_role("link", name="paragraaf B.6 alinea 2 onder 1", exact=True).click()
    page.wait_for_url(re.compile(r"/paragraaf-b-6/#regel-subsidie_algemeen$"))
    heading = page.locator("#regel-subsidie_algemeen")
    assert heading.is_visible()
    assert "500,00" in heading.inner_text()
    # The heading is scrolled into view, not somewhere below the fold.
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    shot(page, "2-artikel-paragraaf-b-6")

    # ...and back: the rule's Grondslag line links to its decision.
    grondslag = page.locator("#regel-subsidie_algemeen ~ p:has(small)").first
    assert "Grondslag: paragraaf B.6 alinea 2 onder 1" in grondslag.inner_text()
    link = grondslag.get_by_role("link", name="Loonkostensubsidie", exact=True)
    link.click()
    page.wait_for_url(decision)
    assert page.locator("h1").inner_text().startswith("Besluit: Loonkostensubsidie")


def test_search_finds_loonkostensubsidie(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url)
    box = page.locator("input.md-search__input")
    box.click()
    # Typed key by key, as a reader does: Material searches on keyboard input.
    box.press_sequentially("loonkostensubsidie", delay=20)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(state="visible", timeout=15_000)
    meta = page.locator(".md-search-result__meta").inner_text()
    assert re.search(r"\d+ overeenkomende documenten|\d+ overeenkomend document", meta), meta
    hrefs = [a.get_attribute("href") or "" for a in results.all()]
    assert any("regelingen/berkelland/paragraaf-b-6/" in h for h in hrefs), hrefs
    shot(page, "3-zoeken-loonkostensubsidie")

    page.locator(".md-search-result__item a[href*='paragraaf-b-6']").first.click()
    page.wait_for_url(re.compile(r"/regelingen/berkelland/paragraaf-b-6/\?h=loonkostensubsidie"))
    # Material marks the search term on the page it opens.
    assert page.locator("article mark").count() > 0


def test_code_is_highlighted_and_amounts_formatted(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + BERKELLAND + "paragraaf-b-6/")
    body = page.locator("article").inner_text()
    assert "met een maximum van € 500,00 per maand" in body.replace("\xa0", " ")
    assert not re.search(r"\b500\.00\b|€\s?500(?![,\d])", body)

    details = page.locator("details", has_text="in de taal van regel").first
    details.locator("summary").click()
    keyword = details.locator(".highlight span.kd").first
    keyword.wait_for(state="visible")
    plain = details.locator(".highlight span.n, .highlight span.nv").first
    colours = page.evaluate(
        "([a, b]) => [getComputedStyle(a).color, getComputedStyle(b).color]",
        [keyword.element_handle(), plain.element_handle()],
    )
    assert colours[0] != colours[1], colours
    details.scroll_into_view_if_needed()
    shot(page, "4-bron-gemarkeerd")


def test_diagrams_render(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + BERKELLAND + "besluit-loonkostensubsidie/")
    # Material replaces each <pre class="mermaid"> by a <div class="mermaid"> holding the SVG in
    # a closed shadow root: the drawing is there once that div has the size of a diagram.
    diagram = page.locator("div.mermaid").first
    diagram.wait_for(state="visible", timeout=15_000)
    box = diagram.bounding_box()
    assert box is not None and box["height"] > 200 and box["width"] > 300, box
    assert page.locator("pre.mermaid").count() == 0
    diagram.scroll_into_view_if_needed()
    shot(page, "5-schema-loonkostensubsidie")

    page.goto(base_url + "wie-komt-waarvoor-in-aanmerking/")
    overview = page.locator("div.mermaid").first
    overview.wait_for(state="visible", timeout=15_000)
    box = overview.bounding_box()
    assert box is not None and box["height"] > 200, box
    shot(page, "6-overzicht-doelgroepen")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("", "7-start"),
        (BERKELLAND, "8-regeling-berkelland"),
        ("regelingen/delft/artikel-3/", "9-artikel-met-oordeel"),
        (BERKELLAND + "begrippen/", "10-begrippen"),
    ],
)
def test_pages_a_reader_lands_on(page, base_url: str, path: str, name: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "nl"
    shot(page, name)


# ---------------------------------------------------------------- a hostile policy

HOSTILE = ROOT / "tests" / "fixtures" / "vijandig.regel"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of a policy whose every text tries to become live markup, built as a user
    builds it; `regel controleer` passes it, so it must publish."""
    from regel.compiler.cli import main

    out = tmp_path_factory.mktemp("vijandig") / "html"
    assert main(["controleer", str(HOSTILE)]) == 0
    assert main(["docs", str(HOSTILE), "--uit", str(out)]) == 0
    with serve(out) as url:
        yield url


HOSTILE_PAGES = [
    "",
    "regelingen/vijandig/",
    "regelingen/vijandig/artikel-1/",
    "regelingen/vijandig/begrippen/",
    "regelingen/vijandig/besluit-b/",
    "wie-komt-waarvoor-in-aanmerking/",
]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_no_text_of_a_policy_runs_in_the_browser(browser, hostile_url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        response = page.goto(hostile_url + path)
        assert response is not None and response.status == 200
        page.wait_for_load_state("networkidle")
        if page.locator("pre.mermaid, div.mermaid").count():
            page.locator("div.mermaid").first.wait_for(state="visible", timeout=15_000)
        # Hover and click everything a reader could, then look for what a script would leave.
        for link in page.locator("article a").all()[:40]:
            link.hover()
        assert page.evaluate("window.__xss") is None, path
        assert dialogs == []
        hrefs = page.evaluate("[...document.querySelectorAll('[href], [src]')].map(e => "
                              "e.getAttribute('href') || e.getAttribute('src'))")  # fmt: skip
        assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I)]
        scripts = page.evaluate("[...document.scripts].map(s => s.textContent)")
        assert not [s for s in scripts if "__xss" in s]
        assert page.locator("article iframe, article img[onerror]").count() == 0
        # The hostile text is there, as text.
        assert "<script>" in page.locator("article").inner_text()
        shot(page, "vijandig-" + (path.strip("/").replace("/", "-") or "start"))
    finally:
        context.close()


def test_searching_a_hostile_site_runs_nothing(browser, hostile_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(hostile_url)
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially("drempel", delay=20)  # a begrip with a hostile description
        page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=15_000)
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None
        results = page.locator(".md-search-result").inner_text()
        assert "<script>" in results, results
        shot(page, "vijandig-zoeken")
    finally:
        context.close()
