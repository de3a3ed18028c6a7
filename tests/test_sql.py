"""The decision as SQL in DuckDB (`regel doorreken --motor duckdb`) against the Python runtime:
every shipped geval, seeded synthetic caseloads and hypothesis-generated cells (boundary values
and hostile text) give, row by row, the same status, value (compared as numbers) and grondslag,
or the same Dutch message. Each test also asserts that SQL itself decided a real share of the
rows, so that handing everything to the runtime cannot pass for agreement.

REGEL_SQL_CASES sets the synthetic rows per decision (10.000 by default), REGEL_SQL_EXAMPLES the
hypothesis examples of 50 to 150 rows (5 by default; `make verschiltest` runs 100, some 10.000
generated rows per decision).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler import batch, caseload, load, loads, synthetic
from regel.compiler.cases import case_inputs
from regel.compiler.diagnostics import render_all
from regel.compiler.sql import NotInSql
from regel.compiler.sqlrun import Run, Source, refusals

from .conftest import HEADER, POLICIES, ROOT
from .test_cli import run

GOLDEN = Path(__file__).parent / "sql"
CASES = int(os.environ.get("REGEL_SQL_CASES", "10000"))
EXAMPLES = int(os.environ.get("REGEL_SQL_EXAMPLES", "5"))  # of 50 to 150 rows each
POLICY_SET = load(POLICIES)
DECISIONS = [
    (rid, besluit)
    for rid, versions in POLICY_SET.program.versions.items()
    for besluit in versions[0].decisions
]
LOWERED = [(r, b) for r, b in DECISIONS if not refusals(POLICY_SET, r, b)]
# A national law whose norm each gemeente fills, and a verordening that reads it: decided for
# the gemeente that fills it.
GEMEENTE = {"voorbeeldwet": "GM9998", "voorbeeld": "GM9998"}


def _python(rid: str, besluit: str, path: Path, day: Any, gemeente: Any) -> list[dict[str, Any]]:
    first = POLICY_SET.program.versions[rid][0]
    specs = caseload.decision_inputs(first, besluit)
    with path.open(encoding="utf-8", newline="") as source:
        rows = caseload.read_csv(source, specs)
        return list(batch.decide_rows(first, besluit, rows, day, batch.Summary(), gemeente))


def _same(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return None if value == "" else value


def agree(
    rid: str, besluit: str, path: Path, day: Any = None, gemeente: Any = None
) -> tuple[int, int]:
    """Decide a CSV caseload both ways and assert every cell agrees; (rows, decided in SQL)."""
    sql = Run(POLICY_SET, rid, besluit, Source("csv", str(path)), day, gemeente)
    got = list(sql.rows())
    expected = _python(rid, besluit, path, day, gemeente)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        for column in batch.columns(sql.outcomes):
            if column.endswith("_eenheid") and theirs.get(batch.ERROR):
                continue  # a refused row has no unit on the Python path
            assert _same(mine.get(column)) == _same(theirs.get(column)), (
                f"{rid}.{besluit} rij {theirs[batch.ROW]}, {column}: "
                f"SQL {mine.get(column)!r}, Python {theirs.get(column)!r}"
            )
    assert sql.summary.rows == len(expected)
    return len(expected), sql.decided_in_sql


def test_every_shipped_decision_lowers_to_sql() -> None:
    assert set(LOWERED) == set(DECISIONS), {d: refusals(POLICY_SET, *d) for d in DECISIONS}


def shipped_gevallen() -> dict[tuple[str, str, str | None], list[dict[str, Any]]]:
    """The shipped gevallen of the decisions SQL takes (not from partial input), per
    regulation, besluit and gemeente, each with its peildatum."""
    groups: dict[tuple[str, str, str | None], list[dict[str, Any]]] = {}
    for case_file in POLICY_SET.cases:
        for case in case_file.cases:
            rid = case_file.regulation
            if case.partial or case.decision is None or (rid, case.decision) not in LOWERED:
                continue
            if case.peildatum is None:
                continue
            # a geval outside every version's period stays in: the runtime says why
            versions = POLICY_SET.program.versions[rid]
            version = POLICY_SET.program.in_force(rid, case.peildatum) or versions[0]
            inputs, day, besluit = case_inputs(case, version)
            where = case.gemeente[0] if case.gemeente else None
            groups.setdefault((rid, besluit or "", where), []).append({**inputs, "peildatum": day})
    return dict(sorted(groups.items(), key=str))


def test_every_shipped_geval_is_decided_alike(tmp_path: Path) -> None:
    total = in_sql = 0
    for number, ((rid, besluit, where), cases) in enumerate(shipped_gevallen().items()):
        specs = caseload.decision_inputs(POLICY_SET.program.versions[rid][0], besluit)
        path = tmp_path / f"gevallen{number}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            caseload.write_csv(out, specs, cases)
        rows, decided = agree(rid, besluit, path, None, where)
        total, in_sql = total + rows, in_sql + decided
    assert total >= 150  # of the shipped gevallen: those of decisions SQL takes, not partial
    assert in_sql >= 0.6 * total, f"SQL beslist {in_sql} van {total}"


@pytest.mark.parametrize(("rid", "besluit"), LOWERED, ids=lambda x: str(x))
def test_a_synthetic_caseload_is_decided_alike(rid: str, besluit: str, tmp_path: Path) -> None:
    version = POLICY_SET.program.versions[rid][-1]
    day = version.valid_from or datetime.date(2020, 1, 1)
    specs = caseload.decision_inputs(version, besluit)
    path = tmp_path / "klanten.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        caseload.write_csv(out, specs, synthetic.cases(version, besluit, CASES, 5, day))
    rows, decided = agree(rid, besluit, path, day, GEMEENTE.get(rid))
    assert rows == CASES
    # SQL takes the rows whose conditions it can settle; the runtime the rest
    assert decided >= 0.5 * rows, f"SQL beslist {decided} van {rows}"


# ---------------------------------------------------------------- generated cells


def _literals(rid: str) -> list[Decimal]:
    """The numbers a regulation writes: thresholds worth probing at and around."""
    from regel.compiler import nodes as n

    found: set[Decimal] = set()
    for info in POLICY_SET.analysis.of(rid):
        for r in (r for rules in info.precedence.values() for r in rules):
            for e in (r.node.condition, r.node.value):
                for x in n.walk(e) if e is not None else ():
                    if isinstance(x, n.Number | n.Money):
                        found.add(x.value)
    return sorted(found)


HOSTILE = ["", " ", "onbekend", "1e3", "12345678901234567", "0.00001", "-0", " 7", "7 ", "NaN",
           "ja ", "2020-02-30", "24:00", "1,5", "\x00", "0001-01-01", "9999-12-31"]  # fmt: skip


def _cell(spec: Any, numbers: list[Decimal], day: datetime.date) -> st.SearchStrategy[str]:
    hostile = st.sampled_from(HOSTILE)
    kind = spec.kind
    if kind == "persons":
        persons = st.lists(_person(spec, numbers, day), max_size=6)
        good = st.tuples(persons, st.sampled_from([", ", ",", " ,\n "])).map(
            lambda t: "[" + t[1].join(t[0]) + "]"
        )
        hostile = st.sampled_from([*HOSTILE, "{}", "[", "[{]", "[1]", '[{"x": 1}]', "null", "[[]]"])
        return st.one_of(good, good, good, hostile)
    if kind == "bool":
        good = st.sampled_from(["ja", "nee", "JA", "Nee", "true", "false"])
    elif kind == "num":
        near = st.sampled_from(numbers or [Decimal(0)]).flatmap(
            lambda v: st.sampled_from([v, v - 1, v + 1, v - Decimal("0.01"), v + Decimal("0.01")])
        )
        plain = st.decimals(-(10**6), 10**6, places=2, allow_nan=False, allow_infinity=False)
        whole = st.integers(-5, 200).map(Decimal)
        good = st.one_of(near, plain, whole).map(lambda v: f"{v:f}")
    elif kind == "date":
        years = st.integers(0, 100)
        near_age = st.tuples(years, st.integers(-2, 2)).map(
            lambda t: _years_before(day, t[0]) + datetime.timedelta(days=t[1])
        )
        good = st.one_of(near_age, st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)))
        good = good.map(datetime.date.isoformat)
    elif kind == "clock":
        good = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(
            lambda t: f"{t[0]:02}:{t[1]:02}"
        )
    elif kind == "choice":
        good = st.sampled_from(spec.choices)
    else:
        good = st.sampled_from(["tekst", "een naam", "é"])
    return st.one_of(good, good, good, hostile)


# A value of one person as JSON text: well-formed or not, of the right kind or not.
_JSON_HOSTILE = ["null", '""', '" 7"', "007", "1e3", "-0", "0.00001", "12345678901", "1.5e-3",
                 '"\\u0041"', '"a\\"b"', "[]", "{}", "NaN", "tru", '"ja"', "1,5"]  # fmt: skip


def _person(spec: Any, numbers: list[Decimal], day: datetime.date) -> st.SearchStrategy[str]:
    """One person as a JSON object: the declared gegevens in order, or shuffled, left out,
    twice, with a key too many, numbers as JSON numbers or text."""
    import json

    def value(f: Any) -> st.SearchStrategy[str]:
        if f.kind == "bool":
            good = st.sampled_from(["true", "false"])
        elif f.kind == "num":
            text = _cell(f, numbers, day)
            good = st.one_of(text.map(json.dumps), text.filter(_json_number))
        else:
            good = _cell(f, numbers, day).map(lambda t: json.dumps(t, ensure_ascii=False))
        return st.one_of(good, good, good, st.sampled_from(_JSON_HOSTILE))

    pairs = st.tuples(*[st.tuples(st.just(f.name), value(f)) for f in spec.fields])
    return st.tuples(
        pairs,
        st.lists(st.booleans(), min_size=len(spec.fields), max_size=len(spec.fields)),
        st.sampled_from(["as is", "as is", "shuffled", "twice", "extra"]),
        st.randoms(use_true_random=False),
    ).map(lambda t: _object(*t))


def _json_number(text: str) -> bool:
    import re

    return re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", text) is not None


def _object(pairs: tuple[tuple[str, str], ...], keep: list[bool], how: str, rng: Any) -> str:
    kept = [pair for pair, k in zip(pairs, keep, strict=True) if k or how == "as is"]
    if how == "shuffled":
        rng.shuffle(kept)
    elif how == "twice" and kept:
        kept.append(kept[0])
    elif how == "extra":
        kept.insert(rng.randrange(len(kept) + 1), ("onbekend", "1"))
    return "{" + ", ".join(f'"{k}": {v}' for k, v in kept) + "}"


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@pytest.mark.parametrize(("rid", "besluit"), LOWERED, ids=lambda x: str(x))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_cells_are_decided_alike(
    rid: str, besluit: str, data: Any, tmp_path: Path
) -> None:
    versions = POLICY_SET.program.versions[rid]
    day = versions[-1].valid_from or datetime.date(2020, 1, 1)
    specs = caseload.decision_inputs(versions[0], besluit)
    numbers = _literals(rid)
    days = st.sampled_from([v.valid_from or day for v in versions]).map(datetime.date.isoformat)
    row = st.tuples(*[_cell(spec, numbers, day) for spec in specs], days)
    rows = data.draw(st.lists(row, min_size=50, max_size=150))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([spec.name for spec in specs] + ["peildatum"])
    writer.writerows(rows)
    path = tmp_path / f"cellen{abs(hash(text.getvalue()))}.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    agree(rid, besluit, path, None, GEMEENTE.get(rid))


# ---------------------------------------------------------------- formats and the CLI


def test_a_typed_parquet_caseload_gives_what_the_runtime_gives(tmp_path: Path) -> None:
    version = POLICY_SET.program.versions["berkelland"][0]
    day = datetime.date(2008, 3, 1)
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    cases = list(synthetic.cases(version, "loonkostensubsidie", 3000, 9, day))
    path = tmp_path / "klanten.parquet"
    caseload.write_parquet(str(path), specs, cases)
    sql = Run(POLICY_SET, "berkelland", "loonkostensubsidie", Source.of(str(path)), day)
    assert sql.decided_in_sql == 3000
    for row, case in zip(sql.rows(), cases, strict=True):
        result = POLICY_SET.evaluate("berkelland", case, day, "loonkostensubsidie", trace=False)
        for name, found in result.outcomes.items():
            assert row[f"{name}_status"] == found.status
            assert row[name] == (found.value if found.status == "bepaald" else None)
            assert row[f"{name}_grondslag"] == "; ".join(found.rules)
    table = sql.arrow()
    assert table.num_rows == 3000 and table.schema.field("loonkostensubsidie").type.scale == 2


def test_regel_doorreken_from_and_to_parquet_csv_and_duckdb(tmp_path: Path) -> None:
    clients = tmp_path / "klanten.parquet"
    made = run("proefbestand", "policies", "--regeling", "berkelland", "--besluit",
               "loonkostensubsidie", "--aantal", "500", "--uit", str(clients))  # fmt: skip
    assert made.returncode == 0, made.stderr
    common = ["doorreken", "policies", "--regeling", "berkelland", "--besluit",
              "loonkostensubsidie", "--peildatum", "2008-03-01"]  # fmt: skip
    to_parquet = run(*common, "--invoer", str(clients), "--uit", str(tmp_path / "uit.parquet"))
    assert to_parquet.returncode == 0, to_parquet.stderr
    assert "In SQL (DuckDB) beslist: 500 van 500 rijen." in to_parquet.stdout
    database = f"{tmp_path / 'gemeente.duckdb'}:uitkomsten"
    assert run(*common, "--invoer", str(clients), "--uit", database).returncode == 0
    in_sql = run(*common, "--invoer", str(clients), "--uit", "-")
    in_python = run(*common, "--invoer", str(clients), "--uit", "-", "--motor", "python")
    assert in_sql.returncode == in_python.returncode == 0
    assert in_sql.stdout == in_python.stdout  # amounts in cents: the same text, cell by cell
    import duckdb

    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM '{tmp_path / 'uit.parquet'}' ORDER BY rij").fetchall()
    con.execute(f"ATTACH '{tmp_path / 'gemeente.duckdb'}' AS g")
    table = con.execute("SELECT * FROM g.uitkomsten ORDER BY rij").fetchall()
    assert parquet == table and len(parquet) == 500
    why = run(*common, "--invoer", str(clients), "--motivering", "3")
    assert why.returncode == 0 and "Uitkomsten:" in why.stdout
    nowhere = run(*common, "--invoer", str(clients), "--uit", str(tmp_path / "nee" / "x.parquet"))
    assert (
        nowhere.returncode == 2 and "de map" in nowhere.stderr and "bestaat niet" in nowhere.stderr
    )


DIVISIONS = (
    HEADER
    + """gegevens
  a: bedrag
  b: getal
  c: bedrag
  n: getal
