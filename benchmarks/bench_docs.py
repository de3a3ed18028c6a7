"""Speed of `regel docs` on the shipped policies with this project's docs/ as the guide.

    .venv/bin/python benchmarks/bench_docs.py

Three stages, each the best and the worst of five runs: loading the policies, writing the
Markdown of every page (our part), and the strict MkDocs build of the HTML (MkDocs and
Material). The last is what a user waits for after `regel docs`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from regel.compiler import load
from regel.compiler.docs import SiteBuilder, guide_pages, make_site

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def measure(label: str, run) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    low, high, mid = (f"{t:.2f}".replace(".", ",") for t in (min(times), max(times),
                      statistics.median(times)))  # fmt: skip
    print(f"{label:<44} {low}–{high} s (mediaan {mid})")


def main() -> int:
    policies = load(str(ROOT / "policies"))
    guide = ROOT / "docs"
    site = SiteBuilder(policies).build(guide_pages(guide))
    print(f"{len(site.pages)} pagina's, Python {sys.version.split()[0]}")
    measure("regelingen laden en controleren", lambda: load(str(ROOT / "policies")))
    measure("Markdown van alle pagina's", lambda: SiteBuilder(policies).build(guide_pages(guide)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        measure(
            "hele site (Markdown + strikte MkDocs-bouw)",
            lambda: make_site(policies, out, None, guide),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
