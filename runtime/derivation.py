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

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import EvaluationError, Undetermined
from .values import Flag, flags, format_value, settle

if TYPE_CHECKING:
    from .engine import Context, Regulation

Format = tuple[str, str, bool, str, str]
# The kinds of step, as the JSON names them (`soort`); the service's schema lists the same.
STEP_KINDS = (
    "berekening", "grens", "afronding", "geval", "norm", "begrip", "elders", "personen", "persoon"
)  # fmt: skip
Steps = list["Step"]


class Step:
    """One line of a derivation. `kind`: berekening, grens, afronding, geval, norm, begrip or
    elders; `steps`: how a begrip read here was worked out, in order.

    A step keeps the values it was given and writes its Dutch only when it is read: deciding
    with a trace costs the arithmetic, not the formatting of every number (see
    docs/prestaties.md)."""

    __slots__ = ("_args", "_display", "_render", "_text", "key", "kind", "steps")

    def __init__(
        self,
        kind: str,
        render: Callable[..., tuple[str, str]],
        args: tuple[Any, ...],
        steps: list[Step] | None = None,
        key: Any = None,
    ):
        self.kind, self._render, self._args = kind, render, args
        self.steps = steps or []
        self.key = key  # what makes a value read the same step twice (its name)
        self._text: str | None = None
        self._display = ""

    def _written(self) -> str:
        if self._text is None:
            self._text, self._display = self._render(*self._args)
        return self._text

    @property
    def text(self) -> str:
        return self._written()

    @property
    def display(self) -> str:
        self._written()
        return self._display

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"soort": self.kind, "tekst": self.text, "weergave": self.display}
        if self.steps:
            out["stappen"] = [s.to_json() for s in self.steps]
        return out


def show(value: Any, f: Format) -> str:
    """A value in its unit and Dutch format, with the name it was read under."""
    text = format_value(value, f[0], f[1], f[2], f[4])
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
    s.append(Step("berekening", _calc, (shown, f, a, b, r)))
    return r


