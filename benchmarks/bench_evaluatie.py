"""Speed of evaluation, start-up and compilation, measured side by side in one run.

    .venv/bin/python benchmarks/bench_evaluatie.py [--rondes 30] [--groot 3850]

1. A compiled wage-cost-subsidy decision (Berkelland B.6: target group, age, months
   unemployed, hours, handicap, wage costs → capped percentage; the percentages and caps are
   the open norms of the verordening as the beleidsregels fill them) against a hand-written
   Python function with the same inputs and outputs, both with Decimal: with typed input, with
   the JSON a service gets (the hand-written function parses it too), with another peildatum for
   every case, and with the full motivation. The variants run interleaved, in a shuffled order
   per round; every ratio is taken within a round, and the median over the rounds is reported
   with the middle half of them. A busy machine reports; it does not fail.
2. `regel controleer` on a small file against `python3 -c pass`, run for run.
3. Loading and compiling a generated regulation of about 1,100 and of 50,000 lines, each in a
   process of its own (time and peak memory).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from regel.compiler import load
from regel.runtime import Regulation

ROOT = Path(__file__).resolve().parent.parent
PEIL = datetime.date(2008, 3, 1)
CENT = Decimal("0.01")

CASES = [
    {
        "klantgroep": "bijstand",
        "geboortedatum": datetime.date(1978, 1, 1),
        "maanden_werkloos": Decimal(14),
        "uren_per_week": Decimal(32),
        "bijstandsonafhankelijk_door_arbeid": True,
        "handicap": False,
        "loonkosten": Decimal("1400.00"),
    },
    {
        "klantgroep": "bijstand",
        "geboortedatum": datetime.date(1978, 1, 1),
        "maanden_werkloos": Decimal(14),
        "uren_per_week": Decimal(32),
        "bijstandsonafhankelijk_door_arbeid": True,
        "handicap": True,
        "loonkosten": Decimal("800.00"),
    },
    {
        "klantgroep": "bijstand",
        "geboortedatum": datetime.date(1986, 1, 1),
        "maanden_werkloos": Decimal(5),
        "uren_per_week": Decimal(32),
        "bijstandsonafhankelijk_door_arbeid": True,
        "handicap": False,
        "loonkosten": Decimal("1400.00"),
    },
]


def by_hand(
    klantgroep: str,
    geboortedatum: datetime.date,
    maanden_werkloos: Decimal,
    uren_per_week: Decimal,
    bijstandsonafhankelijk_door_arbeid: bool,
    handicap: bool,
    loonkosten: Decimal,
    peildatum: datetime.date,
) -> tuple[Decimal | None, Decimal | None]:
    """Berkelland B.6 written directly in Python: (subsidie per maand, duur in maanden)."""
    age = (
        peildatum.year
        - geboortedatum.year
        - ((peildatum.month, peildatum.day) < (geboortedatum.month, geboortedatum.day))
    )
    in_group = klantgroep in ("bijstand", "ioaw_ioaz") and age < 65
    in_group = in_group or klantgroep in ("voormalig_wiw_id", "anw_er", "nugger")
    needed = 6 if age < 25 else 12
    if (
        not in_group
        or uren_per_week < 12
        or not bijstandsonafhankelijk_door_arbeid
        or maanden_werkloos < needed
    ):
        return None, None
    if handicap:
        amount = min(loonkosten * Decimal("0.60"), Decimal("600.00"))
    else:
        amount = min(loonkosten * Decimal("0.50"), Decimal("500.00"))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP), Decimal(12)


def _case_json(case: dict[str, object]) -> str:
    return json.dumps({k: str(v) if isinstance(v, Decimal | datetime.date) else v
                       for k, v in case.items()})  # fmt: skip


JSON_CASES = [_case_json(case) for case in CASES]
# Every case on another day of the period of force (eight years of it): the open norms that the
# decision reads depend on the peildatum.
DAYS = [PEIL + datetime.timedelta(days=i) for i in range(3000)]


def by_hand_from_json(text: str, peildatum: datetime.date) -> tuple[Decimal | None, ...]:
    """The hand-written function with the JSON a service gets: parsed and typed by hand."""
    data = json.loads(text, parse_float=Decimal)
    return by_hand(
        data["klantgroep"],
        datetime.date.fromisoformat(data["geboortedatum"]),
        Decimal(data["maanden_werkloos"]),
        Decimal(data["uren_per_week"]),
        data["bijstandsonafhankelijk_door_arbeid"],
        data["handicap"],
        Decimal(data["loonkosten"]),
        peildatum,
    )


def variants(regulation: Regulation) -> dict[str, Callable[[], object]]:
    """Each variant decides the three cases once; the hand-written ones are the baseline."""
    counter = itertools.count()

    def hand() -> None:
        for case in CASES:
            by_hand(**case, peildatum=PEIL)

    def compiled() -> None:
        for case in CASES:
            regulation.evaluate(case, PEIL, "loonkostensubsidie")

    def hand_json() -> None:
        for text in JSON_CASES:
            by_hand_from_json(text, PEIL)

    def compiled_json() -> None:
        for text in JSON_CASES:
            regulation.evaluate(json.loads(text, parse_float=Decimal), PEIL, "loonkostensubsidie")

    def hand_days() -> None:
        for case in CASES:
            by_hand(**case, peildatum=DAYS[next(counter) % len(DAYS)])

    def compiled_days() -> None:
        for case in CASES:
            regulation.evaluate(case, DAYS[next(counter) % len(DAYS)], "loonkostensubsidie")

    def traced() -> None:
        for case in CASES:
            regulation.evaluate(case, PEIL, "loonkostensubsidie", trace=True)

    return {
        "hand": hand,
        "compiled": compiled,
        "hand_json": hand_json,
        "compiled_json": compiled_json,
        "hand_days": hand_days,
        "compiled_days": compiled_days,
        "traced": traced,
    }


# (what, the variant, the baseline it is measured against, the goal)
RATIOS = [
    ("besluit zonder spoor", "compiled", "hand", 2.0),
    ("besluit uit JSON", "compiled_json", "hand_json", 2.0),
    ("elk geval een andere peildatum", "compiled_days", "hand_days", 2.5),
    ("besluit met volledige motivering", "traced", "hand", 10.0),
]


def bench_evaluation(rounds: int) -> dict[str, list[float]]:
    """Every variant once per round, in a shuffled order, each timed over a short batch: a
    machine that slows down slows every variant of that round alike. Returns per variant the
    time of one decision in each round."""
    regulation = load(ROOT / "policies")["berkelland"]
    for case in CASES:  # same answers first, then speed
        mine = regulation.evaluate(case, PEIL, "loonkostensubsidie")
        theirs = by_hand(**case, peildatum=PEIL)
        assert (mine["loonkostensubsidie"], mine["duur_loonkostensubsidie"]) == theirs, case
    for text, case in zip(JSON_CASES, CASES, strict=True):
        assert by_hand_from_json(text, PEIL) == by_hand(**case, peildatum=PEIL)
    runs = variants(regulation)
    times: dict[str, list[float]] = {name: [] for name in runs}
    order = list(runs)
    shuffle = random.Random(1)
    for fn in runs.values():  # warm
        timeit.timeit(fn, number=200)
    for _ in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            number = 100 if name == "traced" else 500
            times[name].append(timeit.timeit(runs[name], number=number) / number / len(CASES))
    return times


def ratio_figures(times: dict[str, list[float]]) -> list[tuple[str, float, float, float, float]]:
    """Per ratio: the median over the rounds of (variant / baseline in that round), its
    spread (the middle half of the rounds), and its goal."""
    out = []
    for what, variant, base, goal in RATIOS:
        ratios = sorted(v / b for v, b in zip(times[variant], times[base], strict=True))
        q1, q3 = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
        out.append((what, statistics.median(ratios), q1, q3, goal))
    return out


def bench_startup(rounds: int) -> tuple[float, float, float, float]:
    """`regel controleer` on a small file against `python3 -c pass`, run for run, as a user
    starts it: with Python's bytecode cache (an environment that switches it off, as some CI
    and sandbox set-ups do, would time compiling the compiler's source at every start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "klein.regel"
        path.write_text(generated_policy(1), encoding="utf-8")
        regel = str(Path(sys.executable).parent / "regel")
        for _ in range(2):  # the first run writes the caches (bytecode, Lark's tables)
            subprocess.run(
                [regel, "controleer", str(path)], capture_output=True, check=True, env=env
            )
        ours, bare = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            subprocess.run(
                [regel, "controleer", str(path)], capture_output=True, check=True, env=env
            )
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
            bare.append(time.perf_counter() - start)
    ratios = sorted(r / b for r, b in zip(ours, bare, strict=True))
    q1, q3 = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
    return statistics.median(ours), statistics.median(ratios), q1, q3


