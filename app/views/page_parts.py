"""Pieces the public fiche and wijk pages share: Dutch labels, nl-BE number
filters, the budget table and its chart data, and the phase timeline.

Pure functions over model rows (no session, no request), so the numbers a page
shows can be checked against the database directly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Blueprint

from layers import styles
from layers.popups import format_date

from ..write.history import local_time

# The timeline always covers the plan period the cities work with, and more
# when a phase runs outside it.
TIMELINE_FIRST_YEAR = 2025
TIMELINE_LAST_YEAR = 2031

KIND_LABELS = {
    "beleidsdomein": "Beleidsdomein", "sector": "Sector", "doelstelling": "Doelstelling",
    "actieplan": "Actieplan", "fiche": "Fiche", "actie": "Actie",
}
BUDGET_KIND_LABELS = {"investering": "Investering", "exploitatie": "Exploitatie", "personeel": "Personeel"}
DIRECTION_LABELS = {"uitgave": "Uitgave", "ontvangst": "Ontvangst"}
BASIS_LABELS = {"raming": "Raming", "begroot": "Begroot", "gerealiseerd": "Gerealiseerd",
                "illustratief": "Illustratief"}
PHASE_STATUS_LABELS = {"gepland": "Gepland", "lopend": "Lopend", "afgerond": "Afgerond"}
PRECISION_TEXTS = {
    "exact": "Exacte ligging",
    "indicatief": "Indicatieve ligging: de vorm toont ongeveer waar en hoe groot, geen opmeting",
}
# The 17 Sustainable Development Goals, as the Flemish government names them.
SDG_NAMES = {
    1: "Geen armoede", 2: "Geen honger", 3: "Goede gezondheid en welzijn", 4: "Kwaliteitsonderwijs",
    5: "Gendergelijkheid", 6: "Schoon water en sanitair", 7: "Betaalbare en duurzame energie",
    8: "Waardig werk en economische groei", 9: "Industrie, innovatie en infrastructuur",
    10: "Ongelijkheid verminderen", 11: "Duurzame steden en gemeenschappen",
    12: "Verantwoorde consumptie en productie", 13: "Klimaatactie", 14: "Leven in het water",
    15: "Leven op het land", 16: "Vrede, justitie en sterke publieke diensten",
    17: "Partnerschap om doelstellingen te bereiken",
}
# Colours of the budget chart per kind (expenses) and for receipts.
BUDGET_COLORS = {"investering": "#0072B2", "exploitatie": "#E69F00", "personeel": "#CC79A7", "ontvangst": "#009E73"}

def register_filters(bp: Blueprint) -> None:
    """The nl-BE filters the page templates use (fk_eur, fk_number, fk_value, fk_date, fk_local_date)."""
    for function in (fk_eur, fk_number, fk_value, fk_date, fk_local_date):
        bp.add_app_template_filter(function, function.__name__)


def fk_eur(value, decimals: int = 0) -> str:
    # A no-break space keeps the euro sign beside its amount in narrow columns.
    return styles.format_eur(value, decimals).replace(" €", "\u00a0€")


def fk_number(value, decimals: int = 0) -> str:
    return styles.format_number(value, decimals)


def fk_value(value, unit: str | None = "", decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if value is not None and float(value).is_integer() else 1
    return styles.format_value(value, unit or "", decimals)


def fk_date(value) -> str:
    return format_date(value) if value else "niet opgegeven"


def fk_local_date(value) -> str:
    """A stored UTC moment as its Belgian calendar day ('3 maart 2027')."""
    return format_date(local_time(value).date()) if value else "onbekend"


# --- budget ---------------------------------------------------------------------

@dataclass
class BudgetRow:
    """One year: expenses per kind, receipts, net; illustrative if any line is."""
    year: int | None
    expenses: dict[str, float] = field(default_factory=dict)
    receipts: float = 0.0
    illustrative: bool = False

    @property
    def expense_total(self) -> float:
        return sum(self.expenses.values())

    @property
    def net(self) -> float:
        return self.expense_total - self.receipts


@dataclass
class BudgetTable:
    kinds: list[str]              # expense kinds present, in BUDGET_KIND_LABELS order
    rows: list[BudgetRow]         # per year
    total: BudgetRow              # year None
    any_illustrative: bool

    @property
    def empty(self) -> bool:
        return not self.rows


def budget_table(lines) -> BudgetTable:
    """Budget lines (any fiches) -> a table per year: expenses per kind,
    receipts (richting 'ontvangst') and net (expenses minus receipts)."""
    lines = list(lines)
    rows: dict[int, BudgetRow] = {}
    total = BudgetRow(None)
    kinds_seen = set()
    for line in lines:
        row = rows.setdefault(line.year, BudgetRow(line.year))
        illustrative = line.basis == "illustratief"
        for target in (row, total):
            if line.direction == "ontvangst":
                target.receipts += line.amount_eur
            else:
                target.expenses[line.kind] = target.expenses.get(line.kind, 0.0) + line.amount_eur
            target.illustrative |= illustrative
        if line.direction != "ontvangst":
            kinds_seen.add(line.kind)
    kinds = [k for k in BUDGET_KIND_LABELS if k in kinds_seen] + sorted(kinds_seen - set(BUDGET_KIND_LABELS))
    return BudgetTable(
        kinds=kinds, rows=[rows[y] for y in sorted(rows)], total=total,
        any_illustrative=any(ln.basis == "illustratief" for ln in lines),
    )


def budget_chart(table: BudgetTable, title: str) -> dict:
    """Data for app/static/charts.js: expenses stacked per kind, receipts as
    a bar beside them; a value whose year has illustrative lines is hatched."""
    years = [row.year for row in table.rows]
    marks = [row.illustrative for row in table.rows]
    datasets = [
        {"label": f"Uitgave: {BUDGET_KIND_LABELS.get(kind, kind).lower()}", "stack": "uitgaven",
         "color": BUDGET_COLORS.get(kind, styles.FALLBACK_COLOR),
         "values": [round(row.expenses.get(kind, 0.0), 2) for row in table.rows], "illustrative": marks}
        for kind in table.kinds
    ]
    if any(row.receipts for row in table.rows):
        datasets.append({"label": "Ontvangsten", "stack": "ontvangsten", "color": BUDGET_COLORS["ontvangst"],
                         "values": [round(row.receipts, 2) for row in table.rows], "illustrative": marks})
    return {"title": title, "labels": [str(y) for y in years], "datasets": datasets, "unit": "EUR",
            "illustrative_note": "gearceerd = illustratief bedrag" if table.any_illustrative else ""}


def yearly_chart(by_year: dict[int, float], title: str, label: str, illustrative: bool) -> dict:
    """One series per year (the wijk page's apportioned budget)."""
    years = sorted(by_year)
    return {"title": title, "labels": [str(y) for y in years], "unit": "EUR",
            "datasets": [{"label": label, "stack": "a", "color": BUDGET_COLORS["investering"],
                          "values": [round(by_year[y], 2) for y in years],
                          "illustrative": [illustrative] * len(years)}],
            "illustrative_note": "gearceerd = illustratief bedrag" if illustrative else ""}


# --- phase timeline -----------------------------------------------------------

@dataclass
class TimelineBar:
    phase: object
    left_pct: float
    width_pct: float
    color: str


@dataclass
class Timeline:
    first_year: int
    last_year: int
    bars: list[TimelineBar]
    today_pct: float | None

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def year_width_pct(self) -> float:
        return 100.0 / len(self.years)


def phase_timeline(phases, today: dt.date | None = None) -> Timeline:
    """Bars for the dated phases on a year axis (at least 2025-2031), as
    percentages of the axis, for a CSS timeline next to the phase table."""
    dated = [p for p in phases if p.start and p.end and p.end >= p.start]
    first = min([TIMELINE_FIRST_YEAR, *(p.start.year for p in dated)])
    last = max([TIMELINE_LAST_YEAR, *(p.end.year for p in dated)])
    axis_start, axis_end = dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
    span = (axis_end - axis_start).days

    def pct(day: dt.date) -> float:
        return round(100.0 * (day - axis_start).days / span, 3)

    bars = [
        TimelineBar(p, pct(p.start), max(0.6, round(pct(p.end + dt.timedelta(days=1)) - pct(p.start), 3)),
                    styles.phase_kind_color(p.phase_kind))
        for p in dated
    ]
    today = today or dt.date.today()
    today_pct = pct(today) if axis_start <= today < axis_end else None
    return Timeline(first, last, bars, today_pct)
