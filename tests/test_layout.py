"""`regel opmaak`: one layout, the same meaning, every character of texts and comments kept.

Golden pairs under opmaak/ (`x.regel` laid out is `x.verwacht`); every shipped policy is in the
layout; and hypothesis mangles the shipped files (indentation of any width or tabs, runs of
spaces and tabs, spaces in parentheses, more empty lines where there is one, white space at line
ends, empty lines at the end, Windows line breaks) and checks that laying out gives the file
back, that the mangled and the laid-out file parse to the same tree, and that laying out twice
changes nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler import nodes as n
from regel.compiler.layout import _classify, lay_out
from regel.compiler.parser import parse

from .conftest import POLICIES, ROOT

HERE = Path(__file__).parent / "opmaak"
GOLDEN = sorted(HERE.glob("*.regel"))
SHIPPED = sorted(POLICIES.rglob("*.regel"))
# A drawn random generator per example, and files of a thousand lines to mangle.
SLOW_AND_BIG = [HealthCheck.too_slow, HealthCheck.large_base_example]


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _meaning(text: str) -> object:
    return n.shape(parse(text, "t.regel"))


def _comments(text: str) -> list[str]:
    """Every comment of a text, as written (white space at its end aside)."""
    found = []
    for line in _classify(text.replace("\r\n", "\n")):
        if line.kind in ("comment", "code", "open"):
            rest = re.sub(r'"""[\s\S]*?(?:"""|$)|"[^"]*"', lambda m: " " * len(m[0]), line.raw)
            if "#" in rest:
                found.append(line.raw[rest.index("#") :].rstrip())
    return found


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    text = _read(path)
    laid = lay_out(text)
    assert laid == _read(path.with_suffix(".verwacht"))
    assert lay_out(laid) == laid
    assert _meaning(laid) == _meaning(text)
    assert _comments(laid) == _comments(text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_policy_is_in_the_layout(path: Path) -> None:
    text = _read(path)
    assert lay_out(text) == text


def test_a_text_over_several_lines_keeps_every_character() -> None:
    text = _read(HERE / "rommelig.regel")
    inner = text[text.index('"""') : text.rindex('"""') + 3]
    assert inner in lay_out(text)


def _mangle(text: str, data: st.DataObject) -> str:
    """The file with other white space but the same words: what a writer's editor might make
    of it. The choices per line come from one drawn random generator (a draw per space would
    make each example slow)."""
    lines = _classify(text)
    width = data.draw(st.sampled_from([1, 2, 3, 4, 8, 0]), label="width")  # 0: tabs
    rnd = data.draw(st.randoms(use_true_random=False), label="random")
    out: list[str] = []
    for line in lines:
        if line.kind == "text":
            out.append(line.raw)
            continue
        if line.kind == "blank":  # where the writer left a line empty, one to three
            out += [rnd.choice(["", " ", "\t ", "   "]) for _ in range(rnd.randint(1, 3))]
            continue
        level = line.width // 2
        indent = "\t" * level if width == 0 else " " * (level * width)
        if line.kind == "comment":
            indent = rnd.choice([indent, "", " " * 7])
        body = line.raw.lstrip(" ")
        parts = re.split(r'("""[\s\S]*|"[^"]*"|#.*)', body)
        for i in range(0, len(parts), 2):  # the code between texts and a comment
            code = parts[i]
            code = re.sub(" ", lambda _: rnd.choice([" ", " ", "  ", " \t"]), code)
            if rnd.random() < 0.5:
                code = code.replace("(", "( ").replace(")", " )")
            parts[i] = code
        body = "".join(parts)
        ends_open = body.count('"""') % 2 == 1
        end = "" if ends_open else rnd.choice(["", " ", "\t", "  "])
        out.append(indent + body + end)
    mangled = "\n".join(out) + rnd.choice(["\n", "\n\n", "", "\n  \n"])
    if rnd.random() < 0.3:
        mangled = mangled.replace("\n", "\r\n")
    return mangled


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_AND_BIG)
@given(data=st.data())
def test_laying_out_undoes_any_white_space_and_keeps_the_meaning(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(SHIPPED), label="path")
    text = _read(path)
    mangled = _mangle(text, data)
    assert _meaning(mangled) == _meaning(text)  # the mangling itself keeps the meaning
    laid = lay_out(mangled)
    assert laid == text
    assert _comments(laid) == _comments(text)


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_AND_BIG)
@given(data=st.data())
def test_laying_out_is_idempotent_on_files_in_no_layout_at_all(data: st.DataObject) -> None:
    text = _read(data.draw(st.sampled_from(GOLDEN + SHIPPED[:4]), label="path"))
    mangled = _mangle(lay_out(text), data)
    laid = lay_out(mangled)
    assert lay_out(laid) == laid
    assert _meaning(laid) == _meaning(text)


def test_opmaak_command(tmp_path: Path) -> None:
    regel = [sys.executable, "-m", "regel.compiler.cli", "opmaak"]
    messy = tmp_path / "rommelig.regel"
    messy.write_bytes((HERE / "rommelig.regel").read_bytes())
    tidy = tmp_path / "netjes.regel"
    tidy.write_bytes((HERE / "tabs.verwacht").read_bytes())
    broken = tmp_path / "kapot.regel"
    broken.write_text('verordening t "T"\n  geldig vanaf 01-01-2011\nuitkomst\n')
    check = subprocess.run([*regel, str(messy), str(tidy), "--controleer"],
                           capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert check.returncode == 1
    assert f"niet in de opmaak: {messy}" in check.stdout
    assert f"niet in de opmaak: {tidy}" not in check.stdout
    assert messy.read_bytes() == (HERE / "rommelig.regel").read_bytes()  # nothing written
    diff = subprocess.run([*regel, str(messy), "--controleer", "--verschil"],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert '\n-verordening t   "Test"\n' in diff.stdout
    assert '\n+verordening t "Test"\n' in diff.stdout
    done = subprocess.run([*regel, str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1  # the broken file
    assert f"opgemaakt: {messy}" in done.stdout
    assert "niet opgemaakt (eerst de fout herstellen)" in done.stderr and "fout[R" in done.stderr
    assert messy.read_bytes() == (HERE / "rommelig.verwacht").read_bytes()
    assert broken.read_text().endswith("uitkomst\n")  # left as it was
    broken.unlink()
    again = subprocess.run([*regel, str(tmp_path), "--controleer"],
                           capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert again.returncode == 0 and "in orde: 2 bestand(en)" in again.stdout
    assert not list(tmp_path.glob(".*.tmp"))


def test_opmaak_never_writes_a_layout_that_means_something_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command checks its own work, as black does: a fault in the layout that changed a
    word would show as a refusal, never as a changed regulation."""
    from regel.compiler import layout
    from regel.compiler.cli import main

    target = tmp_path / "t.regel"
    target.write_bytes((HERE / "rommelig.regel").read_bytes())
    monkeypatch.setattr(layout, "lay_out", lambda text: text.replace("mag is ja", "mag is nee"))
    assert main(["opmaak", str(target)]) == 1
    assert "de opmaak zou de betekenis veranderen" in capsys.readouterr().err
    assert target.read_bytes() == (HERE / "rommelig.regel").read_bytes()
