"""Caseloads: the CSV format of many cases, and the made-up caseloads to try decisions on."""

from __future__ import annotations

import collections
import contextlib
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regel.compiler import caseload, load, synthetic

from .conftest import POLICIES
from .test_cli import run

PEIL = datetime.date(2008, 3, 1)


_POLICIES = load(POLICIES)  # module-wide: the property test below cannot take a fixture


@pytest.fixture(scope="module")
def policies() -> Any:
    return _POLICIES


def _decisions(policies: Any) -> list[tuple[Any, str]]:
    return [
        (version, besluit)
        for versions in policies.program.versions.values()
        for version in versions
        for besluit in version.decisions
    ]


def test_the_same_seed_gives_the_same_clients_and_another_seed_others(policies: Any) -> None:
    reg = policies["berkelland"]
    first = list(synthetic.cases(reg, "loonkostensubsidie", 50, seed=7, peildatum=PEIL))
    again = list(synthetic.cases(reg, "loonkostensubsidie", 50, seed=7, peildatum=PEIL))
    other = list(synthetic.cases(reg, "loonkostensubsidie", 50, seed=8, peildatum=PEIL))
    assert first == again and first != other


def test_every_made_up_case_of_every_shipped_decision_is_valid_input(policies: Any) -> None:
    """The input check every channel uses accepts each case, and the decision decides it
    (an onbepaald outcome is a valid answer; an input error is not)."""
    decisions = _decisions(policies)
    assert len(decisions) > 40
    for version, besluit in decisions:
        peildatum = version.valid_from or PEIL
        for case in synthetic.cases(version, besluit, 20, seed=3, peildatum=peildatum):
            version.coerce_inputs(case, version.decisions[besluit], besluit)
            version.evaluate(case, peildatum, besluit)


def test_a_case_survives_the_csv_format_unchanged(policies: Any) -> None:
    """Written to CSV and read back, every case of every decision is the same input: the
    same values after the input check, for every kind of gegeven (households included)."""
    kinds: set[str] = set()
    for version, besluit in _decisions(policies):
        specs = caseload.decision_inputs(version, besluit)
        kinds |= {spec.kind for spec in specs}
        cases = list(synthetic.cases(version, besluit, 10, seed=5, peildatum=PEIL))
        out = io.StringIO()
        assert caseload.write_csv(out, specs, cases) == 10
        rows = list(caseload.read_csv(io.StringIO(out.getvalue()), specs))
        outcomes = version.decisions[besluit]
        for case, row in zip(cases, rows, strict=True):
            assert not isinstance(row, caseload.RowError), row
            _, raw, peildatum = row
            assert peildatum is None
            assert version.coerce_inputs(raw, outcomes, besluit) == version.coerce_inputs(
                case, outcomes, besluit
            )
    assert {"bool", "num", "date", "choice", "persons", "clock"} <= kinds


def test_a_bad_row_is_reported_with_its_number_and_the_rest_is_read(policies: Any) -> None:
    reg = policies["berkelland"]
    specs = caseload.decision_inputs(reg, "loonkostensubsidie")
    header = ",".join(spec.name for spec in specs) + ",peildatum"
    good = "bijstand,1980-01-01,12,nee,2000.00,32,ja,2008-03-01"
    text = "\n".join(
        [
            header,
            good,
            "bijstand,1980-01-01,12,misschien,2000.00,32,ja,2008-03-01",
            "bijstand,1980-01-01,12,nee,2000.00,32",
            good.replace("2008-03-01", "01-03-2008"),
            good.replace("1980-01-01", "1980-02-30"),  # for the input check to refuse
            good.replace(",nee,", ",,"),  # handicap not given: optional
        ]
    )
    rows = list(caseload.read_csv(io.StringIO(text), specs))
    assert [r.row if isinstance(r, caseload.RowError) else r[0] for r in rows] == [2, 3, 4, 5, 6, 7]
    errors = [str(r) for r in rows if isinstance(r, caseload.RowError)]
    assert errors == [
        "rij 3: handicap: verwacht ja of nee",
        "rij 4: 6 cellen, de kop heeft er 8",
        "rij 5: peildatum: '01-03-2008' is geen geldige datum (JJJJ-MM-DD)",
    ]
    _, raw, peildatum = rows[0]  # type: ignore[misc]
    assert peildatum == PEIL and raw["handicap"] is False and raw["loonkosten"] == "2000.00"
    assert "handicap" not in rows[-1][1]  # type: ignore[index]
    # A date that does not exist is for the input check to say, as for every channel.
    with pytest.raises(Exception, match="geboortedatum"):
        outcomes = reg.decisions["loonkostensubsidie"]
        reg.coerce_inputs(rows[4][1], outcomes, "loonkostensubsidie")  # type: ignore[index]


def test_an_unknown_column_is_refused_before_any_row(policies: Any) -> None:
    specs = caseload.decision_inputs(policies["berkelland"], "loonkostensubsidie")
    with pytest.raises(
        ValueError, match="onbekende kolom schoenmaat; dit besluit leest: klantgroep"
    ):
        list(caseload.read_csv(io.StringIO("klantgroep,schoenmaat\nbijstand,42\n"), specs))