def generated_policy(articles: int) -> str:
    lines = [
        'beleidsregels groot "Gegenereerde regeling"',
        "  vastgesteld door het college op 01-01-2020",
        "  geldig vanaf 01-01-2020",
        "gegevens",
        "  loon: bedrag per maand",
        "  leeftijd_jaren: jaren",
        "  handicap: ja/nee",
        "uitkomsten",
    ]
    lines += [f"  uitkomst_{i}: bedrag per maand" for i in range(articles)]
    for i in range(articles):
        lines += [
            f'artikel {i + 1} "Artikel {i + 1}"',
            f'  tekst "Tekst van artikel {i + 1}, met een bedrag van € {i},00 per maand."',
            "  lid 1",
            f"    begrip grens_{i}: leeftijd_jaren minstens {i % 60} jaren en niet handicap",
            f"    regel regel_{i}",
            f"      uitkomst_{i} is 50% van loon met een maximum van € {i + 100},00 per maand"
            " afgerond op centen half naar boven",
            f"      als grens_{i}",
            "  lid 2",
            f"    regel uitzondering_{i}",
            f"      in afwijking van artikel {i + 1} lid 1",
            f"      uitkomst_{i} is 60% van loon met een maximum van € {i + 200},00 per maand",
            "      als handicap",
        ]
    return "\n".join(lines) + "\n"


