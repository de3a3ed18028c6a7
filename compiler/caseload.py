"""Caseloads: many cases of one decision in one file, a row per case.

The format is defined here once, for every command that writes or reads one: a column per
gegeven the decision reads, named as in the regulation, and optionally `peildatum`. A cell
holds the value as text: `ja`/`nee` (or `true`/`false`), a number with a decimal point, a date
`JJJJ-MM-DD`, a kloktijd `UU:MM`, a keuze by its name, a group of persons as a JSON list of
objects; an empty cell is a gegeven that was not given. What a cell means is then checked by
the same `coerce` as every other channel (`runtime.inputs`).
"""

from __future__ import annotations

import csv
import datetime
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

from regel import runtime as rt
from regel.runtime.inputs import InputSpec

PEILDATUM = "peildatum"  # the optional column with each case's own peildatum
_YES, _NO = frozenset({"ja", "true"}), frozenset({"nee", "false"})


def decision_inputs(regulation: rt.Regulation, besluit: str) -> list[InputSpec]:
    """The gegevens and oordelen a decision reads, in the order the regulation declares them."""
    try:
        outcomes = regulation.decision(besluit)
    except rt.EvaluationError as err:
        raise ValueError(err.message) from None
    needed: set[str] = set()
    for outcome in outcomes:
        needed |= regulation.needs[outcome]
    return [spec for name, spec in regulation.inputs.items() if name in needed]


def cell_text(spec: InputSpec, value: Any) -> str:
    """A gegeven as a cell; None (not given) as an empty cell."""
    if spec.kind == "persons" and value is not None:
        fields = {f.name: f for f in spec.fields}
        return json.dumps(
            [{k: _json_value(fields[k], v) for k, v in person.items()} for person in value],
            ensure_ascii=False,
        )
    return value_text(value)


def value_text(value: Any) -> str:
    """A value as a cell, of a caseload or of its results: ja/nee, a number with a point, a
    date JJJJ-MM-DD, a time UU:MM; a list (an outcome's items) in order, `; ` between."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal | int):
        return f"{Decimal(value):f}"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat() if isinstance(value, datetime.date) else f"{value:%H:%M}"
    if isinstance(value, list | tuple | frozenset | set):
        return "; ".join(sorted(value_text(v) for v in value))
    return str(value)


def _json_value(spec: InputSpec, value: Any) -> Any:
    """A value of a person as JSON holds it: booleans as such, the rest as its cell text."""
    return value if spec.kind == "bool" else cell_text(spec, value)


def cell_value(spec: InputSpec, text: str) -> Any:
    """A cell as the raw value `coerce` checks; None for an empty cell. Raises ValueError with
    the Dutch message for a cell that cannot be that kind of value."""
    text = text.strip()
    if not text:
        return None
    if spec.kind == "bool":
        word = text.lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise ValueError("verwacht ja of nee")
    if spec.kind == "persons":
        try:
            return rt.inputs.read_json(text)
        except ValueError as err:
            raise ValueError(f"verwacht een JSON-lijst van personen: {err}") from None
    return text  # numbers, dates, kloktijden, keuzes and texts: `coerce` reads the text


def write_csv(out: IO[str], specs: list[InputSpec], cases: Iterable[Mapping[str, Any]]) -> int:
    """The cases as CSV, a column per spec (and `peildatum` where a case has one); returns the
    number of rows written."""
    cases = iter(cases)
    first = next(cases, None)
    dated = first is not None and PEILDATUM in first
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spec.name for spec in specs] + ([PEILDATUM] if dated else []))
    count = 0
    for case in itertools.chain([first], cases) if first is not None else ():  # streamed
        row = [cell_text(spec, case.get(spec.name)) for spec in specs]
        if dated:
            row.append(case[PEILDATUM].isoformat())
        writer.writerow(row)
        count += 1
    return count


def write_parquet(path: str, specs: list[InputSpec], cases: Iterable[Mapping[str, Any]]) -> int:
    """The cases as Parquet with a type per column (numbers DECIMAL(19, 4), dates DATE, ja/nee
    BOOLEAN, a group as JSON text), written in parts of 100.000 rows; returns the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {
        "bool": pa.bool_(),
        "num": pa.decimal128(19, 4),
        "date": pa.date32(),
        "clock": pa.time32("s"),
    }
    fields = [pa.field(spec.name, kinds.get(spec.kind, pa.string())) for spec in specs]
    cases = iter(cases)
    first = next(cases, None)
    if first is not None and PEILDATUM in first:
        fields.append(pa.field(PEILDATUM, pa.date32()))
    schema = pa.schema(fields)
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        rows = itertools.chain([first], cases) if first is not None else iter(())
        while chunk := list(itertools.islice(rows, 100_000)):
            columns = []
            for spec_field in fields:
                name = spec_field.name
                values = [case.get(name) for case in chunk]
                if pa.types.is_string(spec_field.type):
                    spec = next(s for s in specs if s.name == name)
                    values = [None if v is None else cell_text(spec, v) for v in values]
                columns.append(pa.array(values, spec_field.type))
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
            count += len(chunk)
    return count


def check_columns(header: Iterable[str], specs: list[InputSpec]) -> None:
    """Refuse a caseload with a column the decision does not read (a typo would otherwise
    leave a gegeven out of every row)."""
    known = {spec.name for spec in specs}
    unknown = [name for name in header if name not in known and name != PEILDATUM]
    if unknown:
        raise ValueError(
            f"onbekende kolom{'men' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"dit besluit leest: {', '.join(spec.name for spec in specs)}"
        )


class RowError(ValueError):
    """A row that is no case: its number (the header is row 1) and what is wrong, in Dutch."""

    def __init__(self, row: int, message: str):
        super().__init__(f"rij {row}: {message}")
        self.row, self.message = row, message


def read_csv(
    source: IO[str], specs: list[InputSpec]
) -> Iterator[tuple[int, dict[str, Any], datetime.date | None] | RowError]:
    """Per row its number, its gegevens as raw values and its own peildatum (if the file has
    that column), or a RowError: a bad row is reported, never the end of the file."""
    reader = csv.reader(source)
    try:
        header = next(reader, None) or []
    except csv.Error as err:
        raise ValueError(f"de kopregel is niet te lezen als CSV ({err})") from None
    check_columns(header, specs)
    by_name = {spec.name: spec for spec in specs}
    columns = [(i, by_name.get(name)) for i, name in enumerate(header)]
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:  # a NUL, a cell past the csv module's limit of 128 kB
            yield RowError(number, f"niet te lezen als CSV ({err})")
            continue
        if len(cells) != len(header):
            yield RowError(number, f"{len(cells)} cellen, de kop heeft er {len(header)}")
            continue
        values: dict[str, Any] = {}
        peildatum = None
        problems = []
        for i, spec in columns:
            try:
                if spec is None:
                    peildatum = rt.inputs.read_peildatum(cells[i].strip())
                else:
                    value = cell_value(spec, cells[i])
                    if value is not None:
                        values[spec.name] = value
            except ValueError as err:
                problems.append(f"{header[i]}: {err}")
        if problems:
            yield RowError(number, "; ".join(problems))
        else:
            yield number, values, peildatum
