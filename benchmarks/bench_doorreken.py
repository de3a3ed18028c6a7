"""A caseload decided by regel against the alternatives, side by side in one run.

    .venv/bin/python benchmarks/bench_doorreken.py [--aantal 1000000] [--rondes 7]
        [--openfisca PYTHON] [--geheugen 10000000]

The decision is Berkelland's wage-cost subsidy (B.6) over synthetic clients (`regel
proefbestand`, seeded) in Parquet. Per round, in turn:

- regel, DuckDB engine, in this process: `Policies.decide_caseload` with a Parquet `target`
  (one pass, as `regel doorreken` takes it), and once more with the result kept in DuckDB and
  written after (`.write()`): the lowering to SQL included, loading the policies not;
- the same rule written by hand as one DuckDB query, with the same result columns, Parquet to
  Parquet;
- `regel doorreken` as a command (Python start, loading and everything included), with its
  bytecode as an installed package has it;
- OpenFisca, vectorised (`openfisca_b6.py`), as a command in its own environment (`--openfisca`:
  its Python; never a dependency of regel), setup included;
- the Python path (`Policies.evaluate_many`) over the first 100,000 clients.

The median of the rounds is reported per contender, in ns per case, with the ratios. With
`--geheugen N`, `regel doorreken` decides N clients (the file repeated) as a command and its
peak memory (max RSS) is reported.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies" / "berkelland"  # the regulation and the verordening it fills
DAY = datetime.date(2008, 3, 1)
REGEL = [sys.executable, "-m", "regel.compiler.cli"]
COMMON = [
    "--regeling",
    "berkelland",
    "--besluit",
    "loonkostensubsidie",
    "--peildatum",
    "2008-03-01",
]

# The rule as a DuckDB user would write it, with the columns `regel doorreken` writes.
HAND = """
COPY (
WITH k AS (
  SELECT file_row_number + 1 AS rij, * EXCLUDE (file_row_number),
    year(DATE '2008-03-01') - year(geboortedatum) - CASE WHEN month(geboortedatum) > 3
      OR (month(geboortedatum) = 3 AND day(geboortedatum) > 1) THEN 1 ELSE 0 END AS leeftijd
  FROM read_parquet('{source}', file_row_number = true)
), v AS (
  SELECT *, ((klantgroep IN ('bijstand', 'ioaw_ioaz') AND leeftijd < 65)
             OR klantgroep IN ('voormalig_wiw_id', 'anw_er', 'nugger'))
     AND uren_per_week >= 12 AND bijstandsonafhankelijk_door_arbeid
     AND CASE WHEN leeftijd < 25 THEN maanden_werkloos >= 6 ELSE maanden_werkloos >= 12 END AS ok
  FROM k
)
SELECT rij,
  CASE WHEN ok THEN CASE WHEN handicap THEN round(least(loonkosten * 0.60, 600.00), 2)
       ELSE round(least(loonkosten * 0.50, 500.00), 2) END END AS loonkostensubsidie,
  CASE WHEN ok THEN 'bepaald' ELSE 'komt_niet_tot_stand' END AS loonkostensubsidie_status,
  '€ per maand' AS loonkostensubsidie_eenheid,
  CASE WHEN ok THEN CASE WHEN handicap THEN 'paragraaf B.6 alinea 2 onder 2'
       ELSE 'paragraaf B.6 alinea 2 onder 1' END ELSE '' END AS loonkostensubsidie_grondslag,
  CASE WHEN NOT ok THEN 'subsidie_handicap; subsidie_algemeen'
       WHEN NOT handicap THEN 'subsidie_handicap' ELSE '' END
    AS loonkostensubsidie_niet_vervuld,
  CASE WHEN ok THEN 12 END AS duur_loonkostensubsidie,
  CASE WHEN ok THEN 'bepaald' ELSE 'komt_niet_tot_stand' END AS duur_loonkostensubsidie_status,
  'maanden' AS duur_loonkostensubsidie_eenheid,
  CASE WHEN ok THEN 'paragraaf B.6 alinea 2' ELSE '' END AS duur_loonkostensubsidie_grondslag,
  CASE WHEN ok THEN '' ELSE 'duur_subsidie' END AS duur_loonkostensubsidie_niet_vervuld,
  NULL::VARCHAR AS fout
FROM v) TO '{target}' (FORMAT PARQUET)
"""


# The peak memory of one command: run by a small process of its own, that reports its child's.
PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def caseload(count: int, folder: Path) -> Path:
    path = folder / f"klanten-{count}.parquet"
    if not path.exists():
        command = [*REGEL, "proefbestand", str(POLICIES), *COMMON, "--aantal", str(count),
                   "--zaad", "3", "--uit", str(path)]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


# A command runs as an installed package does: with its bytecode (pip writes it when it
# installs, as it did for OpenFisca), also where PYTHONDONTWRITEBYTECODE is set for the tests.
INSTALLED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=INSTALLED)  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aantal", type=int, default=1_000_000)
    parser.add_argument("--rondes", type=int, default=7)
    parser.add_argument(
        "--openfisca", metavar="PYTHON", help="Python van een omgeving met OpenFisca"
    )
    parser.add_argument("--geheugen", type=int, metavar="N", help="meet het geheugen bij N klanten")
    parser.add_argument("--map", type=Path, default=Path(tempfile.gettempdir()) / "regel-bench")
    args = parser.parse_args()

    import duckdb
    import pyarrow.parquet as pq
    from regel.compiler import load

    args.map.mkdir(parents=True, exist_ok=True)
    source = caseload(args.aantal, args.map)
    out = args.map / "uit.parquet"
    policies = load(POLICIES)
    sample = pq.read_table(source).slice(0, 100_000).to_pylist()

    def regel_duckdb() -> None:  # Parquet to Parquet in one pass, as regel doorreken does
        policies.decide_caseload(
            "berkelland", "loonkostensubsidie", str(source), DAY, target=str(out)
        )

    def regel_duckdb_later() -> None:  # the result kept in DuckDB first, then written
        policies.decide_caseload("berkelland", "loonkostensubsidie", str(source), DAY).write(
            str(out)
        )

    def hand() -> None:
        duckdb.connect().execute(HAND.format(source=source, target=args.map / "hand.parquet"))

    def python_path() -> None:
        rows, _ = policies.evaluate_many("berkelland", "loonkostensubsidie", sample, DAY)
        for _ in rows:
            pass

    contenders: dict[str, Callable[[], float]] = {
        "regel, DuckDB (API, target=)": lambda: timed(regel_duckdb),
        "regel, DuckDB (API, .write() na)": lambda: timed(regel_duckdb_later),
        "met de hand, DuckDB": lambda: timed(hand),
        "regel doorreken (commando)": lambda: wall(
            [
                *REGEL,
                "doorreken",
                str(POLICIES),
                *COMMON,
                "--invoer",
                str(source),
                "--uit",
                str(out),
            ]
        ),
    }
    if args.openfisca:
        script = str(Path(__file__).with_name("openfisca_b6.py"))
        contenders["OpenFisca, gevectoriseerd (commando)"] = lambda: wall(
            [args.openfisca, script, str(source), str(args.map / "of.parquet"), "2008-03-01"]
        )
    contenders["regel, Python (evaluate_many)"] = lambda: timed(python_path)
    counts = {name: args.aantal for name in contenders}
    counts["regel, Python (evaluate_many)"] = len(sample)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():  # warm-up: imports, caches, the file in the page cache
        run()
    for _ in range(args.rondes):
        for name, run in contenders.items():
            times[name].append(run())
    check = (
        duckdb.connect()
        .execute(
            f"SELECT sum(loonkostensubsidie) FROM '{out}' UNION ALL "
            f"SELECT sum(loonkostensubsidie) FROM '{args.map / 'hand.parquet'}'"
        )
        .fetchall()
    )
    assert check[0] == check[1], f"regel en de query met de hand verschillen: {check}"
    same = ", ".join(
        ["rij", "loonkostensubsidie", "loonkostensubsidie_status", "loonkostensubsidie_grondslag",
         "loonkostensubsidie_niet_vervuld", "duur_loonkostensubsidie_niet_vervuld"]
    )  # fmt: skip
    (apart,) = duckdb.connect().execute(
        f"SELECT count(*) FROM (SELECT {same} FROM '{out}' EXCEPT "
        f"SELECT {same} FROM '{args.map / 'hand.parquet'}')"
    ).fetchone() or (0,)
    assert apart == 0, f"regel en de query met de hand verschillen in {apart} rijen"

    print(f"{args.aantal:,} klanten, Berkelland B.6, mediaan van {args.rondes} rondes "
          f"({os.cpu_count()} kernen):")  # fmt: skip
    per_case = {n: statistics.median(t) / counts[n] * 1e9 for n, t in times.items()}
    base = per_case["met de hand, DuckDB"]
    for name, ns in per_case.items():
        print(f"  {name:40} {ns:9.0f} ns per geval   {ns / base:5.2f}× de query met de hand")
    if "OpenFisca, gevectoriseerd (commando)" in per_case:
        ratio = (
            per_case["OpenFisca, gevectoriseerd (commando)"]
            / per_case["regel doorreken (commando)"]
        )
        print(f"  OpenFisca / regel doorreken: {ratio:.1f}×")
    print(f"  som loonkostensubsidie: {check[0][0]}")
    if args.geheugen:
        big = args.map / f"klanten-{args.geheugen}.parquet"
        if not big.exists():
            times_over = -(-args.geheugen // args.aantal)
            duckdb.connect().execute(
                f"COPY (SELECT k.* FROM range({times_over}) r, read_parquet('{source}') k "
                f"LIMIT {args.geheugen}) TO '{big}' (FORMAT PARQUET)"
            )
        command = [*REGEL, "doorreken", str(POLICIES), *COMMON, "--invoer", str(big),
                   "--uit", str(args.map / "groot-uit.parquet")]  # fmt: skip
        start = time.perf_counter()
        measured = subprocess.run([sys.executable, "-c", PEAK, *command], check=True,
                                  capture_output=True, text=True, env=INSTALLED)  # fmt: skip
        peak = int(measured.stdout)
        seconds = time.perf_counter() - start
        print(f"  {args.geheugen:,} klanten: {seconds:.1f} s, hoogste geheugengebruik "
              f"(max RSS) {peak / 1024:.0f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
