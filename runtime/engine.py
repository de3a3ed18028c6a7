"""Executable rule objects and their evaluation, with the trace that motivates a decision.

Rules follow default logic: an exception that applies sets aside the rules it deviates from;
two applying rules with different outcomes and no precedence between them are a conflict;
when nothing applies and there is no default, the outcome is explicitly `onbepaald`.
"""

from __future__ import annotations

import bisect
import datetime
import decimal
import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import inputs as valid
from .derivation import Shape, Step, lines
from .derivation import why as condition_why
from .errors import EvaluationError, InputError, PeriodError, Undetermined
from .inputs import InputSpec
from .values import EXACT, flags, format_date, format_period, format_value, settle

Fn = Callable[["Context"], Any]
_LOADING = threading.Lock()  # see Regulation.load_explainers

# What an outcome can be: a value; determinately none, because no rule applies ("komt niet
# tot stand", a no that says why); onbepaald, because something it needs is missing; or two
# rules that disagree.
NOT_ARISEN = "komt_niet_tot_stand"
OUTCOME_STATUSES = ("bepaald", NOT_ARISEN, "onbepaald", "conflict")
STEP_STATUSES = ("toegepast", "niet_toegepast", "opzijgezet", "onbepaald")


@dataclass(slots=True)
class Rule:
    name: str
    anchor: str
    outcome: str
    kind: str  # waarde, item, buiten_toepassing
    condition: Fn | None = None
    value: Fn | None = None
    # The value's explaining twin: the same value, noting each step of its derivation.
    explain: Callable[[Context, list[Step]], Any] | None = None
    item: str | None = None
    overrides: tuple[str, ...] = ()
    condition_text: str = ""
    value_text: str = ""
    facts: tuple[str, ...] = ()  # names read by the condition, shown in the trace
    interpretations: tuple[str, ...] = ()
    description: str | None = None
    file: str = ""
    line: int = 0
    doc: str = ""  # where the rule stands in the generated docs, relative to the site root


@dataclass(slots=True)
class Outcome:
    name: str
    kind: str  # bool, num, text, date, choice, list
    label: str  # aanspraak, verplichting, bevoegdheid, bedrag, duur, lijst, …
    rules: list[Rule]  # exceptions before the rules they deviate from
    unit: str = ""
    percent: bool = False
    unit_one: str = ""  # the unit after exactly one
    description: str | None = None
    default: Any = None
    has_default: bool = False
    open: bool = False  # `standaard onbepaald`: no rule applying leaves it onbepaald
    overriders: list[tuple[int, ...]] = field(default_factory=list)
    # The result when no rule applies: the same for every case, so made once and shared (a
    # result is never changed once made).
    nothing: OutcomeResult | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.nothing = combine(self, [])
        self.overriders = [
            tuple(j for j, other in enumerate(self.rules) if rule.name in other.overrides)
            for rule in self.rules
        ]
        for i, over in enumerate(self.overriders):
            if any(j > i for j in over):  # pragma: no cover - guaranteed by the compiler
                raise ValueError(f"rules of {self.name} are not ordered exceptions-first")

    def display(self, value: Any) -> str:
        return format_value(value, self.kind, self.unit, self.percent, self.unit_one)


class OutcomeResult:
    """The value of one outcome, or why there is none; `display` is formatted on demand.
    Never changed once made: results may share one (`Outcome.nothing`)."""

    __slots__ = ("name", "outcome", "reason", "rules", "status", "value")
    # When onbepaald: the gegevens and oordelen not given that could settle it (an
    # `Unsettled` result has its own); a class attribute, so the hot path does not set it.
    needs: frozenset[str] = frozenset()

    def __init__(
        self,
        name: str,
        status: str,
        value: Any = None,
        rules: tuple[str, ...] = (),
        reason: str | None = None,
        outcome: Outcome | None = None,
    ):
        self.name, self.status, self.value = name, status, value
        self.rules = rules  # anchors of the rules the value rests on
        self.reason, self.outcome = reason, outcome

    @property
    def display(self) -> str:
        if self.status != "bepaald":
            return self.status.replace("_", " ")
        return self.outcome.display(self.value) if self.outcome else str(self.value)

    def __repr__(self) -> str:
        return f"OutcomeResult({self.name!r}, {self.status!r}, {self.value!r}, {self.rules!r})"


class Unsettled(OutcomeResult):
    """An onbepaald outcome that says what it still needs."""

    __slots__ = ("needs",)

    def __init__(self, name: str, reason: str, outcome: Outcome, needs: frozenset[str]):
        super().__init__(name, "onbepaald", None, (), reason, outcome)
        self.needs = needs


@dataclass(slots=True)
class RuleTrace:
    rule: str
    anchor: str
    outcome: str
    status: str  # toegepast, niet_toegepast, opzijgezet, fout
    value: Any = None
    shown: str | Outcome = ""  # the value as shown, or the outcome that shows it on first use
    condition: str = ""
    given_facts: dict[str, str] = field(default_factory=dict)  # as shown, when known up front
    set_aside_by: str | None = None
    interpretations: tuple[str, ...] = ()
    reason: str | None = None
    doc: str = ""
    kind: str = "waarde"  # of the rule: waarde, item, buiten_toepassing
    derivation: list[Step] = field(default_factory=list)  # how its value was worked out
    # The names the condition read and the evaluation they were read in: shown on first use,
    # so that deciding with a trace does not format every fact (see `facts`).
    pending: tuple[Regulation, Context, tuple[str, ...]] | None = None
    # Why the condition was not met, worked out on first use (see `why`).
    pending_why: tuple[Regulation, Context] | None = None
    given_why: list[str] | None = None

    @property
    def why(self) -> list[str]:
        """For a rule whose condition was not met: the parts of it that decided, down to the
        comparison with its values, through the begrippen it rests on (`derivation.why`)."""
        if self.pending_why is not None:
            regulation, ctx = self.pending_why
            self.pending_why = None
            shape = regulation.reasons.get(f"regel:{self.rule}")
            if shape is not None:
                self.given_why = condition_why(ctx, shape)
        return self.given_why or []

    @property
    def display(self) -> str:
        if isinstance(self.shown, Outcome):
            self.shown = self.shown.display(self.value)
        return self.shown

    @property
    def facts(self) -> dict[str, str]:
        """What the condition read, each in its unit and Dutch format."""
        if self.pending is not None:
            regulation, ctx, names = self.pending
            self.pending = None
            for fact in names:
                try:
                    self.given_facts[fact] = regulation.display_fact(fact, ctx)
                except (Undetermined, EvaluationError, KeyError):
                    self.given_facts[fact] = "onbepaald"
        return self.given_facts

    @property
    def text(self) -> str:
        """The step as one Dutch sentence that names its article, for a motivation that people
        read rather than parse."""
        where = f"{self.anchor[:1].upper()}{self.anchor[1:]} (regel {self.rule})"
        facts = "; ".join(
            f"{name.rsplit('.', 1)[-1].replace('_', ' ')}: {v}" for name, v in self.facts.items()
        )
        outcome = self.outcome.replace("_", " ")
        if self.status == "toegepast":
            applied = f"{where} is toegepast" + (f" ({facts})" if facts else "")
            if self.kind == "buiten_toepassing":
                return f"{applied}; daarom gelden de regels waarvan zij afwijkt niet."
            if self.kind == "item":
                return f"{applied}; daarom bevat {outcome} “{self.display}”."
            worked = "; ".join(lines(self.derivation))
            return f"{applied}; daarom is {outcome} {self.display}." + (
                f" Berekening: {worked}." if worked else ""
            )
        if self.status == "niet_toegepast":
            condition = f" “{self.condition}”" if self.condition else ""
            failed = f"{where} is niet toegepast: de voorwaarde{condition} is niet vervuld"
            if self.why:
                return f"{failed}, want {' en '.join(self.why)}."
            return failed + (f" ({facts})." if facts else ".")
        if self.status == "opzijgezet":
            return f"{where} is opzijgezet door de uitzondering {self.set_aside_by}."
        return f"{where} kon niet worden toegepast: {self.reason}."


