"""A decision over a caseload on Apache Spark: the query of `sql.py`, rendered in the Spark SQL
dialect from the same sqlglot trees as for DuckDB, for caseloads beyond one machine.

Spark must reckon as the runtime does: exact DECIMAL (`allowPrecisionLoss` off, so a result that
does not fit is an error rather than rounded), dates in the proleptic Gregorian calendar, UTC.
The rows the query hands over (`_python`) are decided by the Python runtime on the workers
(`mapPartitions`, row by row as they stream past: never all of them in one place), each worker
loading the policies once from the sources the driver holds; on a cluster, regel must be
installed on the workers.

pyspark is an optional dependency (`pip install regel[spark]`, and Java 17 or newer).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from . import batch, caseload
from .sql import PYTHON, ROW, day_of
from .sqlrun import _case, lower, numbers_again, text_numbers
from .sqlrun import output_types as all_output_types
from .sqlrun import value_types as output_types

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from .api import Policies

# Spark's settings for a decision to mean what it means in the runtime.
SETTINGS = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
}


def session(master: str = "local[2]") -> SparkSession:
    """A Spark session with the settings above (local mode unless a master is given)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("regel")
    # the workers decide the rows the query hands over: with this Python, which has regel
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    quiet = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # A session that decides many caseloads keeps little of each query it ran: Spark's
        # default (the last thousand, each with its plan) filled a 1 GB heap in a long test.
        "spark.sql.ui.retainedExecutions": "20",
        "spark.ui.retainedJobs": "20",
        "spark.ui.retainedStages": "20",
        "spark.driver.memory": "2g",
    }
    for key, value in {**SETTINGS, **quiet}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("FATAL")  # what fails reaches the caller as an exception
    for key, value in SETTINGS.items():  # an existing session takes them too
        spark.conf.set(key, value)
    return spark


def _type_name(spark_type: Any) -> str:
    """A Spark column type as the lowering names types (DuckDB's names)."""
    from pyspark.sql import types as T

    if isinstance(spark_type, T.StringType):
        return "VARCHAR"
    if isinstance(spark_type, T.DecimalType):
        return f"DECIMAL({spark_type.precision},{spark_type.scale})"
    named = {T.BooleanType: "BOOLEAN", T.DateType: "DATE", T.LongType: "BIGINT",
             T.IntegerType: "INTEGER", T.ShortType: "SMALLINT", T.ByteType: "TINYINT"}  # fmt: skip
    for kind, name in named.items():
        if isinstance(spark_type, kind):
            return name
    return spark_type.simpleString().upper()  # DOUBLE, TIMESTAMP, …: not taken as a number


def decide_frame(
    policies: Policies,
    regulation: str,
    besluit: str,
    caseload_frame: DataFrame,
    peildatum: datetime.date | None = None,
    gemeente: str | None = None,
) -> DataFrame:
    """The result rows of a caseload (a DataFrame with a column `rij`) as a DataFrame with the
    columns of `regel doorreken`."""
    return _decide(policies, regulation, besluit, caseload_frame, peildatum, gemeente)[0]


