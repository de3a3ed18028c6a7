"""A fuzzer for regel: mutants of the shipped policies and hostile case inputs, seeded.

A mutant of a policy must give diagnostics or compile; what compiles must evaluate every
decision, run its cases, show its coverage, write its docs pages and its packages, decide made-up
clients in DuckDB as the runtime does (or refuse the decision with R790), without any
exception other than a diagnostic or an evaluation error, without a hang, and with the fast
and the traced path agreeing on every answer. A case input (right, wrong or absurd) must give
an answer or a Dutch refusal, the same on both paths.

    python -m tests.fuzzing --minuten 10      # the long run (make fuzz)

`tests/test_fuzz.py` runs a bounded part of it in the suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import signal
import sys
import tempfile
import textwrap
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lsprotocol.types import Position as LspPosition
from regel import runtime as rt
from regel.compiler import CompileError
from regel.compiler import nodes as n
from regel.compiler.api import Policies, analyse_sources, load_sources
from regel.compiler.cases import run_cases
from regel.compiler.coverage import coverage
from regel.compiler.coverage import render as render_coverage
from regel.compiler.diagnostics import render_all
from regel.compiler.docs import SiteBuilder
from regel.compiler.layout import lay_out
from regel.compiler.lsp import Lines, Project, completion_items, hover_text, outline, word_at
from regel.compiler.package import packages
from regel.compiler.parser import SyntaxProblem, parse
from regel.compiler.versions import compare, render, versions_to_compare

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
HANG = 20  # seconds: a mutant that takes longer is a hang

# What a mutation may put in: words of the language, names, absurd numbers, hostile texts.
WORDS = [
    "als", "en", "of", "niet", "tenzij", "is", "bevat", "regel", "begrip", "artikel", "lid",
    "onderdeel", "paragraaf", "alinea", "hoofdstuk", "tekst", "toelichting", "interpretatie",
    "niet uitvoerbaar", "in afwijking van artikel 1", "niet van toepassing", "standaard",
    "standaard onbepaald", "met een maximum van", "afgerond op centen half naar boven",
    "afgerond naar beneden", "leeftijd van", "maanden van", "peildatum", "ja", "nee", "(", ")",
    "het aantal in", "de som van", "het hoogste", "voor ieder in", "waarvoor", "voldoet aan",
    "ieder in", "enig in", "personen", "persoon", "kloktijd", "22:30", "24:00",
    "het aantal uren van",
    ",", ".", ":", "€", "%", "×", "/", "-", "+", "ten minste", "meer dan", "is een van",
    "0", "-1", "1,5", "999.999.999.999.999", "0,0000000001", "1111111111111111111111111111,5",
    "31-02-2011", "01-01-9999", "29-02-2012", '""', '"x"', '"""\n\n<script>x</script>\n"""',
    '"javascript:alert(1)"', "\x0c", "\u2028", "\t", "#", "km", "maanden per jaar",
    "bedrag per maand", "uur per week", "3000000", "a" * 200, "x.y", "vult norm x.y met 1",
    "gelet op artikel 1", "vastgesteld door het college",
    "geldig van 01-01-2012 tot en met 31-12-2011",
]  # fmt: skip
VALUES: list[Any] = [
    None, True, False, 0, -3, 1.5, "ja", "nee", "1e2", "50%", "50 %", "", "x", "1400.00",
    "-0", "1e-100000000", "1e999999999", "9" * 40, 10**40, Decimal("NaN"), Decimal("Infinity"),
    Decimal("1e-100000000"), Decimal("0.1234567890123"), "\ud800", "a\udfffb", [], {},
    {"x": 1}, "2011-02-30", "0001-01-01", "9999-12-31", "2011-09-01T00:00", datetime.date.max,
    datetime.datetime(2011, 1, 1), "WWB", "nugger", " 12 ", "x" * 2000,
]  # fmt: skip


@dataclass
class Report:
    mutants: int = 0
    compiled: int = 0
    inputs: int = 0
    failures: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.mutants} gemuteerde regelingen ({self.compiled} gecompileerd), "
            f"{self.inputs} invoeren geprobeerd, {len(self.failures)} fouten"
        )


class _Hang(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def corpus() -> list[dict[str, str]]:
    """The shipped policies, a folder at a time (a regulation with its cases and the
    regulations it builds on)."""
    groups = []
    for folder in sorted(p for p in POLICIES.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.regel"))
        groups.append({str(f.relative_to(ROOT)): f.read_text(encoding="utf-8") for f in files})
    return groups


_UNIT = re.compile(r"^( *)(artikel|paragraaf) ")


def fragments() -> list[dict[str, str]]:
    """Smaller policies cut from the shipped ones: a regulation's head (metadata, gegevens,
    uitkomsten, besluiten) with one or two of its articles. Quicker to compile, so that a
    bounded run tries many more mutants."""
    out = []
    for group in corpus():
        for name, text in group.items():
            if text.lstrip().startswith("gevallen"):
                continue
            lines = text.split("\n")
            first = next(
                (
                    i
                    for i, line in enumerate(lines)
                    if re.match(r"(artikel|paragraaf|hoofdstuk) ", line)
                ),
                len(lines),
            )
            head = "\n".join(lines[:first]) + "\n"
            articles: list[str] = []
            for i, line in enumerate(lines):
                m = _UNIT.match(line)
                if not m:
                    continue
                depth = len(m[1])
                end = i + 1
                while end < len(lines) and (
                    not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > depth
                ):
                    end += 1
                articles.append(textwrap.dedent("\n".join(lines[i:end])) + "\n")
            for i in range(len(articles)):
                out.append({name: head + "".join(articles[i : i + 2])})
    return out


def mutate(text: str, rng: random.Random) -> str:
    """One to three edits of the kinds a careless or hostile writer makes."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.randrange(9)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])  # a second `x is …`, a second `als`, a second artikel
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3:
            words = lines[i].split(" ")
            k = rng.randrange(len(words))
            words[k] = rng.choice(WORDS)
            lines[i] = " ".join(words)
        elif kind == 4:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(WORDS) + lines[i][at:]
        elif kind == 5:
            lines[i] = ("  " + lines[i]) if rng.random() < 0.5 else lines[i][2:]
        elif kind == 6:
            lines = lines[:i]
        elif kind == 7:
            lines[i] = re.sub(r"\d+", lambda m: rng.choice(["0", "99999", "7" * 30]), lines[i])
        else:
            j = min(len(lines), i + rng.randint(1, 30))
            lines[i:i] = lines[i:j]  # a block twice
    return "\n".join(lines)