@dataclass(slots=True)
class Judgement:
    name: str
    organ: str  # its key: college, raad, burgemeester, … (compiler/vocabulary.py)
    value: Any
    description: str | None
    organ_name: str = ""  # in a sentence: "het college"
    spec: InputSpec | None = None  # the gegeven it answers: how its value reads
    # Not given: the oordeel's `standaard` was taken, no organ judged.
    assumed: bool = False

    @property
    def display(self) -> str:
        """The value as people read it; formatted on first use, not on the hot path."""
        s = self.spec
        if s is None:
            return str(self.value)
        return format_value(self.value, s.kind, s.unit, s.percent, s.unit_one)


@dataclass(slots=True)
class Result:
    """One decision: its outcomes, motivation and oordelen. What belongs to the regulation
    (its id, title, period and kind) is read from it, not copied into every result: a result
    is made on every evaluation, and each field costs on the hot path."""

    # What was decided on: the regulation and the inputs as given, to say on request which
    # optional gegevens an onbepaald outcome lacks (`missing`).
    source: tuple[Regulation, Mapping[str, Any]]
    peildatum: datetime.date
    outcomes: dict[str, OutcomeResult]
    trace: list[RuleTrace] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    gemeente: str | None = None  # the gemeente decided for (CBS code), if any
    # With the motivation: each open norm it read, with its value and where it was set
    # ("leeftijdsgrens jongere: 23 jaar, vastgesteld in artikel 1 van …").
    norms: tuple[str, ...] = ()  # not a list: no factory to call on the hot path

    @property
    def regulation(self) -> str:
        """The id of the regulation (the version in force on the peildatum)."""
        return self.source[0].id

    @property
    def title(self) -> str:
        return self.source[0].title

    @property
    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        return self.source[0].period

    @property
    def kind(self) -> str:
        """verordening, beleidsregels, wet, handreiking or informatie"""
        return self.source[0].kind

    def __getitem__(self, name: str) -> Any:
        return self.outcomes[name].value

    def _gemeente_name(self) -> str:
        """The gemeente decided for, by name where a loaded regulation gives it: "Delft
        (GM0503)"."""
        code = self.gemeente or ""
        for version in self.source[0].program.regulations.values():
            name = version.meta.get("gemeente")
            if version.territory == code and name:
                return f"{name} ({code})"
        return code

    def missing(self, name: str) -> tuple[str, ...]:
        """For an onbepaald outcome: the gegevens and oordelen not given that could settle it,
        on the path the given facts open, in the order the regulation declares them. The
        reason names the first one met; a client needs them all."""
        result = self.outcomes[name]
        if result.status != "onbepaald" or not result.needs:
            return ()
        return self._in_order(result.needs)

    @property
    def needed(self) -> tuple[str, ...]:
        """Every gegeven and oordeel the decision still needs to settle its onbepaalde
        outcomes: what an interview asks next. Empty when the decision is determinate, or
        onbepaald for another reason (a norm no one filled)."""
        needs: set[str] = set()
        for result in self.outcomes.values():
            if result.status == "onbepaald":
                needs |= result.needs
        return self._in_order(needs)

    def _in_order(self, names: set[str] | frozenset[str]) -> tuple[str, ...]:
        if not names:
            return ()
        order = list(self.source[0].inputs)
        rank = {name: i for i, name in enumerate(order)}
        return tuple(sorted(names, key=lambda n: (rank.get(n, len(rank)), n)))

    def questions(self) -> list[dict[str, Any]]:
        """`needed` as JSON: per gegeven or oordeel its name, whether it is an oordeel (and
        whose), its description, and how to send its value (`invoer`)."""
        regulation = self.source[0]
        out: list[dict[str, Any]] = []
        for name in self.needed:
            spec = regulation.inputs.get(name)
            entry: dict[str, Any] = {"gegeven": name}
            if spec is not None:
                entry["soort"] = "oordeel" if spec.oordeel else "gegeven"
                if spec.oordeel:
                    entry["orgaan"] = spec.oordeel
                    entry["orgaan_naam"] = regulation.organ_name(spec.oordeel)
                if spec.description:
                    entry["omschrijving"] = spec.description
                entry["invoer"] = valid.describe(spec, entry.get("orgaan_naam"))
            out.append(entry)
        return out

    def to_json(self, docs: str = "") -> dict[str, Any]:
        """A JSON-ready dict with Dutch keys: outcomes, motivation and judgements. Each step
        of the motivation links to its rule in the generated docs: relative to the site root,
        or under `docs` (the site's address) when given."""
        base = docs.rstrip("/") + "/" if docs else ""
        return {
            "regeling": self.regulation,
            "titel": self.title,
            "soort": self.kind,
            "geldig_van": _iso(self.period[0]),
            "geldig_tot_en_met": _iso(self.period[1]),
            "peildatum": self.peildatum.isoformat(),
            **({"gemeente": self.gemeente} if self.gemeente else {}),
            "uitkomsten": {
                name: {
                    "status": r.status,
                    "waarde": _json_value(r.value),
                    "weergave": r.display,
                    "grondslag": list(r.rules),
                    **({"reden": r.reason} if r.reason else {}),
                    **({"ontbreekt": list(gaps)} if (gaps := self.missing(name)) else {}),
                }
                for name, r in self.outcomes.items()
            },
            "motivering": [
                {
                    "regel": t.rule,
                    "artikel": t.anchor,
                    "uitkomst": t.outcome,
                    "status": t.status,
                    "tekst": t.text,
                    **(
                        {"waarde": _json_value(t.value), "weergave": t.display}
                        if t.status == "toegepast"
                        else {}
                    ),
                    **({"voorwaarde": t.condition} if t.condition else {}),
                    **({"feiten": t.facts} if t.facts else {}),
                    **({"opzijgezet_door": t.set_aside_by} if t.set_aside_by else {}),
                    **({"interpretatie": list(t.interpretations)} if t.interpretations else {}),
                    **(
                        {"berekening": [step.to_json() for step in t.derivation]}
                        if t.derivation
                        else {}
                    ),
                    **({"waarom": t.why} if t.status == "niet_toegepast" and t.why else {}),
                    **({"reden": t.reason} if t.reason else {}),
                    **({"documentatie": base + t.doc} if t.doc else {}),
                }
                for t in self.trace
            ],
            **({"nog_nodig": self.questions()} if self.needed else {}),
            **({"normen": list(self.norms)} if self.norms else {}),
            "oordelen": [
                {
                    "gegeven": j.name,
                    "orgaan": j.organ,
                    "orgaan_naam": j.organ_name,
                    "waarde": _json_value(j.value),
                    "weergave": j.display,
                    "omschrijving": j.description,
                    **({"standaard": True} if j.assumed else {}),
                }
                for j in self.judgements
            ],
        }

    def text(self) -> str:
        """The motivation as Dutch text for people (a letter, an objection, a judge): each
        outcome with its articles or why it did not arise, each rule looked at with its facts
        and calculation, and the oordelen the decision rests on. The same input gives the same
        text."""
        out = [f"{self.title} ({self.regulation}), peildatum {format_date(self.peildatum)}."]
        if self.period != (None, None):
            out.append(f"Toegepast is de versie {format_period(*self.period)}.")
        if self.gemeente:
            out.append(f"Beslist voor de gemeente {self._gemeente_name()}.")
        out += ["", "Uitkomsten:"]
        for name, r in self.outcomes.items():
            label = name.replace("_", " ")
            if r.status == "bepaald":
                basis = f" (op grond van {', '.join(r.rules)})" if r.rules else ""
                if r.reason == "standaardwaarde":
                    basis = " (de standaardwaarde: geen regel is van toepassing)"
                out.append(f"- {label}: {r.display}{basis}.")
            elif r.status == NOT_ARISEN:
                steps = [str(i) for i, t in enumerate(self.trace, 1) if t.outcome == name]
                see = f" (motivering {', '.join(steps)})" if steps else ""
                out.append(f"- {label} komt niet tot stand: {r.reason}{see}.")
            else:
                gaps = ", ".join(m.replace("_", " ") for m in self.missing(name))
                absent = f" (niet opgegeven: {gaps})" if gaps else ""
                out.append(f"- {label} is {r.display}: {r.reason}{absent}.")
        if self.needed:
            out += ["", "Nog nodig om te beslissen:"]
            for question in self.questions():
                line = "- " + question["gegeven"].replace("_", " ")
                if "omschrijving" in question:
                    line += f" ({question['omschrijving']})"
                if "orgaan_naam" in question:
                    line += f", naar het oordeel van {question['orgaan_naam']}"
                out.append(line + ".")
        if self.trace:
            out += ["", "Motivering:"]
            out += [f"{i}. {t.text}" for i, t in enumerate(self.trace, 1)]
        if self.norms:
            out += ["", "Gebruikte open normen:"]
            out += [f"- {norm}." for norm in self.norms]
        if self.judgements:
            out += ["", "Oordelen waarop het besluit rust:"]
            for j in self.judgements:
                what = f" ({j.description})" if j.description else ""
                organ = j.organ_name or j.organ
                how = (f"niet gegeven door {organ}, dus de standaard" if j.assumed
                       else f"naar het oordeel van {organ}")  # fmt: skip
                out.append(f"- {j.name.replace('_', ' ')}{what}: {j.display}, {how}.")
        return "\n".join(out) + "\n"


