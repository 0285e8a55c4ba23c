"""Plain Dutch sentences for the difference between two published states of
a fiche (app.read.changes). Pure: dicts in, strings out.

The sentences quote titles and texts as they are; escaping is the job of
whatever puts them into HTML (Jinja's autoescape, lxml for the feeds).
Amounts: nl-BE, "1,2 miljoen €"; illustrative amounts are rounded and marked
(the one rule for public pages, layers.styles.format_eur_shown).
"""
from __future__ import annotations

import datetime as dt

from layers import styles

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
PHASE_STATUS = {"gepland": "gepland", "lopend": "lopend", "afgerond": "afgerond"}
REPORT_EXCERPT = 240


def dutch_date(value: str | dt.date | None) -> str:
    """'2027-03-01' -> '1 maart 2027'."""
    if not value:
        return "onbekend"
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_amount_words(amount: float, illustrative: bool = False) -> str:
    """1234567 -> '1,23 miljoen €', 850000 -> '850.000 €'; illustrative
    amounts rounded with '±' (layers.styles.format_eur_approx)."""
    if illustrative:
        return styles.format_eur_approx(amount)
    if abs(amount) >= 1e6:
        text = styles.format_number(amount / 1e6, 2).rstrip("0").rstrip(",")
        return f"{text} miljoen €"
    return styles.format_eur(amount)


def budget_by_year(lines: list[dict], direction: str) -> dict[int, float]:
    totals: dict[int, float] = {}
    for line in lines:
        if line.get("direction", "uitgave") == direction:
            year = int(line["year"])
            totals[year] = totals.get(year, 0.0) + float(line.get("amount_eur") or 0)
    return totals


def is_illustrative_year(lines: list[dict], year: int) -> bool:
    return any(int(ln["year"]) == year and ln.get("basis") == "illustratief" for ln in lines)


def _status(value) -> str:
    return styles.STATUS_LABELS.get(value, str(value or "onbekend")).lower()


def _budget_sentences(old: list[dict], new: list[dict]) -> list[str]:
    out = []
    for direction, noun in (("uitgave", "Het budget"), ("ontvangst", "De verwachte ontvangsten")):
        before, after = budget_by_year(old, direction), budget_by_year(new, direction)
        for year in sorted(set(before) | set(after)):
            shown = is_illustrative_year(new, year) or is_illustrative_year(old, year)
            note = " (illustratieve bedragen)" if shown else ""
            if year not in before:
                out.append(f"{noun} voor {year} is nieuw: {format_amount_words(after[year], shown)}{note}.")
            elif year not in after:
                out.append(f"{noun} voor {year} ({format_amount_words(before[year], shown)}) werd geschrapt{note}.")
            elif round(before[year], 2) != round(after[year], 2):
                out.append(f"{noun} voor {year} ging van {format_amount_words(before[year], shown)} "
                           f"naar {format_amount_words(after[year], shown)}{note}.")
    if not out and _comparable(old) != _comparable(new):
        out.append("De budgetlijnen werden bijgewerkt (de bedragen per jaar blijven gelijk).")
    return out


def _comparable(rows: list[dict]) -> list:
    return sorted((sorted((k, str(v)) for k, v in row.items() if k != "id")) for row in rows)


def _phase_sentences(old: list[dict], new: list[dict]) -> list[str]:
    before = {p.get("position"): p for p in old}
    after = {p.get("position"): p for p in new}
    out = []
    for position in sorted(set(before) | set(after), key=lambda p: (p is None, p or 0)):
        a, b = before.get(position), after.get(position)
        if a is None:
            out.append(f"Nieuwe fase: ‘{b.get('title')}’, van {dutch_date(b.get('start'))} "
                       f"tot {dutch_date(b.get('end'))}.")
            continue
        if b is None:
            out.append(f"De fase ‘{a.get('title')}’ werd geschrapt.")
            continue
        name = b.get("title")
        if a.get("title") != b.get("title"):
            out.append(f"De fase ‘{a.get('title')}’ heet nu ‘{name}’.")
        if a.get("start") != b.get("start"):
            out.append(f"De fase ‘{name}’ start nu op {dutch_date(b.get('start'))} "
                       f"(was {dutch_date(a.get('start'))}).")
        if a.get("end") != b.get("end"):
            out.append(f"De fase ‘{name}’ loopt nu tot {dutch_date(b.get('end'))} "
                       f"(was {dutch_date(a.get('end'))}).")
        if a.get("status") != b.get("status"):
            out.append(f"De fase ‘{name}’ is nu {PHASE_STATUS.get(b.get('status'), b.get('status') or 'zonder status')}"
                       f" (was {PHASE_STATUS.get(a.get('status'), a.get('status') or 'zonder status')}).")
        if a.get("geometry") != b.get("geometry"):
            out.append(f"De ligging van de fase ‘{name}’ werd aangepast.")
    return out


def _report_key(report: dict) -> tuple:
    return report.get("period_label"), report.get("report_date")


def _report_sentences(old: list[dict], new: list[dict]) -> list[str]:
    before = {_report_key(r): r for r in old}
    after = {_report_key(r): r for r in new}
    out = []
    for key, report in after.items():
        text = " ".join(str(report.get("text") or "").split())
        if len(text) > REPORT_EXCERPT:
            text = text[:REPORT_EXCERPT].rsplit(" ", 1)[0] + " …"
        if key not in before:
            out.append(f"Nieuw voortgangsrapport ‘{report.get('period_label')}’: {text}")
        elif before[key] != report:
            out.append(f"Het voortgangsrapport ‘{report.get('period_label')}’ werd bijgewerkt: {text}")
    for key, report in before.items():
        if key not in after:
            out.append(f"Het voortgangsrapport ‘{report.get('period_label')}’ werd ingetrokken.")
    return out


def describe(old: dict, new: dict) -> list[str]:
    """The sentences that tell how `new` differs from `old` (two public states,
    app.read.changes.PUBLIC_FIELDS), in the order a reader cares about."""
    out = []
    if old.get("title") != new.get("title"):
        out.append(f"De titel werd ‘{new.get('title')}’ (was ‘{old.get('title')}’).")
    if old.get("status") != new.get("status"):
        out.append(f"De status ging van {_status(old.get('status'))} naar {_status(new.get('status'))}.")
    if old.get("progress_pct") != new.get("progress_pct"):
        was = "onbekend" if old.get("progress_pct") is None else f"{old.get('progress_pct')} %"
        now = "onbekend" if new.get("progress_pct") is None else f"{new.get('progress_pct')} %"
        out.append(f"De voortgang ging van {was} naar {now}.")
    out += _phase_sentences(old.get("phases") or [], new.get("phases") or [])
    out += _budget_sentences(old.get("budget_lines") or [], new.get("budget_lines") or [])
    if old.get("geometry") != new.get("geometry"):
        out.append("De ligging op de kaart werd aangepast." if new.get("geometry")
                   else "De fiche heeft geen ligging op de kaart meer.")
    if old.get("location_description") != new.get("location_description"):
        out.append(f"De plaatsbeschrijving is nu: ‘{new.get('location_description')}’."
                   if new.get("location_description") else "De plaatsbeschrijving werd weggelaten.")
    out += _report_sentences(old.get("progress_reports") or [], new.get("progress_reports") or [])
    return out
