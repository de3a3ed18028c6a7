"""Speed of evaluation and compilation, measured side by side in one run.

    .venv/bin/python benchmarks/bench_evaluatie.py

1. A compiled wage-cost-subsidy decision (Berkelland B.6: target group, age, months
   unemployed, hours, handicap, wage costs → capped percentage; the percentages and caps are
   the open norms of the verordening as the beleidsregels fill them) against a hand-written
   Python function with the same inputs and outputs, both with Decimal; once without and once
   with the full trace.
2. Loading and compiling a generated .regel file of at least 1,000 lines.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import tempfile
import time
import timeit
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from regel.compiler import load

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


def best_per_call(fn, number: int) -> float:
    runs = timeit.repeat(fn, number=number, repeat=7)
    return min(runs) / number / len(CASES)


def bench_evaluation() -> dict[str, float]:
    regulation = load(ROOT / "policies")["berkelland"]
    for case in CASES:  # same answers first, then speed
        mine = regulation.evaluate(case, PEIL, "loonkostensubsidie")
        theirs = by_hand(**case, peildatum=PEIL)
        assert (mine["loonkostensubsidie"], mine["duur_loonkostensubsidie"]) == theirs, case

    def hand() -> None:
        for case in CASES:
            by_hand(**case, peildatum=PEIL)

    def compiled() -> None:
        for case in CASES:
            regulation.evaluate(case, PEIL, "loonkostensubsidie")

    def traced() -> None:
        for case in CASES:
            regulation.evaluate(case, PEIL, "loonkostensubsidie", trace=True)

    return {
        "hand": best_per_call(hand, 20000),
        "compiled": best_per_call(compiled, 5000),
        "traced": best_per_call(traced, 2000),
    }


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


def bench_compile() -> tuple[int, float]:
    text = generated_policy(84)
    count = text.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "groot.regel"
        path.write_text(text, encoding="utf-8")
        load(path)  # warm: the grammar is built once per process
        times = []
        for _ in range(5):
            start = time.perf_counter()
            load(path)
            times.append(time.perf_counter() - start)
    return count, statistics.median(times)


def main() -> int:
    ev = bench_evaluation()
    lines, seconds = bench_compile()
    ratio, ratio_trace = ev["compiled"] / ev["hand"], ev["traced"] / ev["hand"]
    print(f"Python {sys.version.split()[0]}")
    print(f"handgeschreven functie:          {ev['hand'] * 1e6:7.2f} µs per besluit")
    print(f"gecompileerd besluit:            {ev['compiled'] * 1e6:7.2f} µs  ({ratio:.2f}×)")
    print(f"gecompileerd, met volledig spoor: {ev['traced'] * 1e6:6.2f} µs  ({ratio_trace:.2f}×)")
    print(f"laden en compileren van {lines} regels: {seconds:.3f} s")
    ok = ratio <= 2 and ratio_trace <= 10 and seconds <= 0.3 and lines >= 1000
    print("doelen (≤ 2×, ≤ 10× met spoor, ≤ 0,3 s):", "gehaald" if ok else "NIET gehaald")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