def _answer(policies: Policies, rid: str, inputs: dict[str, Any], peil: datetime.date,
            decision: str | None, trace: bool) -> tuple[str, Any]:  # fmt: skip
    try:
        result = policies.evaluate(rid, inputs, peil, decision, trace=trace)
    except rt.InputError as err:
        json.dumps(err.problems, ensure_ascii=False).encode("utf-8")  # can be sent
        return ("invoer", err.problems)
    except rt.EvaluationError as err:
        err.message.encode("utf-8")
        return ("fout", err.code)
    # Every answer can be written out as UTF-8 JSON, as the CLI and the service do.
    json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    if trace:
        for step in result.trace:
            assert step.text
    return ("besluit", {k: (r.status, r.value) for k, r in result.outcomes.items()})


def random_value(spec: rt.InputSpec, rng: random.Random, hostile: float) -> Any:
    """One value for a gegeven: mostly of its kind, now and then absurd; a group of persons
    gets zero to five persons, each with values of their own."""
    if rng.random() < hostile:
        return rng.choice(VALUES)
    if spec.kind == "bool":
        return rng.random() < 0.5
    if spec.kind == "num":
        return Decimal(rng.randint(-5, 3000)) / rng.choice([1, 10, 100])
    if spec.kind == "date":
        return datetime.date(rng.randint(1940, 2030), rng.randint(1, 12), 1)
    if spec.kind == "clock":
        return rng.choice(["00:00", "01:00", "07:30", "23:59", "24:00", "1:00"])
    if spec.kind == "choice":
        return rng.choice(spec.choices)
    if spec.kind == "persons":
        return [
            {f.name: random_value(f, rng, hostile / 2) for f in spec.fields if rng.random() < 0.95}
            for _ in range(rng.randint(0, 5))
        ]
    return rng.choice(["Delft", "Berkelland", "x"])


