"""`regel vertaal`: the packages it writes import, lint clean, are deterministic, depend only on
regel.runtime, and decide every shipped case exactly as the policies loaded in memory do."""

from __future__ import annotations

import ast
import datetime
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from regel import runtime as rt
from regel.compiler import load
from regel.compiler.cases import case_inputs, case_options
from regel.compiler.cli import main
from regel.compiler.package import HEADER, title_literal

from .conftest import HEADER as POLICY_HEADER
from .conftest import POLICIES, WAGE_SUBSIDY_CASE

SHIPPED = load(POLICIES)


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vertaald")
    assert main(["vertaal", str(POLICIES), "--uit", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def imported(translated: Path) -> Iterator[dict[str, ModuleType]]:
    """Every generated package, imported the way a developer would: from sys.path."""
    sys.path.insert(0, str(translated))
    names = sorted(p.name for p in translated.iterdir() if p.is_dir())
    try:
        yield {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(translated))
        for name in list(sys.modules):
            if name.split(".")[0] in names:
                del sys.modules[name]


def _answer(
    evaluate: Any,
    inputs: dict[str, Any],
    peildatum: datetime.date,
    besluit: str | None,
    options: dict[str, Any],
) -> Any:
    try:
        result = evaluate(inputs, peildatum, besluit, True, **options)
        return result.to_json("https://voorbeeld.nl/")
    except rt.EvaluationError as err:
        return {"fout": err.code, "melding": err.message}


def test_every_shipped_case_gives_the_same_answer_both_ways(
    imported: dict[str, ModuleType],
) -> None:
    compared = 0
    for case_file in SHIPPED.cases:
        package = imported[case_file.regulation]
        for case in case_file.cases:
            assert case.peildatum is not None
            version = SHIPPED.program.in_force(case_file.regulation, case.peildatum)
            inputs = case_inputs(case, version)[0]  # a case for an error: all it gives

            def in_memory(
                i: Any, d: Any, b: Any, t: Any, rid: str = case_file.regulation, **o: Any
            ) -> Any:
                return SHIPPED.evaluate(rid, i, d, b, t, **o)

            day, decision, options = case.peildatum, case.decision, case_options(case)
            expected = _answer(in_memory, inputs, day, decision, options)
            got = _answer(package.evaluate, inputs, day, decision, options)
            assert got == expected, (case_file.regulation, case.name)
            compared += 1
    assert compared == sum(len(f.cases) for f in SHIPPED.cases) > 150


def test_a_package_decides_the_readme_case(imported: dict[str, ModuleType]) -> None:
    berkelland = imported["berkelland"]
    result = berkelland.evaluate(
        WAGE_SUBSIDY_CASE, datetime.date(2008, 3, 1), besluit="loonkostensubsidie"
    )
    assert result.outcomes["loonkostensubsidie"].display == "€ 500,00 per maand"
    assert result.outcomes["loonkostensubsidie"].rules == ("paragraaf B.6 alinea 2 onder 1",)
    # the norms come from the verordening's own package, linked in the same program
    assert set(berkelland.PROGRAMMA.regulations) == {"berkelland", "berkelland_verordening"}
    beleid = imported["voorbeeld_beleid"]
    assert [v.valid_from.year for v in beleid.VERSIES] == [2012, 2013]
    assert beleid.versie(datetime.date(2013, 6, 1)) is beleid.VERSIES[1]
    with pytest.raises(rt.PeriodError):
        imported["delft"].evaluate({}, datetime.date(2030, 1, 1))


def test_packages_are_lint_clean_and_formatted(translated: Path) -> None:
    ruff = str(Path(sys.executable).parent / "ruff")
    check = subprocess.run(
        [ruff, "check", "--no-cache", "--isolated", "--select", "E,F,W,I,B,UP,SIM,RUF", "."],
        cwd=translated,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    inits = sorted(str(p) for p in translated.glob("*/__init__.py"))
    fmt = subprocess.run(
        [ruff, "format", "--check", "--no-cache", "--isolated", *inits],
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


def test_packages_need_only_the_runtime(translated: Path) -> None:
    packages = {p.name for p in translated.iterdir() if p.is_dir()}
    allowed = {"__future__", "datetime", "collections.abc", "decimal", "typing", "regel.runtime"}
    for file in translated.glob("*/*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, file
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module in allowed | packages, (file, node.module)
    # ...and import with the compiler out of reach.
    script = (
        "import sys, datetime\n"
        "sys.modules['regel.compiler'] = None\n"
        "import delft, berkelland\n"
        "print(delft.evaluate({'woonplaats': 'Rotterdam', 'uitkering': 'WWB',"
        " 'inzet_noodzakelijk': True, 'voorliggende_voorziening_volstaat': False,"
        " 'arbeid_zonder_voorziening_mogelijk': False}, datetime.date(2011, 9, 1),"
        " besluit='aanspraak')['aanspraak_voorziening'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(translated)}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=translated
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_translation_is_deterministic(tmp_path: Path) -> None:
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        regel = str(Path(sys.executable).parent / "regel")
        subprocess.run([regel, "vertaal", str(POLICIES), "--uit", str(out)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        trees.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.py"))})
    assert trees[0] == trees[1] and len(trees[0]) > 9


def test_source_text_stays_in_literals(tmp_path: Path) -> None:
    hostile = "'''); import os; os.system('echo x') # \\ end"
    policy = tmp_path / "kwaad.regel"
    policy.write_text(
        POLICY_HEADER.replace('"Testverordening"', f'"{hostile}"').replace(
            "verordening t ", "verordening kwaad "
        )
        + 'gegevens\n  x: ja/nee "Is het zo?"\n\nuitkomsten\n  u: ja/nee\n\n'
        'artikel 1 "Titel"\n  tekst "t"\n  regel r\n    u is x\n',
        encoding="utf-8",
    )
    out = tmp_path / "uit"
    assert main(["vertaal", str(policy), "--uit", str(out)]) == 0
    init = (out / "kwaad/__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(init)
    titles = [
        n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "TITEL"
    ]
    assert titles == [hostile]
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls == {"Program", "PROGRAMMA.version", "version.evaluate", "versie"}


def test_vertaal_refuses_what_it_must_not_overwrite_or_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "uit" / "delft"
    mine.mkdir(parents=True)
    (mine / "eigen.py").write_text("x = 1\n", encoding="utf-8")
    assert main(["vertaal", str(POLICIES / "delft"), "--uit", str(tmp_path / "uit")]) == 1
    err = capsys.readouterr().err
    assert "is niet leeg en is niet door regel gemaakt" in err and "Traceback" not in err
    assert (mine / "eigen.py").read_text(encoding="utf-8") == "x = 1\n"

    json_policy = tmp_path / "json.regel"
    json_policy.write_text(POLICY_HEADER.replace("verordening t ", "verordening json "), "utf-8")
    assert main(["vertaal", str(json_policy), "--uit", str(tmp_path / "u2")]) == 1
    assert "de korte naam 'json' heeft dezelfde naam als een module van Python" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "u2" / "json").exists()


def test_a_second_translation_replaces_the_first(tmp_path: Path) -> None:
    out = tmp_path / "uit"
    assert main(["vertaal", str(POLICIES / "voorbeeld"), "--uit", str(out)]) == 0
    module = out / "voorbeeld_beleid" / "versie_2012_01_01.py"
    written = module.read_text(encoding="utf-8")
    # a module of the user's own in a package folder regel made: it stays
    (out / "voorbeeld_beleid" / "eigen.py").write_text("# van mij\n", encoding="utf-8")
    assert main(["vertaal", str(POLICIES / "voorbeeld"), "--uit", str(out)]) == 0
    assert (out / "voorbeeld_beleid" / "eigen.py").read_text(encoding="utf-8") == "# van mij\n"
    assert module.read_text(encoding="utf-8") == written
    first = (out / "voorbeeld" / "__init__.py").read_text(encoding="utf-8")
    assert first.splitlines()[0] == HEADER
    assert json.dumps(sorted(p.name for p in out.iterdir())) == json.dumps(
        [
            "anderdorp",
            "voorbeeld",
            "voorbeeld_apv",
            "voorbeeld_beleid",
            "voorbeeld_precario",
            "voorbeeld_toeslag",
            "voorbeeldwet",
        ]
    )


@given(st.text(max_size=300))
def test_a_title_of_any_length_reads_back_exactly(title: str) -> None:
    assert ast.literal_eval(title_literal(title)) == title


@given(st.text(alphabet="abcdefghij -'é", max_size=300))
def test_a_long_title_is_laid_out_within_88_columns(title: str) -> None:
    lines = f"TITEL = {title_literal(title)}".splitlines()
    assert all(len(line) <= 88 for line in lines), lines
