"""Helpers and constants the checks share."""

from __future__ import annotations

import datetime
import decimal
import textwrap
from collections.abc import Iterator

from .. import nodes as n
from .. import unparse, vocabulary
from ..model import RegInfo  # the model it builds
from ..types import Type, from_spec

LEVELS = ("hoofdstuk", "artikel", "lid", "onderdeel")


MAX_LABEL_DIGITS = 4


_ALLOWED_PARENT = {
    "hoofdstuk": (None,),
    "artikel": (None, "hoofdstuk"),
    "lid": ("artikel",),
    "onderdeel": ("artikel", "lid", "onderdeel"),  # onder a sub 1°
}


def _walk_units(units: list[n.Unit]) -> Iterator[n.Unit]:
    for unit in units:
        yield unit
        yield from _walk_units([c for c in unit.children if isinstance(c, n.Unit)])


def _bound_value(e: n.Expr) -> decimal.Decimal:
    if isinstance(e, n.Negate):
        return -_bound_value(e.operand)
    assert isinstance(e, n.Number | n.Money)
    return e.value


def _input_difference(a: n.Input, b: n.Input) -> tuple[str, str] | None:
    """How two declarations of one gegeven differ, as each is written; None if alike."""
    ta, tb = from_spec(a.type), from_spec(b.type)

    def said(inp: n.Input, t: Type) -> str:
        if inp.oordeel:
            return f"een oordeel van {_organ(inp.oordeel)}"
        return t.display()

    alike = (
        ta.kind == tb.kind
        and ta.unit == tb.unit
        and ta.percent == tb.percent
        and set(ta.choices) == set(tb.choices)
        and a.oordeel == b.oordeel
        and [_src(x) if x else None for x in (a.minimum, a.maximum)]
        == [_src(x) if x else None for x in (b.minimum, b.maximum)]
    )
    return None if alike else (said(a, ta), said(b, tb))


def _organ(key: str | None) -> str:
    """An organ as the language writes it ("de raad"), for a message."""
    found = vocabulary.ORGANS.get(key or "")
    return found.words if found else "een onbekend orgaan"


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else f"{text[: limit - 9]}…{text[-8:]}"


def _dmy(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


def _period(info: RegInfo) -> str:
    meta = info.node.meta
    start = f"vanaf {_dmy(meta.valid_from)}" if meta.valid_from else "zonder begin"
    return (
        f"{start} tot en met {_dmy(meta.valid_until)}"
        if meta.valid_until
        else start + " zonder einde"
    )


def _describe(item: object) -> str:
    """What a statement is, in the words of the language: for messages about where it stands."""
    named = n.executable_name(item)
    if named is not None:
        kind, name = named
        return f"de invulling van '{name}'" if kind == "invulling" else f"{kind} '{name}'"
    if isinstance(item, n.TextBlock):
        return {"tekst onbekend": "'tekst onbekend'"}.get(item.kind, f"een {item.kind}")
    if isinstance(item, n.NotExecutable):
        return f"'{item.words}'"
    if isinstance(item, n.References):
        return "een verwijzing ('verwijst naar')"
    raise TypeError(f"onbekend onderdeel {type(item).__name__}")


def _is_constant(e: n.Expr) -> bool:
    if isinstance(e, n.LITERALS):
        return True
    if isinstance(e, n.Negate):
        return _is_constant(e.operand)
    # A bare name may be a choice value (uitkering is WWB); the type check decides.
    return isinstance(e, n.Name)


def _src(e: n.Expr) -> str:
    """An expression as the policy writer wrote it, for messages and comparisons."""
    return textwrap.shorten(unparse.source(e), 80, placeholder=" …")


def _unit_hint(want: Type, got: Type) -> str | None:
    if want.kind != "num" or got.kind != "num":
        return None
    if got.unit.dimensionless and not want.unit.dimensionless:
        return f"schrijf de eenheid achter het getal: … {want.unit.display(plural=True)}"
    wd, gd = dict(want.unit.dims), dict(got.unit.dims)
    times = [k for k in vocabulary.TIME_UNITS if k in wd or k in gd]
    if len(times) == 2:
        a, b = times
        return f"reken expliciet om, bijvoorbeeld met '× 12 maanden per jaar' ({a} ↔ {b})"
    # What is left over: `€ per jaar` where `€` is wanted needs a duration in jaren.
    rest = (got.unit / want.unit).dims
    if len(rest) == 1 and rest[0][1] == -1 and rest[0][0] in vocabulary.TIME_UNITS:
        unit = vocabulary.UNITS[rest[0][0]]
        return (
            f"vermenigvuldig met een duur in {unit.words[-1]} (… × 1 {unit.singular}), of reken "
            "om: × 12 maanden per jaar"
        )
    return None


def _cycles(graph: dict) -> list[list]:
    """Each elementary cycle found by a depth-first search, reported once."""
    found: list[list] = []
    seen_sets: set[frozenset] = set()
    state: dict = {}
    stack: list = []

    def visit(node: object) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(list(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in list(graph):
        if node not in state:
            visit(node)
    return found


def _reachability(graph: dict[str, list[str]]) -> dict[str, set[str]]:
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            todo.extend(graph.get(cur, ()))
        reach[start] = seen
    return reach
