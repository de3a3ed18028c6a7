"""This version of regel against an earlier commit, on the same machine, run for run.

    .venv/bin/python benchmarks/bench_versus.py --tegen 0cc6539 [--rondes 6]

Installs the earlier commit (without its dependencies, which are those of this venv) in a
temporary folder, then alternates: a run of the earlier version, a run of this one, `--rondes`
times. Each run times the Berkelland wage-cost-subsidy decision with and without its trace (the
least of 15 repetitions). The least over all runs is reported per version: on a machine whose
speed varies from run to run, that is the closest to what the code itself costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import datetime, json, sys, timeit
from decimal import Decimal
from regel.compiler import load
peil = datetime.date(2008, 3, 1)
regulation = load(sys.argv[1]).version("berkelland", peil)
case = {"klantgroep": "bijstand", "geboortedatum": datetime.date(1978, 1, 1),
        "maanden_werkloos": Decimal(14), "uren_per_week": Decimal(32),
        "bijstandsonafhankelijk_door_arbeid": True, "handicap": False,
        "loonkosten": Decimal("1400.00")}
def best(trace):
    run = lambda: regulation.evaluate(case, peil, "loonkostensubsidie", trace=trace)
    return min(timeit.repeat(run, number=2000, repeat=15)) / 2000
print(json.dumps({"snel": best(False), "spoor": best(True)}))
"""


def run(pythonpath: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ROOT / "policies" / "berkelland")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tegen", required=True, metavar="COMMIT", help="de eerdere versie")
    parser.add_argument("--rondes", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree, site = Path(tmp) / "bron", Path(tmp) / "site"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree),
                        args.tegen], check=True)  # fmt: skip
        try:
            pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target"]
            subprocess.run([*pip, str(site), str(tree)], check=True, capture_output=True)
            runs: dict[str, list[dict[str, float]]] = {"eerder": [], "nu": []}
            for _ in range(args.rondes):
                runs["eerder"].append(run(str(site)))
                runs["nu"].append(run(None))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False)  # fmt: skip
    print(f"{args.rondes} rondes om en om; het kleinste per versie")
    for kind in ("snel", "spoor"):
        before = min(r[kind] for r in runs["eerder"]) * 1e6
        now = min(r[kind] for r in runs["nu"]) * 1e6
        print(f"  {kind:5}  {args.tegen}: {before:6.2f} µs   nu: {now:6.2f} µs   "
              f"({(now / before - 1) * 100:+.0f}%)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