def combine(outcome: Outcome, found: list[tuple[Rule, Any]]) -> OutcomeResult:
    """The outcome from the values of the rules that applied: one value, a list, the
    default, `onbepaald`, or a conflict naming both articles."""
    name = outcome.name
    if outcome.kind == "list":
        items: list[Any] = []
        for _, item in found:
            if item not in items:
                items.append(item)
        anchors = tuple(dict.fromkeys(r.anchor for r, _ in found))
        return OutcomeResult(name, "bepaald", tuple(items), anchors, None, outcome)
    if not found:
        if outcome.nothing is not None:
            return outcome.nothing
        if outcome.has_default:
            return OutcomeResult(name, "bepaald", outcome.default, (), "standaardwaarde", outcome)
        if outcome.open:
            reason = "geen enkele regel is (nog) van toepassing; de regeling laat het dan open"
            return OutcomeResult(name, "onbepaald", None, (), reason, outcome)
        return OutcomeResult(
            name, NOT_ARISEN, None, (), "geen enkele regel is van toepassing", outcome
        )
    first_rule, value = found[0]
    if len(found) == 1:
        return OutcomeResult(name, "bepaald", value, (first_rule.anchor,), None, outcome)
    for rule, other in found[1:]:
        if other != value:
            reason = (
                f"tegenstrijdige regels: {first_rule.anchor} ({first_rule.name}) geeft "
                f"{outcome.display(value)}, {rule.anchor} ({rule.name}) geeft "
                f"{outcome.display(other)}, en geen van beide gaat voor"
            )
            return OutcomeResult(
                name, "conflict", None, (first_rule.anchor, rule.anchor), reason, outcome
            )
    anchors = tuple(dict.fromkeys(r.anchor for r, _ in found))
    return OutcomeResult(name, "bepaald", value, anchors, None, outcome)


def decided(outcome: Outcome, rule: Rule, value: Any) -> OutcomeResult:
    """The outcome when exactly one rule applies. Generated code writes this out in place
    (it is the hottest line of a decision); kept for packages generated before it did."""
    return OutcomeResult(outcome.name, "bepaald", value, (rule.anchor,), None, outcome)


def undetermined_result(outcome: Outcome, why: Undetermined) -> OutcomeResult:
    return OutcomeResult(outcome.name, "onbepaald", None, (), why.reason, outcome)


def over(
    c: Context,
    kind: str,
    group: str,
    value: Callable[[Context], Any] | None,
    condition: Callable[[Context], Any] | None,
    text: str = "",
) -> Any:
    """An aggregate over the persons of a group: aantal, som, hoogste, laagste (of `value`,
    over the persons for whom `condition` holds), ieder or enig (`condition` holds); what it
    means is `values.settle`, shared with the motivation (`derivation.over`)."""
    persons = c.persons(group)
    found = flags(persons, condition)
    values = []
    if value is not None:
        values = [value(p) for p, f in zip(persons, found, strict=True) if f is True]
    return settle(kind, group, text, found, values)


def judge(judged: dict[str, Any], name: str, value: Any) -> Any:
    """An oordeel read by generated code: remembered as relied upon."""
    judged[name] = value
    return value


def _arithmetic_error(err: Exception) -> EvaluationError:
    """Arithmetic that cannot be done exactly, said for people."""
    if isinstance(err, decimal.Inexact):
        return EvaluationError(
            "R706",
            f"de berekening vraagt meer dan {EXACT.prec} cijfers en kan niet exact worden "
            "uitgerekend",
            "controleer de invoer op onmogelijk grote of kleine waarden",
        )
    return EvaluationError(
        "R704",
        "de berekening loopt buiten het bereik van getallen of datums",
        "controleer de invoer op onmogelijk grote of kleine waarden",
    )


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"  # never an exponent: 100, not 1E+2
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")  # 22:30, as it is given
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


class Given(dict[str, Any]):
    """The inputs of an evaluation from partial input: a gegeven that is not there is
    onbepaald, needing that gegeven, so the decision takes only the path the given facts open
    and says what it still needs there (`Result.needed`)."""

    __slots__ = ()

    def __missing__(self, name: str) -> Any:
        raise _not_given(name)


def _not_given(name: str) -> Undetermined:
    """A gegeven left out: onbepaald, needing that gegeven."""
    return Undetermined(name, f"het gegeven '{name}' is niet opgegeven", frozenset((name,)))


class _Person(dict[str, Any]):
    """The inputs as one person of a group sees them: the person's own gegevens, and every
    other gegeven of the case as it is."""

    __slots__ = ("outer",)

    def __init__(self, own: Mapping[str, Any], outer: Mapping[str, Any]):
        super().__init__(own)
        self.outer = outer

    def __missing__(self, name: str) -> Any:  # generated code reads `c.inputs[name]` only
        return self.outer[name]