def random_inputs(
    regulation: rt.Regulation, rng: random.Random, hostile: float, decision: str | None = None
) -> dict[str, Any]:
    """Values for the gegevens a decision reads (now and then one it does not): mostly of the
    right kind, some absurd, some just outside their bounds."""
    inputs: dict[str, Any] = {}
    outcomes = regulation.decisions[decision] if decision else tuple(regulation.outcomes)
    read = set().union(*(regulation.needs[o] for o in outcomes)) if outcomes else set()
    for name, spec in regulation.inputs.items():
        if name not in read and rng.random() < 0.95:
            continue
        if rng.random() < 0.1:
            continue  # left out
        if spec.kind == "num" and rng.random() < 0.1:
            bound = spec.minimum if spec.minimum is not None else spec.maximum
            if bound is not None:
                inputs[name] = bound + rng.choice([Decimal(-1), Decimal(0), Decimal(1)])
                continue
        inputs[name] = random_value(spec, rng, hostile)
    if rng.random() < 0.05:
        inputs[rng.choice(["onbekend", "\udfff", "x" * 100])] = 1
    return inputs


def check_inputs(policies: Policies, rng: random.Random, report: Report, count: int) -> None:
    """Cases for every decision: both paths give the same answer or the same refusal."""
    for rid, versions in policies.program.versions.items():
        for version in versions:
            start = version.valid_from or datetime.date(2000, 1, 1)
            for decision in [None, *version.decisions]:
                for _ in range(count):
                    inputs = random_inputs(version, rng, hostile=0.15, decision=decision)
                    peil = start + datetime.timedelta(days=rng.randint(-30, 400))
                    fast = _answer(policies, rid, inputs, peil, decision, False)
                    traced = _answer(policies, rid, inputs, peil, decision, True)
                    report.inputs += 1
                    if fast != traced:
                        report.failures.append(
                            f"snel en met spoor verschillen voor {rid}/{decision} op {peil}:\n"
                            f"  invoer: {inputs!r}\n  snel:   {fast!r}\n  spoor:  {traced!r}"
                        )


def check_sql(policies: Policies, rng: random.Random, report: Report, count: int = 25) -> None:
    """Every decision in DuckDB against the runtime, on made-up clients with hostile cells:
    the same rows, or NotInSql for a decision SQL cannot take; never another exception."""
    import csv
    import io

    import pyarrow as pa
    from regel.compiler import batch, caseload, synthetic
    from regel.compiler.sql import NotInSql
    from regel.compiler.sqlrun import Run, Source

    for rid, versions in policies.program.versions.items():
        version = versions[-1]
        day = version.valid_from or datetime.date(2020, 1, 1)
        for besluit in version.decisions:
            specs = caseload.decision_inputs(versions[0], besluit)
            if not specs:  # an Arrow table without columns has no rows
                continue
            out = io.StringIO()
            cases = list(synthetic.cases(version, besluit, count, rng.randrange(10**6), day))
            plain = [spec for spec in specs if spec.kind != "persons"]
            for case in cases:  # a hostile cell now and then
                if plain and rng.random() < 0.3:
                    case[rng.choice(plain).name] = rng.choice(["", " 1", "1e9", "nee", "-0", "x"])
            caseload.write_csv(out, specs, cases)
            text = out.getvalue()
            rows = list(csv.reader(io.StringIO(text)))
            header, body = rows[0], rows[1:]
            table = pa.table({h: [r[i] for r in body] for i, h in enumerate(header)})
            try:
                run = Run(policies, rid, besluit, Source("arrow", table=table), day)
            except NotInSql:
                continue
            expected = batch.evaluate_rows(
                versions[0], besluit, caseload.read_csv(io.StringIO(text), specs), day,
                batch.Summary(),
            )  # fmt: skip
            report.inputs += len(body)
            for got, want in zip(run.rows(), expected, strict=True):
                got[batch.ROW] += 1  # an Arrow table has no header row: its rows count from 1
                for column, value in want.items():
                    mine = got.get(column)
                    shown = mine if isinstance(mine, str) else caseload.value_text(
                        tuple(mine) if isinstance(mine, list) else mine
                    )  # fmt: skip
                    if column.endswith("_eenheid") and want.get(batch.ERROR):
                        continue
                    if shown != value and not _same_number(shown, value):
                        report.failures.append(
                            f"DuckDB en de runtime verschillen voor {rid}/{besluit}, rij "
                            f"{want[batch.ROW]}, {column}: {shown!r} tegen {value!r}"
                        )
                        return


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except ArithmeticError:
        return False


