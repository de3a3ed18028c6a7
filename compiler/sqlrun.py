"""A decision over a caseload in DuckDB: the query of `sql.py`, and the Python runtime for the
rows it leaves (`_python`), in one result.

The caseload is a relation in DuckDB: a Parquet file, a table of a DuckDB database, an Arrow
table, or a CSV file (read by the same reader as the Python path, `caseload.read_csv`, so that a
CSV file means the same to both). Per stretch of time in which the same versions are in force,
one query with that version and its norms; a row on a day no version covers, or that the query
does not take, is decided by the runtime. The result goes to Parquet, a DuckDB table, CSV (the
same text as the Python path) or an Arrow table, with a summary worked out in SQL.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from regel import runtime as rt
from regel.runtime.inputs import InputSpec

from . import batch, caseload
from .diagnostics import Diagnostic
from .sql import (
    PEILDATUM,
    PYTHON,
    ROW,
    UNDETERMINED,
    DecisionLowering,
    Elsewhere,
    Norms,
    NotInSql,
    Query,
    day_of,
)

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from .api import Policies

ENGINES = ("duckdb", "python")
HANDED = "regel: naar de Python-runtime"  # the stop of a pass straight into a file
MEMORY_LIMIT = "700MB"  # DuckDB spills to disk beyond this: ten million cases fit in 1 GB
_CHUNK = 10_000


@dataclass
class Source:
    """Where a caseload is: `kind` csv, parquet, duckdb (`path` a database, `table` in it) or
    arrow (`table` an Arrow table)."""

    kind: str
    path: str = ""
    table: Any = None

    @staticmethod
    def of(text: str) -> Source:
        """A caseload as the CLI names it: a .csv or .parquet file, or `db.duckdb:tabel`."""
        if ".duckdb:" in text or ".db:" in text:
            path, _, table = text.rpartition(":")
            return Source("duckdb", path, table)
        if text.lower().endswith((".parquet", ".pq")):
            return Source("parquet", text)
        return Source("csv", text)


class _Norms:
    """The open norms a query reads, as they stand in one stretch of time: worked out by the
    runtime (`norms_at`), onbepaald when no version fills them."""

    def __init__(self, version: rt.Regulation, day: datetime.date, gemeente: str | None):
        self.version, self.day, self.gemeente = version, day, gemeente

    def get(self, key: str, default: Any = None) -> Any:
        try:
            if "." in key:
                return self.version.norms_at(self.day, self.gemeente)[key]
            context = rt.Context(self.version, {}, self.day, None, {}, self.gemeente)
            return context.norm(key)
        except (rt.Undetermined, rt.EvaluationError):
            return UNDETERMINED


class Caseload:
    """A caseload opened as relation `bron` on a DuckDB connection: a column `rij` (the row
    number, the header of a CSV file being row 1) and the columns of the source; `types` their
    DuckDB types, `errors` the rows of a CSV file that are no case."""

    def __init__(self, con: duckdb.DuckDBPyConnection, specs: list[InputSpec], source: Source):
        self.con, self.specs = con, specs
        self.types: dict[str, str] = {}
        self.errors: list[tuple[int, str]] = []
        self._open(source)

    def _open(self, source: Source) -> None:
        con = self.con
        if source.kind == "parquet":
            con.execute(
                "CREATE TEMP VIEW bron_bestand AS SELECT * FROM "
                f"read_parquet('{_sql_text(source.path)}', file_row_number = true)"
            )
            self._columns("bron_bestand", exclude={"file_row_number"})
            con.execute(
                "CREATE TEMP VIEW bron AS SELECT file_row_number + 1 AS rij, "
                "* EXCLUDE (file_row_number) FROM bron_bestand"
            )
        elif source.kind == "duckdb":
            con.execute(f"ATTACH '{_sql_text(source.path)}' AS invoer (READ_ONLY)")
            table = '"' + str(source.table).replace('"', '""') + '"'
            con.execute(f"CREATE TEMP VIEW bron_tabel AS SELECT * FROM invoer.{table}")
            self._columns("bron_tabel")
            con.execute(f"CREATE TEMP VIEW bron AS SELECT rowid + 1 AS rij, * FROM invoer.{table}")
        elif source.kind == "arrow":  # numbered here: a scan in parallel keeps no order
            import pyarrow as pa

            table = source.table
            numbered = table.add_column(0, ROW, pa.array(range(1, table.num_rows + 1), pa.int64()))
            con.register("bron_arrow", numbered)
            self._columns("bron_arrow", exclude={ROW})
            con.execute("CREATE TEMP VIEW bron AS SELECT * FROM bron_arrow")
        else:
            self._csv(source.path)

    def _columns(self, relation: str, exclude: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        described = self.con.execute(f"DESCRIBE {relation}").fetchall()
        self.types = {name: str(kind) for name, kind, *_ in described if name not in exclude}
        caseload.check_columns(self.types, self.specs)

    def _csv(self, path: str) -> None:
        """Read with Python's csv module, the cells as text, so that a cell means to the query
        what `caseload.cell_value` makes of it; a row that is no case (a cell too many, a
        quote left open) becomes an error row, as on the Python path."""
        import pyarrow as pa

        with open(path, encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            try:
                header = next(reader, None) or []
            except csv.Error as err:
                raise ValueError(f"de kopregel is niet te lezen als CSV ({err})") from None
            caseload.check_columns(header, self.specs)
            schema = pa.schema([(ROW, pa.int64()), *[(h, pa.string()) for h in header]])
            batches = []
            rows = _rows(reader)
            number = 1
            while chunk := list(itertools.islice(rows, _CHUNK)):
                numbers: list[int] = []
                cells: list[list[str]] = []
                for row in chunk:
                    number += 1
                    if isinstance(row, str) or len(row) != len(header):
                        why = (
                            row
                            if isinstance(row, str)
                            else (f"{len(row)} cellen, de kop heeft er {len(header)}")
                        )
                        self.errors.append((number, why))
                        continue
                    numbers.append(number)
                    cells.append(row)
                columns = [pa.array(numbers, pa.int64())]
                columns += [
                    pa.array([c[i] for c in cells], pa.string()) for i in range(len(header))
                ]
                batches.append(pa.RecordBatch.from_arrays(columns, schema=schema))
            self.con.register("bron_csv", pa.Table.from_batches(batches, schema=schema))
        self.types = {h: "VARCHAR" for h in header}
        self.con.execute("CREATE TEMP VIEW bron AS SELECT * FROM bron_csv")

    def row(self, number: int) -> batch.Row | None:
        """Row `number` as the runtime takes it (None: the caseload has no such row)."""
        for row, message in self.errors:
            if row == number:
                return caseload.RowError(row, message)
        cursor = self.con.execute(f"SELECT * FROM bron WHERE {ROW} = ?", [number])
        rows = cursor.fetchall()
        if not rows:
            return None
        found = rows[0]
        names = [d[0] for d in cursor.description]
        by_name = {spec.name: spec for spec in self.specs}
        return _case(number, dict(zip(names[1:], found[1:], strict=True)), by_name)


class Run:
    """One decision over one caseload; `result` is the relation of the result rows."""

    def __init__(
        self,
        policies: Policies,
        regulation: str,
        besluit: str,
        source: Source,
        peildatum: datetime.date | None = None,
        gemeente: str | None = None,
        engine: str = "duckdb",
        progress: bool = False,
        connection: duckdb.DuckDBPyConnection | None = None,
        target: str | None = None,
    ):
        """Decides every row (into `target` at once, when given: see `write`); raises
        NotInSql (engine duckdb) when the decision has what SQL cannot express, KeyError for an
        unknown regulation or besluit, ValueError for a caseload with a column the decision
        does not read."""
        import duckdb

        if engine not in ENGINES:
            raise ValueError(f"onbekende motor '{engine}'; kies uit: {', '.join(ENGINES)}")

        versions = policies.program.versions.get(regulation)
        if not versions:
            raise KeyError(f"onbekende regeling '{regulation}'")
        self.policies, self.rid, self.besluit = policies, regulation, besluit
        self.regulation = versions[0]
        try:
            self.outcomes = list(self.regulation.decision(besluit))
        except rt.EvaluationError as err:
            raise KeyError(err.message) from None
        self.engine, self.progress = engine, progress
        self.written: str | None = None  # the Parquet file the result went to while deciding
        self.specs = caseload.decision_inputs(self.regulation, besluit)
        self.peildatum, self.gemeente, self.target = peildatum, gemeente, target
        self.con = connection or duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
        self.summary = batch.Summary()
        self.decided_in_sql = 0
        self.caseload = Caseload(self.con, self.specs, source)
        self.types, self.errors = self.caseload.types, self.caseload.errors
        self._decide()

    # -- deciding
    def _decide(self) -> None:
        con = self.con
        day_sql = day_of(self.types, self.peildatum).sql("duckdb")
        days = [
            d
            for (d,) in con.execute(f"SELECT DISTINCT {day_sql} FROM bron").fetchall()
            if d is not None
        ]
        queries: list[str] = []
        self.value_types: dict[str, str] = {}
        if self.engine == "duckdb":
            found = lower(self.policies, self.rid, self.besluit, self.types, days,
                          self.peildatum, self.gemeente)  # fmt: skip
            queries = [q.sql("duckdb") for q in found]
            self.value_types = value_types(found)
        if not self.value_types:  # the Python engine, or no stretch with a version
            self.value_types = output_types(self.policies, self.rid, self.besluit)
        columns = [
            f'CAST("{o}" AS {self.value_types[o]}) AS "{o}", "{o}_status", "{o}_grondslag", '
            f'"{o}_{batch.UNMET}"'
            for o in self.outcomes
        ]
        union = " UNION ALL ".join(
            f"SELECT {ROW}, {', '.join(columns)}, {PYTHON} FROM ({q})" for q in queries
        )
        units = {o: self.regulation.outcomes[o].unit for o in self.outcomes}
        picked = [ROW]
        for o in self.outcomes:
            picked += [
                f'"{o}"',
                f'"{o}_status"',
                f"'{_sql_text(units[o])}' AS \"{o}_eenheid\"",
                f'"{o}_grondslag"',
                f'"{o}_{batch.UNMET}"',
            ]
        (total,) = con.execute("SELECT count(*) FROM bron").fetchall()[0]
        if len(queries) == 1 and not self.errors and self._at_once(union, picked, total):
            return
        nulls = ", ".join(self._null_columns())
        empty = f"SELECT NULL::BIGINT AS {ROW}, {nulls}, TRUE AS {PYTHON} WHERE FALSE"
        con.execute(f"CREATE TEMP TABLE sql_uit AS {union or empty}")
        from_sql = f"SELECT {', '.join(picked)}, NULL::VARCHAR AS fout FROM sql_uit"
        self.decided_in_sql, handed = con.execute(
            f"SELECT count(*) FILTER (WHERE NOT {PYTHON}), count(*) FILTER (WHERE {PYTHON}) "
            "FROM sql_uit"
        ).fetchall()[0]
        self._bar: Any = None
        if self.progress:  # the rows SQL decided at once, then the runtime's row by row
            from tqdm import tqdm

            self._bar = tqdm(total=total + len(self.errors), desc="doorrekenen", unit=" rijen",
                             file=sys.stderr, mininterval=0.5)  # fmt: skip
            self._bar.update(self.decided_in_sql)
        if self.decided_in_sql == total and not self.errors and len(queries) == 1:
            # every row in SQL, in the order of the caseload: the result is a view of it
            con.execute(f"CREATE TEMP VIEW resultaat AS {from_sql}")
        else:
            if self.decided_in_sql + handed == total:  # the rows the query handed over
                left = (
                    f"FROM bron SEMI JOIN (SELECT {ROW} FROM sql_uit WHERE {PYTHON}) USING ({ROW})"
                )
            else:  # and those on a day no query covers
                done = f"SELECT {ROW} FROM sql_uit WHERE NOT {PYTHON}"
                left = f"FROM bron ANTI JOIN ({done}) USING ({ROW})"
            with tempfile.TemporaryDirectory(prefix="regel-") as scratch:
                self._python_rows(Path(scratch), left, total - self.decided_in_sql)
                con.execute(
                    f"CREATE TEMP TABLE resultaat AS SELECT * FROM ({from_sql} WHERE NOT {PYTHON} "
                    f"UNION ALL BY NAME SELECT * FROM python_uit) ORDER BY {ROW}"
                )
                con.execute("DROP VIEW python_uit")
        if self._bar is not None:
            self._bar.close()
        self._summarise()
        if self.target is not None:  # the long way: a pass straight into it may have begun it
            self.write(self.target)
            self.written = self.target

    def _at_once(self, query: str, picked: list[str], total: int) -> bool:
        """Straight into a Parquet target in one pass, if the query decides every row: a
        row it would hand to the runtime stops the pass (DuckDB's `error`), and the run then
        takes the long way, which writes the file anew."""
        import duckdb

        if self.target is None or Source.of(self.target).kind != "parquet":
            return False
        stop = f"CASE WHEN {PYTHON} THEN error('{HANDED}') ELSE TRUE END"
        select = f"SELECT {', '.join(picked)}, NULL::VARCHAR AS fout FROM ({query}) WHERE {stop}"
        try:
            (written,) = self.con.execute(
                f"COPY ({select}) TO '{_sql_text(self.target)}' (FORMAT PARQUET)"
            ).fetchall()[0]
        except duckdb.InvalidInputException as err:
            if HANDED in str(err):
                return False
            raise
        if written != total:  # a row without a peildatum, say: the long way says which
            return False
        self.written, self.decided_in_sql = self.target, total
        self.con.execute(
            f"CREATE TEMP VIEW resultaat AS SELECT * FROM read_parquet('{_sql_text(self.target)}')"
        )
        if self.progress:
            from tqdm import tqdm

            with tqdm(total=total, desc="doorrekenen", unit=" rijen", file=sys.stderr) as bar:
                bar.update(total)
        self._summarise()
        return True

    def _null_columns(self) -> list[str]:
        out = []
        for o in self.outcomes:
            out += [
                f'NULL::{self.value_types[o]} AS "{o}"',
                f'NULL::VARCHAR AS "{o}_status"',
                f'NULL::VARCHAR AS "{o}_grondslag"',
                f'NULL::VARCHAR AS "{o}_{batch.UNMET}"',
            ]
        return out

    def _python_rows(self, scratch: Path, left_sql: str, count: int) -> None:
        """The rows the query left, decided by the runtime: the same answers, and for a row
        that cannot be decided the same Dutch message, as on the Python path. They are read
        from DuckDB in parts and written to a Parquet file beside it (a DuckDB result cannot
        be read while the same connection writes), so memory stays bounded."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        con = self.con
        columns = batch.columns(self.outcomes)
        fields = [pa.field(ROW, pa.int64())]
        for o in self.outcomes:
            fields.append(pa.field(o, _arrow_type(self.value_types[o])))
            fields += [pa.field(f"{o}_{part}", pa.string()) for part in batch.PARTS]
        schema = pa.schema([*fields, pa.field(batch.ERROR, pa.string())])
        text = {o for o in self.outcomes if self.value_types[o] == "VARCHAR"}
        bar = self._bar
        reader = con.sql(f"SELECT * {left_sql} ORDER BY {ROW}").to_arrow_reader(_CHUNK)
        by_name = {spec.name: spec for spec in self.specs}

        def rows() -> Iterator[batch.Row]:
            errors = iter(sorted(self.errors))
            pending = next(errors, None)
            for part in reader:
                for values in part.to_pylist():
                    number = int(values.pop(ROW))
                    while pending is not None and pending[0] < number:
                        yield caseload.RowError(*pending)
                        pending = next(errors, None)
                    yield _case(number, values, by_name)
            while pending is not None:
                yield caseload.RowError(*pending)
                pending = next(errors, None)

        decided = batch.decide_rows(
            self.regulation, self.besluit, rows(), self.peildatum, batch.Summary(), self.gemeente
        )
        path = str(scratch / "python_uit.parquet")
        with pq.ParquetWriter(path, schema) as writer:
            while chunk := list(itertools.islice(decided, _CHUNK)):
                arrays = []
                for c in columns:
                    cells = [row.get(c) for row in chunk]
                    if c in text:
                        cells = [None if v is None else caseload.value_text(v) for v in cells]
                    else:
                        cells = [list(v) if isinstance(v, tuple) else v for v in cells]
                    arrays.append(pa.array(cells, schema.field(c).type))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                if bar is not None:
                    bar.update(len(chunk))
        if bar is not None:
            bar.close()
        con.execute(
            f"CREATE TEMP VIEW python_uit AS SELECT * FROM read_parquet('{_sql_text(path)}')"
        )

    def _summarise(self) -> None:
        self.summary = summarise(
            self.con, "resultaat", self.regulation, self.outcomes, self.value_types
        )

    # -- the result
    def write(self, target: str, relation: str = "resultaat") -> None:
        """To a .parquet file, `db.duckdb:tabel`, or a CSV file (`-`: stdout)."""
        if target == self.written and relation == "resultaat":
            return  # written while deciding
        if ".duckdb:" in target or ".db:" in target:
            path, _, table = target.rpartition(":")
            self.con.execute(f"ATTACH '{_sql_text(path)}' AS uitvoer")
            name = '"' + table.replace('"', '""') + '"'
            self.con.execute(f"CREATE OR REPLACE TABLE uitvoer.{name} AS SELECT * FROM {relation}")
            self.con.execute("DETACH uitvoer")
        elif target.lower().endswith((".parquet", ".pq")):
            self.con.execute(f"COPY {relation} TO '{_sql_text(target)}' (FORMAT PARQUET)")
        elif target == "-":
            self.write_csv(sys.stdout, relation)
        else:
            with open(target, "w", encoding="utf-8", newline="") as out:
                self.write_csv(out, relation)

    def write_csv(self, out: IO[str], relation: str = "resultaat") -> None:
        """The same text, cell by cell, as `regel doorreken --motor python` writes."""
        writer = csv.writer(out, lineterminator="\n")
        cursor = self.con.execute(f"SELECT * FROM {relation}")
        writer.writerow([d[0] for d in cursor.description])
        while chunk := cursor.fetchmany(_CHUNK):
            writer.writerows([_cell(v) for v in row] for row in chunk)

    def arrow(self) -> pa.Table:
        return self.con.sql("SELECT * FROM resultaat").to_arrow_table()

    def rows(self) -> Iterator[dict[str, Any]]:
        cursor = self.con.execute("SELECT * FROM resultaat")
        names = [d[0] for d in cursor.description]
        texts = text_numbers(self.regulation, self.outcomes, self.value_types)
        while True:
            chunk = cursor.fetchmany(_CHUNK)
            if not chunk:
                return
            for values in chunk:
                yield numbers_again(dict(zip(names, values, strict=True)), texts)


def summarise(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    regulation: rt.Regulation,
    outcomes: list[str],
    value_types: dict[str, str],
) -> batch.Summary:
    """The summary in one scan of the result: counts, per outcome its statuses, and for
    numbers the sum, lowest and highest of the values decided, and how they spread."""
    s = batch.Summary()
    parts = ["count(*)", "count(fout)"]
    numeric = [o for o in outcomes if value_types[o].startswith("DECIMAL")]
    for o in outcomes:
        parts.append(f'histogram("{o}_status") FILTER (WHERE fout IS NULL)')
    for o in numeric:
        decided = f"FILTER (WHERE \"{o}_status\" = 'bepaald')"
        parts += [f'sum("{o}") {decided}', f'min("{o}") {decided}', f'max("{o}") {decided}']
        parts.append(f'quantile_disc("{o}", {list(batch.SPREAD)}) {decided}')
    found = list(con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchall()[0])
    s.rows, s.errors = found[0], found[1]
    for o, counts in zip(outcomes, found[2 : 2 + len(outcomes)], strict=True):
        if counts:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            s.statuses[o] = Counter(dict(ordered))
    rest = found[2 + len(outcomes) :]
    for i, o in enumerate(numeric):
        total, low, high, spread = rest[4 * i : 4 * i + 4]
        if low is not None:
            if batch.is_money(regulation.outcomes[o]):
                s.sums[o] = Decimal(total)
            s.lowest[o], s.highest[o] = Decimal(low), Decimal(high)
            s.spread[o] = [Decimal(v) for v in spread]
    # An amount wider than DECIMAL(38) stands as text: summed exactly here, part by part (its
    # spread would need an exact order of the text, which SQL does not give: left out).
    for o in text_numbers(regulation, outcomes, value_types):
        cursor = con.execute(
            f'SELECT "{o}" FROM {relation} WHERE "{o}_status" = \'bepaald\' AND "{o}" IS NOT NULL'
        )
        money = batch.is_money(regulation.outcomes[o])
        while chunk := cursor.fetchmany(_CHUNK):
            for (text,) in chunk:
                s.count(o, Decimal(text), money)
    if s.errors:
        s.first_errors = [
            f"rij {r}: {m}"
            for r, m in con.execute(
                f"SELECT {ROW}, fout FROM {relation} WHERE fout IS NOT NULL ORDER BY {ROW} LIMIT 5"
            ).fetchall()
        ]
    return s


def summarise_rows(
    regulation: rt.Regulation,
    outcomes: list[str],
    value_types: dict[str, str],
    rows: list[dict[str, str]],
) -> batch.Summary:
    """The summary of result rows as text (`batch.evaluate_rows`, the service's batch), worked
    out by `summarise` as for a caseload: the same counts, sums and spread."""
    import duckdb
    import pyarrow as pa

    names = batch.columns(outcomes)
    table = pa.table({c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in names})
    con = duckdb.connect()
    con.register("tekst", table)
    numbers = {o: value_types[o] for o in outcomes if value_types[o].startswith("DECIMAL")}
    typed = [
        f'CAST("{c}" AS BIGINT) AS "{c}"' if c == ROW
        else f'CAST("{c}" AS {numbers[c]}) AS "{c}"' if c in numbers
        else f'"{c}"'
        for c in names
    ]  # fmt: skip
    con.execute(f"CREATE VIEW resultaat AS SELECT {', '.join(typed)} FROM tekst")
    return summarise(con, "resultaat", regulation, outcomes, value_types)


def text_numbers(
    regulation: rt.Regulation, outcomes: list[str], types: dict[str, str]
) -> list[str]:
    """The numeric outcomes whose column is text: an amount the regulation allows wider than
    DECIMAL(38) is written as the runtime works it out."""
    return [o for o in outcomes if types[o] == "VARCHAR" and regulation.outcomes[o].kind == "num"]


def numbers_again(row: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    """A result row for Python: the numbers written as text (`text_numbers`) are Decimals."""
    for o in texts:
        if row[o] is not None:
            row[o] = Decimal(row[o])
    return row


def lower(
    policies: Policies,
    regulation: str,
    besluit: str,
    types: dict[str, str],
    days: list[datetime.date],
    peildatum: datetime.date | None,
    gemeente: str | None,
) -> list[Query]:
    """The queries of a decision over a caseload with columns of `types` and these peildata:
    one per stretch of time in which the same versions are in force, with its version and its
    norms (a day no version covers, or a gemeente it does not apply in, is left to the runtime,
    which says why). Raises NotInSql with what any version has that SQL cannot express."""
    program = policies.program
    specs = caseload.decision_inputs(program.versions[regulation][0], besluit)
    stretches: dict[int, list[datetime.date]] = {}
    for day in days:
        stretches.setdefault(program.stretch(day), []).append(day)
    queries: list[Query] = []
    problems: list[Diagnostic] = []
    lowered: set[int] = set()
    for group in stretches.values():
        version = program.in_force(regulation, group[0])
        if version is None:
            continue
        if gemeente is not None:
            try:
                version.check_gemeente(gemeente)
            except (rt.EvaluationError, rt.InputError):
                continue
        key = key_of(program, version)
        lowering = DecisionLowering(
            policies.analysis,
            key,
            version,
            besluit,
            specs,
            types,
            _Norms(version, group[0], gemeente),
            _elsewhere(program, group[0], gemeente),
        )
        lowered.add(id(version))
        try:
            queries.append(lowering.build(sorted(group), peildatum, "bron"))
        except NotInSql as err:
            problems += err.diagnostics
    for version in program.versions[regulation]:  # every version, whichever the days reach
        if id(version) not in lowered:
            problems += _refusals(policies, version, besluit)
    if problems:
        raise NotInSql(_unique(problems))
    return queries


def output_types(policies: Policies, regulation: str, besluit: str) -> dict[str, str]:
    """The type of each outcome's column when no query gives it: wide enough for what the
    runtime gives in every version."""
    program = policies.program
    first = program.versions[regulation][0]
    specs = caseload.decision_inputs(first, besluit)
    types: dict[str, str] = {}
    for version in program.versions[regulation]:
        key = key_of(program, version)
        lowering = DecisionLowering(policies.analysis, key, version, besluit, specs, {}, {})
        for name in first.decision(besluit):
            types[name] = wider(types.get(name), lowering.output_type(name))
    return types


def key_of(program: rt.Program, version: rt.Regulation) -> str:
    """The key a version is loaded under (its id, or `id@start`)."""
    return next(k for k, r in program.regulations.items() if r is version)


def value_types(queries: list[Query]) -> dict[str, str]:
    """Per outcome the type of its column, wide enough for the values of every query."""
    found: dict[str, str] = {}
    for query in queries:
        for name, kind in query.value_types.items():
            found[name] = wider(found.get(name), kind)
    return found


def refusals(policies: Policies, regulation: str, besluit: str) -> list[Diagnostic]:
    """What in a decision SQL cannot express, over every version (none: DuckDB can take it)."""
    found: list[Diagnostic] = []
    for version in policies.program.versions.get(regulation, ()):
        found += _refusals(policies, version, besluit)
    return _unique(found)


def _refusals(policies: Policies, version: rt.Regulation, besluit: str) -> list[Diagnostic]:
    key = key_of(policies.program, version)
    specs = caseload.decision_inputs(version, besluit)
    types = {spec.name: "VARCHAR" for spec in specs}
    lowering = DecisionLowering(
        policies.analysis, key, version, besluit, specs, types, {}, _any_version(policies.program)
    )
    try:
        lowering.build(None, datetime.date(2000, 1, 1), "bron")
    except NotInSql as err:
        return err.diagnostics
    return []


def _elsewhere(program: rt.Program, day: datetime.date, gemeente: str | None) -> Elsewhere:
    """Another regulation as it stands in one stretch of time (for the begrippen it lends)."""

    def find(regulation: str) -> tuple[str, Norms] | None:
        version = program.in_force(regulation, day)
        if version is None:
            return None
        return key_of(program, version), _Norms(version, day, gemeente)

    return find


def _any_version(program: rt.Program) -> Elsewhere:
    """Another regulation in its latest version, to see what the query of a version needs."""

    def find(regulation: str) -> tuple[str, Norms] | None:
        versions = program.versions.get(regulation)
        return (key_of(program, versions[-1]), {}) if versions else None

    return find


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    by_place = {(str(d.span), d.message): d for d in found}
    return sorted(by_place.values(), key=Diagnostic.sort_key)


def _arrow_type(sql_type: str) -> pa.DataType:
    import pyarrow as pa

    if sql_type.startswith("DECIMAL("):
        precision, scale = map(int, sql_type[8:-1].split(","))
        return pa.decimal128(precision, scale)
    simple = {"BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIME": pa.time64("us")}
    if sql_type == "VARCHAR[]":
        return pa.list_(pa.string())
    return simple.get(sql_type, pa.string())


def wider(a: str | None, b: str) -> str:
    """A column type that holds values of both types (versions may differ in digits)."""
    if a is None or a == b:
        return b
    if a.startswith("DECIMAL(") and b.startswith("DECIMAL("):
        (pa_, sa), (pb, sb) = (map(int, t[8:-1].split(",")) for t in (a, b))
        before, after = max(pa_ - sa, pb - sb), max(sa, sb)
        if before + after <= 38:
            return f"DECIMAL({before + after}, {after})"
    return "VARCHAR"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = tuple(value)
    return caseload.value_text(value)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _case(number: int, raw: dict[str, Any], specs: dict[str, InputSpec]) -> batch.Row:
    """A row the query left, as the runtime takes it: a text cell as `caseload.cell_value`
    reads it (a CSV cell, or text in a Parquet column), anything else as it is."""
    inputs: dict[str, Any] = {}
    day = None
    problems = []
    for name, value in raw.items():
        try:
            if name == PEILDATUM:
                day = None if value in (None, "") else rt.inputs.read_peildatum(value)
                continue
            if isinstance(value, str):
                value = caseload.cell_value(specs[name], value)
            if value is not None:
                inputs[name] = value
        except ValueError as err:
            problems.append(f"{name}: {err}")
    if problems:
        return caseload.RowError(number, "; ".join(problems))
    return number, inputs, day


def _rows(reader: Any) -> Iterator[list[str] | str]:
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield f"niet te lezen als CSV ({err})"
