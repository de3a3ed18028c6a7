"""`pip install .` and `pip install -e .` both give working `regel.compiler`, `regel.runtime`,
the grammar as package data and the `regel` command."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT

CHECK = (
    "import regel.compiler, regel.runtime, datetime; "
    "p = regel.compiler.load('{policies}'); "
    "r = p.evaluate('berkelland', {{'soort_reis': 'vervolgafspraak', 'afstand': 9}}, "
    "datetime.date(2008, 3, 1), 'reiskosten'); "
    "print(r.outcomes['reiskostenvergoeding'].display, regel.compiler.__file__)"
)


@pytest.mark.parametrize("editable", [False, True], ids=["regulier", "bewerkbaar"])
def test_install(tmp_path: Path, editable: bool) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    target = ["-e", str(ROOT)] if editable else [str(ROOT)]
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", *target], check=True, cwd=tmp_path, timeout=300
    )
    out = subprocess.run(
        [python, "-c", CHECK.format(policies=ROOT / "policies")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert out.startswith("€ 3,42 ")
    location = out.split()[-1]
    assert location.startswith(str(ROOT)) if editable else "site-packages" in location
    help_text = subprocess.run(
        [env_dir / "bin" / "regel", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "gebruik: regel" in help_text


def test_runtime_never_imports_the_compiler() -> None:
    code = (
        "import sys, regel.runtime; "
        "print(any(m.startswith('regel.compiler') or m == 'lark' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