# Run in a process of its own, so that its peak memory is its own. The helper that compiles
# part of a large module reports its own peak (VmHWM): its ru_maxrss, seen from here, would be
# the size of this process when the helper started, because Linux counts the memory a process
# had before `exec` in its maximum.
_COMPILE = """
import pathlib, resource, sys, tempfile, time
sys.path.insert(0, {here!r})
from bench_evaluatie import generated_policy
from regel.compiler import pycompile
from regel.compiler.api import load_sources

peak = pathlib.Path(tempfile.mkdtemp()) / "piek"
pycompile._HELPER += (
    "import re\\n"
    f"with open({{str(peak)!r}}, 'w') as out:\\n"
    "    out.write(re.search(r'VmHWM:\\\\s*(\\\\d+)', open('/proc/self/status').read())[1])\\n"
)
text = generated_policy({articles})
start = time.perf_counter()
load_sources({{"groot.regel": text}})
took = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
helper = int(peak.read_text()) if peak.exists() else 0
print(text.count(chr(10)), took, own, helper)
"""


def bench_compile(articles: int) -> tuple[int, float, int, int]:
    """Loading and compiling one generated regulation: lines, seconds, MB, and the MB of the
    process that compiles part of a large module (`compiler/pycompile.py`; 0 when there was
    none). Both count towards the memory goal."""
    code = _COMPILE.format(here=str(Path(__file__).parent), articles=articles)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines, seconds, own, helper = out.stdout.split()
    return int(lines), float(seconds), int(own) // 1024, int(helper) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description="Snelheid van besluiten, starten en compileren.")
    parser.add_argument("--rondes", type=int, default=30, help="rondes om en om (standaard 30)")
    parser.add_argument(
        "--groot",
        type=int,
        default=3850,
        help="artikelen in de grote regeling (3850: 50.000 regels)",
    )
    args = parser.parse_args()
    times = bench_evaluation(args.rondes)
    print(f"Python {sys.version.split()[0]}, {args.rondes} rondes om en om;", end=" ")
    print("per verhouding de mediaan en (tussen haakjes) de middelste helft van de rondes")
    print(f"  handgeschreven functie: {statistics.median(times['hand']) * 1e6:.2f} µs per besluit")
    for what, median, q1, q3, goal in ratio_figures(times):
        verdict = "gehaald" if median <= goal else "NIET gehaald"
        print(f"  {what:34} {median:5.2f}×  ({q1:.2f}–{q3:.2f})  doel ≤ {goal:g}×: {verdict}")
    # Starting is short and the machine's noise large: twice as many rounds.
    seconds, ratio, q1, q3 = bench_startup(2 * args.rondes)
    verdict = "gehaald" if ratio <= 5 else "NIET gehaald"
    print(f"  regel controleer (klein bestand)   {ratio:5.2f}×  ({q1:.2f}–{q3:.2f})"
          f" python3 -c pass, {seconds:.2f} s  doel ≤ 5×: {verdict}")  # fmt: skip
    for articles in (84, args.groot):
        lines, took, megabytes, helper = bench_compile(articles)
        goal = "doel ≤ 8 s en ≤ 400 MB: " if lines >= 50_000 else ""
        if goal:
            goal += "gehaald" if took <= 8 and megabytes + helper <= 400 else "NIET gehaald"
        memory = f"{megabytes} MB" + (f" + hulpproces {helper} MB" if helper else "")
        print(f"  laden en compileren van {lines:6} regels: {took:5.2f} s, {memory}  {goal}")
    return 0  # a busy machine reports; it does not fail `make bench`


if __name__ == "__main__":
    sys.exit(main())