def test_the_wage_subsidy_caseload_looks_like_a_caseload(policies: Any) -> None:
    """Two thousand clients: every client group, adult ages, hours and wage costs that go
    together, and the subsidy granted to some but far from all, at its bounded amounts."""
    reg = policies["berkelland"]
    cases = list(synthetic.cases(reg, "loonkostensubsidie", 2000, seed=1, peildatum=PEIL))
    groups = collections.Counter(c["klantgroep"] for c in cases)
    assert set(groups) == set(reg.inputs["klantgroep"].choices)
    assert groups.most_common(1)[0][0] == "bijstand"
    ages = [(PEIL - c["geboortedatum"]).days / 365.25 for c in cases]
    assert min(ages) >= 18 and max(ages) <= 67
    assert all(Decimal(8) <= c["uren_per_week"] <= Decimal(40) for c in cases)
    for c in cases:  # an employer's costs of €14 to €30 an hour, 4.33 weeks a month
        per_hour = c["loonkosten"] / (c["uren_per_week"] * Decimal("4.33"))
        assert Decimal(14) <= per_hour.quantize(Decimal("0.01")) <= Decimal(30)
    granted = [
        r["loonkostensubsidie"]
        for r in (reg.evaluate(c, PEIL, "loonkostensubsidie") for c in cases)
        if r.outcomes["loonkostensubsidie"].status == "bepaald"
    ]
    assert 0.05 < len(granted) / len(cases) < 0.5
    # The general cap and the higher one with a handicap (B.6 lid 2) both occur.
    assert {Decimal("500.00"), Decimal("600.00")} <= set(granted) and max(granted) <= 600


def test_regel_proefbestand_writes_the_caseload_a_user_asked_for(tmp_path: Any) -> None:
    target = tmp_path / "klanten.csv"
    args = ["--regeling", "berkelland", "--besluit", "loonkostensubsidie", "--aantal", "25"]
    proc = run("proefbestand", "policies", *args, "--peildatum", "2008-03-01", "--uit", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "25 verzonnen klanten voor berkelland" in proc.stdout
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 26 and lines[0].startswith("klantgroep,geboortedatum,")
    again = run("proefbestand", "policies", *args, "--peildatum", "2008-03-01", "--uit", "-")
    assert again.stdout.splitlines() == lines  # the same seed, the same clients
    wrong = run("proefbestand", "policies", "--regeling", "berkelland", "--besluit", "x",
                "--uit", str(target))  # fmt: skip
    assert wrong.returncode == 2 and "onbekend besluit 'x'; bekend: " in wrong.stderr
    zero = run("proefbestand", "policies", *args[:4], "--aantal", "0", "--uit", str(target))
    assert zero.returncode == 2 and "'0' is geen aantal" in zero.stderr


def test_the_python_examples_of_docs_bestanden_run(capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    (first,) = [b for b in blocks if "print(klant[" in b]
    (second,) = [b for b in blocks if "evaluate_many" in b]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(first, "docs/bestanden.md", "exec"), {})  # our own docs, not policy text
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 3
        assert all(re.fullmatch(r"[a-z_]+ \d+\.\d\d", line) for line in lines)
        exec(compile(second, "docs/bestanden.md", "exec"), {})
        count, total = capsys.readouterr().out.split()
        assert 50 < int(count) < 500 and Decimal(total) >= 500 * int(count)
    finally:
        os.chdir(cwd)


def test_a_row_the_csv_reader_refuses_is_a_row_error_and_reading_goes_on(policies: Any) -> None:
    """A cell past the csv module's limit (128 kB) is a bad row, not the end of the file."""
    specs = caseload.decision_inputs(policies["berkelland"], "loonkostensubsidie")
    text = "klantgroep,handicap\ngeen," + "x" * 200_000 + "\ngeen,ja\n"
    rows = list(caseload.read_csv(io.StringIO(text), specs))
    assert str(rows[0]).startswith("rij 2: niet te lezen als CSV (field larger than")
    assert rows[1] == (3, {"klantgroep": "geen", "handicap": True}, None)
    with pytest.raises(ValueError, match="de kopregel is niet te lezen als CSV"):
        list(caseload.read_csv(io.StringIO("x" * 200_000 + "\n"), specs))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from('ab,"\n\r\x00 ja1.-:[{}]é'), max_size=200))
def test_any_text_read_as_a_caseload_gives_rows_or_one_dutch_refusal(text: str) -> None:
    """Whatever a file holds: rows, bad rows with their number, or (for an unreadable or
    unknown header) one ValueError; and every row read is refused, if at all, by the input
    check with its Dutch message, never with a Python error."""
    from regel import runtime as rt

    reg = _POLICIES["berkelland"]
    specs = caseload.decision_inputs(reg, "loonkostensubsidie")
    header = ",".join(spec.name for spec in specs) + ",peildatum\n"
    for source in (text, header + text):
        try:
            rows = list(caseload.read_csv(io.StringIO(source), specs))
        except ValueError as err:
            assert str(err).startswith(("onbekende kolom", "de kopregel")), err
            continue
        for row in rows:
            if isinstance(row, caseload.RowError):
                assert str(row).startswith(f"rij {row.row}: ")
                continue
            with contextlib.suppress(rt.EvaluationError):
                reg.coerce_inputs(row[1], reg.decisions["loonkostensubsidie"])
