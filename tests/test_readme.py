"""The README's examples run and say what they claim: the Python API, the generated package and
the decision service (over HTTP, with the README's own curl body)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from regel.compiler import load
from regel.compiler.cli import main
from regel.compiler.service import create_app

from .conftest import POLICIES, ROOT
from .test_service import Server

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(lang: str, containing: str) -> str:
    found = [b for b in re.findall(rf"```{lang}\n(.*?)```", README, re.S) if containing in b]
    assert len(found) == 1, f"één {lang}-blok met {containing!r} in de README"
    return found[0]


def test_readme_python_example() -> None:
    code = block("python", "from regel.compiler import load")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        exec(compile(code, "README.md", "exec"), scope)  # our own README, not policy text
    finally:
        os.chdir(cwd)
    besluit = scope["besluit"]
    assert besluit["aanspraak_voorziening"] is False
    assert besluit.outcomes["aanspraak_voorziening"].rules == ("artikel 3 lid 2",)


def test_readme_package_example(tmp_path: Path) -> None:
    command = re.search(
        r"regel vertaal (\S+) --uit (\S+)", block("sh", "regel vertaal policies/delft")
    )
    assert command is not None
    assert main(["vertaal", str(ROOT / command[1]), "--uit", str(tmp_path / command[2])]) == 0
    script = tmp_path / "besluit.py"
    script.write_text(block("python", "import delft"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / command[2])}
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "False"
    assert lines[1] == (
        "Artikel 3 lid 2 (regel alleen_inwoners) is toegepast (woonplaats: Rotterdam); "
        "daarom is aanspraak voorziening nee."
    )
    assert lines[1].split(";")[0] in README  # the comment in the README's example


def test_readme_service_example() -> None:
    curl = block("sh", "curl")
    path = re.search(r"http://127\.0\.0\.1:8000(\S+)", curl)[1]  # type: ignore[index]
    body = json.loads(re.search(r"-d '(.*?)'", curl, re.S)[1])  # type: ignore[index]
    refusal = json.loads(block("json", '"fout"'))
    with Server(create_app(load(POLICIES))) as server:
        status, answer = server.post(path, body)
        assert status == 200
        outcome = answer["uitkomsten"]["aanspraak_voorziening"]
        assert (outcome["waarde"], outcome["weergave"], outcome["grondslag"]) == (
            False, "nee", ["artikel 3 lid 2"],
        )  # fmt: skip
        sentence = answer["motivering"][0]["tekst"]
        assert " ".join(sentence.split()) in " ".join(README.split())
        wrong = {k: v for k, v in body.items() if k != "woonplaats"} | {"peildatum": "2011-09-31"}
        status, answer = server.post(path, wrong)
        assert status == 422 and answer == refusal