def _calc(shown: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> tuple[str, str]:
    out = show(r, f[2])
    return f"{show(a, f[0])} {shown} {show(b, f[1])} = {out}", out


def bound(s: Steps, word: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> Any:
    """`a met een maximum van b`: whether the cap was reached shows in the result."""
    s.append(Step("grens", _bound, (word, f, a, b, r)))
    return r


def _bound(word: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> tuple[str, str]:
    out = show(r, f[2])
    reached = "bereikt" if r == b and a != b else "niet bereikt"
    return f"{show(a, f[0])}, met een {word} van {show(b, f[1])}: {reached}, {out}", out


def pick(s: Steps, word: str, f: tuple[Format, Format], values: tuple[Any, ...], r: Any) -> Any:
    """`minimum van (a, b, …)`."""
    s.append(Step("grens", _pick, (word, f, values, r)))
    return r


def _pick(word: str, f: tuple[Format, Format], values: tuple[Any, ...], r: Any) -> tuple[str, str]:
    out = show(r, f[1])
    listed = ", ".join(show(v, f[0]) for v in values)
    return f"het {word} van ({listed}): {out}", out


def rounded(s: Steps, how: str, f: tuple[Format, Format], a: Any, r: Any) -> Any:
    """`a afgerond op centen half naar boven`, said also when nothing changed."""
    s.append(Step("afronding", _rounded, (how, f, a, r)))
    return r


def _rounded(how: str, f: tuple[Format, Format], a: Any, r: Any) -> tuple[str, str]:
    out = show(r, f[1])
    return f"{show(a, f[0])} afgerond {how}: {out}", out


def aged(s: Steps, f: tuple[Format, Format, Format], birth: Any, on: Any, r: Any) -> Any:
    s.append(Step("berekening", _aged, (f, birth, on, r)))
    return r


def _aged(f: tuple[Format, Format, Format], birth: Any, on: Any, r: Any) -> tuple[str, str]:
    out = show(r, f[2])
    return f"leeftijd op {show(on, f[1])} bij geboortedatum {show(birth, f[0])}: {out}", out


def elapsed(s: Steps, unit: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any) -> Any:
    s.append(Step("berekening", _elapsed, (unit, f, a, b, r)))
    return r


def _elapsed(
    unit: str, f: tuple[Format, Format, Format], a: Any, b: Any, r: Any
) -> tuple[str, str]:
    out = show(r, f[2])
    return f"hele {unit} van {show(a, f[0])} tot {show(b, f[1])}: {out}", out


def over(
    s: Steps,
    c: Context,
    kind: str,
    group: str,
    text: str,
    f: tuple[Format, Format],
    value: Callable[[Context, Steps], Any] | None,
    condition: Callable[[Context], Any] | None,
    shape: Shape | None,
) -> Any:
    """An aggregate over the persons of a group, with a step per person: whether the
    condition held and why, the person's value and how it was worked out. Who was counted
    can then be contested. The value is `values.settle`, as in `engine.over`."""
    persons = c.persons(group)
    found = flags(persons, condition)
    values: list[Any] = []
    people: list[Step] = []
    spec = c.regulation.inputs.get(group)
    first = spec.fields[0] if spec is not None and spec.fields else None
    naming = first.name if first is not None and first.kind in ("choice", "text") else None
    for number, (person, flag) in enumerate(zip(persons, found, strict=True), 1):
        own: list[Step] = []
        said: Any = None
        if value is not None and flag is True:
            said = value(person, own)
            values.append(said)
        reasons = why(person, shape) if shape is not None and condition is not None else []
        called = f"persoon {number}"
        if naming is not None:  # the first gegeven, a choice or text, names the person
            called += f" ({person.inputs[naming]})"
        args = (called, kind, flag if condition is not None else None, reasons, said, f[0])
        people.append(Step("persoon", _person, args, own))
    result = settle(kind, group, text, found, values)
    s.append(Step("personen", _over, (text, result, f[1]), people))
    return result


def _person(
    called: str, kind: str, flag: Flag | None, reasons: list[str], value: Any, f: Format
) -> tuple[str, str]:
    parts = []
    if flag is not None:
        held = "voldoet" if kind in ("ieder", "enig") else "telt mee"
        if isinstance(flag, Undetermined):
            parts.append(f"onbepaald ({flag.reason})")
        else:
            parts.append(
                held if flag else ("voldoet niet" if held == "voldoet" else "telt niet mee")
            )
        if reasons and not isinstance(flag, Undetermined):
            parts[-1] += f", want {' en '.join(reasons)}"
    if value is not None:
        parts.append(show(value, f))
    shown = parts[-1] if parts else ""
    return f"{called}: {'; '.join(parts) or 'telt mee'}", shown


def _over(text: str, result: Any, f: Format) -> tuple[str, str]:
    shown = show(result, _unnamed(f))
    return f"{text}: {shown}", shown


def tier(s: Steps, case: str, f: Format, value: Callable[[], Any]) -> Any:
    """The tier of a `als`-block that gave the value; noted before what it then works out."""
    args: list[Any] = [case, f, None]
    s.append(Step("geval", _tier, (args,)))
    r = args[2] = value()
    return r


def _tier(args: list[Any]) -> tuple[str, str]:
    case, f, r = args
    out = show(r, f)
    return f"van toepassing is {case}: {out}", out


def norm(s: Steps, c: Context, name: str, f: Format) -> Any:
    """An open norm, with where its value was set: the filling regulation and article, or the
    norm's own standard value, and the delegation it rests on."""
    value = c.norm(name)
    _once(s, "norm", ("norm", name), _norm, (name, value, f, c.regulation, c.peildatum), None)
    return value


def _norm(
    name: str, value: Any, f: Format, regulation: Regulation, peildatum: datetime.date
) -> tuple[str, str]:
    shown = show(value, _unnamed(f))
    return f"{_label(name)}: {shown}, {regulation.norm_origin(name, peildatum)}", shown


def begrip(s: Steps, c: Context, name: str, f: Format) -> Any:
    """A begrip, with how it was worked out when that took a calculation."""
    regulation = c.regulation
    explain = regulation.explainers.get(name)
    sub: list[Step] = []
    value = explain(c, sub) if explain is not None else c.begrip(name)
    _once(s, "begrip", ("begrip", name), _begrip, (name, value, f, regulation), sub)
    return value


def _begrip(name: str, value: Any, f: Format, regulation: Regulation) -> tuple[str, str]:
    where = regulation.anchors.get(name)
    shown = show(value, _unnamed(f))
    return f"{_label(name)}{f' ({where})' if where else ''}: {shown}", shown


def elsewhere(s: Steps, c: Context, regulation: str, name: str, f: Format) -> Any:
    """A begrip, outcome or norm of another regulation: named with that regulation, and for a
    norm where it was set."""
    value = c.elsewhere(regulation, name)
    sub = c.memo["@" + regulation]  # the context `elsewhere` worked in
    kind = "norm" if name in sub.regulation.norms else "elders"
    _once(s, kind, (regulation, name), _other, (regulation, name, value, f, c), None)
    return value


def fixed_norm(s: Steps, c: Context, regulation: str, name: str, f: Format) -> Any:
    """An open norm of another regulation that its fillings give a literal value: from the
    regulation's cache (`Regulation.norm_from`), with where it was set."""
    value = c.regulation.norms_at(c.peildatum, c.gemeente)[f"{regulation}.{name}"]
    _once(s, "norm", (regulation, name), _other, (regulation, name, value, f, c), None)
    return value


def _other(regulation: str, name: str, value: Any, f: Format, c: Context) -> tuple[str, str]:
    """A value of another regulation as a step: a norm with where it was set, anything else
    with the article and the regulation it stands in."""
    other = c.regulation.program.in_force(regulation, c.peildatum)
    shown = show(value, _unnamed(f))
    if other is None:
        return f"{_label(name)}: {shown} (uit {regulation})", shown
    if name in other.norms:
        origin = other.norm_origin(name, c.peildatum, c.gemeente)
        return f"{_label(name)}: {shown}, {origin}", shown
    where = other.anchors.get(name)
    origin = f"{where} van {other.title}" if where else other.title
    return f"{_label(name)}: {shown} (uit {origin})", shown


def _label(name: str) -> str:
    return name.replace("_", " ")


def _unnamed(f: Format) -> Format:
    return (f[0], f[1], f[2], "", f[4])


def _once(
    s: Steps,
    kind: str,
    key: Any,
    render: Callable[..., tuple[str, str]],
    args: tuple[Any, ...],
    sub: list[Step] | None,
) -> None:
    """A value read twice in one derivation is one step."""
    for step in s:
        if step.key == key:
            return
    s.append(Step(kind, render, args, sub, key))


# ---------------------------------------------------------------- why a condition holds or not

# The shape of a condition, as generated code writes it (`codegen.ModuleWriter._reason`):
# (kind, value function, source text, parts[, left, right, formats, holds, fails]); kind is en,
# of, tenzij, niet, keuze (condition and value per tier, then `anders`), vergelijk, begrip (the
# text is its name) or waarde (any other part, said with its value).
Shape = tuple[Any, ...]
_WHY_DEPTH = 4  # begrippen within begrippen that a reason follows


def why(c: Context, shape: Shape, depth: int = 0) -> list[str]:
    """Why a condition has the value it has, as the parts that decided it: for a condition
    that is not met, the comparison that failed with its values ("11 maanden (maanden
    werkloos) is niet minstens 12 maanden"), through the begrippen it rests on, each with its
    article. Only the parts that decided: of `a en b` that is nee, the parts that are nee."""
    value = _value(c, shape)
    kind, _, text, parts = shape[:4]
    if value is None:
        undecided = [p for p in parts if _value(c, p) is None] if kind != "keuze" else []
        if undecided and kind in ("en", "of", "tenzij", "niet"):
            return [r for p in undecided for r in why(c, p, depth)]
        return [f"“{text}” is onbepaald"]
    if kind in ("en", "of"):
        deciding = [p for p in parts if _value(c, p) is value]
        if kind == "of" and value:
            deciding = deciding[:1]
        return [r for p in deciding or parts for r in why(c, p, depth)]
    if kind == "tenzij":  # a tenzij b: a en niet b
        left, right = parts
        if value or _value(c, left) is not True:
            return why(c, left, depth) + (why(c, right, depth) if value else [])
        return why(c, right, depth)
    if kind == "niet":
        return why(c, parts[0], depth)
    if kind == "keuze":
        return _why_tier(c, parts, depth)
    if kind == "vergelijk":
        left, right, f, holds, fails = shape[4:]
        return [f"{show(left(c), f[0])} {holds if value else fails} {show(right(c), f[1])}"]
    if kind == "begrip":
        return [_why_begrip(c, text, value, depth)]
    if kind == "leeg":  # `weigeringsgronden is leeg`: which items there are
        items, name = shape[4](c), shape[5]
        if not items:
            return [f"{name} is leeg"]
        return [f"{name} is niet leeg: " + "; ".join(f"“{item}”" for item in items)]
    return [f"{_label(text.rsplit('.', 1)[-1])}: {'ja' if value else 'nee'}"]


def _value(c: Context, shape: Shape) -> bool | None:
    """The value of a part, or None when it is onbepaald."""
    try:
        value = c.begrip(shape[2]) if shape[0] == "begrip" else shape[1](c)
    except (Undetermined, EvaluationError):
        return None
    return value if isinstance(value, bool) else None


def _why_begrip(c: Context, name: str, value: bool, depth: int) -> str:
    regulation = c.regulation
    where = regulation.anchors.get(name)
    said = f"{_label(name)}{f' ({where})' if where else ''} is {'ja' if value else 'nee'}"
    shape = regulation.reasons.get(name)
    if shape is None or depth >= _WHY_DEPTH:
        return said
    return f"{said}, want {' en '.join(why(c, shape, depth + 1))}"


def _why_tier(c: Context, parts: tuple[Shape, ...], depth: int) -> list[str]:
    """A tier of an `als`-block gave the value: what it said, and why that tier."""
    pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    for condition, value in pairs:
        if _value(c, condition):
            case = " en ".join(why(c, condition, depth))
            said = " en ".join(why(c, value, depth))
            return [f"{said} (in het geval “{condition[2]}”: {case})"]
    if len(parts) % 2:  # `anders`
        failed = " en ".join(r for condition, _ in pairs for r in why(c, condition, depth))
        return [f"{' en '.join(why(c, parts[-1], depth))} (in het geval “anders”: {failed})"]
    return ["geen van de gevallen is van toepassing"]
