"""The Python API: load .regel files or folders, check them, evaluate decisions.

from regel.compiler import load
policies = load("policies/")
result = policies.evaluate("delft", {"woonplaats": "Delft"}, peildatum=date(2011, 9, 1))
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regel import runtime as rt

from . import nodes as n
from .cache import parse
from .checker import Analysis, check
from .diagnostics import CompileError, Diagnostic, Span
from .parser import SyntaxProblem

if TYPE_CHECKING:
    from .batch import Summary
    from .sqlrun import Run

SUFFIX = ".regel"


@dataclass
class Policies:
    """Everything loaded from a set of files: compiled regulations and their test cases.

    A regulation may be loaded in several versions (one id, periods that do not overlap):
    `evaluate` then takes the version in force on the peildatum.
    """

    program: rt.Program
    cases: list[n.CaseFile]
    analysis: Analysis
    sources: dict[str, str]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def regulations(self) -> dict[str, rt.Regulation]:
        """Every loaded version, by key: the id, or `id@JJJJ-MM-DD` when there are more."""
        return self.program.regulations

    def versions(self, regulation: str) -> list[rt.Regulation]:
        """The versions of a regulation, oldest first."""
        return list(self.program.versions.get(regulation, ()))

    def __getitem__(self, regulation: str) -> rt.Regulation:
        """A regulation by key, or by id: then its newest version."""
        if regulation in self.program.regulations:
            return self.program.regulations[regulation]
        return self.program.versions[regulation][-1]

    def version(self, regulation: str, peildatum: datetime.date) -> rt.Regulation:
        """The version of a regulation in force on the peildatum (PeriodError if none)."""
        return self.program.version(regulation, peildatum)

    def evaluate(
        self,
        regulation: str,
        inputs: Mapping[str, Any],
        peildatum: datetime.date,
        besluit: str | None = None,
        trace: bool = True,
        onvolledig: bool = False,
        gemeente: str | None = None,
    ) -> rt.Result:
        """Evaluate a decision; with `trace` the result carries the motivation. With
        `onvolledig` the inputs may be partial: the decision follows the path the given facts
        open, and `Result.needed` lists the gegevens and oordelen it still needs. `gemeente`
        (CBS code) is the gemeente decided for: its fillings of open norms apply."""
        version = self.version(regulation, peildatum)
        return version.evaluate(inputs, peildatum, besluit, trace, onvolledig, gemeente)

    def evaluate_many(
        self,
        regulation: str,
        besluit: str,
        cases: Iterable[Mapping[str, Any]],
        peildatum: datetime.date | None = None,
        gemeente: str | None = None,
    ) -> tuple[Iterator[dict[str, str]], Summary]:
        """A decision over many cases, one by one: per case a row with per outcome its value,
        status, unit and grondslag, or the Dutch message of a case that cannot be decided (the
        run goes on). A case may hold its own `peildatum` (a date, or JJJJ-MM-DD as JSON
        gives it). The summary fills as the rows are read (see `batch`)."""
        from .batch import Row, Summary, evaluate_rows
        from .caseload import RowError

        versions = self.program.versions.get(regulation)
        if not versions:
            raise KeyError(f"onbekende regeling '{regulation}'")
        try:
            versions[0].decision(besluit)
        except rt.EvaluationError as err:
            raise KeyError(err.message) from None

        def rows() -> Iterator[Row]:
            for number, case in enumerate(cases, 1):
                if not isinstance(case, Mapping):
                    yield RowError(number, "verwacht een object met de gegevens van het geval")
                    continue
                day = case.get("peildatum")
                if day is not None:
                    try:
                        day = rt.inputs.read_peildatum(day)
                    except ValueError as err:
                        yield RowError(number, f"peildatum: {err}")
                        continue
                inputs = {k: v for k, v in case.items() if k != "peildatum"}
                yield number, inputs, day

        summary = Summary()
        return evaluate_rows(versions[0], besluit, rows(), peildatum, summary, gemeente), summary

    def decide_caseload(
        self,
        regulation: str,
        besluit: str,
        source: str | Any,
        peildatum: datetime.date | None = None,
        gemeente: str | None = None,
        engine: str = "duckdb",
        target: str | None = None,
    ) -> Run:
        """A decision over a whole caseload, as `regel doorreken` takes it: `source` a CSV or
        Parquet file, `bestand.duckdb:tabel`, or an Arrow table. The result is an Arrow table
        (`.arrow()`), also written by `.write(doel)`, with `.summary`. With engine `duckdb`
        the decision runs as one SQL query (NotInSql when it cannot: `engine="python"`);
        with a Parquet `target` the result goes there while the query runs."""
        from .sqlrun import Run, Source

        where = Source.of(source) if isinstance(source, str) else Source("arrow", table=source)
        return Run(
            self, regulation, besluit, where, peildatum, gemeente, engine=engine, target=target
        )


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and every .regel file below folders, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.rglob(f"*{SUFFIX}")))
        else:
            files.append(path)
    unique: list[Path] = []
    for f in files:
        if f not in unique:
            unique.append(f)
    return unique


def read_sources(
    files: list[Path], as_on_disk: bool = False
) -> tuple[dict[str, str], list[Diagnostic]]:
    """The texts of the files, with a Dutch diagnostic for each that cannot be read; with
    `as_on_disk` their line breaks as written (`regel opmaak` writes them back)."""
    sources: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for f in files:
        name = str(f)
        try:
            with open(f, encoding="utf-8", newline="" if as_on_disk else None) as text:
                sources[name] = text.read()
        except FileNotFoundError:
            problems.append(Diagnostic("R001", f"bestand of map '{name}' bestaat niet", None))
        except IsADirectoryError:
            problems.append(Diagnostic("R001", f"'{name}' is een map", None))
        except UnicodeDecodeError as err:
            problems.append(
                Diagnostic(
                    "R002",
                    f"'{name}' is geen UTF-8-tekst (byte {err.start})",
                    None,
                    "sla het bestand op als UTF-8",
                )
            )
        except OSError as err:
            problems.append(
                Diagnostic("R001", f"'{name}' kan niet gelezen worden: {err.strerror}", None)
            )
    return sources, problems


def _too_deep(name: str | None) -> Diagnostic:
    where = f"'{name}'" if name else "de regeling"
    return Diagnostic(
        "R110",
        f"{where} is te diep genest om te verwerken",
        Span(name, 1, 1, 1, 2) if name else None,
        "splits lange uitdrukkingen op in begrippen",
    )


_DECLARES = re.compile(
    r"^(?:verordening|beleidsregels|wet|handreiking|informatie)\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.MULTILINE,
)


def _declared(text: str) -> set[str]:
    """The id a file that did not parse declares, as far as its first line says."""
    found = _DECLARES.search(text)
    return {found[1]} if found else set()


@contextlib.contextmanager
def _no_collector_pauses() -> Iterator[None]:
    """Compiling makes millions of objects that stay alive until it ends; Python's cyclic
    collector would walk them over and over (40% of the time for 50,000 lines). What compiling
    makes is freed by reference counting, so the collector waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_no_collector_pauses()
