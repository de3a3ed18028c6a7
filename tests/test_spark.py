"""The decision as Spark SQL (`sparkrun`), from the same sqlglot trees as for DuckDB, against
the Python runtime, on a real Spark in local mode: per decision that lowers, synthetic clients
and hypothesis-generated cells (boundary values, hostile text) give the same status, value and
grondslag, or the same message. A smaller sample than for DuckDB (a Spark query takes a second);
REGEL_SPARK_EXAMPLES sets the examples per decision (1 by default; `make verschiltest` runs 20).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regel.compiler import batch, caseload, loads, sparkrun, synthetic

from .test_sql import (
    DIVISIONS,
    GEMEENTE,
    GROUP_ROWS,
    GROUPS,
    LOWERED,
    POLICY_SET,
    _cell,
    _division_cell,
    _groups,
    _literals,
    _same,
    pa_csv,
    shipped_gevallen,
)

EXAMPLES = int(os.environ.get("REGEL_SPARK_EXAMPLES", "1"))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = sparkrun.session()
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


def _frame(spark: Any, text: str) -> Any:
    from pyspark.sql import types as T

    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = [[number, *cells] for number, cells in enumerate(reader, 2)]
    fields = [T.StructField("rij", T.LongType())]
    fields += [T.StructField(h, T.StringType()) for h in header]
    return spark.createDataFrame(rows, T.StructType(fields))


def _agree(
    spark: Any, rid: str, besluit: str, text: str, day: Any, where: str | None
) -> tuple[int, int]:
    first = POLICY_SET.program.versions[rid][0]
    specs = caseload.decision_inputs(first, besluit)
    got, decided = sparkrun.decide(POLICY_SET, rid, besluit, _frame(spark, text), day, where)
    rows = caseload.read_csv(io.StringIO(text), specs)
    expected = list(batch.decide_rows(first, besluit, rows, day, batch.Summary(), where))
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        for column in batch.columns(first.decision(besluit)):
            if column.endswith("_eenheid") and theirs.get(batch.ERROR):
                continue
            assert _same(mine.get(column)) == _same(theirs.get(column)), (
                f"{rid}.{besluit} rij {theirs[batch.ROW]}, {column}: "
                f"Spark {mine.get(column)!r}, Python {theirs.get(column)!r}"
            )
    return len(expected), decided


@pytest.mark.parametrize(("rid", "besluit"), LOWERED, ids=lambda x: str(x))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_spark_decides_as_the_runtime(spark: Any, rid: str, besluit: str, data: Any) -> None:
    versions = POLICY_SET.program.versions[rid]
    day = versions[-1].valid_from or datetime.date(2020, 1, 1)
    specs = caseload.decision_inputs(versions[0], besluit)
    out = io.StringIO()
    caseload.write_csv(out, specs, synthetic.cases(versions[-1], besluit, 150, 8, day))
    numbers = _literals(rid)
    drawn = data.draw(
        st.lists(st.tuples(*[_cell(spec, numbers, day) for spec in specs]), max_size=60)
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(drawn)
    rows, decided = _agree(spark, rid, besluit, out.getvalue(), day, GEMEENTE.get(rid))
    assert rows == 150 + len(drawn)
    assert decided >= 0.5 * 150 * (0.6 if rid == "berkelland" else 0.5), decided


def test_every_shipped_geval_on_spark(spark: Any) -> None:
    total = in_spark = 0
    for (rid, besluit, where), cases in shipped_gevallen().items():
        specs = caseload.decision_inputs(POLICY_SET.program.versions[rid][0], besluit)
        out = io.StringIO()
        caseload.write_csv(out, specs, cases)
        rows, decided = _agree(spark, rid, besluit, out.getvalue(), None, where)
        total, in_spark = total + rows, in_spark + decided
    assert total >= 150 and in_spark >= 0.6 * total, (in_spark, total)


def test_a_typed_parquet_caseload_on_spark(spark: Any, tmp_path: Path) -> None:
    """DECIMAL, DATE and BOOLEAN columns as Spark reads them from Parquet."""
    from pyspark.sql import functions as F

    version = POLICY_SET.program.versions["berkelland"][0]
    day = datetime.date(2008, 3, 1)
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    cases = list(synthetic.cases(version, "loonkostensubsidie", 500, 12, day))
    path = tmp_path / "klanten.parquet"
    caseload.write_parquet(str(path), specs, cases)
    frame = spark.read.parquet(str(path))
    numbered = frame.withColumn("rij", F.monotonically_increasing_id() + 1)
    got, decided = sparkrun.decide(POLICY_SET, "berkelland", "loonkostensubsidie", numbered, day)
    assert decided == 500
    for row, case in zip(got, cases, strict=True):
        result = POLICY_SET.evaluate("berkelland", case, day, "loonkostensubsidie", trace=False)
        for name, found in result.outcomes.items():
            assert row[f"{name}_status"] == found.status
            assert row[name] == (found.value if found.status == "bepaald" else None)
            assert row[f"{name}_grondslag"] == "; ".join(found.rules)


def test_the_spark_example_of_the_docs_runs(spark: Any, tmp_path: Path) -> None:
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "bestanden.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "sparkrun" in b]
    version = POLICY_SET.program.versions["berkelland"][0]
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    day = datetime.date(2008, 3, 1)
    cases = synthetic.cases(version, "loonkostensubsidie", 300, 1, day)
    caseload.write_parquet(str(tmp_path / "klanten.parquet"), specs, cases)
    # the JVM keeps the folder the session started in: the files by their full name
    example = example.replace('"klanten.parquet"', repr(str(tmp_path / "klanten.parquet")))
    example = example.replace('"uitkomsten"', repr(str(tmp_path / "uitkomsten")))
    example = example.replace('load("policies")', f"load({str(ROOT / 'policies')!r})")
    exec(compile(example, "docs/bestanden.md", "exec"), {})  # our own docs, not policy text
    written = spark.read.parquet(str(tmp_path / "uitkomsten"))
    assert written.count() == 300
    assert set(batch.columns(["loonkostensubsidie"])) <= set(written.columns)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(_division_cell(), min_size=20, max_size=60))
def test_spark_rounds_a_division_as_the_runtime(spark: Any, rows: list[Any]) -> None:
    """A rounded division in whole numbers: Spark's DIV of DECIMAL(38, 0) (it has no 128-bit
    integer) rounds as the runtime and as DuckDB's HUGEINT."""
    from pyspark.sql import types as T

    policies = loads(DIVISIONS)
    day = datetime.date(2011, 6, 1)
    cells = [[i, f"{a:f}", f"{b:f}", f"{c:f}", f"{a:f}"] for i, (a, b, c) in enumerate(rows, 1)]
    fields = [T.StructField("rij", T.LongType())]
    fields += [T.StructField(h, T.StringType()) for h in ("a", "b", "c", "n")]
    frame = spark.createDataFrame(cells, T.StructType(fields))
    got, decided = sparkrun.decide(policies, "t", "delen", frame, day)
    assert decided >= sum(1 for _, b, _ in rows if b) // 2
    table = pa_csv("a,b,c,n\n" + "".join(f"{a:f},{b:f},{c:f},{a:f}\n" for a, b, c in rows))
    python = list(policies.decide_caseload("t", "delen", table, day, engine="python").rows())
    assert got == python


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_spark_counts_and_sums_over_persons_as_the_runtime(spark: Any, data: Any) -> None:
    """A group as JSON read by Spark's from_json, aggregates as higher-order functions
    (filter, transform, aggregate): the fixed rows all in Spark, generated ones alike."""
    from pyspark.sql import types as T

    version = loads(GROUPS).program.versions["t"][0]
    drempel, leden = caseload.decision_inputs(version, "groep")
    day = datetime.date(2011, 6, 1)
    row = st.tuples(_cell(drempel, [Decimal(100)], day), _cell(leden, [Decimal(100)], day))
    rows = GROUP_ROWS + data.draw(st.lists(row, min_size=20, max_size=60))
    schema = T.StructType([T.StructField("rij", T.LongType()),
                           T.StructField("drempel", T.StringType()),
                           T.StructField("leden", T.StringType())])  # fmt: skip
    frame = spark.createDataFrame([(i, d, g) for i, (d, g) in enumerate(rows, 1)], schema)
    got, decided = sparkrun.decide(loads(GROUPS), "t", "groep", frame, day)
    _, python = _groups(rows)
    assert got == list(python.rows())
    assert decided >= len(GROUP_ROWS)


