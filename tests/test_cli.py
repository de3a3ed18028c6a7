"""The `regel` command as a user runs it: real processes, Dutch output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import POLICIES, ROOT, WAGE_SUBSIDY_CASE

REGEL = [sys.executable, "-m", "regel.compiler.cli"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*REGEL, *args], capture_output=True, text=True, input=stdin, cwd=ROOT, timeout=60
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def evalueer(
    stdin: str, *extra: str, path: str = "policies/berkelland", peildatum: str = "2008-03-01"
) -> subprocess.CompletedProcess[str]:
    return run("evalueer", path, "--invoer", "-", "--peildatum", peildatum, *extra, stdin=stdin)


def test_help_is_dutch() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "gebruik: regel" in proc.stdout
    assert "toon deze hulp en stop" in proc.stdout
    assert "usage" not in proc.stdout


def test_wrong_use_exits_2_in_dutch() -> None:
    proc = run("evalueer")
    assert proc.returncode == 2
    assert "fout: deze argumenten ontbreken" in proc.stderr
    proc = run("opnieuw")
    assert proc.returncode == 2
    assert "ongeldige keuze" in proc.stderr


def test_controleer_shipped_policies() -> None:
    proc = run("controleer", "policies")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("in orde")


def test_controleer_reports_errors_with_location(tmp_path: Path) -> None:
    bad = tmp_path / "fout.regel"
    bad.write_text((ROOT / "tests/diagnostics/R201_onbekende_naam.regel").read_text())
    proc = run("controleer", str(bad))
    assert proc.returncode == 1
    assert f"{bad}:18:17: fout[R201]: onbekende naam 'loonkosen'" in proc.stderr
    assert "bedoelde u 'loonkosten'?" in proc.stderr


def test_missing_file_is_an_error_not_a_traceback() -> None:
    proc = run("controleer", "bestaat/niet.regel")
    assert proc.returncode == 1
    assert "bestaat niet" in proc.stderr


def test_test_command_counts_cases() -> None:
    proc = run("test", "policies")
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1].endswith("geslaagd, 0 mislukt")


def test_failing_case_shows_a_readable_diff(tmp_path: Path) -> None:
    for f in (POLICIES / "berkelland").iterdir():
        text = f.read_text()
        if f.name == "gevallen.regel":
            text = text.replace(
                "verwacht reiskostenvergoeding is € 3,42",
                "verwacht reiskostenvergoeding is € 3,40",
                1,
            )
        (tmp_path / f.name).write_text(text)
    proc = run("test", str(tmp_path))
    assert proc.returncode == 1
    assert "verwacht: € 3,40" in proc.stdout
    assert "kreeg:    € 3,42" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].endswith("1 mislukt")


def _berkelland_with_one_wrong_case(folder: Path) -> Path:
    for f in (POLICIES / "berkelland").iterdir():
        text = f.read_text()
        if f.name == "gevallen.regel":
            assert "verwacht reiskostenvergoeding is € 3,42" in text
            text = text.replace(
                "verwacht reiskostenvergoeding is € 3,42",
                "verwacht reiskostenvergoeding is € 3,40",
                1,
            )
        (folder / f.name).write_text(text)
    return folder


def test_a_failing_case_shows_the_motivation_of_its_decision(tmp_path: Path) -> None:
    proc = run("test", str(_berkelland_with_one_wrong_case(tmp_path)))
    failed = proc.stdout.split("MISLUKT", 1)[1]
    assert "    motivering:\n" in failed
    assert "is toegepast" in failed and "reiskostenvergoeding" in failed


def test_version() -> None:
    from importlib.metadata import version

    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"regel {version('regel')}\n"


def test_controleer_as_json(tmp_path: Path) -> None:
    bad = tmp_path / "fout.regel"
    bad.write_text((ROOT / "tests/diagnostics/R201_onbekende_naam.regel").read_text())
    proc = run("controleer", str(bad), "--formaat", "json")
    assert proc.returncode == 1 and proc.stderr == ""
    found = json.loads(proc.stdout)
    assert (found["bestanden"], found["fouten"]) == (1, 1)
    (d,) = found["meldingen"]
    assert d["code"] == "R201" and d["ernst"] == "fout"
    assert (d["bestand"], d["regel"], d["kolom"]) == (str(bad), 18, 17)
    assert d["eind_kolom"] == 17 + len("loonkosen")
    assert d["melding"] == "onbekende naam 'loonkosen'"
    assert d["hint"] == "bedoelde u 'loonkosten'?"
    proc = run("controleer", "policies", "--formaat", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["fouten"] == 0


def test_test_as_json_with_the_rules_no_case_applies(tmp_path: Path) -> None:
    proc = run("test", str(_berkelland_with_one_wrong_case(tmp_path)), "--formaat", "json",
               "--dekking")  # fmt: skip
    assert proc.returncode == 1
    found = json.loads(proc.stdout)
    failed = [c for c in found["gevallen"] if not c["geslaagd"]]
    assert found["mislukt"] == len(failed) == 1
    assert found["geslaagd"] == len(found["gevallen"]) - 1 > 100
    assert "verwacht: € 3,40" in failed[0]["fouten"][0]
    assert "reiskostenvergoeding" in failed[0]["motivering"]
    assert all(c["motivering"] is None for c in found["gevallen"] if c["geslaagd"])
    (berkelland,) = [d for d in found["dekking"] if d["regeling"] == "berkelland"]
    assert berkelland["gevallen"] == len(found["gevallen"])
    names = {r["naam"] for r in berkelland["niet_toegepast"]}
    assert names and names < _rule_names(tmp_path)


def _rule_names(folder: Path) -> set[str]:
    from regel.compiler import load

    policies = load(folder)
    return {r for info in policies.analysis.regs.values() for r in info.rules}


def test_the_rules_no_case_applies_are_exactly_those(tmp_path: Path) -> None:
    """A case that applies a rule takes it off the list; remove the case and it is back."""
    text = """verordening t "T"
  vastgesteld door de raad op 01-01-2011
  geldig vanaf 01-01-2011