def check_editor(policies: Policies, rng: random.Random) -> None:
    """What the language server answers about a mutant: completion at random places, hover,
    references and the outline; none may raise."""
    project = Project(Path("."), dict(policies.sources), policies.analysis, [])
    for file, text in sorted(policies.sources.items())[:3]:
        lines = text.split("\n")
        view = Lines(text)
        for _ in range(3):
            line = rng.randrange(len(lines))
            position = LspPosition(line, rng.randrange(len(lines[line]) + 2))
            completion_items(project, file, text, position)
            word_at(view, position)
        info = project.regulation_of(file)
        if info is None:
            continue
        outline(info.node.units, view)
        for name in rng.sample(sorted(info.symbols), min(3, len(info.symbols))):
            hover_text(project, info, info, info.symbols[name])
            list(project.occurrences(info.node.id, name))


def exercise(policies: Policies, rng: random.Random, report: Report, docs: bool) -> None:
    """Everything a user can do with compiled policies."""
    run_cases(policies)
    check_editor(policies, rng)
    for cov in coverage(policies.analysis):
        render_coverage(cov)
    for old, new in versions_to_compare(policies.analysis, None):
        render(compare(old, new, policies.sources))
    if docs:
        SiteBuilder(policies).build()
        packages(policies)
        check_sql(policies, rng, report)
    check_inputs(policies, rng, report, count=2)


def check_layout(text: str, name: str, report: Report) -> None:
    """`regel opmaak` on a mutant that parses: the same meaning, and laid out once for all."""
    try:
        tree = parse(text, name)
    except (SyntaxProblem, RecursionError):
        return
    laid = lay_out(text)
    if n.shape(parse(laid, name)) != n.shape(tree):
        report.failures.append(f"opmaak verandert de betekenis van een mutant van {name}:\n{text}")
    elif lay_out(laid) != laid:
        report.failures.append(f"opmaak is niet idempotent bij een mutant van {name}:\n{text}")


def fuzz_policies(
    seed: int, count: int, report: Report, docs_every: int = 4, small: bool = False
) -> None:
    """Mutants of whole folders of shipped policies, or (`small`) of fragments of them."""
    rng = random.Random(seed)
    groups = fragments() if small else corpus()
    for i in range(count):
        sources = dict(rng.choice(groups))
        name = rng.choice(sorted(sources))
        sources[name] = mutate(sources[name], rng)
        report.mutants += 1
        try:
            with deadline(HANG):
                check_layout(sources[name], name, report)
                _, diagnostics = analyse_sources(sources)
                render_all(diagnostics, sources)
                if any(d.is_error for d in diagnostics):
                    continue
                policies = load_sources(sources)
                report.compiled += 1
                exercise(policies, rng, report, docs=i % docs_every == 0)
        except _Hang:
            report.failures.append(f"hangt (> {HANG} s) bij een mutant van {name}:\n" +
                                   sources[name])  # fmt: skip
        except CompileError as err:
            report.failures.append(f"CompileError na een controle zonder fouten: {err.render()}")
        except Exception:
            report.failures.append(
                f"uitzondering bij een mutant van {name}:\n{traceback.format_exc()}\n"
                + sources[name]
            )


def fuzz_inputs(seed: int, rounds: int, report: Report) -> None:
    """Hostile inputs for every decision of the shipped policies, on both paths."""
    from regel.compiler import load

    rng = random.Random(seed)
    policies = load(POLICIES)
    for _ in range(rounds):
        with deadline(HANG):
            check_inputs(policies, rng, report, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz regel: gemuteerde regelingen en invoer.")
    parser.add_argument("--minuten", type=float, default=10, help="hoe lang (standaard 10)")
    parser.add_argument("--zaad", type=int, default=1, help="het eerste zaad (seed)")
    args = parser.parse_args(argv)
    if "REGEL_CACHE" not in os.environ:  # the mutants' trees in a store of this run's own
        with tempfile.TemporaryDirectory(prefix="regel-fuzz-") as store:
            os.environ["REGEL_CACHE"] = store
            try:
                return _run(args)
            finally:
                del os.environ["REGEL_CACHE"]
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    report = Report()
    stop = time.monotonic() + args.minuten * 60
    seed = args.zaad
    while time.monotonic() < stop:
        fuzz_policies(seed, 25, report)
        fuzz_policies(seed, 100, report, small=True)
        fuzz_inputs(seed, 2, report)
        seed += 1
        print(f"zaad {seed - 1}: {report}", flush=True)
    for failure in report.failures:
        print("\n" + failure)
    print(f"\n{report} (zaden {args.zaad} tot en met {seed - 1})")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