def _decide(
    policies: Policies,
    regulation: str,
    besluit: str,
    caseload_frame: DataFrame,
    peildatum: datetime.date | None,
    gemeente: str | None,
) -> tuple[DataFrame, DataFrame]:
    """The result rows of a caseload (a DataFrame with a column `rij`) as a DataFrame with the
    columns of `regel doorreken`, and the rows of the caseload the query handed over: those the
    runtime decides on the workers (`mapPartitions`), row by row."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spark = caseload_frame.sparkSession
    for key, setting in SETTINGS.items():
        spark.conf.set(key, setting)
    program = policies.program
    first = program.versions[regulation][0]
    outcomes = list(first.decision(besluit))
    specs = caseload.decision_inputs(first, besluit)
    types = {f.name: _type_name(f.dataType) for f in caseload_frame.schema.fields if f.name != ROW}
    caseload.check_columns(types, specs)
    caseload_frame.createOrReplaceTempView("bron")
    day_column = day_of(types, peildatum).sql("spark")
    days = [r[0] for r in spark.sql(f"SELECT DISTINCT {day_column} FROM bron").collect() if r[0]]
    found = lower(policies, regulation, besluit, types, days, peildatum, gemeente)
    parts = [spark.sql(query.sql("spark")) for query in found]
    value_types = output_types(found)
    if not value_types:  # no stretch with a version: every row to the runtime
        value_types = all_output_types(policies, regulation, besluit)
    fields = [T.StructField(ROW, T.LongType())]
    for o in outcomes:
        fields.append(T.StructField(o, _spark_type(value_types[o])))
        fields += [T.StructField(f"{o}_{part}", T.StringType()) for part in batch.PARTS]
    schema = T.StructType([*fields, T.StructField(batch.ERROR, T.StringType())])
    columns: list[Any] = []
    for o in outcomes:
        typed = F.col(o).cast(_spark_type(value_types[o])).alias(o)
        unit = F.lit(first.outcomes[o].unit).alias(f"{o}_eenheid")
        columns += [typed, F.col(f"{o}_status"), unit, F.col(f"{o}_grondslag"),
                    F.col(f"{o}_{batch.UNMET}")]  # fmt: skip
    in_sql = spark.createDataFrame([], schema)
    for part in parts:
        chosen = part.filter(~F.col(PYTHON)).select(
            F.col(ROW).cast("bigint"), *columns, F.lit(None).cast("string").alias(batch.ERROR)
        )
        in_sql = in_sql.unionByName(chosen)
    handed = caseload_frame.join(in_sql.select(ROW), on=ROW, how="left_anti")
    names = [f.name for f in schema.fields]
    sources, day = dict(policies.sources), peildatum

    def decide_handed(rows: Iterable[Any]) -> Iterator[list[Any]]:
        return _decide_handed(rows, sources, regulation, besluit, day, gemeente, value_types,
                              names)  # fmt: skip

    python = spark.createDataFrame(handed.rdd.mapPartitions(decide_handed), schema)
    return in_sql.unionByName(python), handed


# The policies as each Python worker loads them once, from the sources the driver holds.
_LOADED: dict[str, Policies] = {}


def _worker_policies(sources: dict[str, str]) -> Policies:
    from .api import load_sources

    key = hashlib.sha256(json.dumps(sorted(sources.items())).encode()).hexdigest()
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_sources(sources)
    return _LOADED[key]


def _decide_handed(
    rows: Iterable[Any],
    sources: dict[str, str],
    regulation: str,
    besluit: str,
    peildatum: datetime.date | None,
    gemeente: str | None,
    value_types: dict[str, str],
    names: list[str],
) -> Iterator[list[Any]]:
    """On a worker: the rows of one partition that the query handed over, decided by the
    runtime one by one as they stream past (never all of them in one place), as result rows."""
    first = _worker_policies(sources).program.versions[regulation][0]
    specs = {spec.name: spec for spec in caseload.decision_inputs(first, besluit)}
    text = {o for o, t in value_types.items() if t == "VARCHAR"}

    def cases() -> Iterator[batch.Row]:
        for source in rows:
            values = source.asDict()
            number = values.pop(ROW)
            yield _case(number, values, specs)

    for row in batch.decide_rows(first, besluit, cases(), peildatum, batch.Summary(), gemeente):
        cells = []
        for name in names:
            value = row.get(name)
            if name in text and value is not None:
                value = caseload.value_text(value)
            cells.append(list(value) if isinstance(value, tuple) else value)
        yield cells


def decide(
    policies: Policies,
    regulation: str,
    besluit: str,
    caseload_frame: DataFrame,
    peildatum: datetime.date | None = None,
    gemeente: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """`decide_frame` gathered on the driver, in the order of the rows, and how many rows
    Spark decided (for tests and small caseloads)."""
    from pyspark.sql import types as T

    frame, left = _decide(policies, regulation, besluit, caseload_frame, peildatum, gemeente)
    handed = left.count()
    first = policies.program.versions[regulation][0]
    outcomes = list(first.decision(besluit))
    kinds = {f.name: "VARCHAR" if isinstance(f.dataType, T.StringType) else ""
             for f in frame.schema.fields}  # fmt: skip
    texts = text_numbers(first, outcomes, kinds)
    rows = [numbers_again(r.asDict(), texts) for r in frame.orderBy(ROW).collect()]
    return rows, len(rows) - handed


def numbered(frame: DataFrame) -> DataFrame:
    """A caseload read from Parquet with its column `rij`: as DuckDB numbers it, the first row
    of the first file is 1, and the files (of a folder) follow in the order of their paths."""
    from pyspark.sql import functions as F

    with_place = frame.select("*", F.col("_metadata.file_path").alias("_bestand"),
                              F.col("_metadata.row_index").alias("_plaats"))  # fmt: skip
    counts = sorted(with_place.groupBy("_bestand").count().collect())
    offsets, start = [], 0
    for path, count in counts:
        offsets.append((path, start))
        start += count
    spark = frame.sparkSession
    starts = spark.createDataFrame(offsets, "_bestand STRING, _begin BIGINT")
    joined = with_place.join(F.broadcast(starts), on="_bestand")
    rij = (F.col("_begin") + F.col("_plaats") + 1).alias(ROW)
    return joined.select(rij, *[F.col(f"`{c}`") for c in frame.columns])


def decide_parquet(
    policies: Policies,
    regulation: str,
    besluit: str,
    source: str,
    target: str,
    peildatum: datetime.date | None = None,
    gemeente: str | None = None,
    spark: SparkSession | None = None,
) -> int:
    """`regel doorreken --motor spark`: a Parquet caseload (a file or a folder of files) to a
    folder of Parquet files with the columns of `regel doorreken`, in the order of `rij`;
    how many rows Spark decided itself."""
    spark = spark or session()
    frame = numbered(spark.read.parquet(source))
    result, left = _decide(policies, regulation, besluit, frame, peildatum, gemeente)
    result.orderBy(ROW).write.mode("overwrite").parquet(target)
    return int(spark.read.parquet(target).count()) - left.count()


def _spark_type(sql_type: str) -> Any:
    from pyspark.sql import types as T

    if sql_type.startswith("DECIMAL("):
        precision, scale = map(int, sql_type[8:-1].split(","))
        return T.DecimalType(precision, scale)
    if sql_type == "VARCHAR[]":
        return T.ArrayType(T.StringType())
    simple = {"BOOLEAN": T.BooleanType(), "DATE": T.DateType(), "TIME": T.TimeType()}
    return simple.get(sql_type, T.StringType())