class Context:
    """The state of one evaluation: inputs, peildatum, and what has been worked out so far."""

    __slots__ = (
        "gemeente",
        "inputs",
        "judged",
        "memo",
        "noted",
        "peildatum",
        "regulation",
        "resolved",
        "top",
        "trace",
    )

    def __init__(
        self,
        regulation: Regulation,
        inputs: Mapping[str, Any],
        peildatum: datetime.date,
        trace: list[RuleTrace] | None = None,
        judged: dict[str, Any] | None = None,
        gemeente: str | None = None,
    ):
        self.regulation = regulation
        self.inputs = inputs
        self.peildatum = peildatum
        # The gemeente decided for (its CBS code): which filling of an open norm applies.
        self.gemeente = gemeente or regulation.territory
        # With a motivation: each open norm worked out, in this context or one it reads.
        self.noted: list[tuple[Context, str, Any]] | None = None
        self.memo: dict[str, Any] = {}  # begrippen and norms worked out so far
        self.resolved: dict[str, OutcomeResult] = {}
        self.trace = trace
        self.judged = judged  # oordelen relied upon; created on first use
        # For one person of a group (`persons`): the context of the whole case, where its
        # outcomes are resolved (once, with their trace).
        self.top: Context | None = None

    # -- what generated code calls
    def judge(self, name: str) -> Any:
        """An oordeel: read like an input, and remembered as relied upon."""
        try:
            value = self.inputs[name]
        except Undetermined:  # evaluated from partial input (`Given`), and not given
            spec = self.regulation.inputs[name]
            organ = self.regulation.organ_name(spec.oordeel or "")
            raise Undetermined(
                name, f"het oordeel '{name}' van {organ} is niet gegeven", frozenset((name,))
            ) from None
        if self.judged is None:
            self.judged = {}
        self.judged[name] = value
        return value

    def begrip(self, name: str) -> Any:
        return self.regulation.begrippen[name](self)  # generated functions remember values

    def persons(self, group: str) -> list[Context]:
        """A context per person of a group, in the order given: the person's gegevens and
        begrippen voor ieder are read there, everything else as in this one. Made once per
        evaluation, so each person's begrippen are worked out once."""
        key = "personen:" + group
        found = self.memo.get(key)
        if found is None:
            found = []
            try:
                listed = self.inputs[group]  # from partial input (`Given`): onbepaald if absent
            except KeyError:  # `standaard onbepaald` and left out
                raise _not_given(group) from None
            for own in listed:
                person = Context(
                    self.regulation, _Person(own, self.inputs), self.peildatum, None,
                    self.judged, self.gemeente,
                )  # fmt: skip
                person.noted, person.top = self.noted, self.top or self
                found.append(person)
            self.memo[key] = found
        return found

    def outcome(self, name: str) -> Any:
        if self.top is not None:  # an outcome is of the whole case, not of one person
            return self.top.outcome(name)
        result = self.resolve(name)
        if result.status == NOT_ARISEN:
            raise Undetermined(name, f"'{name}' komt niet tot stand: {result.reason}")
        if result.status != "bepaald":
            raise Undetermined(name, f"'{name}' is {result.status}: {result.reason}", result.needs)
        return result.value

    def given(self, name: str) -> Any:
        """An optional input (`standaard onbepaald`): left out, what reads it is onbepaald."""
        try:
            return self.inputs[name]
        except KeyError:
            raise _not_given(name) from None

    def norm(self, name: str) -> Any:
        key = "norm:" + name
        memo = self.memo
        if key in memo:
            return memo[key]
        value = memo[key] = self.regulation.norm_value(name, self)
        if self.noted is not None:
            self.noted.append((self, name, value))
        return value

    def elsewhere(self, regulation: str, name: str) -> Any:
        """A begrip, outcome or open norm of another loaded regulation, with the same inputs."""
        key = "@" + regulation
        sub = self.memo.get(key)
        if sub is None:
            if self.judged is None:
                self.judged = {}
            other = self.regulation.program.in_force(regulation, self.peildatum)
            if other is None:
                raise Undetermined(
                    name,
                    f"geen versie van '{regulation}' geldt op {format_date(self.peildatum)}",
                )
            sub = self.memo[key] = Context(
                other, self.inputs, self.peildatum, None, self.judged, self.gemeente
            )
            sub.noted = self.noted
        other = sub.regulation
        if name in other.outcomes:
            return sub.outcome(name)
        if name in other.norms:
            return sub.norm(name)
        spec = other.inputs.get(name)
        if spec is not None and name not in other.begrippen:  # its gegeven: the case's
            return sub.judge(name) if spec.oordeel else sub.given(name)
        return sub.begrip(name)

    # -- resolving an outcome
    def resolve(self, name: str) -> OutcomeResult:
        resolved = self.resolved
        if name in resolved:
            return resolved[name]
        outcome = self.regulation.outcomes[name]
        try:
            result = self._apply_rules(outcome)
        except Undetermined as why:
            result = Unsettled(name, why.reason, outcome, why.needs)
        resolved[name] = result
        return result

    def _apply_rules(self, outcome: Outcome) -> OutcomeResult:
        """Default logic, rule by rule, noting each step when there is a trace.

        A condition that is onbepaald does not make the outcome onbepaald when it does not
        matter: both ways it could go are worked out (`_either_way`), and if they give the
        same value, that is the outcome."""
        rules = outcome.rules
        overriders = outcome.overriders
        won = [False] * len(rules)
        found: list[tuple[Rule, Any]] = []
        trace = self.trace
        for i, rule in enumerate(rules):
            beaten = None
            for j in overriders[i]:
                if won[j]:
                    beaten = rules[j]
                    break
            if beaten is not None:
                won[i] = True
                if trace is not None and not self._would_apply(rule):
                    # Its own condition does not hold: it was not set aside, it did not apply.
                    self._trace_rule(rule, outcome, False, None)
                elif trace is not None:
                    trace.append(
                        RuleTrace(
                            rule.name,
                            rule.anchor,
                            outcome.name,
                            "opzijgezet",
                            condition=rule.condition_text,
                            set_aside_by=f"{beaten.name} ({beaten.anchor})",
                            doc=rule.doc,
                        )
                    )
                continue
            condition = rule.condition
            try:
                applies = condition is None or condition(self)
            except Undetermined as why:
                if trace is not None:
                    self._trace_undetermined(rule, outcome, why)
                return self._undetermined_at(outcome, i, why)
            except EvaluationError as err:
                raise err.at(rule.name, rule.anchor, rule.file, rule.line) from None
            value = None
            steps: list[Step] | None = None
            if applies:
                won[i] = True
                if rule.kind == "waarde":
                    try:
                        if trace is not None and rule.explain is not None:
                            steps = []
                            value = rule.explain(self, steps)
                        else:
                            value = rule.value(self)  # type: ignore[misc]
                    except Undetermined as why:
                        if trace is not None:
                            self._trace_undetermined(rule, outcome, why)
                        raise
                    except EvaluationError as err:
                        raise err.at(rule.name, rule.anchor, rule.file, rule.line) from None
                    found.append((rule, value))
                elif rule.kind == "item":
                    value = rule.item
                    found.append((rule, value))
            if trace is not None:
                self._trace_rule(rule, outcome, applies, value, steps)
        return combine(outcome, found)

    def _would_apply(self, rule: Rule) -> bool:
        """For the motivation only: whether a rule an exception set aside would have applied
        on its own. What it reads to find out is not relied upon (an oordeel read here is not
        part of the decision), and what it cannot work out counts as applying."""
        if rule.condition is None:
            return True
        judged = dict(self.judged) if self.judged is not None else None
        try:
            return bool(rule.condition(self))
        except (Undetermined, EvaluationError):
            return True
        finally:
            self.judged = judged

    def _undetermined_at(self, outcome: Outcome, i: int, why: Undetermined) -> OutcomeResult:
        """Rule `i`'s condition is onbepaald: work out both ways, each condition and value at
        most once, and note in the trace what the later rules gave."""
        rules = outcome.rules
        conditions: dict[int, bool | Undetermined] = {i: why}
        values: dict[int, Any] = {}

        def condition(k: int) -> bool | Undetermined:
            if k not in conditions:
                test = rules[k].condition
                try:
                    conditions[k] = True if test is None else bool(test(self))
                except Undetermined as reason:
                    conditions[k] = reason
            return conditions[k]

        def value(k: int) -> Any:
            if k not in values:
                rule = rules[k]
                try:
                    values[k] = rule.item if rule.kind == "item" else rule.value(self)  # type: ignore[misc]
                except Undetermined as reason:
                    values[k] = reason
            found = values[k]
            if isinstance(found, Undetermined):
                raise found
            return found

        try:
            return self._either_way(outcome, {}, i, why, condition, value)
        finally:
            if self.trace is not None:
                self._trace_rest(outcome, i + 1, conditions, values)

    def _decide(
        self,
        outcome: Outcome,
        assumed: dict[int, bool],
        condition: Callable[[int], bool | Undetermined],
        value: Callable[[int], Any],
    ) -> OutcomeResult:
        """One pass over the rules with the conditions in `assumed` taken as given."""
        rules = outcome.rules
        overriders = outcome.overriders
        won = [False] * len(rules)
        found: list[tuple[Rule, Any]] = []
        for i, rule in enumerate(rules):
            if any(won[j] for j in overriders[i]):
                won[i] = True
                continue
            applies = assumed[i] if i in assumed else condition(i)
            if isinstance(applies, Undetermined):
                return self._either_way(outcome, assumed, i, applies, condition, value)
            if applies:
                won[i] = True
                if rule.kind != "buiten_toepassing":
                    found.append((rule, value(i)))
        return combine(outcome, found)

    def _either_way(
        self,
        outcome: Outcome,
        assumed: dict[int, bool],
        i: int,
        why: Undetermined,
        condition: Callable[[int], bool | Undetermined],
        value: Callable[[int], Any],
    ) -> OutcomeResult:
        """The outcome when rule `i`'s condition is onbepaald: the value both ways give, if
        they give the same; else onbepaald, for the reason the condition is."""
        if len(assumed) >= MAX_UNDETERMINED:
            raise why
        results = []
        # What either way still needs counts too: the value of a rule that may apply, say.
        blocked: Undetermined | None = None
        for guess in (True, False):
            try:
                result = self._decide(outcome, {**assumed, i: guess}, condition, value)
            except Undetermined as other:
                blocked = other if blocked is None else blocked.also(other)
                continue
            except EvaluationError:
                raise why from None
            if result.status not in ("bepaald", NOT_ARISEN):
                raise why.also(Undetermined("", "", result.needs)) from None
            results.append(result)
        if blocked is not None:
            raise why.also(blocked) from None
        yes, no = results
        if (yes.status, yes.value) != (no.status, no.value):
            raise why
        anchors = tuple(dict.fromkeys(yes.rules + no.rules))
        reason = (
            f"{yes.status.replace('_', ' ')} ongeacht een voorwaarde die onbepaald is "
            f"({why.reason})"
        )
        return OutcomeResult(outcome.name, yes.status, yes.value, anchors, reason, outcome)

    def _trace_undetermined(self, rule: Rule, outcome: Outcome, why: Undetermined) -> None:
        self.trace.append(  # type: ignore[union-attr]
            RuleTrace(
                rule.name,
                rule.anchor,
                outcome.name,
                "onbepaald",
                condition=rule.condition_text,
                reason=why.reason,
                doc=rule.doc,
            )
        )

    def _trace_rest(
        self,
        outcome: Outcome,
        start: int,
        conditions: dict[int, bool | Undetermined],
        values: dict[int, Any],
    ) -> None:
        """After a condition that was onbepaald: the rules after it that were looked at while
        working out both ways, each with what its own condition gave."""
        for i in range(start, len(outcome.rules)):
            if i not in conditions:
                continue
            rule, applies = outcome.rules[i], conditions[i]
            if isinstance(applies, Undetermined):
                self._trace_undetermined(rule, outcome, applies)
            else:
                found = values.get(i)
                shown = None if isinstance(found, Undetermined) else found
                self._trace_rule(rule, outcome, applies and i in values, shown)

    def _trace_rule(
        self,
        rule: Rule,
        outcome: Outcome,
        applies: bool,
        value: Any,
        derivation: list[Step] | None = None,
    ) -> None:
        status = "toegepast" if applies else "niet_toegepast"
        shown: str | Outcome = (
            ""
            if not applies or rule.kind == "buiten_toepassing"
            else (value if rule.kind == "item" else outcome)
        )
        self.trace.append(  # type: ignore[union-attr]
            RuleTrace(
                rule.name,
                rule.anchor,
                outcome.name,
                status,
                value,
                shown,
                rule.condition_text,
                {},
                None,
                rule.interpretations,
                None if applies else "voorwaarde niet vervuld",
                rule.doc,
                rule.kind,
                derivation or [],
                (self.regulation, self, rule.facts) if rule.facts else None,
                None if applies else (self.regulation, self),
            )
        )