uitkomsten
  omlaag: bedrag
  omhoog: bedrag
  half: bedrag
  heel: bedrag
  stuks: getal
besluit delen: omlaag, omhoog, half, heel, stuks
artikel 1
  tekst "Delen"
  regel r_omlaag
    omlaag is a / b afgerond op centen naar beneden
  regel r_omhoog
    omhoog is c - a / b afgerond op centen naar boven
  regel r_half
    half is c + a × b / (b + 3) - € 3,00 afgerond op centen half naar boven
  regel r_heel
    heel is a / b afgerond op hele euro half naar boven
  regel r_stuks
    stuks is n / b afgerond op hele getallen naar beneden
"""
)


def _division_cell() -> st.SearchStrategy[tuple[Decimal, Decimal, Decimal]]:
    """a, b, c: plain values, and a that is b times a multiple of half a cent (the ties)."""
    number = st.one_of(
        st.decimals(-(10**6), 10**6, places=2, allow_nan=False, allow_infinity=False),
        st.decimals(-100, 100, places=4, allow_nan=False, allow_infinity=False),
        st.sampled_from([Decimal(0), Decimal(3), Decimal(-7), Decimal("0.0001")]),
    )
    tie = st.tuples(number, st.integers(-(10**6), 10**6), number).map(
        lambda t: ((t[0] * t[1] / 200).quantize(Decimal("0.0001")), t[0], t[2])
    )
    return st.one_of(st.tuples(number, number, number), tie)


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(_division_cell(), min_size=20, max_size=100))
def test_a_rounded_division_is_rounded_as_the_runtime_rounds(rows: list[Any]) -> None:
    """Each rounding, of a quotient alone and within a sum, ties and negatives, and a divisor
    that is 0 (the runtime's R701): SQL reckons exactly in whole numbers, and agrees."""
    policies = loads(DIVISIONS)
    day = datetime.date(2011, 6, 1)
    text = "a,b,c,n\n" + "".join(f"{a:f},{b:f},{c:f},{a:f}\n" for a, b, c in rows)
    table = pa_csv(text)
    sql = Run(policies, "t", "delen", Source("arrow", table=table), day)
    # SQL decides itself what is well within its input limit (`division_scale`: larger values
    # go to the runtime, as a divisor 0 does)
    small = [r for r in rows if r[1] and all(abs(x) < 1000 for x in r)]
    assert sql.decided_in_sql >= len(small) // 2
    python = policies.decide_caseload("t", "delen", table, day, engine="python")
    assert list(sql.rows()) == list(python.rows())


GROUPS = (
    HEADER
    + """gegevens
  drempel: bedrag "De drempel" standaard onbepaald
  leden: personen "De leden" standaard onbepaald
    inkomen: bedrag "Inkomen" standaard € 0
    werkt: ja/nee "Werkt" standaard nee
uitkomsten
  tel: getal
  totaal: bedrag
  top: bedrag
  bodem: bedrag
  allen: ja/nee
  sommigen: ja/nee
besluit groep: tel, totaal, top, bodem, allen, sommigen
artikel 1
  tekst "Groep"
  begrip boven "Meer dan de drempel" voor ieder in leden: inkomen meer dan drempel
  regel r_tel
    tel is het aantal in leden waarvoor boven
  regel r_totaal
    totaal is de som van inkomen in leden waarvoor werkt
  regel r_top
    top is het hoogste inkomen in leden waarvoor werkt
  regel r_bodem
    bodem is het laagste inkomen in leden waarvoor boven
  regel r_allen
    allen is ieder in leden voldoet aan (boven of werkt)
  regel r_sommigen
    sommigen is enig in leden voldoet aan boven
"""
)
# Each aggregate when the condition of one person is onbepaald (no drempel), over nobody, and
# when the group itself is not given; a number as JSON number and as text.
GROUP_ROWS = [
    ("100", '[{"inkomen": "50", "werkt": true}, {"inkomen": "150"}]'),
    ("", '[{"inkomen": "50", "werkt": true}, {"inkomen": "150"}]'),
    ("", "[]"),
    ("10", ""),
    ("", '[{"inkomen": "50", "werkt": false}]'),
    ("20", '[{"inkomen": 50.25, "werkt": true}, {"werkt": false}]'),
]


def _groups(rows: list[tuple[str, str]]) -> tuple[Any, Any]:
    import pyarrow as pa

    policies = loads(GROUPS)
    table = pa.Table.from_pylist([{"drempel": d, "leden": g} for d, g in rows])
    day = datetime.date(2011, 6, 1)
    sql = Run(policies, "t", "groep", Source("arrow", table=table), day)
    return sql, policies.decide_caseload("t", "groep", table, day, engine="python")


def test_counts_and_sums_over_persons_are_decided_in_sql_as_the_runtime_does() -> None:
    sql, python = _groups(GROUP_ROWS)
    assert sql.decided_in_sql == len(GROUP_ROWS)
    assert list(sql.rows()) == list(python.rows())
    second = list(sql.rows())[1]  # one person above an unknown drempel, one working below it
    assert (second["tel_status"], second["totaal"], second["allen_status"]) == (
        "onbepaald", Decimal(50), "onbepaald"
    )  # fmt: skip


@settings(max_examples=max(EXAMPLES, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_groups_are_decided_alike(data: Any) -> None:
    """Persons as JSON in every shape (keys shuffled, twice, unknown, escapes, numbers as JSON
    numbers): what SQL takes it decides as the runtime does, the rest goes to the runtime."""
    version = loads(GROUPS).program.versions["t"][0]
    drempel, leden = caseload.decision_inputs(version, "groep")
    day = datetime.date(2011, 6, 1)
    row = st.tuples(_cell(drempel, [Decimal(100)], day), _cell(leden, [Decimal(100)], day))
    sql, python = _groups(data.draw(st.lists(row, min_size=20, max_size=60)))
    assert list(sql.rows()) == list(python.rows())


# An outcome with an exception: its rules whose condition does not hold are the reasons as
# codes, in both engines, whether an exception applied or not; none when it is onbepaald.
REASONS = (
    HEADER
    + """gegevens
  a: ja/nee
  b: ja/nee
  c: ja/nee standaard onbepaald
  d: bedrag standaard onbepaald
uitkomsten
  x: bedrag standaard € 0
besluit reden: x
artikel 1
  tekst "Regel"
  regel gewoon
    x is € 10
    als a
  regel ander
    x is € 20
    als b en a
artikel 2
  tekst "Uitzondering"
  regel uitzondering
    in afwijking van artikel 1
    x is d
    als c
"""
)


def test_the_rules_whose_condition_does_not_hold_are_the_reasons_of_a_row() -> None:
    import pyarrow as pa

    policies = loads(REASONS)
    rows = [
        {"a": "ja", "b": "nee", "c": "nee", "d": ""},  # gewoon applies
        {"a": "nee", "b": "nee", "c": "nee", "d": ""},  # none applies: the standaard
        {"a": "nee", "b": "ja", "c": "ja", "d": "5"},  # the exception, over rules that fail
        {"a": "ja", "b": "ja", "c": "ja", "d": "5"},  # the exception sets both aside
        {"a": "nee", "b": "nee", "c": "ja", "d": ""},  # the exception with d onbepaald
    ]
    table = pa.Table.from_pylist(rows)
    day = datetime.date(2011, 6, 1)
    sql = Run(policies, "t", "reden", Source("arrow", table=table), day)
    python = policies.decide_caseload("t", "reden", table, day, engine="python")
    assert sql.decided_in_sql == len(rows)
    got = list(sql.rows())
    assert got == list(python.rows())
    assert [r["x_niet_vervuld"] for r in got] == [
        "uitzondering; ander", "uitzondering; gewoon; ander", "gewoon; ander", "", ""
    ]  # fmt: skip
    assert [r["x_status"] for r in got][-1] == "onbepaald"
    # each code is a rule the motivation of that row names as not applied
    for row, case in zip(got, rows, strict=True):
        inputs = {k: v == "ja" if k != "d" else Decimal(v) for k, v in case.items() if v}
        result = policies.evaluate("t", inputs, day, "reden", trace=True)
        text = result.text()
        for code in filter(None, row["x_niet_vervuld"].split("; ")):
            assert f"(regel {code}) is niet toegepast" in text, (code, text)


def test_an_amount_as_text_is_summed_exactly(tmp_path: Path) -> None:
    """The precariobelasting may be wider than DECIMAL(38): it stands as text, and the summary
    still gives its exact sum, lowest and highest (no spread), for every engine alike."""
    day = datetime.date(2020, 6, 1)
    version = POLICY_SET.version("voorbeeld_precario", day)
    cases = list(synthetic.cases(version, "aanslag", 400, 4, day))
    path = tmp_path / "terrassen.parquet"
    caseload.write_parquet(str(path), caseload.decision_inputs(version, "aanslag"), cases)
    values = [
        POLICY_SET.evaluate("voorbeeld_precario", case, day, "aanslag", trace=False).outcomes[
            "precariobelasting"
        ]
        for case in cases
    ]
    decided = [v.value for v in values if v.status == "bepaald"]
    assert decided
    for engine in ("duckdb", "python"):
        run = POLICY_SET.decide_caseload(
            "voorbeeld_precario", "aanslag", str(path), day, engine=engine
        )
        assert run.value_types["precariobelasting"] == "VARCHAR"
        summary = run.summary
        assert summary.sums["precariobelasting"] == sum(decided)
        assert summary.lowest["precariobelasting"] == min(decided)
        assert summary.highest["precariobelasting"] == max(decided)
        assert "precariobelasting" not in summary.spread


def test_a_sum_of_quotients_keeps_every_digit() -> None:
    """An unrounded quotient has 40 digits; its sum over a caseload is exact, in the summary of
    `regel doorreken` and of the service's batch alike (not the 28 digits of Python's default)."""
    import pyarrow as pa
    from regel.compiler.service import create_app
    from regel.runtime import EXACT

    from .test_service import Server

    text = HEADER + (
        "gegevens\n  a: bedrag\n  b: getal\nuitkomsten\n  q: bedrag\nbesluit delen: q\n"
        'artikel 1\n  tekst "Delen"\n  regel r\n    q is a / b\n'
    )
    policies = loads(text, "delen.regel")
    day = datetime.date(2011, 6, 1)
    cases = [{"a": "10", "b": "3"}, {"a": "1", "b": "7"}, {"a": "2", "b": "0"}]
    values = [
        policies.evaluate("t", {"a": Decimal(c["a"]), "b": Decimal(c["b"])}, day, "delen")["q"]
        for c in cases[:2]
    ]
    exact = EXACT.add(values[0], values[1])
    assert len(exact.as_tuple().digits) > 28
    run = policies.decide_caseload("t", "delen", pa.Table.from_pylist(cases), day, engine="python")
    assert run.summary.sums["q"] == exact and run.summary.errors == 1
    with Server(create_app(policies)) as server:
        status, answer = server.post(
            "/regelingen/t/besluiten/delen/bestand", {"peildatum": "2011-06-01", "gevallen": cases}
        )
    assert status == 200, answer
    assert Decimal(answer["samenvatting"]["sommen"]["q"]) == exact


def pa_csv(text: str) -> Any:
    import pyarrow as pa

    reader = csv.DictReader(io.StringIO(text))
    return pa.Table.from_pylist(list(reader))


def test_a_decision_sql_cannot_take_is_refused_with_where_and_why(tmp_path: Path) -> None:
    """No silent fallback: R790 names the construct and its place (golden)."""
    policy = tmp_path / "delen.regel"
    policy.write_text(
        DIVISIONS.replace("omlaag is a / b afgerond op centen naar beneden", "omlaag is a / b"),
        encoding="utf-8",
    )
    clients = tmp_path / "aanvragen.csv"
    clients.write_text("a,b,c,n\n4,3,6,1\n")
    common = ["doorreken", str(policy), "--regeling", "t", "--besluit", "delen",
              "--invoer", str(clients), "--peildatum", "2011-06-01", "--uit", "-"]  # fmt: skip
    proc = run(*common)
    assert proc.returncode == 1 and proc.stdout == ""
    text = proc.stderr.replace(f"{tmp_path}/", "")
    golden = GOLDEN / "R790_deling.txt"
    if os.environ.get("REGEL_GOLDEN_UPDATE"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    shown = "".join(text.splitlines(keepends=True)[:4])  # the docs show the message as it is
    assert shown in (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    python = run(*common, "--motor", "python")
    assert python.returncode == 0 and "1.333333333333333333333333333333333333333,bepaald" in (
        python.stdout
    )


def test_refusals_render_as_every_diagnostic_does(tmp_path: Path) -> None:
    unrounded = DIVISIONS.replace(
        "omlaag is a / b afgerond op centen naar beneden", "omlaag is a / b"
    )
    policies = loads(unrounded, "delen.regel")
    text = render_all(refusals(policies, "t", "delen"), policies.sources)
    assert "fout[R790]" in text and "een deling zonder afronding kan niet in SQL" in text
    assert text.startswith("delen.regel:")
    path = tmp_path / "aanvragen.csv"
    path.write_text("a,b,c,n\n", encoding="utf-8")
    with pytest.raises(NotInSql):
        Run(policies, "t", "delen", Source.of(str(path)))


def test_the_python_api_takes_an_arrow_table_and_gives_one() -> None:
    import pyarrow as pa

    version = POLICY_SET.program.versions["berkelland"][0]
    day = datetime.date(2008, 3, 1)
    cases = list(synthetic.cases(version, "loonkostensubsidie", 500, 4, day))
    table = pa.Table.from_pylist(cases)
    done = POLICY_SET.decide_caseload("berkelland", "loonkostensubsidie", table, day)
    result = done.arrow()
    assert result.column("rij").to_pylist() == list(range(1, 501))
    python = POLICY_SET.decide_caseload(
        "berkelland", "loonkostensubsidie", table, day, engine="python"
    )
    assert python.arrow().equals(result) and done.decided_in_sql == 500
    assert done.summary.rows == 500 and done.summary.sums == python.summary.sums


@pytest.mark.parametrize(
    ("rid", "besluit", "at_once"),
    [("berkelland", "loonkostensubsidie", True), ("berkelland", "lening_rijbewijs", False)],
)
def test_straight_into_parquet_or_the_long_way_the_file_is_the_same(
    rid: str, besluit: str, at_once: bool, tmp_path: Path
) -> None:
    """A query that decides every row writes the file in one pass; one that hands rows to the
    runtime stops, and the long way writes what the Python engine writes."""
    import pyarrow.parquet as pq

    version = POLICY_SET.program.versions[rid][0]
    day = datetime.date(2008, 3, 1)
    specs = caseload.decision_inputs(version, besluit)
    source = tmp_path / "klanten.parquet"
    caseload.write_parquet(str(source), specs, synthetic.cases(version, besluit, 2000, 6, day))
    fast = str(tmp_path / "snel.parquet")
    run = POLICY_SET.decide_caseload(rid, besluit, str(source), day, target=fast)
    assert run.written == fast and run.summary.rows == 2000  # written, either way
    assert (run.decided_in_sql == 2000) is at_once
    python = POLICY_SET.decide_caseload(rid, besluit, str(source), day, engine="python")
    python.write(str(tmp_path / "python.parquet"))
    mine, theirs = pq.read_table(fast), pq.read_table(tmp_path / "python.parquet")
    assert mine.column_names == theirs.column_names
    assert mine.to_pylist() == theirs.to_pylist()
    assert run.summary.statuses == python.summary.statuses


def test_the_python_example_of_the_docs_runs(tmp_path: Path, capsys: Any) -> None:
    import re

    text = (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    (example,) = [
        b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "decide_caseload" in b
    ]
    version = POLICY_SET.program.versions["berkelland"][0]
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    day = datetime.date(2008, 3, 1)
    cases = synthetic.cases(version, "loonkostensubsidie", 1000, 1, day)
    caseload.write_parquet(str(tmp_path / "klanten.parquet"), specs, cases)
    (tmp_path / "policies").symlink_to(ROOT / "policies")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(example, "docs/bestanden.md", "exec"), {})  # our own docs, not policy text
    finally:
        os.chdir(cwd)
    total, in_sql = capsys.readouterr().out.split()
    assert Decimal(total) > 0 and in_sql == "1000"
    assert (tmp_path / "uitkomsten.parquet").stat().st_size > 0


def test_the_summary_says_how_amounts_spread() -> None:
    """The spread of an amount: at each point p of the way up a value that was decided, with at
    least p of the values at or below it and at least 1 - p at or above; the same whichever
    engine decided the rows, and in the summary's Dutch text."""
    version = POLICY_SET.program.versions["berkelland"][0]
    day = datetime.date(2008, 3, 1)
    cases = list(synthetic.cases(version, "loonkostensubsidie", 2000, 5, day))
    import pyarrow as pa

    table = pa.Table.from_pylist(cases)
    runs = [
        POLICY_SET.decide_caseload("berkelland", "loonkostensubsidie", table, day, engine=engine)
        for engine in ("duckdb", "python")
    ]
    spread = runs[0].summary.spread["loonkostensubsidie"]
    assert spread == runs[1].summary.spread["loonkostensubsidie"]
    values = sorted(
        row["loonkostensubsidie"]
        for row in runs[0].rows()
        if row["loonkostensubsidie_status"] == "bepaald"
    )
    assert len(values) > 100 and spread == sorted(spread)  # most get the maximum
    for p, v in zip(batch.SPREAD, spread, strict=True):
        assert v in values
        assert sum(x <= v for x in values) >= p * len(values)
        assert sum(x >= v for x in values) >= (1 - p) * len(values)
    text = batch.summary_text(runs[0].summary, runs[0].regulation, "loonkostensubsidie")
    assert f"mediaan € {spread[2]:.2f}".replace(".", ",") in text.replace(".", ",")
