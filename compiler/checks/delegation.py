"""R8xx, delegation: open norms, who fills them, and with what."""

from __future__ import annotations

from .. import nodes as n
from ..diagnostics import suggest
from ..model import RegInfo, fill_key
from ..types import Type
from .base import CheckerBase
from .common import (
    _organ,
    _unit_hint,
)


class DelegationPass(CheckerBase):
    def _check_fills(self, info: RegInfo) -> None:
        seen: set[tuple[str, str]] = set()
        for fill in info.fills:
            self._current = (info.key, fill_key(fill.regulation, fill.norm))
            got = self.typeof(info, fill.value)
            targets = self._relevant(info, fill.regulation)
            if not targets:
                self._unknown_regulation(fill.regulation, fill.span)
                continue
            key = (fill.regulation, fill.norm)
            if key in seen:
                self.error(
                    "R804", f"de open norm '{fill.norm}' wordt twee keer ingevuld", fill.span
                )
            seen.add(key)
            before = len(self.a.diagnostics)
            for target in targets:  # every version it may fill; one report is enough
                self._check_fill(info, fill, target, got)
                if len(self.a.diagnostics) > before:
                    break

    def _check_fill(
        self, info: RegInfo, fill: n.FillNorm, target: RegInfo, got: Type | None
    ) -> None:
        reg = info.node
        sym = target.symbols.get(fill.norm)
        if sym is None or sym.kind != "norm":
            norms = target.names("norm")
            self.error(
                "R803",
                f"'{fill.regulation}' heeft geen open norm '{fill.norm}'",
                fill.span,
                suggest(fill.norm, norms),
            )
            return
        norm: n.OpenNorm = sym.node  # type: ignore[assignment]
        if reg.meta.organ != norm.organ:
            self.error(
                "R801",
                f"de open norm '{fill.norm}' is overgelaten aan {_organ(norm.organ)}, maar "
                f"'{reg.title}' is vastgesteld door "
                f"{_organ(reg.meta.organ)}",
                fill.span,
                "alleen het orgaan waaraan de norm is gedelegeerd kan hem invullen",
                (("de open norm", norm.span),),
            )
        want = sym.type
        if got is not None and want is not None and not want.same(got):
            self.error(
                "R802",
                f"de open norm '{fill.norm}' is {want.display()}, maar wordt "
                f"ingevuld met {got.display()}",
                fill.value.span,
                _unit_hint(want, got),
            )

    def _check_rival_fills(self) -> None:
        """Two regulations that fill one open norm at the same time leave it unclear which
        applies; versions of one regulation take turns and are no rivals."""
        fills: dict[tuple[str, str], list[tuple[RegInfo, n.FillNorm]]] = {}
        for info in self.a.regs.values():
            for fill in info.fills:
                fills.setdefault((fill.regulation, fill.norm), []).append((info, fill))
        for (_, norm), found in fills.items():
            for i, (a, fa) in enumerate(found):
                for b, fb in found[i + 1 :]:
                    if a.node.id != b.node.id and a.overlaps(b) and not _apart(a, b):
                        self.error(
                            "R804",
                            f"de open norm '{norm}' wordt in dezelfde periode ook ingevuld "
                            f"door '{a.node.id}'",
                            fb.span,
                            "laat één regeling de norm invullen; vullen gemeenten hem elk voor "
                            "zich in, geef dan elke regeling de gemeentecode van haar gemeente",
                            (("andere invulling", fa.span),),
                        )


def _apart(a: RegInfo, b: RegInfo) -> bool:
    """Two regulations for different gemeenten: each fills the norm in its own territory
    (Delft and Berkelland each fill the same norm of a law)."""
    ta, tb = a.node.meta.territory, b.node.meta.territory
    return ta is not None and tb is not None and ta[0] != tb[0]
