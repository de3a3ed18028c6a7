"""What every pass shares: the state of one check of all loaded files, and reporting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import nodes as n
from ..diagnostics import Diagnostic, Span, suggest
from ..model import Analysis, RegInfo, RuleInfo, Symbol  # the model it builds
from ..types import Type
from ..visitor import ExprVisitor


class CheckerBase(ExprVisitor[Type | None]):
    """The state of a check and how problems are reported. The passes call each other only
    through the methods named below (each defined in one pass), so that what a pass needs of
    another is written down."""

    if TYPE_CHECKING:
        # names.py
        def _add(self, info: RegInfo, sym: Symbol, span: Span) -> None: ...
        def _name_ok(self, name: str, span: Span) -> bool: ...
        def _name(self, info: RegInfo, e: n.Name, expect: Type | None) -> Type | None: ...
        def _qualname(self, info: RegInfo, e: n.QualName) -> Type | None: ...
        def _relevant(self, here: RegInfo, regulation: str) -> list[RegInfo]: ...
        def _check_ref(self, info: RegInfo, ref: n.Ref) -> None: ...
        def _input_elsewhere(self, info: RegInfo, name: str) -> Symbol | None: ...
        def _check_territory(self, code: str, where: Span) -> bool: ...
        def _group(self, info: RegInfo, e: n.Name) -> Symbol | None: ...

        # types.py
        def typeof(self, info: RegInfo, e: n.Expr, expect: Type | None = None) -> Type | None: ...
        def _type_symbol(self, info: RegInfo, sym: Symbol) -> Type | None: ...
        def _check_default(self, info: RegInfo, name: str, expr: n.Expr, want: Type) -> None: ...
        def _check_count(self, name: str, expr: n.Expr, want: Type | None) -> None: ...
        def _check_bounds(self, info: RegInfo, inp: n.Input) -> None: ...
        def _check_condition(self, info: RegInfo, expr: n.Expr) -> None: ...

        # exceptions.py, structure.py, time.py
        def _check_rule(self, info: RegInfo, rinfo: RuleInfo) -> None: ...
        def _declare_units(
            self,
            info: RegInfo,
            units: list[n.Unit],
            parent: n.Unit | None,
            anchor: n.Anchor | None,
        ) -> None: ...
        def _case_period(self, versions: list[RegInfo], case: n.Case) -> None: ...

    def __init__(
        self, files: list[n.Regulation | n.CaseFile], unparsed: frozenset[str] = frozenset()
    ):
        self.files = files
        # Regulations whose file has a syntax error: what refers to them is not reported
        # again (their own diagnostics say what is wrong), nor the cases of what uses them.
        self.unparsed = unparsed
        self.incomplete: set[str] = set()  # ids of regulations that refer to one of those
        self.a = Analysis()
        self._current: tuple[str, str] | None = None  # the definition being typed
        self._visiting: set[tuple[str, str]] = set()
        # Within `… in huishouden` or a begrip voor ieder in it: the group of the person meant.
        self._person: str | None = None
        # Aggregates whose condition is a name that is no ja/nee (`waarvoor rol is kind`,
        # without brackets): the comparison after it is part of that mistake, said once.
        self._unbracketed: list[n.Expr] = []

    def error(
        self,
        code: str,
        message: str,
        span: Span | None,
        hint: str | None = None,
        related: tuple[tuple[str, Span], ...] = (),
    ) -> None:
        self.a.diagnostics.append(Diagnostic(code, message, span, hint, "error", related))

    def _unknown_regulation(
        self, name: str, span: Span, hint: str = "laad het bestand van die regeling mee"
    ) -> None:
        if name in self.unparsed:
            if self._current is not None:
                self.incomplete.add(self._current[0].split("@")[0])
            return
        self.error(
            "R204",
            f"onbekende regeling '{name}'",
            span,
            suggest(name, list(self.a.versions)) or hint,
        )

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.a.diagnostics.append(Diagnostic(code, message, span, hint, "warning"))

    def _use(self, reg: str, name: str) -> None:
        if self._current is not None:
            self.a.deps.setdefault(self._current, set()).add((reg, name))
