"""R6xx and R509, time: versions of a regulation and the period a case falls in."""

from __future__ import annotations

import datetime
import itertools

from .. import nodes as n
from ..model import RegInfo
from .base import CheckerBase
from .common import (
    _dmy,
    _period,
)


class TimePass(CheckerBase):
    def _check_versions(self, versions: list[RegInfo]) -> None:
        """Versions of one regulation: the same kind, and never two in force on one day."""
        for prev, info in itertools.pairwise(versions):
            reg, first = info.node, prev.node
            if reg.kind != first.kind:
                self.error(
                    "R202",
                    f"de regeling '{reg.id}' is al gedefinieerd als {first.kind}",
                    reg.span,
                    "versies van één regeling zijn van dezelfde soort; geef anders elke "
                    "regeling een eigen naam",
                    (("eerste definitie", first.span),),
                )
        for i, info in enumerate(versions):
            for other in versions[i + 1 :]:
                if not info.overlaps(other):
                    continue
                start = other.node.meta.valid_from
                hint = "geef elke versie een eigen periode"
                if start and info.node.meta.valid_from and info.node.meta.valid_from < start:
                    last = start - datetime.timedelta(days=1)
                    hint = (
                        f"laat de eerdere versie eindigen vóór de latere begint: geldig van "
                        f"{_dmy(info.node.meta.valid_from)} tot en met {_dmy(last)}"
                    )
                self.error(
                    "R509",
                    f"twee versies van '{info.node.id}' gelden tegelijk: de ene "
                    f"{_period(info)}, de andere {_period(other)}",
                    other.node.meta.period_span or other.node.span,
                    hint,
                    (("andere versie", info.node.meta.period_span or info.node.span),),
                )

    def _case_period(self, versions: list[RegInfo], case: n.Case) -> None:
        day = case.peildatum
        assert day is not None
        if not any(v.in_force(day) for v in versions):
            which = f"van '{versions[0].node.title}'"
            if len(versions) > 1:
                which = f"van alle versies van '{versions[0].node.id}'"
            self.error(
                "R601",
                f"de peildatum van geval '{case.name}' valt buiten de geldigheid {which}",
                case.span,
                'verwacht dan een fout: verwacht fout "buiten de geldigheid"',
            )
