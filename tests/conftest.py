from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Parsed files are kept in a store of the tests' own (compiler/cache.py), also for the commands
# the tests start, never in the user's ~/.cache.
os.environ.setdefault("REGEL_CACHE", tempfile.mkdtemp(prefix="regel-cache-"))
POLICIES = ROOT / "policies"
PEIL = datetime.date(2011, 9, 1)

# DOMEIN §7, Berkelland B.6: 30 years old, 14 months unemployed, 32 hours, € 1.400 wage costs.
WAGE_SUBSIDY_CASE = {
    "klantgroep": "bijstand",
    "geboortedatum": "1978-01-01",
    "maanden_werkloos": 14,
    "uren_per_week": 32,
    "bijstandsonafhankelijk_door_arbeid": True,
    "loonkosten": "1400.00",
}

HEADER = """verordening t "Testverordening"
  vastgesteld door de raad op 01-01-2011
  geldig van 01-01-2011 tot en met 31-12-2011
"""


@pytest.fixture
def header() -> str:
    return HEADER


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site of every shipped policy and the project's docs/, built once per
    test run the way a user builds it: `regel docs policies/ --uit … --bron … --handleiding docs`.
    Returns the folder holding `html/` and `bron/`."""
    from regel.compiler.cli import main

    root = tmp_path_factory.mktemp("site")
    code = main(
        [
            "docs",
            str(POLICIES),
            "--uit",
            str(root / "html"),
            "--bron",
            str(root / "bron"),
            "--handleiding",
            str(ROOT / "docs"),
        ]
    )
    assert code == 0
    return root


# ---------------------------------------------------------------- a real browser

CHROMIUM = Path(os.environ.get("REGEL_CHROMIUM", "/usr/bin/chromium"))
# Keep Chromium from phoning home, so that every request we see is one the site made.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(os.environ.get("REGEL_ARTEFACTEN", ROOT / "test-artifacts"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} ontbreekt: installeer Chromium met 'apt-get install chromium' "
        "(make test doet dat zelf) of wijs REGEL_CHROMIUM naar een Chromium."
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
