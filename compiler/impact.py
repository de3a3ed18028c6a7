"""What a change does to a caseload (`regel gevolgen`): the same rows decided under the
regulation as it is and under a variant (proposed values of open norms, `variant.py`) or another
set of files, case by case side by side, and what that adds up to: who gains, who loses, whose
status changes, what it costs per month and per year, in total and per group.

Both sides are decided as `regel doorreken` decides (`sqlrun.Run`); the comparison is a DuckDB
query over the two results. The report is a page of HTML with its plots as inline SVG, made by
a Jinja2 template that escapes every text (a title or article comes from the files).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jinja2
from regel import runtime as rt
from regel.runtime.values import format_date

from .sqlrun import ROW, Run, Source, _sql_text

if TYPE_CHECKING:
    from .api import Policies
    from .variant import Variant

GROUP_LIMIT = 25  # groups shown in the report: a `--per` column with more is cut off, said so
BINS = 12  # bars in a histogram of changes


@dataclass
class OutcomeImpact:
    """One outcome of the decision, old against new."""

    name: str
    description: str
    unit: str
    money: bool
    statuses: list[tuple[str, str, int]] = field(default_factory=list)  # old, new, count
    changed: int = 0  # rows whose status or value changed
    gain: int = 0
    lose: int = 0
    old_sum: Decimal = Decimal(0)
    new_sum: Decimal = Decimal(0)
    histogram: list[tuple[Decimal, Decimal, int]] = field(default_factory=list)
    groups: list[tuple[str, int, int, int, Decimal]] = field(default_factory=list)
    groups_cut: int = 0  # groups left out of `groups`

    @property
    def difference(self) -> Decimal:
        return self.new_sum - self.old_sum

    def per_month_and_year(self, amount: Decimal) -> tuple[Decimal | None, Decimal | None]:
        """An amount of this outcome as a sum per month and per year (None: not a period)."""
        if self.unit.endswith("per maand"):
            return amount, amount * 12
        if self.unit.endswith("per jaar"):
            return (amount / 12).quantize(Decimal("0.01")), amount
        return None, None


@dataclass
class Impact:
    regulation: str
    title: str
    besluit: str
    old_label: str
    new_label: str
    peildatum: datetime.date | None
    rows: int
    errors_old: int
    errors_new: int
    per: str | None
    outcomes: list[OutcomeImpact]
    proposals: list[tuple[str, str, str, str]]  # norm, article, value now, value proposed
    articles: list[str]
    run_new: Run = field(repr=False)


def compare(
    old: Policies,
    new: Policies,
    regulation: str,
    besluit: str,
    source: Source,
    peildatum: datetime.date | None = None,
    gemeente: str | None = None,
    engine: str = "duckdb",
    per: str | None = None,
    variant: Variant | None = None,
    new_label: str = "",
) -> Impact:
    """Decide the caseload under both and compare; `per` a gegeven to group by."""
    before = Run(old, regulation, besluit, source, peildatum, gemeente, engine=engine)
    after = Run(new, regulation, besluit, source, peildatum, gemeente, engine=engine)
    if per is not None and per not in before.types:
        raise ValueError(f"het klantenbestand heeft geen kolom '{per}' (--per)")
    con = after.con
    con.register("oud", before.arrow())
    if per is not None:
        column = '"' + per.replace('"', '""') + '"'
        con.execute(
            f"CREATE TEMP TABLE groep AS SELECT {ROW}, CAST({column} AS VARCHAR) AS g FROM bron"
        )
    else:
        con.execute(f"CREATE TEMP TABLE groep AS SELECT {ROW}, NULL::VARCHAR AS g FROM bron")
    con.execute(
        "CREATE TEMP TABLE vergelijking AS SELECT n.*, "
        + ", ".join(f'o."{c}" AS "{c}_oud"' for c in _columns(before))
        + f", groep.g AS groep FROM resultaat n JOIN oud o USING ({ROW}) "
        f"LEFT JOIN groep USING ({ROW})"
    )
    first = old.program.versions[regulation][0]
    outcomes = [_outcome(con, first.outcomes[o], per is not None) for o in before.outcomes]
    (rows, errors_old, errors_new) = con.execute(
        'SELECT count(*), count("fout_oud"), count(fout) FROM vergelijking'
    ).fetchall()[0]
    return Impact(
        regulation=regulation,
        title=first.title,
        besluit=besluit,
        old_label="de regeling zoals die geldt",
        new_label=new_label or (variant.title if variant else "de andere versie"),
        peildatum=peildatum,
        rows=rows,
        errors_old=errors_old,
        errors_new=errors_new,
        per=per,
        outcomes=outcomes,
        proposals=_proposals(old, variant, peildatum, gemeente),
        articles=_articles(con, before.outcomes),
        run_new=after,
    )


def _columns(run: Run) -> list[str]:
    out = []
    for o in run.outcomes:
        out += [o, f"{o}_status", f"{o}_grondslag"]
    return [*out, "fout"]


def _outcome(con: Any, outcome: rt.Outcome, grouped: bool) -> OutcomeImpact:
    name, unit = outcome.name, outcome.unit
    money = unit.startswith("€") and outcome.kind == "num"
    found = OutcomeImpact(name, outcome.description or name, unit, money)
    new, old = f'"{name}"', f'"{name}_oud"'
    new_s, old_s = f'"{name}_status"', f'"{name}_status_oud"'
    ok = "fout IS NULL AND fout_oud IS NULL"
    found.statuses = [
        (a, b, c)
        for a, b, c in con.execute(
            f"SELECT {old_s}, {new_s}, count(*) FROM vergelijking WHERE {ok} "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
        ).fetchall()
    ]
    (found.changed,) = con.execute(
        f"SELECT count(*) FROM vergelijking WHERE {ok} AND ({old_s} IS DISTINCT FROM {new_s} "
        f"OR CAST({old} AS VARCHAR) IS DISTINCT FROM CAST({new} AS VARCHAR))"
    ).fetchall()[0]
    if not money:
        return found
    new, old = _number(con, new, name), _number(con, old, name)
    amount = f"COALESCE(CASE WHEN {new_s} = 'bepaald' THEN {new} END, 0)"
    before = f"COALESCE(CASE WHEN {old_s} = 'bepaald' THEN {old} END, 0)"
    diff = f"({amount} - {before})"
    gain, lose, new_sum, old_sum = con.execute(
        f"SELECT count(*) FILTER (WHERE {diff} > 0), count(*) FILTER (WHERE {diff} < 0), "
        f"COALESCE(sum({amount}), 0), COALESCE(sum({before}), 0) FROM vergelijking WHERE {ok}"
    ).fetchall()[0]
    found.gain, found.lose = gain, lose
    found.new_sum, found.old_sum = Decimal(new_sum), Decimal(old_sum)
    low, high = con.execute(
        f"SELECT min({diff}), max({diff}) FROM vergelijking WHERE {ok} AND {diff} <> 0"
    ).fetchall()[0]
    if low is not None:
        low, high = Decimal(low), Decimal(high)
        width = max((high - low) / BINS, Decimal("0.01"))
        counts = dict(
            con.execute(
                f"SELECT LEAST(FLOOR(({diff} - {low}) / {width}), {BINS - 1}) AS b, count(*) "
                f"FROM vergelijking WHERE {ok} AND {diff} <> 0 GROUP BY 1"
            ).fetchall()
        )
        found.histogram = [
            (low + i * width, low + (i + 1) * width, int(counts.get(i, 0))) for i in range(BINS)
        ]
    if grouped:
        groups = con.execute(
            f"SELECT COALESCE(groep, '(leeg)'), count(*), count(*) FILTER (WHERE {diff} > 0), "
            f"count(*) FILTER (WHERE {diff} < 0), sum({diff}) FROM vergelijking WHERE {ok} "
            "GROUP BY 1 ORDER BY 5 DESC, 1"
        ).fetchall()
        found.groups = [(str(g), a, b, c, Decimal(d)) for g, a, b, c, d in groups[:GROUP_LIMIT]]
        found.groups_cut = max(len(groups) - GROUP_LIMIT, 0)
    return found


def _number(con: Any, column: str, name: str) -> str:
    """An amount column as a number: a DECIMAL as it is; text (the column of an amount that the
    regulation allows wider than DECIMAL(38)) as DECIMAL(38) with the decimals it has."""
    (kind,) = con.execute(f"SELECT typeof({column}) FROM vergelijking LIMIT 1").fetchall()[0]
    if kind != "VARCHAR":
        return column
    (scale,) = con.execute(
        f"SELECT COALESCE(max(length(split_part({column}, '.', 2))), 0) FROM vergelijking"
    ).fetchall()[0]
    number = f"DECIMAL(38, {min(scale, 38)})"
    (wide,) = con.execute(
        f"SELECT count(*) FROM vergelijking WHERE {column} IS NOT NULL "
        f"AND TRY_CAST({column} AS {number}) IS NULL"
    ).fetchall()[0]
    if wide:
        raise ValueError(
            f"{wide} bedragen van '{name}' hebben meer dan 38 cijfers; die zijn niet op te tellen"
        )
    return f"CAST({column} AS {number})"


def _proposals(
    old: Policies, variant: Variant | None, day: datetime.date | None, gemeente: str | None
) -> list[tuple[str, str, str, str]]:
    """Per proposed value: the norm, its article, its value now and the proposal."""
    if variant is None:
        return []
    out = []
    for p in variant.proposals:
        version = old.program.versions[p.regulation][-1]
        if day is not None:
            version = old.program.in_force(p.regulation, day) or version
        article = version.anchors.get(p.norm, "")
        where = f"{article} van {version.title}" if article else version.title
        try:
            on = day or version.valid_from or datetime.date.today()
            now = rt.Context(version, {}, on, None, {}, gemeente).norm(p.norm)
            kind, unit, percent, one = version.formats.get(p.norm, ("text", "", False, ""))
            shown = rt.format_value(now, kind, unit, percent, one)
        except (rt.Undetermined, rt.EvaluationError):
            shown = "niet ingevuld"
        named = f"{p.regulation}.{p.norm}"
        symbol = old.analysis.regs[p.regulation].symbols.get(p.norm)
        said = symbol.norm.description if symbol is not None and symbol.norm else None
        out.append((f"{said} ({named})" if said else named, where, str(shown), p.text))
    return out


def _articles(con: Any, outcomes: list[str]) -> list[str]:
    """The articles the decisions on either side rest on, each once."""
    found: dict[str, None] = {}
    for o in outcomes:
        for column in (f"{o}_grondslag", f"{o}_grondslag_oud"):
            for (text,) in con.execute(
                f'SELECT DISTINCT "{_sql_text(column)}" FROM vergelijking WHERE "{column}" <> \'\''
            ).fetchall():
                for anchor in str(text).split("; "):
                    found[anchor] = None
    return sorted(found)


# ---------------------------------------------------------------- the report


def text(impact: Impact) -> str:
    """The summary on the terminal."""
    out = [
        f"Gevolgen voor {impact.title} ({impact.regulation}), besluit {impact.besluit}: "
        f"{impact.rows} gevallen.",
        f"Vergeleken: {impact.old_label} en {impact.new_label}.",
    ]
    for name, where, now, proposed in impact.proposals:
        out.append(f"  {name} ({where}): {now} → {proposed}")
    if impact.errors_old or impact.errors_new:
        out.append(f"Niet te beslissen: {impact.errors_old} oud, {impact.errors_new} nieuw.")
    for o in impact.outcomes:
        line = f"{o.name}: {o.changed} gevallen anders"
        if o.money:
            line += f", {o.gain} met een hoger bedrag, {o.lose} met een lager"
            month, year = o.per_month_and_year(o.difference)
            if month is not None:
                line += f"; verschil {_money(month)} per maand, {_money(year)} per jaar"
            else:
                line += f"; verschil {_money(o.difference)}"
        out.append(line)
    return "\n".join(out) + "\n"


def _money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return rt.format_value(value, "num", "€")


def html(impact: Impact) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("regel.compiler", "templates"),
        autoescape=True,  # every title, article and value from the files is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["geld"] = _money
    env.filters["datum"] = format_date
    env.filters["getal"] = lambda v: rt.format_value(Decimal(v), "num", "")
    return env.get_template("gevolgen.html.jinja").render(
        i=impact, bars=_bars, today=datetime.date.today()
    )


def _bars(
    values: list[int], width: int = 560, height: int = 160
) -> list[tuple[float, float, float, float]]:
    """Rectangles (x, y, w, h) for a bar chart of counts."""
    most = max(values, default=0) or 1
    step = width / max(len(values), 1)
    return [
        (i * step + 2, height - v / most * height, step - 4, v / most * height)
        for i, v in enumerate(values)
    ]