class Regulation:
    """A compiled regulation: its inputs, definitions, outcomes and decisions."""

    def __init__(
        self,
        id: str,
        title: str,
        kind: str,
        inputs: dict[str, InputSpec],
        begrippen: dict[str, Fn],
        outcomes: dict[str, Outcome],
        decisions: dict[str, tuple[str, ...]],
        needs: dict[str, frozenset[str]],
        norms: dict[str, tuple[Fn | None, tuple[tuple[str, ...], str] | None]] | None = None,
        valid_from: datetime.date | None = None,
        valid_until: datetime.date | None = None,
        meta: dict[str, Any] | None = None,
        fast: dict[str, FastDecision] | None = None,
        digits: dict[str, int] | None = None,
        explainers: dict[str, Callable[[Context, list[Step]], Any]] | None = None,
        anchors: dict[str, str] | None = None,
        formats: dict[str, tuple[str, str, bool, str]] | None = None,
        norm_organs: dict[str, str] | None = None,
        organ_names: dict[str, str] | None = None,
        begrip_facts: dict[str, tuple[str, ...]] | None = None,
        checks: dict[str, Callable[[Mapping[str, Any], bool], Any]] | None = None,
    ):
        self.id, self.title, self.kind = id, title, kind
        # Per fast decision: the most significant digits any of its calculations can need.
        self.digits = digits or {}
        # Per decision, where the compiler could make one: a generated function that decides
        # in one pass without a trace, or returns None to leave the case to the full path.
        self.fast = fast or {}
        # Both at once, for the hot path: the function and the digits it can need.
        self._fast = {name: (f, self.digits.get(name, _UNBOUNDED)) for name, f in self.fast.items()}
        # Per such decision, its check of the inputs alone: inputs that pass it are valid as
        # they are (a subset of what `coerce_inputs` accepts, and the same values), so the
        # path with a motivation need not convert them.
        self.checks = checks or {}
        # per stretch of time and gemeente
        self._norms_from: dict[tuple[int, str | None], NormTable] = {}
        self._norms_last: tuple[datetime.date, str | None, NormTable] | None = None
        # The gemeente it applies in (CBS code), if it is a municipal regulation.
        self.territory: str | None = (meta or {}).get("gemeentecode")
        # Whether a gegeven is an `aantal` (a whole number): checked only then.
        self._counts = any(spec.whole for spec in inputs.values())
        self.inputs = inputs
        self.begrippen = begrippen
        self.outcomes = outcomes
        self.decisions = decisions
        self.needs = needs  # outcome → the inputs it may read (transitively)
        self.norms = norms or {}
        # A variant's values of open norms (`regel gevolgen --variant`), by name: each with
        # where it was proposed. They come before every filling and default.
        self.proposed: dict[str, tuple[Any, str]] = {}
        self.valid_from, self.valid_until = valid_from, valid_until
        self.period = (valid_from, valid_until)
        self.meta = meta or {}
        self.program: Program = Program({id: self})
        self._plans: dict[tuple[str, ...], InputPlan] = {}
        self._text_kinds: dict[str, dict[str, type]] = {}  # per decision: see _typed_text
        # For the motivation: how a begrip (or filling) was worked out, the article each
        # begrip, norm, outcome and filling stands in, how a begrip or norm reads, and to
        # whom an open norm is left.
        self.explainers = explainers or {}
        self.reasons: dict[str, Shape] = {}  # why a condition holds: add_explainers
        self.anchors = anchors or {}
        self.formats = formats or {}
        self.norm_organs = norm_organs or {}  # open norm → the organ it is left to
        self.organ_names = organ_names or {}  # organ → its name in a sentence: "het college"
        self.begrip_facts = begrip_facts or {}  # begrip → the names it reads, in order
        # How the explaining twins arrive: a package defines them with the module; a module
        # compiled in memory leaves them to the first decision with a motivation.
        self.explain_loader: Callable[[], None] | None = None

    # -- inputs
    @functools.cached_property
    def shared_fields(self) -> frozenset[str]:
        """The gegevens of the loaded regulations this one is connected with (see
        `Analysis.connected`): a case file that holds them is accepted, and they are left
        alone; a name no connected regulation knows is still refused."""
        names: set[str] = set()
        for rid in self.meta.get("verbonden", ()):
            for version in self.program.versions.get(rid, ()):
                names |= set(version.inputs)
        return frozenset(names - set(self.inputs))

    def _plan_of(self, outcomes: tuple[str, ...]) -> InputPlan:
        return self._plans.get(outcomes) or self._plan(outcomes)

    def _plan(self, outcomes: tuple[str, ...]) -> InputPlan:
        """For a decision: per gegeven of the regulation its spec, Python type, whether it is
        required and whether this decision reads it; and the defaults of what it reads."""
        needed: set[str] = set()
        for outcome in outcomes:
            needed |= self.needs[outcome]
        inputs = self.inputs
        required = {n for n in needed if not (inputs[n].has_default or inputs[n].optional)}
        plan = self._plans[outcomes] = (
            {n: (s, _PYTHON_TYPES[s.kind], n in required, n in needed) for n, s in inputs.items()},
            {n: s.default for n, s in inputs.items() if s.has_default and n in needed},
            len(required),
        )
        return plan

    def coerce_inputs(
        self,
        raw: Mapping[str, Any],
        outcomes: tuple[str, ...],
        decision: str | None = None,
        partial: bool = False,
    ) -> dict[str, Any]:
        """Check and convert inputs (Python values, or JSON read by `inputs.read_json`) to
        runtime values; every problem is reported at once, per field, in Dutch. The rules are
        those of `inputs.py`, the same in every channel: a field the regulation does not know,
        or that this decision does not read, is refused; null is as good as leaving it out.
        With `partial`, a required gegeven may be left out too (see `Given`)."""
        types, defaults, required = self._plan_of(outcomes)
        counts = self._counts
        values = defaults.copy()
        problems: dict[str, str] = {}
        for name, value in raw.items():
            entry = types.get(name)
            if entry is None:
                if name not in self.shared_fields:
                    problems[valid.field_name(name)] = "onbekend gegeven voor deze regeling"
                continue  # a gegeven of a connected regulation: one case file serves both
            spec, pytype, needed, read = entry
            if not read and decision is not None:
                problems[name] = f"wordt in het besluit '{decision}' niet gebruikt"
                continue
            if value is None:
                continue  # not given: the default, or what needs it is onbepaald
            required -= needed
            # The common cases, without a call; inputs.py has the rules, and says what is wrong.
            number: Decimal | None = None
            if type(value) is pytype:
                if isinstance(value, Decimal):
                    if (
                        value.is_finite()
                        and valid.LOWEST_EXPONENT <= value.adjusted() < NUMBER_DIGITS
                        and not value % NUMBER_QUANTUM
                    ):
                        number = value
                elif pytype is not str or (spec.kind == "choice" and value in spec.choices):
                    values[name] = value  # ja/nee, dates and choices
                    continue
            elif type(value) is int or (
                type(value) is str and not spec.percentage and not spec.whole
            ):
                plain = valid.plain_value(pytype, value)  # from JSON: 14, "1400.00", a date
                if type(plain) is datetime.date:
                    values[name] = plain
                    continue
                number = plain
            if number is not None and (
                (spec.minimum is None or number >= spec.minimum)
                and (spec.maximum is None or number <= spec.maximum)
                and not (counts and spec.whole and number % 1)
            ):
                values[name] = number
                continue
            try:
                values[name] = valid.coerce(spec, value)
            except ValueError as err:
                problems[name] = str(err)
        if required and not partial:
            for name, (_, _, needed, _) in types.items():
                if needed and raw.get(name) is None:
                    problems[name] = "ontbreekt (verplicht gegeven)"
        if problems:
            raise InputError(problems)
        return values

    def _typed_text(self, raw: Mapping[str, Any], decision: str) -> dict[str, Any] | None:
        """The inputs with their plain numbers and dates converted as `coerce_inputs` converts
        them (`inputs.plain_value`), for the one-pass function to check again; None when there
        is nothing to convert or something needs the full check, which then says what."""
        kinds = self._text_kinds.get(decision)
        if kinds is None:
            types = self._plan_of(self.decisions[decision])[0]
            kinds = self._text_kinds[decision] = {
                name: pytype
                for name, (spec, pytype, _, read) in types.items()
                if read
                and pytype in (Decimal, datetime.date)
                and not spec.percentage
                and not spec.whole  # "3.0" is no count: inputs.coerce says why
            }
        typed: dict[str, Any] | None = None
        for name, value in raw.items():
            pytype = kinds.get(name)
            if pytype is None or (type(value) is not str and type(value) is not int):
                continue
            new = valid.plain_value(pytype, value)
            if new is None:
                return None
            if typed is None:
                typed = dict(raw)
            typed[name] = new
        return typed

    def in_force(self, peildatum: datetime.date) -> bool:
        start, end = self.valid_from, self.valid_until
        return (start is None or peildatum >= start) and (end is None or peildatum <= end)

    def check_period(self, peildatum: datetime.date) -> None:
        if not self.in_force(peildatum):
            raise PeriodError(
                "R601",
                f"de peildatum {format_date(peildatum)} valt buiten de geldigheid van "
                f"'{self.title}' ({format_period(self.valid_from, self.valid_until)})",
                "kies een peildatum binnen de geldigheid, of een andere versie van de regeling",
            )

    # -- evaluation
    def evaluate(
        self,
        inputs: Mapping[str, Any],
        peildatum: datetime.date,
        besluit: str | None = None,
        trace: bool = False,
        onvolledig: bool = False,
        gemeente: str | None = None,
    ) -> Result:
        """Evaluate one decision (or every outcome) for a case on a peildatum. With
        `onvolledig` the inputs may be partial: the decision follows only the path the given
        facts open; an outcome that depends on what is missing is onbepaald, and
        `Result.needed` lists the gegevens and oordelen still needed. `gemeente` (a CBS
        code, GM0503) is the gemeente decided for: its filling of an open norm applies; a
        municipal regulation decides for its own gemeente only."""
        if gemeente is not None and gemeente != self.territory:
            self.check_gemeente(gemeente)
            entry = None  # the one-pass function knows only its own gemeente's norms
        else:
            entry = None if trace else self._fast.get(besluit)  # type: ignore[arg-type]
        fast = entry[0] if entry is not None else None
        start, end = self.valid_from, self.valid_until
        if (
            entry is not None  # the hot path: one function, for a peildatum in force
            and (start is None or peildatum >= start)
            and (end is None or peildatum <= end)
        ):
            judged: dict[str, Any] = {}
            # The compiler knows how many digits this decision can need at most: where the
            # caller's decimal context has them, it is exact as it is and need not be swapped.
            own = decimal.getcontext()
            swap = own.prec < entry[1]
            if swap:
                decimal.setcontext(EXACT)
            try:
                results = entry[0](inputs, peildatum, False, judged)
                if results is None:  # JSON, say, with its numbers and dates as text
                    typed = self._typed_text(inputs, besluit)  # type: ignore[arg-type]
                    if typed is not None:
                        inputs, judged = typed, {}
                        results = entry[0](typed, peildatum, False, judged)
            except (InvalidOperation, decimal.Inexact, EvaluationError):
                # an input out of bounds after all, or a rule that cannot be worked out: the
                # full path says which field, or which rule and article
                results = None
            except (ArithmeticError, ValueError) as err:
                raise _arithmetic_error(err) from err
            finally:
                if swap:
                    decimal.setcontext(own)
            if results is not None:
                return Result(
                    (self, inputs),
                    peildatum,
                    results,
                    [],
                    self._judgements(judged, inputs) if judged else [],
                    self.territory,
                )
        own = decimal.getcontext()
        decimal.setcontext(EXACT)
        try:
            return self._evaluate(inputs, peildatum, besluit, trace, fast, onvolledig, gemeente)
        finally:
            decimal.setcontext(own)

    def decision(self, besluit: str) -> tuple[str, ...]:
        """The outcomes a decision settles; EvaluationError (R602) for one it does not have."""
        outcomes = self.decisions.get(besluit)
        if outcomes is None:
            known = ", ".join(self.decisions) or "(geen)"
            raise EvaluationError("R602", f"onbekend besluit '{valid.field_name(besluit)}'; "
                                  f"bekend: {known}")  # fmt: skip
        return outcomes

    def check_gemeente(self, gemeente: Any) -> None:
        """A gemeente to decide for: a CBS code, and the regulation's own if it has one."""
        if not isinstance(gemeente, str) or not _TERRITORY.fullmatch(gemeente):
            raise InputError(
                {"gemeente": "verwacht de code van het CBS: GM en vier cijfers (GM0503)"}
            )
        if self.territory is not None and gemeente != self.territory:
            where = self.meta.get("gemeente") or self.territory
            raise EvaluationError(
                "R605",
                f"'{self.title}' geldt in {where} ({self.territory}), niet in {gemeente}",
                "kies de regeling van die gemeente, of beslis volgens de wet",
            )

    def _evaluate(
        self,
        inputs: Mapping[str, Any],
        peildatum: datetime.date,
        besluit: str | None,
        trace: bool,
        fast: FastDecision | None,
        partial: bool = False,
        gemeente: str | None = None,
    ) -> Result:
        """The full path, in the exact context: every input checked and converted, the trace
        if asked for."""
        outcomes = tuple(self.outcomes) if besluit is None else self.decision(besluit)
        self.check_period(peildatum)
        if trace and self.explain_loader is not None:
            self.load_explainers()
        check = self.checks.get(besluit) if not partial else None  # type: ignore[arg-type]
        if check is not None and check(inputs, False):
            values = {**self._plan_of(outcomes)[1], **inputs}  # valid as given, with defaults
        else:
            values = self.coerce_inputs(inputs, outcomes, besluit, partial)
        if partial and any(
            read and required and name not in values
            for name, (_, _, required, read) in self._plan_of(outcomes)[0].items()
        ):
            values, fast = Given(values), None  # what is not there is onbepaald
        judged: dict[str, Any] = {}
        trail: list[RuleTrace] = []
        norms: list[str] = []
        try:
            results = None
            if fast is not None:
                # Converted inputs (from JSON, say) can still take the one-pass function; what
                # it relied on counts only if it decided.
                try:
                    results = fast(values, peildatum, True, judged)
                except EvaluationError:
                    results = None  # rule by rule, to say in which rule and article
            if results is None:
                ctx = Context(self, values, peildatum, trail if trace else None, {}, gemeente)
                if trace:
                    ctx.noted = []
                results = {name: ctx.resolve(name) for name in outcomes}
                judged = ctx.judged or {}
                if ctx.noted:
                    norms = [_norm_read(*noted) for noted in ctx.noted]
        except (ArithmeticError, ValueError) as err:  # decimal overflow, a date past year 9999
            raise _arithmetic_error(err) from err
        return Result(
            (self, values),
            peildatum,
            results,
            trail,
            self._judgements(judged, inputs) if judged else [],
            gemeente or self.territory,
            tuple(norms) if norms else (),
        )

    def add_explainers(
        self,
        rules: dict[str, Callable[[Context, list[Step]], Any]],
        begrippen: dict[str, Callable[[Context, list[Step]], Any]],
        reasons: dict[str, Shape] | None = None,
    ) -> None:
        """The explaining twins of the rules' values and of the begrippen, and the shapes of
        the conditions (`regel:<naam>`) and yes/no begrippen (see runtime/derivation.py),
        called by the generated module."""
        self.reasons.update(reasons or {})
        for outcome in self.outcomes.values():
            for rule in outcome.rules:
                if rule.name in rules:
                    rule.explain = rules[rule.name]
        self.explainers.update(begrippen)

    def load_explainers(self) -> None:
        """Compile the explaining twins left for later, once, also with threads: whoever
        finds them pending waits until they are there."""
        with _LOADING:
            if self.explain_loader is not None:
                self.explain_loader()
                self.explain_loader = None

    def organ_name(self, key: str) -> str:
        return self.organ_names.get(key, key)

    def _judgements(self, judged: dict[str, Any], given: Mapping[str, Any]) -> list[Judgement]:
        """The oordelen relied upon; one not in `given` (the inputs as sent) is its
        `standaard`."""
        inputs = self.inputs
        return [
            Judgement(
                name,
                inputs[name].oordeel or "",
                value,
                inputs[name].description,
                self.organ_name(inputs[name].oordeel or ""),
                inputs[name],
                given.get(name) is None,
            )
            for name, value in judged.items()
            if name in inputs
        ]

    def norm_from(
        self, qualified: str, peildatum: datetime.date, gemeente: str | None = None
    ) -> Any:
        """An open norm of another regulation (`regeling.norm`) that its fillings give a
        literal value (the compiler checks that): only which versions are in force, and for
        which gemeente, decides it, so it is worked out once per stretch of time in which
        none starts or ends — not once per peildatum, so that a caseload with a peildatum per
        case keeps it."""
        return self.norms_at(peildatum, gemeente)[qualified]

    def norms_at(self, peildatum: datetime.date, gemeente: str | None = None) -> NormTable:
        """The constant open norms of other regulations as they stand on the peildatum in the
        gemeente (by default its own): one table per stretch of time, looked up once per
        decision by generated code."""
        last = self._norms_last
        if last is not None and last[0] == peildatum and last[1] == gemeente:
            return last[2]  # a caseload on one day: the same table
        where = gemeente or self.territory
        key = (self.program.stretch(peildatum), where)
        table = self._norms_from.get(key)
        if table is None:
            table = self._norms_from[key] = NormTable(self, peildatum, where)
        self._norms_last = (peildatum, gemeente, table)
        return table

    def filler(
        self, name: str, peildatum: datetime.date, gemeente: str | None
    ) -> tuple[Regulation, str] | None:
        """The version of a regulation that fills open norm `name` on the peildatum for the
        gemeente, and the name it holds the filling under: one without a territory fills it
        everywhere, a municipal one only in its own gemeente. Raises Undetermined when
        gemeenten fill it each for themselves and no gemeente is known."""
        _, filled = self.norms[name]
        if filled is None:
            return None
        regulations, begrip = filled
        elsewhere = False
        for regulation in regulations:
            version = self.program.in_force(regulation, peildatum)
            if version is None or begrip not in version.begrippen:
                continue
            if version.territory is None or version.territory == gemeente:
                return version, begrip
            elsewhere = True
        if elsewhere and gemeente is None:
            raise Undetermined(
                name,
                f"de open norm '{name}' wordt per gemeente ingevuld; zeg voor welke gemeente "
                "wordt beslist",
            )
        return None

    def norm_value(self, name: str, ctx: Context) -> Any:
        if name in self.proposed:
            return self.proposed[name][0]
        default, _ = self.norms[name]
        found = self.filler(name, ctx.peildatum, ctx.gemeente)
        if found is not None:  # by a filling regulation in force on the peildatum
            return ctx.elsewhere(found[0].id, found[1])
        if default is not None:
            return default(ctx)
        raise Undetermined(name, f"de open norm '{name}' is niet ingevuld")

    def norm_origin(self, name: str, peildatum: datetime.date, gemeente: str | None = None) -> str:
        """Where the value of an open norm was set, for the motivation: the filling
        regulation and its article, or the norm's own standard value; and the delegation."""
        where = self.anchors.get(name)
        delegation = f"{where} van {self.title}" if where else self.title
        organ = self.organ_name(self.norm_organs.get(name, ""))
        left = f", open norm voor {organ}" if organ else ""
        if name in self.proposed:
            return f"voorgesteld in {self.proposed[name][1]}, in plaats van wat {delegation} geeft"
        try:
            found = self.filler(name, peildatum, gemeente)
        except Undetermined:
            found = None
        if found is not None:
            version, key = found
            article = version.anchors.get(key)
            source = f"{article} van {version.title}" if article else version.title
            return f"vastgesteld in {source}, op grond van {delegation}{left}"
        if gemeente is not None and self.norms[name][1] is not None:
            return (
                f"de standaardwaarde uit {delegation}{left}: de gemeente {gemeente} heeft hem "
                "niet ingevuld"
            )
        return f"de standaardwaarde uit {delegation}{left} (niet ingevuld)"

    def display_fact(self, name: str, ctx: Context, depth: int = 0) -> str:
        """A value read by a condition, in its unit and Dutch format; `regeling.naam` is a
        value of another regulation, named with it. A begrip that is `nee` says why, with
        its article and what it read (three levels deep at most): "werkloos genoeg: nee
        (paragraaf B.6 alinea 5; maanden werkloos: 11 maanden; …)"."""
        if name in self.inputs:
            spec = self.inputs[name]
            return format_value(ctx.inputs[name], spec.kind, spec.unit, spec.percent, spec.unit_one)
        if name in self.outcomes:
            return ctx.resolve(name).display
        if name == "peildatum":
            return format_date(ctx.peildatum)
        if name in self.norms:
            value = ctx.norm(name)
            return format_value(value, *self._format_of(name, value))
        if "." in name:
            regulation, own = name.split(".", 1)
            value = ctx.elsewhere(regulation, own)
            other = self.program.in_force(regulation, ctx.peildatum)
            if other is not None and own in other.outcomes:
                return other.outcomes[own].display(value) + f" (uit {other.title})"
            shown = format_value(value, *(other or self)._format_of(own, value))
            return f"{shown} (uit {other.title if other else regulation})"
        value = ctx.begrip(name)
        shown = format_value(value, *self._format_of(name, value))
        read = self.begrip_facts.get(name, ())
        if value is not False or not read or depth >= 2:
            return shown
        why = [self.anchors[name]] if name in self.anchors else []
        for fact in read:
            label = fact.rsplit(".", 1)[-1].replace("_", " ")
            try:
                why.append(f"{label}: {self.display_fact(fact, ctx, depth + 1)}")
            except (Undetermined, EvaluationError, KeyError):
                why.append(f"{label}: onbepaald")
        return f"{shown} ({'; '.join(why)})"

    def _format_of(self, name: str, value: Any) -> tuple[str, str, bool, str]:
        found = self.formats.get(name)
        if found is not None:
            return found
        kind = "bool" if isinstance(value, bool) else "num" if isinstance(value, Decimal) else ""
        if not kind and isinstance(value, datetime.time):
            kind = "clock"
        return (kind or ("date" if isinstance(value, datetime.date) else "text"), "", False, "")


