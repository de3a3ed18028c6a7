"""A decision lowered from the typed model to one SQL query, built as sqlglot trees.

The query takes a caseload (a relation with a column `rij`, optionally `peildatum`, and a column
per gegeven) and gives, per row, for every outcome of the decision its value, status and
grondslag, with the same default logic as the Python runtime (`runtime/engine.py`): exceptions
first, a rule set aside counts as applied, values of rules that apply together are combined (a
conflict names both articles). DuckDB runs it; the trees are rendered for DuckDB or Spark SQL.

Onbepaald is SQL's NULL: `en`, `of` and `tenzij` over NULL are Kleene's logic, as in the runtime;
every other operator is made strict (NULL in, NULL out). Like the Python fast path, the query
takes the rows it can decide exactly and marks the others (`_python`): an input it does not
take as it is (a number with more digits than its DECIMAL types hold, a text with spaces
around it), a condition that is onbepaald where the default logic meets it, a calculation the
runtime refuses (a day that does not exist, a divisor 0). Those rows are decided by the Python
runtime, which gives the same answer or the same Dutch message as every other channel. A
rounded division is worked out in whole numbers (`_rounded_quotient`, `division_scale`); a
begrip of another regulation is written where it is read. A construct that SQL cannot express
(a division that is not rounded, a count within a count) is refused when the query is built
(`NotInSql`), with where it stands.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from regel import runtime as rt
from regel.runtime.inputs import InputSpec
from sqlglot import exp

from . import nodes as n
from .batch import UNMET
from .diagnostics import Diagnostic, Span
from .digits import DigitBounds, Digits, Quotient, constant_norm, places, quotient
from .model import Analysis, RegInfo, RuleInfo
from .visitor import ExprVisitor

MAX_DIGITS = 38  # the widest DECIMAL of DuckDB and Spark
# A numeric gegeven the query takes has at most this many digits after the point; one with
# more goes to the Python runtime. Amounts have two, hours one, percentages a few.
SQL_FRACTION = 4
_CALENDAR_DAYS = (datetime.date.max - datetime.date.min).days  # 0001-01-01 … 9999-12-31
QUICK_DIGITS = 9  # a gegeven up to a billion: enough for what a municipality decides on
ROW, PEILDATUM, PYTHON = "rij", "peildatum", "_python"
STATUS_DECIDED = "bepaald"
UNDETERMINED = object()  # an open norm without a value on a peildatum: onbepaald
# Another regulation by its id → the key of its version in force and that version's norms, or
# None when no version is in force (what the query reads of it is then onbepaald).
Elsewhere = Callable[[str], "tuple[str, Norms] | None"]


class Norms(Protocol):
    """The open norms of a stretch of time by name (`regeling.norm` for another's), or
    UNDETERMINED; a plain dict will do."""

    def get(self, key: str, default: Any = None) -> Any: ...


class NotInSql(Exception):
    """The decision has constructs that SQL cannot express; one diagnostic for each."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def _not_in_sql(span: Span | None, what: str, why: str = "") -> Diagnostic:
    return Diagnostic(
        "R790",
        f"{what} kan niet in SQL" + (f": {why}" if why else ""),
        span,
        "neem dit besluit met de Python-runtime: regel doorreken --motor python",
    )


# ---------------------------------------------------------------- small builders


def col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def lit(value: Any) -> exp.Expr:
    """A constant of the model as SQL: the meaning of a literal is `constant_value`'s."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        scale = max(-exponent, 0)
        width = max(value.adjusted() + 1, 1) + scale
        return exp.cast(exp.Literal.number(f"{value:f}"), f"DECIMAL({width}, {scale})")
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, datetime.time):
        return exp.cast(exp.Literal.string(f"{value:%H:%M}:00"), "TIME")
    if isinstance(value, tuple):
        return exp.Array(expressions=[lit(v) for v in value])
    raise AssertionError(f"geen SQL-constante voor {value!r}")


def try_cast(this: exp.Expr, to: exp.DataType) -> exp.Expr:
    """NULL for what does not convert; `safe`, or sqlglot writes a plain CAST for Spark, which
    in ANSI mode fails on the whole query."""
    return exp.TryCast(this=this, to=to, safe=True)


def p(e: exp.Expr) -> exp.Expr:
    """Parenthesised: sqlglot writes trees as they are built, without precedence."""
    if isinstance(e, exp.Column | exp.Literal | exp.Paren | exp.Null | exp.Boolean | exp.Cast):
        return e
    return exp.Paren(this=e)


def and_(*parts: exp.Expr) -> exp.Expr:
    out = p(parts[0])
    for part in parts[1:]:
        out = exp.And(this=out, expression=p(part))
    return out


def or_(*parts: exp.Expr) -> exp.Expr:
    out = p(parts[0])
    for part in parts[1:]:
        out = exp.Or(this=out, expression=p(part))
    return out


def not_(e: exp.Expr) -> exp.Expr:
    return exp.Not(this=p(e))


def is_null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=p(e), expression=exp.Null())


def is_false(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=p(e), expression=exp.false())


def is_not_true(e: exp.Expr) -> exp.Expr:
    return exp.Not(this=exp.Is(this=p(e), expression=exp.true()))


def case(whens: Iterable[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None) -> exp.Expr:
    """Built at once: `Case.when` copies the whole chain at every branch."""
    ifs = [exp.If(this=cond.copy(), true=value.copy()) for cond, value in whens]
    return exp.Case(ifs=ifs, default=None if default is None else default.copy())


def strict(operands: list[exp.Expr], result: exp.Expr) -> exp.Expr:
    """NULL when an operand is NULL, as the runtime's operators are: onbepaald in, out."""
    return case([(or_(*[is_null(o.copy()) for o in operands]), exp.Null())], result)


def binop(kind: type[exp.Binary], a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return kind(this=p(a), expression=p(b))


# ---------------------------------------------------------------- the persons of a group

PERSON, TOTAL, ITEM = "_p", "_t", "_w"  # lambda variables: a person, a running sum, a value
PERSON_OK = "_ok"  # a field of each parsed person: the query takes its gegevens as they are


def each(body: exp.Expr, *names: str) -> exp.Lambda:
    """`_p -> body`: a function of one person (or of the variables named)."""
    return exp.Lambda(this=body, expressions=[exp.to_identifier(x) for x in names or (PERSON,)])


def person_field(name: str) -> exp.Expr:
    return exp.Dot(this=exp.to_identifier(PERSON), expression=exp.to_identifier(name, quoted=True))


def count_where(items: exp.Expr, test: exp.Expr) -> exp.Expr:
    return exp.ArraySize(this=exp.ArrayFilter(this=items, expression=each(test)))


def some(items: exp.Expr, test: exp.Expr) -> exp.Expr:
    return binop(exp.GT, count_where(items, test), exp.Literal.number(0))


def joined(parts: list[exp.Expr]) -> exp.Expr:
    """The texts that are not NULL, joined by `; ` as the runtime joins a list ("" for none)."""
    if not parts:
        return lit("")
    if len(parts) == 1:
        return exp.Coalesce(this=parts[0], expressions=[lit("")])
    # CONCAT_WS leaves out NULL, in DuckDB and Spark alike
    return exp.Anonymous(this="CONCAT_WS", expressions=[lit("; "), *parts])


def decimal(digits: Digits) -> str:
    return f"DECIMAL({max(digits[0] + digits[1], 1)}, {digits[1]})"


def non_null(items: list[exp.Expr]) -> exp.Expr:
    """The list of those that are not NULL, in order."""
    x = exp.to_identifier("x")
    keep = exp.Lambda(this=exp.Not(this=is_null(exp.column("x"))), expressions=[x])
    return exp.ArrayFilter(this=exp.Array(expressions=items), expression=keep)


_COMPARE: dict[str, type[exp.Binary]] = {
    "=": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    ">": exp.GT,
    "<=": exp.LTE,
    ">=": exp.GTE,
}
_ARITH: dict[str, type[exp.Binary]] = {"plus": exp.Add, "min": exp.Sub, "maal": exp.Mul}
_ARITH["van"] = exp.Mul
_DAY_MINUTES = 24 * 60


# ---------------------------------------------------------------- expressions


class SqlWriter(ExprVisitor[exp.Expr]):
    """Lowers the expressions of one regulation version; names are columns of earlier layers
    (`i_` gegeven, `b_` begrip, `o_`/`s_` outcome value and status)."""

    def __init__(
        self,
        analysis: Analysis,
        info: RegInfo,
        bounds: DigitBounds,
        norms: Norms,
        elsewhere: Elsewhere | None = None,
    ):
        self.a, self.info, self.bounds, self.norms = analysis, info, bounds, norms
        self.elsewhere = elsewhere
        self.problems: list[Diagnostic] = []
        self.fails: list[exp.Expr] = []  # where the runtime would refuse: to Python
        self.inline = False  # a writer for another regulation: its begrippen written in place
        self.person: str | None = None  # the group whose persons are read, one by one
        self._others: dict[str, SqlWriter | None] = {}

    def expr(self, e: n.Expr, date_mode: str | None = None) -> exp.Expr:
        return self.visit(e, date_mode)

    def _refuse(self, e: n.Expr, what: str, why: str = "") -> exp.Expr:
        self.problems.append(_not_in_sql(e.span, what, why))
        return exp.Null()

    def visit_Number(self, e: n.Number | n.Money, date_mode: str | None) -> exp.Expr:
        return lit(e.value)

    visit_Money = visit_Number

    def visit_DateLit(self, e: n.Expr, date_mode: str | None) -> exp.Expr:
        resolved = e.resolved
        return lit(resolved[1] if resolved else e.value)  # type: ignore[attr-defined]

    visit_TextLit = visit_BoolLit = visit_ClockLit = visit_DateLit

    def visit_Peildatum(self, e: n.Peildatum, date_mode: str | None) -> exp.Expr:
        return col(PEILDATUM)

    def visit_Name(self, e: n.Name, date_mode: str | None) -> exp.Expr:
        kind, name = e.resolved or ("", "")
        if kind == "choice":
            return lit(name)
        if kind == "input":
            return col(f"i_{name}")
        if kind == "begrip":
            symbol = self.info.symbols[name]
            if self.inline or symbol.group is not None:  # a begrip voor ieder: per person
                return self.expr(symbol.begrip.value)
            return col(f"b_{name}")
        if kind == "field" and self.person is not None:
            return person_field(name)
        if kind == "outcome" and not self.inline:
            # read only when it has a value: komt niet tot stand is onbepaald to the reader
            return case(
                [(exp.EQ(this=col(f"s_{name}"), expression=lit(STATUS_DECIDED)), col(f"o_{name}"))],
                None,
            )
        if kind == "norm":
            return self._norm(e, self.info.node.id, name, name)
        return self._refuse(e, f"'{name}' ({kind})")

    def visit_QualName(self, e: n.QualName, date_mode: str | None) -> exp.Expr:
        kind = (e.resolved or ("",))[0]
        if kind == "input":
            return col(f"i_{e.name}")
        if kind == "norm":
            return self._norm(e, e.regulation, e.name, f"{e.regulation}.{e.name}")
        if kind == "begrip" and self.elsewhere is not None:
            other = self._other(e.regulation)
            if other is None:  # no version in force on the peildatum: onbepaald, as the runtime
                return exp.Null()
            return other.expr(other.info.symbols[e.name].begrip.value)
        return self._refuse(e, f"een {kind} van een andere regeling ('{e.regulation}.{e.name}')")

    def _other(self, regulation: str) -> SqlWriter | None:
        """A writer for the version of another regulation in force in this stretch of time,
        with its own norms and the same gegevens, which reports into this one."""
        if regulation not in self._others:
            found = self.elsewhere(regulation) if self.elsewhere is not None else None
            writer = None
            if found is not None:
                key, norms = found
                info = self.a.regs[key]
                bounds = DigitBounds(self.a, info, self.bounds.inputs, outcomes=True)
                writer = SqlWriter(self.a, info, bounds, norms, self.elsewhere)
                writer.problems, writer.fails, writer.inline = self.problems, self.fails, True
            self._others[regulation] = writer
        return self._others[regulation]

    def _norm(self, e: n.Expr, regulation: str, name: str, key: str) -> exp.Expr:
        if not constant_norm(self.a, regulation, name):
            return self._refuse(e, f"de open norm '{key}', die een berekening invult,")
        value = self.norms.get(key, UNDETERMINED)
        return exp.Null() if value is UNDETERMINED else lit(value)

    def visit_Not(self, e: n.Not, date_mode: str | None) -> exp.Expr:
        return not_(self.expr(e.operand))

    def visit_Negate(self, e: n.Negate, date_mode: str | None) -> exp.Expr:
        return exp.Neg(this=p(self.expr(e.operand)))

    def visit_Membership(self, e: n.Membership, date_mode: str | None) -> exp.Expr:
        value = self.expr(e.value)
        options = [self.expr(o) for o in e.options]
        test: exp.Expr = exp.In(this=p(value), expressions=options)
        if e.negated:
            test = not_(test)
        if all(isinstance(o, exp.Literal) for o in options):
            return test  # NULL in, NULL out already
        return strict([value, *options], test)

    def visit_Empty(self, e: n.Empty, date_mode: str | None) -> exp.Expr:
        size = exp.ArraySize(this=self.expr(e.value))
        return binop(exp.NEQ if e.negated else exp.EQ, size, exp.Literal.number(0))

    def visit_Bound(self, e: n.Bound, date_mode: str | None) -> exp.Expr:
        value, limit = self.expr(e.value), self.expr(e.limit)
        pick = exp.Least if e.kind == "maximum" else exp.Greatest
        return strict([value, limit], pick(this=value.copy(), expressions=[limit.copy()]))

    def visit_Extreme(self, e: n.Extreme, date_mode: str | None) -> exp.Expr:
        args = [self.expr(a) for a in e.args]
        pick = exp.Least if e.kind == "minimum" else exp.Greatest
        return strict(args, pick(this=args[0].copy(), expressions=[a.copy() for a in args[1:]]))

    def visit_Round(self, e: n.Round, date_mode: str | None) -> exp.Expr:
        if e.target is None:
            return self.expr(e.value, e.mode)
        decimals = places(e.target)
        digits = self.bounds.of(e)
        if digits is not None and self.bounds.of(e.value) is None:
            q = quotient(e)
            assert q is not None  # no other rounded value without a bound
            return self._rounded_quotient(e, q, digits, decimals)
        value = self.expr(e.value)
        if digits is None:  # a division or aggregate within, refused where it stands
            return exp.Null()
        if e.mode == "half_naar_boven":  # half away from zero, in DuckDB and Spark alike
            rounded: exp.Expr = exp.Round(this=value, decimals=exp.Literal.number(decimals))
        else:
            scale = lit(Decimal(10) ** decimals)
            pick = exp.Ceil if e.mode == "naar_boven" else exp.Floor
            whole = exp.cast(pick(this=binop(exp.Mul, value, scale)), decimal((digits[0], 0)))
            rounded = (
                whole if decimals == 0 else binop(exp.Mul, whole, lit(Decimal(1).scaleb(-decimals)))
            )
        return exp.cast(rounded, decimal(digits))

    def _rounded_quotient(self, e: n.Round, q: Quotient, digits: Digits, decimals: int) -> exp.Expr:
        """`terms ± x / d`, rounded as the regulation states, exactly: as y / d with
        y = terms × d ± x, both made whole numbers (× 10^k) and y times 10^decimals, then the
        quotient of whole numbers, its remainder telling which way to round."""
        k = division_scale(self.bounds, q, decimals)
        if k is None:  # input_digits chose gegevens small enough whenever that can be
            return self._refuse(e, "een deling met zulke grote getallen")
        bound = self.bounds.of

        def wide(x: exp.Expr, of: n.Expr | Digits) -> exp.Expr:
            digits = of if isinstance(of, tuple) else bound(of)
            assert digits is not None
            return exp.cast(x, decimal((MAX_DIGITS - digits[1], digits[1])))

        x = wide(self.expr(q.numerator), q.numerator)
        if q.sign < 0:
            x = exp.Neg(this=p(x))
        d = self.expr(q.divisor)
        self.fails.append(binop(exp.EQ, d.copy(), exp.Literal.number(0)))  # R701 in the runtime
        y = x
        if q.terms:
            terms = self.bounds.terms(q)
            assert terms is not None
            total: exp.Expr | None = None
            for sign, t in q.terms:
                term = wide(self.expr(t), t)
                if total is None:
                    total = term if sign > 0 else exp.Neg(this=p(term))
                else:
                    total = binop(exp.Add if sign > 0 else exp.Sub, total, term)
            assert total is not None
            y = binop(exp.Add, binop(exp.Mul, wide(total, terms), wide(d.copy(), q.divisor)), x)
        whole = "INT128"  # Spark: DECIMAL(38, 0), see Query.sql
        a = exp.cast(binop(exp.Mul, y, lit(Decimal(10) ** (k + decimals))), whole)
        b = exp.cast(binop(exp.Mul, d, lit(Decimal(10) ** k)), whole)
        zero = exp.Literal.number(0)
        whole_q = case([(binop(exp.EQ, b.copy(), zero.copy()), exp.Null())],
                       exp.IntDiv(this=p(a.copy()), expression=p(b.copy())))  # fmt: skip
        rest = binop(exp.Sub, a, binop(exp.Mul, whole_q.copy(), b.copy()))
        # the exact quotient lies beyond whole_q, towards +∞ when rest and b have one sign
        upward = binop(exp.EQ, binop(exp.GT, rest.copy(), zero.copy()),
                       binop(exp.GT, b.copy(), zero.copy()))  # fmt: skip
        one = exp.Literal.number(1)
        if e.mode == "half_naar_boven":  # half away from zero: |rest| ≥ |b| / 2
            beyond = binop(exp.GTE, exp.Abs(this=rest.copy()),
                           binop(exp.Sub, exp.Abs(this=b), exp.Abs(this=rest)))  # fmt: skip
            step = case([(upward, binop(exp.Add, whole_q.copy(), one))],
                        binop(exp.Sub, whole_q.copy(), one.copy()))  # fmt: skip
        else:
            side = upward if e.mode == "naar_boven" else exp.Not(this=p(upward))
            beyond = and_(binop(exp.NEQ, rest, zero), side)
            step = binop(exp.Add if e.mode == "naar_boven" else exp.Sub, whole_q.copy(), one)
        rounded: exp.Expr = exp.cast(case([(beyond, step)], whole_q), decimal((digits[0], 0)))
        if decimals:
            rounded = binop(exp.Mul, rounded, lit(Decimal(1).scaleb(-decimals)))
        return exp.cast(rounded, decimal(digits))

    def visit_Age(self, e: n.Age, date_mode: str | None) -> exp.Expr:
        birth, on = self.expr(e.birth), self.expr(e.on)
        later = or_(
            binop(exp.LT, exp.Month(this=on.copy()), exp.Month(this=birth.copy())),
            and_(
                binop(exp.EQ, exp.Month(this=on.copy()), exp.Month(this=birth.copy())),
                binop(exp.LT, exp.Day(this=on.copy()), exp.Day(this=birth.copy())),
            ),
        )
        years = binop(
            exp.Sub,
            binop(exp.Sub, exp.Year(this=on.copy()), exp.Year(this=birth.copy())),
            case([(later, exp.Literal.number(1))], exp.Literal.number(0)),
        )
        return exp.cast(years, "DECIMAL(4, 0)")

    def visit_Between(self, e: n.Between, date_mode: str | None) -> exp.Expr:
        start, end = self.expr(e.start), self.expr(e.end)
        if e.unit in ("uur", "minuut"):
            minutes = [
                binop(
                    exp.Add,
                    binop(
                        exp.Mul,
                        exp.Anonymous(this="HOUR", expressions=[t.copy()]),
                        exp.Literal.number(60),
                    ),
                    exp.Anonymous(this="MINUTE", expressions=[t.copy()]),
                )
                for t in (start, end)
            ]
            diff = binop(exp.Sub, minutes[1], minutes[0])
            day = exp.Literal.number(_DAY_MINUTES)
            mod = binop(exp.Mod, binop(exp.Add, binop(exp.Mod, diff, day), day.copy()), day.copy())
            if e.unit == "uur":
                mod = exp.IntDiv(this=p(mod), expression=exp.Literal.number(60))
            return exp.cast(mod, "DECIMAL(4, 0)")
        low = strict([start, end], exp.Least(this=start.copy(), expressions=[end.copy()]))
        high = strict([start, end], exp.Greatest(this=start.copy(), expressions=[end.copy()]))
        sign = case(
            [(binop(exp.LT, end.copy(), start.copy()), exp.Literal.number(-1))],
            exp.Literal.number(1),
        )
        if e.unit in ("dag", "week"):
            days: exp.Expr = exp.DateDiff(this=high, expression=low, unit=exp.var("DAY"))
            if e.unit == "week":
                days = exp.IntDiv(this=p(days), expression=exp.Literal.number(7))
            return exp.cast(binop(exp.Mul, sign, days), "DECIMAL(7, 0)")
        months = binop(
            exp.Add,
            binop(
                exp.Mul,
                binop(exp.Sub, exp.Year(this=high.copy()), exp.Year(this=low.copy())),
                exp.Literal.number(12),
            ),
            binop(exp.Sub, exp.Month(this=high.copy()), exp.Month(this=low.copy())),
        )
        last = exp.Day(this=exp.LastDay(this=high.copy()))
        short = and_(
            binop(exp.LT, exp.Day(this=high.copy()), exp.Day(this=low.copy())),
            not_(
                and_(
                    binop(exp.EQ, exp.Day(this=high.copy()), last),
                    binop(exp.GT, exp.Day(this=low.copy()), last.copy()),
                )
            ),
        )
        whole = binop(
            exp.Sub, months, case([(short, exp.Literal.number(1))], exp.Literal.number(0))
        )
        if e.unit == "jaar":
            whole = exp.IntDiv(this=p(whole), expression=exp.Literal.number(12))
        return exp.cast(binop(exp.Mul, sign, whole), "DECIMAL(7, 0)")

    def visit_Choice(self, e: n.Choice, date_mode: str | None) -> exp.Expr:
        whens: list[tuple[exp.Expr, exp.Expr]] = []
        for value, cond in e.branches:
            test = self.expr(cond)
            whens.append((is_null(test), exp.Null()))  # an onbepaald tier: onbepaald
            whens.append((test.copy(), self.expr(value)))
        otherwise = self.expr(e.otherwise) if e.otherwise is not None else exp.Null()
        return case(whens, otherwise)

    def visit_Aggregate(self, e: n.Aggregate, date_mode: str | None) -> exp.Expr:
        """Over the list of persons of the group (`i_<groep>`, parsed by the first layer), with
        functions of one person, as `values.settle` means it: `ieder` nee as soon as one is
        nee, `enig` ja as soon as one is ja, otherwise a person for whom the condition is
        onbepaald makes the aggregate onbepaald (NULL), and so does a value that is."""
        if self.person is not None:
            return self._refuse(e, "een telling of som binnen een telling of som over personen")
        persons = col(f"i_{e.group.name}")
        outer, self.fails, self.person = self.fails, [], e.group.name
        try:
            holds = self.expr(e.condition) if e.condition is not None else exp.true()
            value = self.expr(e.value) if e.value is not None else None
        finally:
            inner, self.fails, self.person = self.fails, outer, None
        if inner:  # where the runtime refuses for one of the persons: the row goes to it
            refused = or_(*[is_not_true(not_(f)) for f in inner])
            self.fails.append(
                exp.Coalesce(this=some(persons.copy(), refused), expressions=[exp.false()])
            )
        unknown = some(persons.copy(), is_null(holds.copy()))
        if e.kind == "ieder":
            result = case([(some(persons.copy(), is_false(holds)), exp.false()),
                           (unknown, exp.Null())], exp.true())  # fmt: skip
        elif e.kind == "enig":
            result = case([(some(persons.copy(), is_true(holds)), exp.true()),
                           (unknown, exp.Null())], exp.false())  # fmt: skip
        else:
            chosen = exp.ArrayFilter(this=persons.copy(), expression=each(holds))
            d = self.bounds.of(e)
            if d is None:
                return self._refuse(
                    e, f"een {e.kind} over personen van een deling zonder afronding"
                )
            if e.kind == "aantal":
                result = exp.cast(exp.ArraySize(this=chosen), decimal(d))
            elif e.kind == "som":
                assert value is not None
                total = exp.Add(this=exp.to_identifier(TOTAL), expression=p(value))
                result = exp.Reduce(
                    this=chosen,
                    initial=exp.Cast(this=exp.Literal.number(0), to=exp.DataType.build(decimal(d))),
                    merge=each(exp.cast(total, decimal(d)), TOTAL, PERSON),
                )
            else:
                assert value is not None
                values = exp.Transform(this=chosen, expression=each(value))
                gap = exp.ArraySize(
                    this=exp.ArrayFilter(
                        this=values.copy(), expression=each(is_null(exp.to_identifier(ITEM)), ITEM)
                    )
                )
                top = exp.ArrayMax if e.kind == "hoogste" else exp.ArrayMin
                result = case(
                    [(binop(exp.GT, gap, exp.Literal.number(0)), exp.Null())], top(this=values)
                )
            result = case([(unknown, exp.Null())], result)
        return case([(is_null(persons), exp.Null())], result)

    def visit_Persons(self, e: n.Persons, date_mode: str | None) -> exp.Expr:
        raise AssertionError(f"personen in een uitdrukking op {e.span}")

    def visit_Binary(self, e: n.Binary, date_mode: str | None) -> exp.Expr:
        op = e.op
        if op in ("en", "of", "tenzij"):
            a, b = self.expr(e.left, date_mode), self.expr(e.right)
            if op == "of":
                return or_(a, b)
            return and_(a, not_(b) if op == "tenzij" else b)
        if op == "deel":
            return self._refuse(
                e,
                "een deling zonder afronding",
                "SQL deelt alleen exact als de regel de uitkomst afrondt, zoals in "
                "'a / b afgerond op centen naar beneden' of 'a + b / c afgerond op hele getallen "
                "half naar boven'",
            )
        a, b = self.expr(e.left, date_mode), self.expr(e.right)
        if op in _COMPARE:
            return binop(_COMPARE[op], a, b)
        left = e.left.type
        if op in ("plus", "min") and left is not None and left.kind == "clock":
            return self._shift_clock(e, a, b)
        if op in ("plus", "min") and left is not None and left.kind == "date":
            return self._shift_date(e, a, b, date_mode)
        if op in ("maal", "van"):
            a = self._widened(e, a)
        return binop(_ARITH[op], a, b)

    def _widened(self, e: n.Binary, left: exp.Expr) -> exp.Expr:
        """The left factor of a product wider than 18 digits, cast so that DuckDB reckons in
        128 bits: of two factors of at most 18 digits it takes the product in 64, and fails
        when that overflows."""
        product, a = self.bounds.of(e), self.bounds.of(e.left)
        if product is None or a is None or product[0] + product[1] <= 18:
            return left
        return exp.cast(left, decimal((max(a[0], 19 - a[1]), a[1])))

    def _shift_clock(self, e: n.Binary, t: exp.Expr, amount: exp.Expr) -> exp.Expr:
        right = e.right.type
        minutes = (
            amount
            if right is not None and right.unit.time == "minuut"
            else binop(exp.Mul, amount, exp.Literal.number(60))
        )
        if e.op == "min":
            minutes = exp.Neg(this=p(minutes))
        # a fraction of a minute: the runtime refuses it
        self.fails.append(binop(exp.NEQ, minutes.copy(), exp.Floor(this=minutes.copy())))
        now = binop(
            exp.Add,
            binop(
                exp.Mul, exp.Anonymous(this="HOUR", expressions=[t.copy()]), exp.Literal.number(60)
            ),
            exp.Anonymous(this="MINUTE", expressions=[t.copy()]),
        )
        day = exp.Literal.number(_DAY_MINUTES)
        total = binop(
            exp.Mod,
            binop(
                exp.Add,
                binop(exp.Mod, exp.cast(binop(exp.Add, now, minutes), "BIGINT"), day),
                day.copy(),
            ),
            day.copy(),
        )
        return exp.Anonymous(
            this="MAKE_TIME",
            expressions=[
                exp.IntDiv(this=p(total), expression=exp.Literal.number(60)),
                binop(exp.Mod, total.copy(), exp.Literal.number(60)),
                exp.Literal.number(0),
            ],
        )

    def _shift_date(
        self, e: n.Binary, day: exp.Expr, amount: exp.Expr, mode: str | None
    ) -> exp.Expr:
        unit = (e.right.type.unit.time if e.right.type is not None else None) or "dag"
        count = amount if e.op == "plus" else exp.Neg(this=p(amount))
        self.fails.append(binop(exp.NEQ, count.copy(), exp.Floor(this=count.copy())))
        whole = exp.cast(count, "BIGINT")
        if unit in ("dag", "week"):
            days = whole if unit == "dag" else binop(exp.Mul, whole, exp.Literal.number(7))
            # Spark adds an INT of days; more than the calendar spans leaves it (the runtime
            # says so), and must not overflow the cast on the way
            span = exp.Literal.number(_CALENDAR_DAYS)
            beyond_calendar = binop(exp.GT, exp.Abs(this=p(days)), span)
            self.fails.append(beyond_calendar)
            days = case([(beyond_calendar.copy(), exp.Null())], exp.cast(days.copy(), "INT"))
            shifted: exp.Expr = exp.DateAdd(this=day, expression=days, unit=exp.var("DAY"))
            self._calendar(shifted)
            return shifted
        months = whole if unit == "maand" else binop(exp.Mul, whole, exp.Literal.number(12))
        index = binop(
            exp.Add,
            binop(
                exp.Add,
                binop(exp.Mul, exp.Year(this=day.copy()), exp.Literal.number(12)),
                binop(exp.Sub, exp.Month(this=day.copy()), exp.Literal.number(1)),
            ),
            months,
        )
        year = exp.IntDiv(this=p(index), expression=exp.Literal.number(12))
        month = binop(
            exp.Add, binop(exp.Mod, index.copy(), exp.Literal.number(12)), exp.Literal.number(1)
        )
        # the year first: outside 1 … 9999 the runtime says the date leaves the calendar
        self.fails.append(
            or_(
                binop(exp.LT, year.copy(), exp.Literal.number(1)),
                binop(exp.GT, year.copy(), exp.Literal.number(9999)),
            )
        )
        safe_year = strict(
            [year],
            exp.Greatest(
                this=exp.Literal.number(1),
                expressions=[exp.Least(this=year.copy(), expressions=[exp.Literal.number(9999)])],
            ),
        )
        first = exp.DateFromParts(year=safe_year, month=month, day=exp.Literal.number(1))
        last = exp.LastDay(this=first)
        fits = binop(exp.LTE, exp.Day(this=day.copy()), exp.Day(this=last.copy()))
        exact = exp.DateFromParts(
            year=safe_year.copy(), month=month.copy(), day=exp.Day(this=day.copy())
        )
        if mode == "naar_beneden":
            beyond: exp.Expr = last.copy()
        elif mode == "naar_boven":
            beyond = exp.DateAdd(
                this=last.copy(), expression=exp.Literal.number(1), unit=exp.var("DAY")
            )
        else:  # a day that does not exist, and no rounding said: the runtime refuses it
            self.fails.append(not_(fits.copy()))
            beyond = exp.Null()
        return case([(fits, exact)], beyond)

    def _calendar(self, day: exp.Expr) -> None:
        self.fails.append(
            or_(
                binop(exp.LT, day.copy(), lit(datetime.date.min)),
                binop(exp.GT, day.copy(), lit(datetime.date.max)),
            )
        )


# ---------------------------------------------------------------- a decision


@dataclass
class Layer:
    """One SELECT over the one before: the columns it adds."""

    columns: list[tuple[str, exp.Expr]] = field(default_factory=list)


@dataclass
class Query:
    """A decision as SQL, for one version and the norms of a stretch of time."""

    outcomes: list[str]
    select: exp.Select
    value_types: dict[str, str]  # per outcome: the SQL type of its value

    def sql(self, dialect: str = "duckdb") -> str:
        if dialect != "spark":
            return self.select.sql(dialect=dialect)
        # Spark has no 128-bit integer; DIV of two whole DECIMALs gives the quotient as BIGINT
        return self.select.transform(_spark_types).sql(dialect=dialect)


def _spark_types(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return exp.DataType.build("DECIMAL(38, 0)")
    if isinstance(node, exp.FromJson):  # the shape of a group: DuckDB's JSON, Spark's DDL
        (fields,) = json.loads(node.expression.name)
        struct = ", ".join(f"`{name}`: STRING" for name in fields)
        return exp.FromJson(
            this=node.this, expression=exp.Literal.string(f"ARRAY<STRUCT<{struct}>>")
        )
    return node


def day_of(types: dict[str, str], peildatum: datetime.date | None) -> exp.Expr:
    """The peildatum of a row: its own (a column `peildatum`), else the one given for all."""
    day: exp.Expr = exp.cast(lit(peildatum) if peildatum else exp.Null(), "DATE")
    if PEILDATUM in types:
        raw = col(PEILDATUM)
        own = raw if types[PEILDATUM] == "DATE" else try_cast(raw, exp.DataType.build("DATE"))
        day = exp.Coalesce(this=own, expressions=[day])
    return day


_JSON_SPACE = r"[ \t\n\r]*"
_JSON_TEXT = r'"[^"\\\x00-\x1f]*"'  # a string without escapes
_JSON_VALUES = {
    "bool": "true|false",
    # a JSON number the query reads exactly (DuckDB reads it through a double: up to 15
    # significant digits come back as they were), or a string
    "num": _JSON_TEXT + r"|-?(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,4})?",
}


def persons_pattern(spec: InputSpec) -> str:
    """The JSON of a group that the query takes: a list of objects with the gegevens of a
    person in the order declared, each at most once, a value of the kind of the gegeven (or
    null), strings without escapes. Such JSON means the same to every JSON reader; anything
    else (another key, a key twice, an escape) goes to the runtime, which says what is wrong."""
    w = _JSON_SPACE
    pairs = [
        f'"{f.name}"{w}:{w}(?:{_JSON_VALUES.get(f.kind, _JSON_TEXT)}|null)' for f in spec.fields
    ]
    starts = [
        pair + "".join(f"(?:{w},{w}{later})?" for later in pairs[i + 1 :])
        for i, pair in enumerate(pairs)
    ]
    person = rf"\{{{w}(?:{'|'.join(starts)})?{w}\}}"
    return rf"^{w}\[{w}(?:{person}(?:{w},{w}{person})*)?{w}\]{w}\z"


def input_digits(analysis: Analysis, info: RegInfo, exprs: list[n.Expr]) -> Digits | None:
    """The digits before the point a numeric gegeven may have in the query, with SQL_FRACTION
    after it. Preferably every calculation fits in 18 digits (DuckDB and Spark then reckon in
    64-bit integers, twice as fast) with gegevens up to a billion; else the most that DECIMAL(38)
    allows. A row with a larger number goes to the runtime, which takes 15 digits."""
    for before in range(rt.NUMBER_DIGITS, QUICK_DIGITS - 1, -1):
        if _all_fit(analysis, info, exprs, before, 18):
            return (before, SQL_FRACTION)
    for before in range(rt.NUMBER_DIGITS, 0, -1):
        if _all_fit(analysis, info, exprs, before, MAX_DIGITS):
            return (before, SQL_FRACTION)
    return None


def _all_fit(
    analysis: Analysis, info: RegInfo, exprs: list[n.Expr], before: int, most: int
) -> bool:
    bounds = DigitBounds(analysis, info, (before, SQL_FRACTION), outcomes=True)
    for x in n.walk(exprs):
        if not _fits(bounds, x, most):
            return False
        if isinstance(x, n.QualName) and (x.resolved or ("",))[0] == "begrip":
            # another regulation's begrip is written in place: each of its calculations too
            for other in analysis.of(x.regulation):
                symbol = other.symbols.get(x.name)
                if (
                    symbol is not None
                    and symbol.kind == "begrip"
                    and not _all_fit(analysis, other, [symbol.begrip.value], before, most)
                ):
                    return False
    return True


def _fits(bounds: DigitBounds, e: n.Expr, most: int) -> bool:
    if (isinstance(e, n.Binary) and e.op == "deel") or isinstance(e, n.Aggregate):
        return True  # refused on its own, or worked out with the rounding around it
    d = bounds.of(e)
    if d is None:
        return True
    if isinstance(e, n.Round) and e.target is not None and bounds.of(e.value) is None:
        q = quotient(e)
        assert q is not None
        return d[0] + d[1] <= most and division_scale(bounds, q, places(e.target)) is not None
    return d[0] + d[1] <= most


def division_scale(bounds: DigitBounds, q: Quotient, decimals: int) -> int | None:
    """The power of ten that makes both sides of a rounded division whole numbers, or None
    when the numbers are too large for the query to round it as the runtime does. The runtime
    works a quotient out to DIVISION_DIGITS significant digits before it rounds; the query
    exactly. Both round alike when that error is smaller than the distance from the exact
    value y / d (≠ a rounding boundary m / 10^decimals / 2) to the nearest boundary, which is
    at least 10^e / (2 |d'| 10^decimals), d' = d 10^d1 and e = min(0, d1 - y1 + decimals)."""
    t, x, d = bounds.terms(q), bounds.of(q.numerator), bounds.of(q.divisor)
    if t is None or x is None or d is None:
        return None
    y = x if not q.terms else (max(t[0] + d[0], x[0]) + 1, max(t[1] + d[1], x[1]))
    k = max(y[1], d[1])
    before = x[0] + d[1]  # of x / d: a divisor with d1 digits after the point is ≥ 10^-d1
    e = min(0, d[1] - y[1] + decimals)
    fits = (
        t[0] + t[1] + d[0] + d[1] <= MAX_DIGITS  # terms × d
        and y[0] + y[1] + k + decimals <= MAX_DIGITS  # y, whole, times 10^decimals
        and d[0] + d[1] + k <= MAX_DIGITS
        and y[0] + d[1] + decimals <= 18  # the whole quotient: Spark's DIV gives a BIGINT
        and before + d[0] + d[1] + decimals - e < rt.values.DIVISION_DIGITS
        and before + max(decimals + 1, t[1]) <= rt.values.DIVISION_DIGITS  # exact on one
    )
    return k if fits else None


class DecisionLowering:
    """Builds the query of one decision of one regulation version."""

    def __init__(
        self,
        analysis: Analysis,
        key: str,
        regulation: rt.Regulation,
        besluit: str,
        specs: list[InputSpec],
        source_types: dict[str, str],
        norms: Norms,
        elsewhere: Elsewhere | None = None,
    ):
        self.a, self.info, self.rt = analysis, analysis.regs[key], regulation
        self.besluit, self.specs, self.source_types = besluit, specs, source_types
        self.outcomes = list(regulation.decision(besluit))
        self.needed = self._needed_outcomes()
        exprs = self._expressions()
        digits = input_digits(analysis, self.info, exprs)
        self.digits = digits or (1, SQL_FRACTION)
        self.bounds = DigitBounds(analysis, self.info, self.digits, outcomes=True)
        # for the type of a value written out: the rows the runtime decides land there too
        self.full = DigitBounds(analysis, self.info, outcomes=True)
        self.w = SqlWriter(analysis, self.info, self.bounds, norms, elsewhere)
        if digits is None:
            self.w.problems.append(
                _not_in_sql(
                    None, f"besluit '{besluit}' rekent met meer dan {MAX_DIGITS} cijfers en"
                )
            )

    # -- what the decision needs, in the order it must be worked out
    def _needed_outcomes(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for r in self.info.precedence.get(name, []):
                for x in n.walk([e for e in (r.node.condition, r.node.value) if e is not None]):
                    for read in self._outcome_reads(x):
                        visit(read)
            order.append(name)

        for name in self.outcomes:
            visit(name)
        return order

    def _outcome_reads(self, x: n.Expr) -> list[str]:
        found = []
        for y in n.walk(x):
            if isinstance(y, n.Name) and y.resolved and y.resolved[0] == "outcome":
                found.append(y.resolved[1])
            if isinstance(y, n.Name) and y.resolved and y.resolved[0] == "begrip":
                found += self._outcome_reads(self.info.symbols[y.resolved[1]].begrip.value)
        return found

    def _expressions(self) -> list[n.Expr]:
        out: list[n.Expr] = []
        for name in self.needed:
            for r in self.info.precedence.get(name, []):
                out += [e for e in (r.node.condition, r.node.value) if e is not None]
        for b in self._begrippen(out):
            out.append(self.info.symbols[b].begrip.value)
        return out

    def _begrippen(self, exprs: list[n.Expr]) -> list[str]:
        """The begrippen the expressions read, each after those it reads (those voor ieder
        too: they are written where they are read, per person)."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(e: n.Expr) -> None:
            for x in n.walk(e):
                if isinstance(x, n.Name) and x.resolved and x.resolved[0] == "begrip":
                    name = x.resolved[1]
                    if name not in seen:
                        seen.add(name)
                        visit(self.info.symbols[name].begrip.value)
                        order.append(name)

        for e in exprs:
            visit(e)
        return order

    # -- the layers
    def build(
        self, days: list[datetime.date] | None, peildatum: datetime.date | None, source: str
    ) -> Query:
        """The query over relation `source`, for the rows whose peildatum is one of `days` (all
        rows when None); `peildatum` for rows without their own."""
        layers: list[Layer] = [self._inputs(peildatum)]
        done: set[str] = set()  # begrippen and outcomes worked out in an earlier layer
        fails: list[exp.Expr] = []
        # begrippen that read no outcome first, then outcome by outcome what each needs
        for outcome in self.needed:
            exprs = [
                e
                for r in self.info.precedence.get(outcome, [])
                for e in (r.node.condition, r.node.value)
                if e is not None
            ]
            case_level = [b for b in self._begrippen(exprs) if self.info.symbols[b].group is None]
            for level in self._levels([b for b in case_level if b not in done]):
                layer = Layer()
                for b in level:
                    layer.columns.append((f"b_{b}", self.w.expr(self.info.symbols[b].begrip.value)))
                    done.add(b)
                layers.append(layer)
            rules_layer, result_layer = self._outcome(outcome)
            layers += [rules_layer, result_layer]
        fails += self.w.fails
        if self.w.problems:
            raise NotInSql(sorted(self.w.problems, key=Diagnostic.sort_key))
        handoff = or_(
            not_(col("_ok")),
            *[is_not_true(not_(f)) for f in fails],
            *[col(f"h_{o}") for o in self.needed],
        )
        where = None
        if days is not None:
            day = layers[0].columns[0][1].copy()  # the expression: WHERE sees no aliases in Spark
            where = exp.In(this=p(day), expressions=[lit(d) for d in days])
        query = self._chain(layers, source, where)
        final: list[Any] = [col(ROW)]
        for o in self.outcomes:
            value = exp.cast(col(f"o_{o}"), self._value_type(o, self.full))
            final += [
                exp.alias_(value, o, quoted=True),
                exp.alias_(col(f"s_{o}"), f"{o}_status", quoted=True),
                exp.alias_(col(f"g_{o}"), f"{o}_grondslag", quoted=True),
                exp.alias_(col(f"n_{o}"), f"{o}_{UNMET}", quoted=True),
            ]
        final.append(exp.alias_(handoff, PYTHON, quoted=True))
        select = exp.select(*final).from_(query.subquery("l_laatste", copy=False), copy=False)
        return Query(
            self.outcomes, select, {o: self._value_type(o, self.full) for o in self.outcomes}
        )

    def _chain(self, layers: list[Layer], source: str, where: exp.Expr | None) -> exp.Select:
        """Each layer a SELECT over the one before (the trees are not copied: built once)."""
        inner = layers[0]
        query = exp.select(
            col(ROW), *[exp.alias_(e, name, quoted=True) for name, e in inner.columns]
        ).from_(exp.to_table(source), copy=False)
        if where is not None:
            query = query.where(where, copy=False)
        for i, layer in enumerate(layers[1:], 1):
            if not layer.columns:
                continue
            query = exp.select(
                exp.Star(), *[exp.alias_(e, name, quoted=True) for name, e in layer.columns]
            ).from_(query.subquery(f"l{i}", copy=False), copy=False)
        return query

    def _levels(self, begrippen: list[str]) -> list[list[str]]:
        """Begrippen grouped so that each reads only those of earlier groups."""
        level: dict[str, int] = {}
        for b in begrippen:  # in dependency order already
            reads = self._reads(self.info.symbols[b].begrip.value)
            level[b] = 1 + max((level.get(r, -1) for r in reads), default=-1)
        groups: list[list[str]] = []
        for b, k in level.items():
            while len(groups) <= k:
                groups.append([])
            groups[k].append(b)
        return groups

    def _reads(self, e: n.Expr) -> list[str]:
        """The begrippen of the whole case an expression reads, also through those voor ieder
        (which are written in place)."""
        found = []
        for x in n.walk(e):
            if isinstance(x, n.Name) and x.resolved and x.resolved[0] == "begrip":
                symbol = self.info.symbols[x.resolved[1]]
                found += [symbol.name] if symbol.group is None else self._reads(symbol.begrip.value)
        return found

    def _inputs(self, peildatum: datetime.date | None) -> Layer:
        layer = Layer()
        day = day_of(self.source_types, peildatum)
        layer.columns.append((PEILDATUM, day))
        oks: list[exp.Expr] = [exp.Not(this=is_null(day.copy()))]
        for spec in self.specs:
            value, ok = self._input(spec)
            layer.columns.append((f"i_{spec.name}", value))
            oks.append(ok)
        layer.columns.append(("_ok", and_(*oks)))
        return layer

    def _input(self, spec: InputSpec) -> tuple[exp.Expr, exp.Expr]:
        """A gegeven as its typed value, and whether the query takes it as it is."""
        source = self.source_types.get(spec.name)
        if source is None:  # not a column: not given
            raw: exp.Expr = exp.Null()
            source = "NULL"
        else:
            raw = col(spec.name)
        text = source == "VARCHAR"
        missing = (
            or_(is_null(raw.copy()), binop(exp.EQ, raw.copy(), exp.Literal.string("")))
            if text
            else is_null(raw.copy())
        )
        value, ok = self._parse(spec, raw, source)
        if spec.has_default:
            value = case([(missing, lit(spec.default))], value)
            return value, or_(missing.copy(), ok)
        if spec.optional:  # `standaard onbepaald`: left out, what reads it is onbepaald
            return value, or_(missing.copy(), ok)
        return value, and_(not_(missing.copy()), ok)

    def _parse(self, spec: InputSpec, raw: exp.Expr, source: str) -> tuple[exp.Expr, exp.Expr]:
        text = source == "VARCHAR"
        no = (exp.Null(), exp.false())

        def full(pattern: str) -> exp.Expr:
            return exp.RegexpLike(
                this=raw.copy(), expression=exp.Literal.string(f"^(?:{pattern})\\z")
            )

        kind = spec.kind
        if kind == "bool":
            if source == "BOOLEAN":
                return raw, exp.true()
            if not text:
                return no
            low = exp.Lower(this=raw.copy())
            value = case(
                [
                    (exp.In(this=low, expressions=[lit("ja"), lit("true")]), exp.true()),
                    (exp.In(this=low.copy(), expressions=[lit("nee"), lit("false")]), exp.false()),
                ],
                None,
            )
            return value, exp.Not(this=is_null(value.copy()))
        if kind == "num":
            before, after = self.digits
            target = decimal((before, after))
            if text:
                pattern = f"-?[0-9]{{1,{before}}}" + (
                    "" if spec.whole else f"(\\.[0-9]{{1,{after}}})?"
                )
                ok = full(pattern)
                value = try_cast(this=case([(ok, raw.copy())], None), to=exp.DataType.build(target))
            elif source.startswith(
                (
                    "DECIMAL",
                    "TINYINT",
                    "SMALLINT",
                    "INTEGER",
                    "BIGINT",
                    "HUGEINT",
                    "UTINYINT",
                    "USMALLINT",
                    "UINTEGER",
                    "UBIGINT",
                )
            ):
                ok = and_(
                    binop(exp.LT, exp.Abs(this=raw.copy()), lit(Decimal(10) ** before)),
                    binop(
                        exp.EQ,
                        raw.copy(),
                        exp.Round(
                            this=raw.copy(), decimals=exp.Literal.number(0 if spec.whole else after)
                        ),
                    ),
                )
                value = exp.cast(case([(ok, raw.copy())], None), target)
            else:
                return no
            bounds = [ok, exp.Not(this=is_null(value.copy()))]  # a cast that did not convert
            if spec.minimum is not None:
                bounds.append(binop(exp.GTE, value.copy(), lit(spec.minimum)))
            if spec.maximum is not None:
                bounds.append(binop(exp.LTE, value.copy(), lit(spec.maximum)))
            return value, is_true(and_(*bounds))
        if kind == "date":
            if source == "DATE":
                return raw, and_(
                    binop(exp.GTE, raw.copy(), lit(datetime.date.min)),
                    binop(exp.LTE, raw.copy(), lit(datetime.date.max)),
                )
            if not text:
                return no
            ok = and_(
                full(rt.inputs.DATE_TEXT.pattern),
                binop(exp.GTE, raw.copy(), exp.Literal.string("0001-01-01")),
            )
            value = try_cast(this=case([(ok, raw.copy())], None), to=exp.DataType.build("DATE"))
            return value, exp.Not(this=is_null(value.copy()))
        if kind == "clock":
            if not text:
                return no
            ok = full(rt.inputs.CLOCK_TEXT.pattern)
            value = try_cast(this=case([(ok, raw.copy())], None), to=exp.DataType.build("TIME"))
            return value, exp.Not(this=is_null(value.copy()))
        if kind == "choice":
            if not text:
                return no
            ok = exp.In(this=raw.copy(), expressions=[lit(c) for c in spec.choices])
            return case([(ok, raw.copy())], None), is_true(ok.copy())
        if kind == "text":
            if not text:
                return no
            ok = and_(
                full("[!-~]([ -~]*[!-~])?"),
                binop(
                    exp.LTE, exp.Length(this=raw.copy()), exp.Literal.number(rt.inputs.TEXT_LENGTH)
                ),
            )
            return case([(ok, raw.copy())], None), is_true(ok.copy())
        if kind == "persons":
            return self._persons(spec, raw) if text else no
        self.w.problems.append(_not_in_sql(None, f"gegeven '{spec.name}' ({kind})"))
        return no

    def _persons(self, spec: InputSpec, raw: exp.Expr) -> tuple[exp.Expr, exp.Expr]:
        """A group, a JSON list in a cell, as a list of persons with their typed gegevens. The
        query takes only JSON that it reads exactly as the runtime does (`persons_pattern`);
        other JSON, and a person whose gegevens it does not take, send the row to the runtime."""
        shape = exp.RegexpLike(
            this=raw.copy(), expression=exp.Literal.string(persons_pattern(spec))
        )
        listed = exp.FromJson(
            this=raw.copy(),
            expression=exp.Literal.string(json.dumps([{f.name: "VARCHAR" for f in spec.fields}])),
        )
        fields, oks = [], []
        for f in spec.fields:
            given = person_field(f.name)
            value, ok = self._parse(f, given, "VARCHAR")
            missing = is_null(given.copy())  # JSON null or left out: "" is a value in JSON
            if f.has_default:
                value, ok = case([(missing, lit(f.default))], value), or_(missing.copy(), ok)
            else:
                ok = and_(not_(missing), ok)
            fields.append(
                exp.PropertyEQ(this=exp.to_identifier(f.name, quoted=True), expression=value)
            )
            oks.append(ok)
        fields.append(
            exp.PropertyEQ(this=exp.to_identifier(PERSON_OK), expression=is_true(and_(*oks)))
        )
        typed = exp.Transform(this=listed, expression=each(exp.Struct(expressions=fields)))
        value = case([(shape, typed)], None)
        ok = and_(
            shape.copy(),
            binop(
                exp.LTE,
                exp.ArraySize(this=value.copy()),
                exp.Literal.number(rt.inputs.PERSONS_LIMIT),
            ),
            binop(
                exp.EQ,
                count_where(value.copy(), not_(person_field(PERSON_OK))),
                exp.Literal.number(0),
            ),
        )
        return value, is_true(ok)

    # -- an outcome by default logic
    def _outcome(self, name: str) -> tuple[Layer, Layer]:
        rules = self.info.precedence.get(name, [])
        rt_outcome = self.rt.outcomes[name]
        is_list = rt_outcome.kind == "list"
        first = Layer()
        for i, r in enumerate(rules):
            test = self.w.expr(r.node.condition) if r.node.condition is not None else exp.true()
            first.columns.append((f"c_{name}_{i}", test))
            if r.node.value is not None and not r.node.not_applicable:
                first.columns.append((f"v_{name}_{i}", self.w.expr(r.node.value)))
        index = {r.node.name: i for i, r in enumerate(rules)}
        beaten_by = [
            [index[o.node.name] for o in rules if r.node.name in o.overrides] for r in rules
        ]
        won_memo: dict[int, exp.Expr] = {}

        def cond(i: int) -> exp.Expr:
            return col(f"c_{name}_{i}")

        def beaten(i: int) -> exp.Expr:
            if not beaten_by[i]:
                return exp.false()
            return or_(*[won(j) for j in beaten_by[i]])

        def won(i: int) -> exp.Expr:
            if i not in won_memo:
                won_memo[i] = or_(beaten(i), cond(i))
            return won_memo[i].copy()

        def gives(r: RuleInfo) -> bool:
            return not r.node.not_applicable

        applied = {
            i: and_(is_not_true(beaten(i)), cond(i)) for i, r in enumerate(rules) if gives(r)
        }
        value = {
            i: (lit(rules[i].node.item) if rules[i].node.item is not None else col(f"v_{name}_{i}"))
            for i in applied
        }
        # A condition that is onbepaald where the default logic meets it: the runtime works the
        # outcome out both ways (`_either_way`), so the row goes to it.
        handoff = [and_(is_not_true(beaten(i)), is_null(cond(i))) for i in range(len(rules))]
        # A rule that applies with a value that is onbepaald (an optional gegeven left out, an
        # outcome that is not bepaald): the outcome is onbepaald, as in the runtime.
        open_values = [and_(applied[i].copy(), is_null(value[i].copy()))
                       for i in applied if rules[i].node.item is None]  # fmt: skip
        unknown = or_(*open_values) if open_values else exp.false()
        second = Layer()
        nothing = rt_outcome.nothing
        assert nothing is not None
        none_applied = and_(*[not_(a.copy()) for a in applied.values()]) if applied else exp.true()
        anchors = self._anchors(rules, applied)
        if is_list:
            items = []
            for i in applied:
                same = [j for j in applied if j < i and rules[j].node.item == rules[i].node.item]
                keep = (
                    and_(applied[i].copy(), *[not_(applied[j].copy()) for j in same])
                    if same
                    else applied[i].copy()
                )
                items.append(case([(keep, lit(rules[i].node.item))], None))
            result_value: exp.Expr = non_null(items) if items else exp.Array(expressions=[])
            if not items:
                result_value = exp.cast(result_value, "VARCHAR[]")
            status: exp.Expr = lit(STATUS_DECIDED)
            grondslag = anchors
        else:
            first_value = (
                case([(applied[i].copy(), value[i].copy()) for i in applied], None)
                if applied
                else exp.Null()
            )
            conflict = (
                or_(
                    *[
                        and_(applied[i].copy(), binop(exp.NEQ, value[i].copy(), first_value.copy()))
                        for i in applied
                    ]
                )
                if len(applied) > 1
                else exp.false()
            )
            status = case(
                [(unknown.copy(), lit("onbepaald")), (none_applied.copy(), lit(nothing.status)),
                 (conflict.copy(), lit("conflict"))],
                lit(STATUS_DECIDED),
            )  # fmt: skip
            result_value = case(
                [(unknown.copy(), exp.Null()), (none_applied.copy(), lit(nothing.value)),
                 (conflict.copy(), exp.Null())],
                first_value,
            )  # fmt: skip
            first_anchor = (
                case([(applied[i].copy(), lit(str(rules[i].anchor))) for i in applied], None)
                if applied
                else exp.Null()
            )
            other_anchor = (
                case(
                    [
                        (
                            and_(
                                applied[i].copy(),
                                binop(exp.NEQ, value[i].copy(), first_value.copy()),
                            ),
                            lit(str(rules[i].anchor)),
                        )
                        for i in applied
                    ],
                    None,
                )
                if applied
                else exp.Null()
            )
            grondslag = case(
                [
                    (unknown.copy(), lit("")),
                    (none_applied.copy(), lit("; ".join(nothing.rules))),
                    (
                        conflict.copy(),
                        exp.DPipe(
                            this=exp.DPipe(this=first_anchor, expression=lit("; ")),
                            expression=other_anchor,
                        ),
                    ),
                ],
                anchors,
            )
        if rt_outcome.kind == "num" and not is_list:
            result_value = exp.cast(result_value, self._value_type(name, self.bounds))
        # the rules whose condition does not hold, as the motivation names them; none where a
        # rule that applies leaves the outcome onbepaald: the runtime stops looking there
        unmet = self._unmet(name, rules)
        if not is_list:
            unmet = case([(unknown.copy(), lit(""))], unmet)
        second.columns += [
            (f"o_{name}", result_value),
            (f"s_{name}", status),
            (f"g_{name}", grondslag),
            (f"n_{name}", unmet),
            (f"h_{name}", or_(*handoff) if handoff else exp.false()),
        ]
        return first, second

    def _anchors(self, rules: list[RuleInfo], applied: dict[int, exp.Expr]) -> exp.Expr:
        """The articles of the rules that applied, each once, in the order they applied."""
        parts = []
        for i in applied:
            same = [j for j in applied if j < i and str(rules[j].anchor) == str(rules[i].anchor)]
            keep = (
                and_(applied[i].copy(), *[not_(applied[j].copy()) for j in same])
                if same
                else applied[i].copy()
            )
            parts.append(case([(keep, lit(str(rules[i].anchor)))], None))
        return joined(parts)

    def _unmet(self, name: str, rules: list[RuleInfo]) -> exp.Expr:
        """The names of the rules whose own condition is false (an exception that applied does
        not change that), in the order the runtime looks at them."""
        return joined(
            [
                case([(is_false(col(f"c_{name}_{i}")), lit(r.node.name))], None)
                for i, r in enumerate(rules)
                if r.node.condition is not None
            ]
        )

    def output_type(self, name: str) -> str:
        """The SQL type of an outcome's column in the result."""
        return self._value_type(name, self.full)

    def _value_type(self, name: str, bounds: DigitBounds) -> str:
        """The SQL type of an outcome's value: within the query (`self.bounds`), or as written
        out (`self.full`: wide enough for what the runtime gives for any valid input, as the
        rows it decides land in the same column)."""
        kind = self.rt.outcomes[name].kind
        if kind == "num":
            d = bounds.outcome(name)
            return decimal(d) if d is not None and sum(d) <= MAX_DIGITS else "VARCHAR"
        return {"bool": "BOOLEAN", "date": "DATE", "clock": "TIME", "list": "VARCHAR[]"}.get(
            kind, "VARCHAR"
        )


def is_true(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=p(e), expression=exp.true())