gegevens
  n: getal
uitkomsten
  x: getal standaard 0
artikel 1
  tekst "t"
  regel groot
    x is 2
    als n meer dan 10
  regel klein
    x is 1
    als n ten hoogste 10
"""
    (tmp_path / "t.regel").write_text(text)
    cases = 'gevallen voor t\n\ngeval "groot"\n  peildatum 01-01-2012\n'
    cases += "  gegeven n is 11\n  verwacht x is 2\n"
    (tmp_path / "gevallen.regel").write_text(cases)
    proc = run("test", str(tmp_path), "--dekking")
    assert proc.returncode == 0, proc.stdout
    assert "t: 1 van 2 regels niet toegepast in 1 geval(len):" in proc.stdout
    assert "t.regel:13: regel klein" in proc.stdout and "regel groot" not in proc.stdout
    more = cases + '\ngeval "klein"\n  peildatum 01-01-2012\n  gegeven n is 3\n  verwacht x is 1\n'
    (tmp_path / "gevallen.regel").write_text(more)
    proc = run("test", str(tmp_path), "--dekking")
    assert "t: elke regel (2) toegepast in ten minste één geval" in proc.stdout


@pytest.mark.parametrize(
    ("chosen", "count"), [("arbeidsongeschikt", 2), ("ARBEIDSONGESCHIKT zonder*", 1), ("x?z", 0)]
)
def test_test_filter_runs_only_the_cases_it_names(chosen: str, count: int) -> None:
    proc = run("test", "policies/voorbeeld", "--filter", chosen, "--formaat", "json")
    names = [c["naam"] for c in json.loads(proc.stdout)["gevallen"]]
    assert len(names) == count
    assert all("arbeidsongeschikt" in n for n in names)
    assert proc.returncode == (0 if count else 1)


def test_test_writes_junit_xml(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    target = tmp_path / "uitslag.xml"
    proc = run("test", str(_berkelland_with_one_wrong_case(tmp_path)), "--junit", str(target))
    assert proc.returncode == 1
    root = ET.parse(target).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "1"
    cases = list(root.iter("testcase"))
    assert root.get("tests") == str(len(cases)) and len(cases) > 100
    (failed,) = [c for c in cases if c.find("failure") is not None]
    failure = failed.find("failure")
    assert failure is not None and "verwacht: € 3,40" in (failure.text or "")
    assert "motivering:" in (failure.text or "")
    assert failed.get("classname") == "berkelland" and int(failed.get("line", 0)) > 0


def test_dekking_as_json() -> None:
    proc = run("dekking", "policies/voorbeeld", "--formaat", "json")
    assert proc.returncode == 0
    found = json.loads(proc.stdout)
    assert found["volledig"] is True
    first = found["regelingen"][0]
    assert first["dekking_procent"] == 100 and first["ontbreekt"] == 0
    assert {"anker", "status", "details", "regel"} <= set(first["onderdelen"][0])
    text = run("dekking", "policies/voorbeeld").stdout
    for reg in found["regelingen"]:
        assert f"{reg['regeling']}: {reg['titel']}" in text
        for unit in reg["onderdelen"]:
            assert unit["anker"] in text


def test_evalueer_gives_outcomes_and_motivation() -> None:
    proc = evalueer(json.dumps(WAGE_SUBSIDY_CASE), "--besluit", "loonkostensubsidie")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    subsidy = out["uitkomsten"]["loonkostensubsidie"]
    assert subsidy["waarde"] == "500.00"
    assert subsidy["weergave"] == "€ 500,00 per maand"
    assert subsidy["grondslag"] == ["paragraaf B.6 alinea 2 onder 1"]
    assert any(
        m["artikel"] == "paragraaf B.6 alinea 2 onder 2" and m["status"] == "niet_toegepast"
        for m in out["motivering"]
    )


def test_evalueer_writes_out_the_calculation_and_where_norms_were_set() -> None:
    """The motivation shows the arithmetic (50% of € 1.400,00, the cap, the rounding) and the
    regulation and article that set each norm, in the JSON and as text (`--tekst`)."""
    proc = evalueer(json.dumps(WAGE_SUBSIDY_CASE), "--besluit", "loonkostensubsidie")
    step = next(
        m for m in json.loads(proc.stdout)["motivering"] if m["regel"] == "subsidie_algemeen"
    )
    texts = [s["tekst"] for s in step["berekening"]]
    assert "50% (percentage loonkostensubsidie) van € 1.400,00 per maand (loonkosten) = " \
        "€ 700,00 per maand" in texts  # fmt: skip
    assert any(
        s["soort"] == "grens" and "bereikt, € 500,00" in s["tekst"] for s in step["berekening"]
    )
    norm = next(s for s in step["berekening"] if s["soort"] == "norm")
    assert "vastgesteld in paragraaf B.6 alinea 2 onder 1 van Beleidsregels" in norm["tekst"]
    assert "open norm voor het college" in norm["tekst"]
    text = evalueer(json.dumps(WAGE_SUBSIDY_CASE), "--besluit", "loonkostensubsidie", "--tekst")
    assert text.returncode == 0
    want = "- loonkostensubsidie: € 500,00 per maand (op grond van paragraaf B.6 alinea 2 onder 1)."
    assert want in text.stdout
    assert "Berekening: " in text.stdout and not text.stdout.lstrip().startswith("{")


def test_evalueer_says_an_outcome_does_not_arise_and_why() -> None:
    """11 months of unemployment where 12 are required: no subsidy, a determinate answer whose
    motivation names the months and the paragraph, not 'onbepaald'."""
    case = {**WAGE_SUBSIDY_CASE, "maanden_werkloos": 11}
    out = json.loads(evalueer(json.dumps(case), "--besluit", "loonkostensubsidie").stdout)
    assert out["uitkomsten"]["loonkostensubsidie"]["status"] == "komt_niet_tot_stand"
    texts = " ".join(m["tekst"] for m in out["motivering"])
    assert (
        "werkloos genoeg (paragraaf B.6 alinea 5) is nee, want 11 maanden (maanden werkloos) is "
        "niet minstens 12 maanden" in texts
    )


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("{niet json", "geen geldige JSON"),
        ("[1, 2]", "JSON-object"),
    ],
)
def test_evalueer_bad_json(stdin: str, expected: str) -> None:
    proc = evalueer(stdin)
    assert proc.returncode == 2
    assert expected in proc.stderr


def test_evalueer_bad_field_names_the_field() -> None:
    proc = evalueer('{"soort_reis": "fiets", "afstnd": 3}', "--besluit", "reiskosten")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert set(out["velden"]) == {"soort_reis", "afstnd", "afstand"}


def test_evalueer_peildatum_outside_period() -> None:
    proc = evalueer("{}", path="policies/delft", peildatum="2012-01-01")
    assert proc.returncode == 1
    assert "buiten de geldigheid" in json.loads(proc.stdout)["fout"]


def test_evalueer_bad_date_argument() -> None:
    proc = evalueer("{}", path="policies/delft", peildatum="1-1-2011")
    assert proc.returncode == 2
    assert "geen datum" in proc.stderr


def test_docs_follow_rebuilds_the_site_when_a_file_changes(tmp_path: Path) -> None:
    """`regel docs --volg`, as a writer uses it: save, and the site shows it; save a mistake,
    and the site stays as it was while the error is shown; Ctrl+C stops it."""
    import queue
    import signal
    import threading

    src = tmp_path / "src"
    src.mkdir()
    for name in ("toeslag.regel", "gevallen_toeslag.regel"):
        (src / name).write_text((POLICIES / "voorbeeld" / name).read_text())
    site = tmp_path / "site"
    proc = subprocess.Popen(
        [*REGEL, "docs", str(src), "--uit", str(site), "--volg"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or ()])
    reader.start()

    def until(wanted: str) -> list[str]:
        seen = []
        while True:
            line = lines.get(timeout=60)
            seen.append(line)
            if wanted in line:
                return seen

    def pages() -> str:
        return "".join(p.read_text() for p in site.rglob("*.html"))

    try:
        until("ik kijk naar de bestanden")
        assert "Bijzonder gewijzigd" not in pages()
        regel = src / "toeslag.regel"
        text = regel.read_text()
        first = text.index('tekst "') + len('tekst "')
        regel.write_text(text[:first] + "Bijzonder gewijzigd. " + text[first:])
        until("site gemaakt")
        assert "Bijzonder gewijzigd" in pages()
        regel.write_text(text.replace("uitkomsten", "uitkomstn", 1))
        seen = until("site niet bijgewerkt")
        assert any("fout[" in line for line in seen), seen
        assert "Bijzonder gewijzigd" in pages()  # the site as it was
        (tmp_path / "notities.txt").write_text("geen bron")  # not watched: nothing happens
        regel.write_text(text)
        until("site gemaakt")
        assert "Bijzonder gewijzigd" not in pages()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert "gestopt" in "".join(until("gestopt"))
    finally:
        proc.kill()
        proc.wait()
        reader.join(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


BASH_COMPLETE = """
source <("$@" aanvulling bash)
while IFS= read -r COMP_LINE; do
  COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<< "$COMP_LINE"
  if [[ "$COMP_LINE" == *" " ]]; then COMP_WORDS+=(""); fi
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _shtab_regel regel "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  echo "${COMPREPLY[*]}"
done
"""


def test_bash_completes_commands_options_choices_and_paths() -> None:
    """The script in a real bash, as Tab calls it: the same function, the same variables."""
    asked = {
        "regel doo": "doorreken",
        "regel doorreken --mo": "--motor --motivering",
        "regel doorreken --motor ": "duckdb spark python",
        "regel test --formaat ": "tekst json",
        "regel test --ju": "--junit",
        "regel controleer pol": "policies",
        "regel aanvulling ": "bash zsh",
    }
    proc = subprocess.run(
        ["bash", "-c", BASH_COMPLETE, "bash", *REGEL],
        input="".join(line + "\n" for line in asked),
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = proc.stdout.splitlines()
    assert dict(zip(asked, got, strict=True)) == asked


def test_zsh_completion_names_every_command_and_option() -> None:
    import shutil

    from regel.compiler.cli import build_parser

    proc = run("aanvulling", "zsh")
    assert proc.returncode == 0
    script = proc.stdout
    assert script.startswith("#compdef regel")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "opdracht").choices
    for name, sub in commands.items():
        assert f"    {name}:'" in script and f"_shtab_regel_{name}_options" in script, name
        for option in (o for a in sub._actions for o in a.option_strings):
            assert option in script, (name, option)
    if shutil.which("zsh"):
        check = subprocess.run(["zsh", "-n"], input=script, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