class NormTable(dict[str, Any]):
    """`regeling.norm` → its value in one stretch of time, worked out on first use."""

    def __init__(
        self, regulation: Regulation, peildatum: datetime.date, gemeente: str | None = None
    ):
        super().__init__()
        self.regulation, self.peildatum, self.gemeente = regulation, peildatum, gemeente

    def __missing__(self, qualified: str) -> Any:
        regulation, name = qualified.split(".")
        context = Context(self.regulation, {}, self.peildatum, None, {}, self.gemeente)
        value = self[qualified] = context.elsewhere(regulation, name)
        return value


class Program:
    """All loaded regulations, so that one can use another's definitions and fill its norms.

    A regulation can be loaded in several versions (the same id, periods that do not
    overlap); a reference to it means the version in force on the peildatum.
    """

    def __init__(self, regulations: dict[str, Regulation]):
        self.regulations = regulations  # by key: the id, or `id@start` for a version
        self.versions: dict[str, list[Regulation]] = {}
        for regulation in regulations.values():
            regulation.program = self
            self.versions.setdefault(regulation.id, []).append(regulation)
        for versions in self.versions.values():
            versions.sort(key=lambda r: r.valid_from or datetime.date.min)
        # The days on which some regulation starts or stops being in force: between two of
        # them, every regulation is in force or not all the time (see `stretch`).
        changes: set[datetime.date] = set()
        for regulation in regulations.values():
            regulation._norms_from.clear()  # worked out in another program
            regulation.__dict__.pop("shared_fields", None)
            if regulation.valid_from is not None:
                changes.add(regulation.valid_from)
            if regulation.valid_until is not None and regulation.valid_until < datetime.date.max:
                changes.add(regulation.valid_until + datetime.timedelta(days=1))
        self._changes = sorted(changes)

    def stretch(self, peildatum: datetime.date) -> int:
        """Which stretch of time the peildatum lies in: the same number for two days means
        the same versions in force."""
        return bisect.bisect_right(self._changes, peildatum)

    def in_force(self, regulation: str, peildatum: datetime.date) -> Regulation | None:
        """The version of a regulation in force on the peildatum, if any."""
        for version in self.versions.get(regulation, ()):
            if version.in_force(peildatum):
                return version
        return None

    def version(self, regulation: str, peildatum: datetime.date) -> Regulation:
        """The version to evaluate: by key (one version), or by id and the peildatum."""
        if regulation in self.regulations:
            return self.regulations[regulation]
        versions = self.versions.get(regulation)
        if not versions:
            known = ", ".join(sorted(self.versions)) or "(geen)"
            raise EvaluationError("R204", f"onbekende regeling '{regulation}'; geladen: {known}")
        chosen = self.in_force(regulation, peildatum)
        if chosen is None:
            if len(versions) == 1:
                versions[0].check_period(peildatum)  # raises, with the period
            periods = "; ".join(format_period(v.valid_from, v.valid_until) for v in versions)
            raise PeriodError(
                "R601",
                f"de peildatum {format_date(peildatum)} valt buiten de geldigheid van alle "
                f"versies van '{versions[-1].title}' ({periods})",
                "kies een peildatum binnen de geldigheid van een van de versies",
            )
        return chosen


