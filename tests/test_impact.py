"""What a change does to a caseload (`regel gevolgen`): a variant of open norms or another set
of files against the regulation as it is, counted row by row against deciding each case alone,
and the report for the council in a real headless Chromium."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from regel.compiler import caseload, impact, load, synthetic, variant
from regel.compiler.diagnostics import CompileError
from regel.compiler.sqlrun import Source

from .conftest import ARTIFACTS, POLICIES, ROOT
from .test_cli import run
from .test_docs_browser import serve

DAY = datetime.date(2008, 3, 1)
VARIANT = """\
# Voorstel: de hoogste loonkostensubsidie naar € 600,00 per maand
variant "Loonkostensubsidie ten hoogste € 600,00 per maand"
berkelland_verordening.maximale_loonkostensubsidie is € 600,00 per maand
"""


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    policies = load(POLICIES)
    version = policies.version("berkelland", DAY)
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    cases = list(synthetic.cases(version, "loonkostensubsidie", 2000, 11, DAY))
    path = tmp_path_factory.mktemp("gevolgen") / "klanten.parquet"
    caseload.write_parquet(str(path), specs, cases)
    return path, cases


def test_a_variant_is_counted_as_deciding_each_case_alone_under_it(clients: Any) -> None:
    path, cases = clients
    old, new = load(POLICIES), load(POLICIES)
    proposal = variant.read(VARIANT, "voorstel.txt", old.analysis)
    proposal.apply(new.program)
    found = impact.compare(old, new, "berkelland", "loonkostensubsidie", Source.of(str(path)),
                           DAY, per="klantgroep", variant=proposal)  # fmt: skip
    gain = lose = 0
    total = Decimal(0)
    more: dict[str, Any] = {}
    groups: dict[str, Decimal] = {}
    for case in cases:
        a = old.evaluate("berkelland", case, DAY, "loonkostensubsidie", trace=False)
        b = new.evaluate("berkelland", case, DAY, "loonkostensubsidie", trace=False)
        x, y = (r.outcomes["loonkostensubsidie"] for r in (a, b))
        diff = (y.value if y.status == "bepaald" else 0) - (x.value if x.status == "bepaald" else 0)
        gain, lose, total = gain + (diff > 0), lose + (diff < 0), total + diff
        more = more or (case if diff > 0 else {})
        groups[case["klantgroep"]] = groups.get(case["klantgroep"], Decimal(0)) + diff
    subsidy = found.outcomes[0]
    assert (subsidy.name, subsidy.gain, subsidy.lose) == ("loonkostensubsidie", gain, lose)
    assert gain > 100 and lose == 0  # a higher maximum: some get more, no one less
    assert subsidy.difference == total and subsidy.per_month_and_year(total) == (total, total * 12)
    assert {g: d for g, _, _, _, d in subsidy.groups} == {g: d for g, d in groups.items()}
    assert found.proposals[0][2:] == ("€ 500,00 per maand", "€ 600,00 per maand")
    # what the norm is, for a council member, and its name
    norm = "berkelland_verordening.maximale_loonkostensubsidie"
    assert found.proposals[0][0] == f"De hoogste loonkostensubsidie per maand ({norm})"
    assert "paragraaf B.6 alinea 2 onder 1" in found.articles
    # the motivation of a case under the variant says where the value came from
    text = new.evaluate("berkelland", more, DAY, "loonkostensubsidie").text()
    assert "voorgesteld in variant 'Loonkostensubsidie ten hoogste € 600,00 per maand'" in text


@pytest.mark.parametrize(
    ("line", "code", "said"),
    [
        ("berkelland_verordening.maximale_loonkostensubsidie is 600", "R853", "bedrag per maand"),
        (
            "berkeland_verordening.maximale_loonkostensubsidie is 5",
            "R852",
            "berkelland_verordening",
        ),
        ("berkelland_verordening.maximale_loonkostensubsidi is € 5,00", "R852", "bedoelde u"),
        ("hoger maximum", "R851", "regeling.norm is waarde"),
    ],
)
def test_a_wrong_variant_line_is_refused_where_it_stands(line: str, code: str, said: str) -> None:
    policies = load(POLICIES)
    with pytest.raises(CompileError) as err:
        variant.read(f'variant "v"\n{line}\n', "v.txt", policies.analysis)
    shown = err.value.render()
    assert shown.startswith(f"v.txt:2:1: fout[{code}]") and said in shown


def test_regel_gevolgen_as_a_policy_advisor_runs_it(clients: Any, tmp_path: Path) -> None:
    path, _ = clients
    proposal = tmp_path / "voorstel.txt"
    proposal.write_text(VARIANT, encoding="utf-8")
    report, per_case = tmp_path / "rapport.html", tmp_path / "per_geval.csv"
    proc = run("gevolgen", "policies", "--regeling", "berkelland", "--besluit",
               "loonkostensubsidie", "--invoer", str(path), "--peildatum", "2008-03-01",
               "--variant", str(proposal), "--per", "klantgroep", "--rapport", str(report),
               "--gevallen", str(per_case))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "met een hoger bedrag, 0 met een lager; verschil € " in proc.stdout
    assert "per jaar" in proc.stdout
    header = per_case.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"rij", "loonkostensubsidie", "loonkostensubsidie_oud", "groep"} <= set(header)
    other = run("gevolgen", "policies", "--regeling", "berkelland", "--besluit",
                "loonkostensubsidie", "--invoer", str(path), "--peildatum", "2008-03-01",
                "--tegen", "policies")  # fmt: skip
    assert other.returncode == 0 and "loonkostensubsidie: 0 gevallen anders" in other.stdout
    missing = str(tmp_path / "nee")
    bad = run("gevolgen", "policies", "--regeling", "berkelland", "--besluit",
              "loonkostensubsidie", "--invoer", str(path), "--variant", missing)  # fmt: skip
    assert bad.returncode == 2 and "kan '" in bad.stderr
    per = run("gevolgen", "policies", "--regeling", "berkelland", "--besluit",
              "loonkostensubsidie", "--invoer", str(path), "--variant", str(proposal),
              "--per", "schoenmaat")  # fmt: skip
    assert per.returncode == 2 and "het besluit leest geen gegeven 'schoenmaat'" in per.stderr


def test_the_report_reads_in_a_browser_and_runs_nothing(
    browser, clients: Any, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A title and a group value that try to become markup stay text; the plots draw."""
    path, _ = clients
    old, new = load(POLICIES), load(POLICIES)
    hostile = VARIANT.replace(
        "Loonkostensubsidie ten",
        "<script>window.__xss=1</script><img src=x onerror=window.__xss=2> ten",
    )
    proposal = variant.read(hostile, "voorstel.txt", old.analysis)
    proposal.apply(new.program)
    found = impact.compare(old, new, "berkelland", "loonkostensubsidie", Source.of(str(path)),
                           DAY, per="klantgroep", variant=proposal)  # fmt: skip
    (tmp_path / "index.html").write_text(impact.html(found), encoding="utf-8")
    with serve(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1100, "height": 1400}, locale="nl-NL")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        assert page.evaluate("window.__xss") is None and errors == []
        assert "<script>" in page.locator("#variant").inner_text()
        assert page.locator("svg.histogram rect").count() == impact.BINS
        assert page.locator("svg.per-groep rect").count() == len(found.outcomes[0].groups)
        box = page.locator("svg.histogram").bounding_box()
        assert box is not None and box["width"] > 300
        assert "met een hoger bedrag" in page.locator("body").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "gevolgen-rapport.png"), full_page=True)
        context.close()


