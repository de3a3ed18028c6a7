"""How a value was worked out, step by step: the arithmetic of a motivation (Awb 3:46).

Generated code has, besides each rule's value function, an explaining twin (`uitleg_…`): the
same expression, written by the same code generator, in which each calculation, cap, rounding,
tier and value read is passed through one of the functions below. They take the operands and
the result the generated expression computed, note a `Step` in Dutch, and return the result
unchanged; they compute nothing themselves, so the explained value is the value.

A format is `(kind, unit, percent, label, unit for one)`: how the runtime shows a value
(`format_value`), the name it was read under, if any ("€ 1.400,00 (loonkosten)"), and the unit
after exactly one ("1 dag", "12 dagen").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .values import format_value

if TYPE_CHECKING:
    from .engine import Context

Format = tuple[str, str, bool, str, str]
Steps = list["Step"]


@dataclass(slots=True)
class Step:
    """One line of a derivation. `kind`: berekening, grens, afronding, geval, norm, begrip or
    elders; `steps`: how a begrip read here was worked out, in order."""

    kind: str
    text: str
    display: str
    steps: list[Step] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"soort": self.kind, "tekst": self.text, "weergave": self.display}
        if self.steps:
            out["stappen"] = [s.to_json() for s in self.steps]
        return out


def show(value: Any, f: Format) -> str:
    """A value in its unit and Dutch format, with the name it was read under."""
    unit = f[4] if f[4] and value == 1 and not isinstance(value, bool) else f[1]
    text = format_value(value, f[0], unit, f[2])
    return f"{text} ({f[3].replace('_', ' ')})" if f[3] else text


def lines(steps: list[Step]) -> list[str]:
    """The derivation as sentences, a begrip's own steps before the step that reads it."""
    out: list[str] = []
    for step in steps:
        out += lines(step.steps)
        out.append(step.text)
    return out


# ---------------------------------------------------------------- what generated code calls


def calc(s: Steps, shown: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> Any:
    """`a + b`, `a × b`, `50% van a`, a date plus a duration: operands and result."""
    out = show(r, f[2])
    s.append(Step("berekening", f"{show(a, f[0])} {shown} {show(b, f[1])} = {out}", out))
    return r


def bound(s: Steps, word: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> Any:
    """`a met een maximum van b`: whether the cap was reached shows in the result."""
    out = show(r, f[2])
    reached = "bereikt" if r == b and a != b else "niet bereikt"
    text = f"{show(a, f[0])}, met een {word} van {show(b, f[1])}: {reached}, {out}"
    s.append(Step("grens", text, out))
    return r


def pick(s: Steps, word: str, f: tuple[Format, Format], values: tuple[Any, ...], r: Any) -> Any:
    """`minimum van (a, b, …)`."""
    out = show(r, f[1])
    listed = ", ".join(show(v, f[0]) for v in values)
    s.append(Step("grens", f"het {word} van ({listed}): {out}", out))
    return r


def rounded(s: Steps, how: str, f: tuple[Format, Format], a: Any, r: Any) -> Any:
    """`a afgerond op centen half naar boven`, said also when nothing changed."""
    out = show(r, f[1])
    s.append(Step("afronding", f"{show(a, f[0])} afgerond {how}: {out}", out))
    return r


def aged(s: Steps, f: tuple[Format, Format, Format], birth: Any, on: Any, r: Any) -> Any:
    out = show(r, f[2])
    text = f"leeftijd op {show(on, f[1])} bij geboortedatum {show(birth, f[0])}: {out}"
    s.append(Step("berekening", text, out))
    return r


def elapsed(s: Steps, unit: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> Any:
    out = show(r, f[2])
    text = f"hele {unit} van {show(a, f[0])} tot {show(b, f[1])}: {out}"
    s.append(Step("berekening", text, out))
    return r


def tier(s: Steps, case: str, f: Format, value: Callable[[], Any]) -> Any:
    """The tier of a `als`-block that gave the value; noted before what it then works out."""
    step = Step("geval", "", "")
    s.append(step)
    r = value()
    step.display = show(r, f)
    step.text = f"van toepassing is {case}: {step.display}"
    return r


def norm(s: Steps, c: Context, name: str, f: Format) -> Any:
    """An open norm, with where its value was set: the filling regulation and article, or the
    norm's own standard value, and the delegation it rests on."""
    value = c.norm(name)
    shown = show(value, _unnamed(f))
    origin = c.regulation.norm_origin(name, c)
    _once(s, "norm", f"{name.replace('_', ' ')}: {shown}, {origin}", shown)
    return value


def begrip(s: Steps, c: Context, name: str, f: Format) -> Any:
    """A begrip, with how it was worked out when that took a calculation."""
    regulation = c.regulation
    explain = regulation.explainers.get(name)
    sub: list[Step] = []
    value = explain(c, sub) if explain is not None else c.begrip(name)
    where = regulation.anchors.get(name)
    label = name.replace("_", " ") + (f" ({where})" if where else "")
    shown = show(value, _unnamed(f))
    _once(s, "begrip", f"{label}: {shown}", shown, sub)
    return value


def elsewhere(s: Steps, c: Context, regulation: str, name: str, f: Format) -> Any:
    """A begrip, outcome or norm of another regulation: named with that regulation."""
    value = c.elsewhere(regulation, name)
    shown = show(value, _unnamed(f))
    other = c.regulation.program.in_force(regulation, c.peildatum)
    sub = c.memo.get("@" + regulation)  # the context `elsewhere` worked in
    if other is not None and name in other.norms and sub is not None:
        text = f"{name.replace('_', ' ')}: {shown}, {other.norm_origin(name, sub)}"
        _once(s, "norm", text, shown)
        return value
    title = other.title if other is not None else regulation
    where = other.anchors.get(name) if other is not None else None
    origin = f"{where} van {title}" if where else title
    _once(s, "elders", f"{name.replace('_', ' ')}: {shown} (uit {origin})", shown)
    return value


def _unnamed(f: Format) -> Format:
    return (f[0], f[1], f[2], "", f[4])


def _once(s: Steps, kind: str, text: str, display: str, sub: list[Step] | None = None) -> None:
    if not any(step.kind == kind and step.text == text for step in s):
        s.append(Step(kind, text, display, sub or []))
