"""docs/aan-de-slag.md, followed step by step: the files it shows are written as shown, and every
command it gives says what the guide claims. A guide that drifts from the tool fails here."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from regel.compiler.cli import main

from .conftest import ROOT

GUIDE = (ROOT / "docs" / "aan-de-slag.md").read_text(encoding="utf-8")


def blocks(info: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced block whose info starts with `info`."""
    return re.findall(rf"^```({info}[^\n]*)\n(.*?)^```", GUIDE, re.S | re.M)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder holding every file the guide names in a `title="…"`."""
    for info, body in blocks(r"\w+ title="):
        name = re.search(r'title="([^"]+)"', info)[1]  # type: ignore[index]
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def test_the_guide_names_its_files() -> None:
    names = [re.search(r'title="([^"]+)"', i)[1] for i, _ in blocks(r"\w+ title=")]  # type: ignore[index]
    assert names == ["mijngemeente/reiskosten.regel", "mijngemeente/gevallen.regel", "casus.json"]


def test_check_test_and_coverage(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controleer", "mijngemeente/"]) == 0
    assert main(["test", "mijngemeente/"]) == 0
    assert "3 geslaagd, 0 mislukt" in capsys.readouterr().out
    assert main(["dekking", "mijngemeente/"]) == 0


def test_the_typo_gives_the_message_the_guide_shows(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = workdir / "mijngemeente/reiskosten.regel"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("is kilometers *", "is kilometres *"),
        encoding="utf-8",
    )
    assert main(["controleer", "mijngemeente/"]) == 1
    shown = next(body for info, body in blocks("") if "fout[R201]" in body)
    assert shown.strip() in capsys.readouterr().err


def test_the_decision_the_guide_describes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evalueer", "mijngemeente/", "--invoer", "casus.json", "--peildatum", "2026-03-01"]
    assert main([*args, "--besluit", "reiskosten", "--documentatie", "https://r.example/"]) == 0
    answer = json.loads(capsys.readouterr().out)
    outcome = answer["uitkomsten"]["reiskostenvergoeding"]
    assert outcome["weergave"] == "€ 19,10 per maand" and "€ 19,10 per maand" in GUIDE
    assert outcome["grondslag"] == ["artikel 1 lid 1"]
    assert [o["gegeven"] for o in answer["oordelen"]] == ["eigen_vervoer"]
    assert {s["documentatie"] for s in answer["motivering"]} == {
        "https://r.example/regelingen/reiskosten/artikel-1/#regel-vergoeding",
        "https://r.example/regelingen/reiskosten/artikel-1/#regel-eigen_vervoer_gaat_voor",
    }


def test_the_site_says_what_the_guide_quotes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs", "mijngemeente/", "--uit", "site"]) == 0
    assert "python3 -m http.server --directory site" in capsys.readouterr().out
    quoted = re.search(r'\("(Reiskostenvergoeding is .*?)"\)', GUIDE, re.S)[1]  # type: ignore[index]
    page = (workdir / "site/regelingen/reiskosten/artikel-1/index.html").read_text("utf-8")
    text = re.sub(r"<[^>]+>", "", page).replace("\xa0", " ")
    assert " ".join(quoted.split()) in " ".join(text.split())