def test_the_docs_page_names_the_commands() -> None:
    text = (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    for needed in ("regel gevolgen", "--variant", "--motor duckdb", "--motor python", "R790"):
        assert needed in text


def test_the_readme_caseload_commands_run_as_written(tmp_path: Path) -> None:
    import re
    import shlex
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.split("   #")[0] for line in readme.splitlines()
             if re.match(r"\.venv/bin/regel (proefbestand|doorreken|gevolgen) ", line)]  # fmt: skip
    assert [line.split()[1] for line in lines] == ["proefbestand", "doorreken", "gevolgen"]
    proposal = re.search(r"```text\n(variant .*?)```", readme, re.S)
    assert proposal is not None
    (tmp_path / "voorstel.txt").write_text(proposal[1], encoding="utf-8")
    for line in lines:
        words = shlex.split(line.replace("--aantal 100000", "--aantal 3000"))
        words = [str(POLICIES) if w == "policies/" else w for w in words[1:]]
        proc = subprocess.run([sys.executable, "-m", "regel.compiler.cli", *words], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    assert "met een hoger bedrag" in proc.stdout
    assert (tmp_path / "uitkomsten.parquet").stat().st_size > 0
    assert "<svg" in (tmp_path / "rapport.html").read_text(encoding="utf-8")


def test_an_amount_wider_than_decimal_38_is_compared_exactly(tmp_path: Path) -> None:
    """The precario tax can, for any valid input, exceed DECIMAL(38) (three gegevens of fifteen
    digits multiplied), so its column is text; the comparison reckons with it exactly, and a
    tariff raised in another set of files is counted as deciding each case alone."""
    day = datetime.date(2020, 6, 1)
    old = load(POLICIES)
    text = (POLICIES / "voorbeeld" / "precario.regel").read_text(encoding="utf-8")
    raised = text.replace(": € 36,10 per m² per jaar", ": € 40,00 per m² per jaar")
    assert raised != text
    other = tmp_path / "voorstel"
    for source in POLICIES.rglob("*.regel"):
        target = other / source.relative_to(POLICIES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (other / "voorbeeld" / "precario.regel").write_text(raised, encoding="utf-8")
    new = load(other)
    version = old.version("voorbeeld_precario", day)
    cases = list(synthetic.cases(version, "aanslag", 500, 3, day))
    path = tmp_path / "terrassen.parquet"
    caseload.write_parquet(str(path), caseload.decision_inputs(version, "aanslag"), cases)
    found = impact.compare(old, new, "voorbeeld_precario", "aanslag", Source.of(str(path)), day)
    tax = next(o for o in found.outcomes if o.name == "precariobelasting")
    total = Decimal(0)
    for case in cases:
        a, b = (p.evaluate("voorbeeld_precario", case, day, "aanslag", trace=False)
                for p in (old, new))  # fmt: skip
        total += b["precariobelasting"] - a["precariobelasting"]
    assert tax.gain > 0 and tax.lose == 0
    assert tax.new_sum - tax.old_sum == total
