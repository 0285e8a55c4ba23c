"""The fiche form: field names are the Dutch file columns of app/columns.py,
values are parsed with the same Dutch-speaking parsers as the importers
(app/imports/values.py), and the result has the shape of a history snapshot
(app/history.py), so saving, restoring and comparing share one format.

Repeating rows (phases, budget lines, progress reports) are named
`fasen-3-titel`, `budget-0-bedrag_eur`, ...; a row with a ticked
`...-verwijderen` or with every field empty is dropped. The page always
offers a few empty rows, so the form works without JavaScript.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from werkzeug.datastructures import MultiDict

from ...columns import (
    BUDGET_BASES,
    BUDGET_COLUMNS,
    BUDGET_DIRECTIONS,
    BUDGET_KINDS,
    FICHE_COLUMNS,
    FICHE_KINDS,
    FICHE_STATUSES,
    OBLIGATIONS,
    PHASE_COLUMNS,
    PHASE_KINDS,
    PHASE_STATUSES,
    PRECISIONS,
    PROGRESS_COLUMNS,
)
from ...numbers import format_amount, whole_number
from ..imports import values
from ..imports.fiches import TEXT_FIELDS

C = FICHE_COLUMNS
BLANK_ROWS = 3
MAX_LENGTHS = {"ref": 60, "number": 20, "code": 40, "sector": 120, "responsible_service": 200,
               "status_basis": 120}
CHECKBOXES = ("sdgs_illustrative",)
# ja / nee / niet vermeld: a yes/no the source may leave open (a select, not a checkbox)
STATED_CHOICES = ("priority",)


@dataclass
class RowGroup:
    """One kind of repeating row: form prefix, columns (attr -> Dutch name)."""
    prefix: str
    attr: str
    columns: dict[str, str]
    label: str


PHASES = RowGroup("fasen", "phases", {k: v for k, v in PHASE_COLUMNS.items() if k != "fiche_ref"}, "Fasen")
BUDGETS = RowGroup("budget", "budget_lines", {k: v for k, v in BUDGET_COLUMNS.items() if k != "fiche_ref"},
                   "Budgetlijnen")
REPORTS = RowGroup("rapporten", "progress_reports", {k: v for k, v in PROGRESS_COLUMNS.items() if k != "fiche_ref"},
                   "Voortgangsrapporten")
ROW_GROUPS = (PHASES, BUDGETS, REPORTS)

@dataclass
class ParsedForm:
    state: dict                              # snapshot-shaped, without "geometry" and "published"
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def row_indices(form: MultiDict, prefix: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-")
    return sorted({int(m.group(1)) for key in form.keys() if (m := pattern.match(key))})


def parse_form(form: MultiDict, *, parents: dict[int, dict], dependencies: dict[int, dict],
               existing_rows: dict[str, dict[int, dict]]) -> ParsedForm:
    """Parse the submitted form. `parents` and `dependencies` are the fiches
    that may be chosen as parent or as dependency ({id: {"id", "ref"}});
    `existing_rows` the fiche's current rows by group attr and id (to keep a
    phase's own geometry, which the form does not edit)."""
    errors: dict[str, str] = {}
    state: dict = {}

    def parse(attr, parser):
        name = C[attr]
        try:
            state[attr] = parser(form.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
            state[attr] = None

    for attr in ("ref", *TEXT_FIELDS):
        state[attr] = values.text(form.get(C[attr]))
        limit = MAX_LENGTHS.get(attr)
        if limit and state[attr] and len(state[attr]) > limit:
            errors[C[attr]] = f"Maximaal {limit} tekens."
    if not state["ref"]:
        errors[C["ref"]] = "Geef een ref (unieke code binnen de stad), bv. HER-SO-05."
    if not state["title"]:
        errors[C["title"]] = "Titel ontbreekt."
    parse("kind", lambda v: values.choice(v, FICHE_KINDS, "fiche"))
    parse("status", lambda v: values.choice(v, FICHE_STATUSES, "voorstel"))
    parse("obligation", lambda v: values.choice(v, OBLIGATIONS))
    parse("geometry_precision", lambda v: values.choice(v, PRECISIONS))
    parse("progress_pct", lambda v: values.integer(v, 0, 100))
    for attr in CHECKBOXES:
        state[attr] = bool(form.get(C[attr]))
    for attr in STATED_CHOICES:
        parse(attr, values.stated_boolean)
    try:
        state["sdgs"] = values.sdgs(";".join(form.getlist(C["sdgs"])))
    except ValueError as exc:
        errors[C["sdgs"]] = str(exc)
        state["sdgs"] = []

    parent_id = _text(form, "ouder_id")
    state["parent"] = None
    if parent_id:
        if whole_number(parent_id) in parents:
            state["parent"] = parents[whole_number(parent_id)]
        else:
            errors["ouder_id"] = ("Deze ouder kan niet gekozen worden "
                                  "(onbekend, of de fiche zelf of een onderdeel ervan).")
    state["depends_on"] = []
    for value in form.getlist(C["depends_on"]):
        chosen = dependencies.get(whole_number(value))
        if chosen is not None:
            if chosen not in state["depends_on"]:
                state["depends_on"].append(chosen)
        elif value:
            errors[C["depends_on"]] = "Een gekozen fiche bestaat niet (meer) in deze stad."
    partners = values.split_list(form.get(C["partners"]))
    if any(len(p) > 200 for p in partners):
        errors[C["partners"]] = "Een partnernaam is langer dan 200 tekens."
    state["partners"] = partners

    state["phases"] = _rows(form, PHASES, _parse_phase, errors, existing_rows.get("phases", {}))
    state["budget_lines"] = _rows(form, BUDGETS, _parse_budget, errors, {})
    state["progress_reports"] = _rows(form, REPORTS, _parse_report, errors, {})
    for position, phase in enumerate(state["phases"], start=1):
        if phase.get("position") is None:
            phase["position"] = position
    return ParsedForm(state, errors)


def field_name(prefix: str, index: int, column: str) -> str:
    """The form field of one cell of a repeated row: "fase-2-titel"."""
    return f"{prefix}-{index}-{column}"


def _rows(form, group: RowGroup, parse_row, errors, existing: dict[int, dict]) -> list[dict]:
    rows = []
    for index in row_indices(form, group.prefix):
        name = partial(field_name, group.prefix, index)
        if form.get(name("verwijderen")):
            continue
        raw = {attr: _text(form, name(col)) for attr, col in group.columns.items()}
        if not any(raw.values()):
            continue
        row_errors: dict[str, str] = {}
        row = parse_row(raw, row_errors, group.columns)
        for attr, message in row_errors.items():
            errors[name(group.columns[attr])] = message
        row_id = whole_number(_text(form, name("id")))
        if row_id in existing:
            row["id"] = row_id
            if "geometry" in existing[row_id]:
                row["geometry"] = existing[row_id]["geometry"]
        rows.append(row)
    return rows


def _field(raw, errors, attr, parser, *args):
    try:
        return parser(raw.get(attr), *args)
    except ValueError as exc:
        errors[attr] = str(exc)
        return None


def _require(row, errors, attr, message="Verplicht veld."):
    if row.get(attr) is None and attr not in errors:
        errors[attr] = message


def _parse_phase(raw, errors, columns) -> dict:
    row = {
        "position": _field(raw, errors, "position", values.integer, 1, 999),
        "title": values.text(raw["title"]),
        "phase_kind": _field(raw, errors, "phase_kind", values.choice, PHASE_KINDS),
        "start": _field(raw, errors, "start", values.date),
        "end": _field(raw, errors, "end", values.date),
        "status": _field(raw, errors, "status", values.choice, PHASE_STATUSES),
        "illustrative": bool(raw.get("illustrative")),
        "note": values.text(raw.get("note")),
        "geometry": None,
    }
    _require(row, errors, "title", "Geef de fase een titel.")
    if row["title"] and len(row["title"]) > 300:
        errors["title"] = "Maximaal 300 tekens."
    if row["start"] and row["end"] and row["end"] < row["start"]:
        errors["end"] = "Het einde ligt voor de start."
    for key in ("start", "end"):
        row[key] = row[key].isoformat() if row[key] else None
    return row


def _parse_budget(raw, errors, columns) -> dict:
    row = {
        "year": _field(raw, errors, "year", values.integer, 1990, 2100),
        "kind": _field(raw, errors, "kind", values.choice, BUDGET_KINDS),
        "direction": _field(raw, errors, "direction", values.choice, BUDGET_DIRECTIONS, "uitgave"),
        "amount_eur": _field(raw, errors, "amount_eur", values.amount),
        "basis": _field(raw, errors, "basis", values.choice, BUDGET_BASES),
        "note": values.text(raw.get("note")),
        "phase_position": _field(raw, errors, "phase_position", values.integer, 1, 999),
    }
    for attr in ("year", "kind", "amount_eur", "basis"):
        _require(row, errors, attr)
    if row["amount_eur"] is not None and abs(row["amount_eur"]) >= 1e12:
        errors["amount_eur"] = "Dat bedrag is te groot."
    return row


def _parse_report(raw, errors, columns) -> dict:
    row = {
        "period_label": values.text(raw.get("period_label")),
        "report_date": _field(raw, errors, "report_date", values.date),
        "text": values.text(raw.get("text")),
        "progress_pct": _field(raw, errors, "progress_pct", values.integer, 0, 100),
        "source": values.text(raw.get("source")),
    }
    _require(row, errors, "period_label", "Geef een periode, bv. Jaarrekening 2024.")
    _require(row, errors, "text", "De tekst van het rapport ontbreekt.")
    if row["period_label"] and len(row["period_label"]) > 120:
        errors["period_label"] = "Maximaal 120 tekens."
    row["report_date"] = row["report_date"].isoformat() if row["report_date"] else None
    return row


ROW_LABELS = {
    "fasen": ("Fase", {"position": "volgorde", "title": "titel", "phase_kind": "soort", "start": "start",
                       "end": "einde", "status": "status", "note": "toelichting"}),
    "budget": ("Budgetlijn", {"year": "jaar", "kind": "soort", "direction": "richting", "amount_eur": "bedrag",
                              "basis": "basis", "note": "toelichting", "phase_position": "fase"}),
    "rapporten": ("Voortgangsrapport", {"period_label": "periode", "report_date": "datum", "text": "tekst",
                                        "progress_pct": "voortgang", "source": "bron"}),
}


def error_label(name: str) -> str:
    """The Dutch label of a form field, for the error summary ('Fase 2: einde')."""
    from ..history import FIELD_LABELS

    match = re.match(r"^(fasen|budget|rapporten)-(\d+)-(.+)$", name)
    if match:
        prefix, index, col = match.groups()
        group = next(g for g in ROW_GROUPS if g.prefix == prefix)
        attr = next((a for a, c in group.columns.items() if c == col), col)
        title, labels = ROW_LABELS[prefix]
        return f"{title} {int(index) + 1}: {labels.get(attr, col)}"
    attr = next((a for a, c in C.items() if c == name), None)
    extra = {"ouder_id": "Ouder in de boom", "geometrie": "Geometrie", "ligging": "Nauwkeurigheid van de ligging"}
    return extra.get(name) or FIELD_LABELS.get(attr, name)


# State -> form values ------------------------------------------------------

def _display(value, stated: bool = False) -> str:
    if value is None:
        return ""
    if stated and isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def form_data(state: dict) -> MultiDict:
    """The form values (strings) that show `state` (a snapshot, with row ids
    when it describes a stored fiche)."""
    data: MultiDict = MultiDict()
    for attr in ("ref", *TEXT_FIELDS, "kind", "status", "obligation", "geometry_precision", "progress_pct",
                 *CHECKBOXES):
        data[C[attr]] = _display(state.get(attr))
    for attr in STATED_CHOICES:
        data[C[attr]] = _display(state.get(attr), stated=True)
    for n in state.get("sdgs", []):
        data.add(C["sdgs"], str(n))
    data["ouder_id"] = str(state["parent"]["id"]) if state.get("parent") else ""
    for item in state.get("depends_on", []):
        data.add(C["depends_on"], str(item["id"]))
    data[C["partners"]] = "; ".join(state.get("partners", []))
    for group in ROW_GROUPS:
        for index, row in enumerate(state.get(group.attr, [])):
            for attr, col in group.columns.items():
                shown = format_amount(row.get(attr), symbol=False) if attr == "amount_eur" else _display(row.get(attr))
                data[field_name(group.prefix, index, col)] = shown
            if row.get("id"):
                data[field_name(group.prefix, index, "id")] = str(row["id"])
    return data


def rows_for_display(form: MultiDict, group: RowGroup, blank: int = BLANK_ROWS) -> list[dict]:
    """The rows to render: every submitted/stored row, then `blank` empty
    ones. Each is {"index", "values": {attr: str}, "id", "remove"}."""
    rows = []
    indices = row_indices(form, group.prefix)
    for index in indices:
        name = partial(field_name, group.prefix, index)
        rows.append({
            "index": index,
            "values": {attr: form.get(name(col), "") for attr, col in group.columns.items()},
            "id": form.get(name("id"), ""),
            "remove": bool(form.get(name("verwijderen"))),
        })
    start = (max(indices) + 1) if indices else 0
    for index in range(start, start + blank):
        rows.append({"index": index, "values": {attr: "" for attr in group.columns}, "id": "", "remove": False})
    return rows