def test_a_folder_of_parquet_files_is_numbered_and_decided_as_in_duckdb(
    spark: Any, tmp_path: Path
) -> None:
    """`regel doorreken --motor spark` as a function: the rows of the files of a folder are
    numbered in the order of their paths, and the result is what DuckDB gives for the same rows
    in one file."""
    import pyarrow.parquet as pq
    from regel.compiler.sqlrun import Run, Source

    version = POLICY_SET.program.versions["berkelland"][0]
    day = datetime.date(2008, 3, 1)
    specs = caseload.decision_inputs(version, "loonkostensubsidie")
    cases = list(synthetic.cases(version, "loonkostensubsidie", 500, 21, day))
    folder = tmp_path / "klanten.parquet"
    folder.mkdir()
    caseload.write_parquet(str(folder / "b.parquet"), specs, cases[300:])
    caseload.write_parquet(str(folder / "a.parquet"), specs, cases[:300])
    whole = tmp_path / "alles.parquet"
    caseload.write_parquet(str(whole), specs, cases)
    target = tmp_path / "uit.parquet"
    decided = sparkrun.decide_parquet(POLICY_SET, "berkelland", "loonkostensubsidie",
                                      str(folder), str(target), day, spark=spark)  # fmt: skip
    assert decided == 500
    mine = pq.read_table(target).sort_by("rij").to_pylist()
    duck = Run(POLICY_SET, "berkelland", "loonkostensubsidie", Source.of(str(whole)), day)
    assert mine == duck.arrow().to_pylist()


def test_regel_doorreken_on_spark_as_a_user_runs_it(tmp_path: Path) -> None:
    from .test_cli import run

    clients = tmp_path / "klanten.parquet"
    common = ["policies", "--regeling", "berkelland", "--besluit", "loonkostensubsidie",
              "--peildatum", "2008-03-01"]  # fmt: skip
    made = run("proefbestand", *common, "--aantal", "300", "--uit", str(clients))
    assert made.returncode == 0, made.stderr
    spark = run("doorreken", *common, "--invoer", str(clients), "--motor", "spark",
                "--uit", str(tmp_path / "spark.parquet"))  # fmt: skip
    assert spark.returncode == 0, spark.stderr
    assert spark.stdout.endswith("In Spark beslist: 300 van 300 rijen.\n"), spark.stdout
    duck = run("doorreken", *common, "--invoer", str(clients), "--uit", str(tmp_path / "d.csv"))
    # the same summary, line for line, as DuckDB gives for the same caseload
    assert spark.stdout.splitlines()[:-1] == duck.stdout.splitlines()[:-1]
    damaged = tmp_path / "kapot.parquet"
    damaged.write_bytes(b"geen parquet")
    refused = run("doorreken", *common, "--invoer", str(damaged), "--motor", "spark",
                  "--uit", str(tmp_path / "k.parquet"))  # fmt: skip
    assert refused.returncode == 2 and "regel: fout: " in refused.stderr
    assert f"{damaged}: Spark: " in refused.stderr
