"""Output folders: regel replaces only the files it wrote itself, keeps what the user added,
refuses (in Dutch, naming the files) rather than lose anything, and two runs into one folder
take turns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from regel.compiler.cli import main
from regel.compiler.outdir import Folder, OutputError

from .conftest import POLICIES, ROOT

DELFT = str(POLICIES / "delft")


def folder(path: Path) -> Folder:
    return Folder(path, ".lijst", "gemaakt door een test", lambda _: False)


def build(tmp_path: Path, files: dict[str, str]) -> Path:
    built = tmp_path / f"build-{len(list(tmp_path.iterdir()))}"
    for rel, text in files.items():
        (built / rel).parent.mkdir(parents=True, exist_ok=True)
        (built / rel).write_text(text, encoding="utf-8")
    return built


def test_install_replaces_its_own_files_and_keeps_the_users(tmp_path: Path) -> None:
    out = folder(tmp_path / "uit")
    out.install(build(tmp_path, {"a.html": "1", "weg/b.html": "1"}))
    (out.path / "CNAME").write_text("regels.gemeente.nl", encoding="utf-8")
    (out.path / ".git").mkdir()
    (out.path / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    out.install(build(tmp_path, {"a.html": "2", "c.html": "2"}))
    assert (out.path / "a.html").read_text(encoding="utf-8") == "2"
    assert (out.path / "c.html").is_file()
    assert not (out.path / "weg").exists()  # a folder that held only regel's file goes too
    assert (out.path / "CNAME").read_text(encoding="utf-8") == "regels.gemeente.nl"
    assert (out.path / ".git" / "HEAD").is_file()


def test_install_refuses_to_overwrite_a_users_file_or_change(tmp_path: Path) -> None:
    out = folder(tmp_path / "uit")
    out.install(build(tmp_path, {"a.html": "1"}))
    (out.path / "eigen.html").write_text("van mij", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        out.install(build(tmp_path, {"a.html": "2", "eigen.html": "regel"}))
    assert "niet door regel gemaakt en zouden worden overschreven: eigen.html" in str(err.value)
    assert (out.path / "eigen.html").read_text(encoding="utf-8") == "van mij"
    assert (out.path / "a.html").read_text(encoding="utf-8") == "1"  # nothing touched
    (out.path / "a.html").write_text("met de hand verbeterd", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        out.install(build(tmp_path, {"a.html": "3"}))
    assert "gewijzigd sinds regel ze schreef: a.html" in str(err.value)
    assert (out.path / "a.html").read_text(encoding="utf-8") == "met de hand verbeterd"


def test_a_folder_of_the_users_own_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mijn"
    mine.mkdir()
    (mine / "brief.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        folder(mine).check("--uit")
    assert "is niet leeg en is niet door regel gemaakt" in str(err.value)


def test_docs_keeps_what_the_user_added_to_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert main(["docs", DELFT, "--uit", str(out)]) == 0
    (out / "CNAME").write_text("regels.delft.nl\n", encoding="utf-8")
    (out / ".git").mkdir()
    (out / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    assert main(["docs", DELFT, "--uit", str(out)]) == 0
    assert (out / "CNAME").read_text(encoding="utf-8") == "regels.delft.nl\n"
    assert (out / ".git" / "config").is_file()
    assert (out / "regelingen/delft/artikel-3/index.html").is_file()


def test_docs_refuses_sources_in_the_site_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x"
    assert main(["docs", DELFT, "--uit", str(out), "--bron", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--uit en --bron wijzen allebei naar" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_two_docs_runs_into_one_folder_take_turns(tmp_path: Path) -> None:
    out = tmp_path / "site"
    command = [sys.executable, "-m", "regel.compiler.cli", "docs", DELFT, "--uit", str(out)]
    runs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err.decode()
        assert b"Traceback" not in err
    assert (out / "regelingen/delft/artikel-3/index.html").is_file()
    assert not list(tmp_path.glob(".regel-docs-*"))


def test_vertaal_keeps_a_module_the_user_added(tmp_path: Path) -> None:
    out = tmp_path / "pakketten"
    assert main(["vertaal", DELFT, "--uit", str(out)]) == 0
    (out / "delft" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert main(["vertaal", DELFT, "--uit", str(out)]) == 0
    assert (out / "delft" / "extra.py").read_text(encoding="utf-8") == "X = 1\n"