def analyse_sources(sources: dict[str, str]) -> tuple[Analysis, list[Diagnostic]]:
    parsed: list[n.Regulation | n.CaseFile] = []
    problems: list[Diagnostic] = []
    unparsed: set[str] = set()
    for name, text in sources.items():
        try:
            parsed.append(parse(text, name))
        except SyntaxProblem as err:
            problems.extend(err.diagnostics)
            unparsed |= _declared(text)
        except RecursionError:
            problems.append(_too_deep(name))
            unparsed |= _declared(text)
    try:
        analysis = check(parsed, frozenset(unparsed))
    except RecursionError:
        return Analysis(), [*problems, _too_deep(None)]
    return analysis, problems + analysis.diagnostics


def check_paths(paths: Iterable[str | Path]) -> tuple[list[Diagnostic], dict[str, str]]:
    """All diagnostics (errors and warnings) for the given files and folders."""
    files = collect_files(paths)
    sources, problems = read_sources(files)
    if not files:
        problems.append(Diagnostic("R003", "geen .regel-bestanden gevonden", None))
    _, found = analyse_sources(sources)
    return problems + found, sources


@_no_collector_pauses()
def load_sources(sources: dict[str, str]) -> Policies:
    analysis, diagnostics = analyse_sources(sources)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise CompileError(errors, sources)
    from .codegen import build  # only what runs a regulation generates code

    try:
        program = build(analysis, sources)
    except RecursionError:
        raise CompileError([_too_deep(None)], sources) from None
    warnings = [d for d in diagnostics if not d.is_error]
    return Policies(program, analysis.cases, analysis, sources, warnings)


def load(*paths: str | Path) -> Policies:
    """Load, check and compile .regel files and folders; raises CompileError on any error."""
    files = collect_files(paths)
    sources, problems = read_sources(files)
    if not files:
        problems.append(Diagnostic("R003", "geen .regel-bestanden gevonden", None))
    if problems:
        raise CompileError(problems, sources)
    return load_sources(sources)


def loads(text: str, name: str = "<tekst>.regel") -> Policies:
    """Load policy text given as a string (for tests and tools)."""
    return load_sources({name: text})


__all__ = ["CompileError", "Policies", "Span", "check_paths", "load", "loads"]
