"""Semantic checks, separate from parsing, as passes over all loaded files: one module per
range of diagnostics under `checks/` (names R2xx, types R3xx, rules and exceptions R4xx,
structure R5xx, time R6xx, delegation R8xx, cases R9xx). All problems are collected, not just
the first; the result is the typed model (`model.Analysis`, and `Expr.type`/`Expr.resolved` on
the nodes) that every back end reads.
"""

from __future__ import annotations

import datetime

from . import nodes as n
from .checks.cases import CasesPass
from .checks.delegation import DelegationPass
from .checks.exceptions import ExceptionsPass
from .checks.names import NamesPass
from .checks.structure import StructurePass
from .checks.time import TimePass
from .checks.types import TypesPass
from .model import Analysis, RegInfo


class Checker(
    NamesPass, TypesPass, ExceptionsPass, StructurePass, TimePass, DelegationPass, CasesPass
):
    """All passes, run in order by `run`: versions, declarations, bodies (names and types),
    exceptions and fillings, then what spans regulations, then the cases."""

    def run(self) -> Analysis:
        regs = [f for f in self.files if isinstance(f, n.Regulation)]
        by_id: dict[str, list[n.Regulation]] = {}
        for reg in regs:
            by_id.setdefault(reg.id, []).append(reg)
        for rid, group in by_id.items():
            group.sort(key=lambda r: r.meta.valid_from or datetime.date.min)
            keys = self.a.versions[rid] = []
            for reg in group:
                key = rid
                if len(group) > 1:
                    key = f"{rid}@{(reg.meta.valid_from or datetime.date.min).isoformat()}"
                    while key in self.a.regs:  # two versions from one day: R509 says so
                        key += "'"
                keys.append(key)
                self.a.regs[key] = RegInfo(reg, key)
            self._check_versions(self.a.of(rid))
        for info in self.a.regs.values():
            self._declare(info)
        for info in self.a.regs.values():
            self._check_bodies(info)
        for info in self.a.regs.values():
            self._check_exceptions(info)
            self._check_fills(info)
        self._check_rival_fills()
        self._check_cycles()
        self._check_shared_inputs()
        for f in self.files:
            if isinstance(f, n.CaseFile):
                self._check_cases(f)
                self.a.cases.append(f)
        for info in self.a.regs.values():
            info.lower()  # the precedence of rules, once per regulation version
        return self.a


def check(
    files: list[n.Regulation | n.CaseFile], unparsed: frozenset[str] = frozenset()
) -> Analysis:
    return Checker(files, unparsed).run()