def _norm_read(ctx: Context, name: str, value: Any) -> str:
    """An open norm an evaluation worked out, with its value and where it was set, for the
    motivation."""
    regulation = ctx.regulation
    kind, unit, percent, one = regulation.formats.get(name, ("text", "", False, ""))
    shown = format_value(value, kind, unit, percent, one)
    origin = regulation.norm_origin(name, ctx.peildatum, ctx.gemeente)
    return f"{name.replace('_', ' ')}: {shown}, {origin}"


# Inputs with more digits before the decimal point are refused (see `inputs.py`); kept under
# this name for generated code and existing users.
NUMBER_DIGITS = valid.INTEGER_DIGITS
NUMBER_QUANTUM = valid.NUMBER_QUANTUM
# At most this many onbepaalde conditions in one outcome are worked out both ways (2^n paths).
MAX_UNDETERMINED = 6
_MISSING = object()
_TERRITORY = valid.TERRITORY
_UNBOUNDED = 1 << 62  # a decision whose digits the compiler could not bound
FastDecision = Callable[
    [Mapping[str, Any], datetime.date, bool, dict[str, Any]], "dict[str, OutcomeResult] | None"
]
InputPlan = tuple[dict[str, tuple[InputSpec, type, bool, bool]], dict[str, Any], int]


class _Group:
    """No value is of this type: a group of persons always takes the full check."""


_PYTHON_TYPES: dict[str, type] = {
    "bool": bool,
    "num": Decimal,
    "text": str,
    "date": datetime.date,
    "clock": datetime.time,
    "choice": str,
    "persons": _Group,
}
