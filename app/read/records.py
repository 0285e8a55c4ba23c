"""Public records: what an anonymous client may read of a fiche, a phase, a
wijk or an indicator value, as flat dicts with the Dutch column names of
app.columns.

The OGC API and the downloads use the same records, so a partner sees the
same attributes in QGIS whichever way the data came, and a downloaded fiche
file imports again as is (app.write.imports.fiches reads these columns).

Fiches and phases come as plain rows (app.read.rows), not ORM objects.
Nothing here filters drafts: the callers select published fiches only
(app.read.queries does that unless include_drafts is set). What is filtered here
is what a published fiche points at: a parent or a dependency that is a draft
is left out, so not even its ref leaks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..columns import BUDGET_COLUMNS, FICHE_COLUMNS, PHASE_COLUMNS
from ..models import IndicatorValue
from .apportion import WijkIndex
from .features import fiche_url
from .queries import budget_is_illustrative, budget_total, fiche_years
from .rows import AreaRow, FicheHead, FicheRow, PhaseRow


@dataclass(frozen=True)
class Field:
    """One attribute of a record: its JSON Schema type, a Dutch title, and
    whether it can be used as a simple filter (`?name=value`)."""
    name: str
    type: str                  # string | integer | number | boolean | date | datetime | geometry
    title: str
    queryable: bool = False

    def json_schema(self) -> dict:
        if self.type == "geometry":  # OGC API - Features Part 3: a spatial queryable
            return {"format": "geometry-any", "x-ogc-role": "primary-geometry", "title": self.title}
        if self.type in ("date", "datetime"):
            return {"type": "string", "format": self.type.replace("datetime", "date-time"), "title": self.title}
        return {"type": self.type, "title": self.title}


C = FICHE_COLUMNS
FICHE_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "Interne id van de fiche"),
    Field(C["ref"], "string", "Unieke code (ref)", True),
    Field(C["parent_ref"], "string", "Ref van het bovenliggende onderdeel (sector, doelstelling)"),
    Field(C["kind"], "string", "Soort: fiche, actieplan of actie", True),
    Field(C["number"], "string", "Nummer in het plan", True),
    Field(C["code"], "string", "Code in het plan (bv. V1.1)", True),
    Field(C["title"], "string", "Titel"),
    Field(C["summary"], "string", "Samenvatting"),
    Field(C["plain_language"], "string", "Wat verandert er voor jou? (in eenvoudige taal)"),
    Field(C["sector"], "string", "Sector", True),
    Field(C["responsible_service"], "string", "Verantwoordelijke dienst", True),
    Field(C["goal_why"], "string", "Doel: waarom"),
    Field(C["goal_what"], "string", "Doel: wat willen we bereiken"),
    Field(C["goal_gain"], "string", "Doel: wat winnen we"),
    Field(C["sdgs"], "string", "SDG's (duurzame ontwikkelingsdoelen), gescheiden door ;"),
    Field(C["sdgs_illustrative"], "boolean", "SDG's zijn illustratief (niet door de stad toegekend)"),
    Field(C["obligation"], "string", "Verplicht of keuze", True),
    Field(C["priority"], "boolean", "Prioritair (leeg: niet vermeld in de bron)", True),
    Field(C["priority_reason"], "string", "Waarom prioritair afgeleid is (leeg: zo vermeld in de bron)"),
    Field(C["status"], "string", "Status", True),
    Field(C["status_basis"], "string", "Waar de status vandaan komt en van wanneer (bv. jaarrekening 2022)"),
    Field(C["progress_pct"], "integer", "Voortgang (%)"),
    Field(C["state_of_play"], "string", "Stand van zaken"),
    Field(C["dependencies_text"], "string", "Afhankelijkheden"),
    Field(C["risks"], "string", "Risico's"),
    Field(C["depends_on"], "string", "Hangt af van (refs van andere fiches, gescheiden door ;)"),
    Field(C["partners"], "string", "Partners buiten de stad, gescheiden door ;"),
    Field(C["location_description"], "string", "Locatie"),
    Field(C["geometry_precision"], "string", "Ligging: exact of indicatief", True),
    Field(C["location_source"], "string", "De woorden van de bron waarop de ligging steunt (letterlijk)"),
    Field(C["location_assumption"], "string", "Wat aan de ligging een aanname is (niet uit de bron)"),
    Field(C["published"], "boolean", "Gepubliceerd (altijd ja in publieke gegevens)"),
    Field(C["source"], "string", "Bron"),
    Field("budget_totaal_eur", "number", "Totaal geraamde uitgaven (EUR)"),
    Field("budget_illustratief", "boolean", "Budget is illustratief (voorbeeldbedragen)"),
    Field("jaar_start", "integer", "Eerste jaar (fasen en budget)"),
    Field("jaar_einde", "integer", "Laatste jaar (fasen en budget)"),
    Field("illustratief", "boolean", "Bevat illustratieve gegevens (budget, fasen of SDG's)"),
    Field("gemeente", "string", "Gemeente"),
    Field("nis_code", "string", "NIS-code van de gemeente"),
    Field("wijken", "string", "Codes van de wijken waarin de fiche ligt (verdeling van het budget), gescheiden door ;"),
    Field("bijgewerkt", "datetime", "Laatst gewijzigd (UTC)"),
    Field("url", "string", "Fiche op Fichekaart"),
)

P = PHASE_COLUMNS
PHASE_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "Interne id van de fase"),
    Field("sleutel", "string", "Stabiele sleutel van de fase: <fiche-ref>-f<volgorde>"),
    Field("fiche_id", "integer", "Interne id van de fiche", True),
    Field(P["fiche_ref"], "string", "Ref van de fiche", True),
    Field("fiche_titel", "string", "Titel van de fiche"),
    Field(P["position"], "integer", "Volgorde"),
    Field(P["title"], "string", "Titel van de fase"),
    Field(P["phase_kind"], "string", "Soort fase (studie, ontwerp, uitvoering ...)", True),
    Field(P["start"], "date", "Start", True),
    Field(P["end"], "date", "Einde", True),
    Field(P["status"], "string", "Status van de fase", True),
    Field(P["illustrative"], "boolean", "Illustratief (voorbeeldplanning)", True),
    Field(P["note"], "string", "Toelichting (bv. buiten de planperiode)"),
    Field("eigen_geometrie", "boolean", "De fase heeft een eigen ligging (anders die van de fiche)"),
    Field("nis_code", "string", "NIS-code van de gemeente", True),
    Field("url", "string", "Fiche op Fichekaart"),
)

B = BUDGET_COLUMNS
BUDGET_FIELDS: tuple[Field, ...] = (
    Field("sleutel", "string", "Stabiele sleutel: <fiche-ref>-b<jaar>-<soort>-<n>"),
    Field(B["fiche_ref"], "string", "Ref van de fiche"),
    Field(B["year"], "integer", "Jaar"),
    Field(B["kind"], "string", "Soort: investering, exploitatie of personeel"),
    Field(B["direction"], "string", "Richting: uitgave of ontvangst"),
    Field(B["amount_eur"], "number", "Bedrag (EUR)"),
    Field(B["basis"], "string", "Basis: raming, begroot, gerealiseerd of illustratief"),
    Field(B["note"], "string", "Toelichting"),
    Field(B["phase_position"], "integer", "Volgorde van de fase waarvan de ligging voor deze lijn geldt"),
    Field("fiche_id", "integer", "Interne id van de fiche"),
)

AREA_FIELDS: tuple[Field, ...] = (
    Field("code", "string", "Code van de wijk", True),
    Field("naam", "string", "Naam van de wijk", True),
    Field("niveau", "string", "Gebiedsniveau"),
    Field("nis_code", "string", "NIS-code van de gemeente", True),
    Field("gemeente", "string", "Gemeente"),
    Field("bron", "string", "Bron van de grens"),
)

INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "Interne id van de waarde"),
    Field("gebied_code", "string", "Code van de wijk", True),
    Field("wijk_naam", "string", "Naam van de wijk"),
    Field("nis_code", "string", "NIS-code van de gemeente", True),
    Field("indicator_code", "string", "Code van de indicator", True),
    Field("indicator_naam", "string", "Naam van de indicator"),
    Field("eenheid", "string", "Eenheid"),
    Field("periode", "string", "Periode", True),
    Field("waarde", "number", "Waarde", True),
    Field("vergelijkingswaarde", "number", "Vergelijkingswaarde"),
    Field("vergelijking", "string", "Waarmee vergeleken wordt"),
    Field("bron", "string", "Bron"),
    Field("illustratief", "boolean", "Illustratief (voorbeeldwaarde, geen meting)", True),
)


# The real city-level figures of the sources ("<Stad> in cijfers"): no geometry.
CITY_FIGURE_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "Interne id van de waarde"),
    Field("nis_code", "string", "NIS-code van de gemeente", True),
    Field("gemeente", "string", "Gemeente"),
    Field("indicator_code", "string", "Code van de indicator", True),
    Field("indicator_naam", "string", "Naam van de indicator"),
    Field("eenheid", "string", "Eenheid"),
    Field("periode", "string", "Periode zoals de bron ze geeft ('niet vermeld' als de bron er geen geeft)", True),
    Field("waarde", "number", "Waarde zoals in de bron"),
    Field("vergelijkingswaarde", "number", "Vergelijkingswaarde uit de bron (provincie, Vlaanderen ...)"),
    Field("vergelijking", "string", "Waarmee vergeleken wordt"),
    Field("bron", "string", "Bron (document en onderdeel)"),
    Field("citaat", "string", "De woorden van de bron waaruit de waarde gelezen is (letterlijk)"),
)


def _joined(values) -> str | None:
    values = [str(v) for v in values if v not in (None, "")]
    return ";".join(values) or None


def fiche_records(fiches: list[FicheRow], base_url: str = "", wijk_index: WijkIndex | None = None) -> list[dict]:
    """fiche_record of each fiche; `wijk_index` (the city's wijken) fills
    `wijken`, with one index query for all the fiches."""
    shares = wijk_index.shares_many([f.geom for f in fiches]) if wijk_index is not None else [None] * len(fiches)
    return [fiche_record(f, base_url, s) for f, s in zip(fiches, shares)]


def fiche_record(fiche: FicheRow, base_url: str = "", shares: dict[str, float] | None = None) -> dict:
    """A published fiche as a flat dict (FICHE_FIELDS order). `base_url`
    makes the fiche link absolute ('https://host'); `shares` (WijkIndex.shares
    of its place) fills `wijken` with the codes its budget is shared over."""
    year_start, year_end = fiche_years(fiche)
    parent = fiche.parent
    budget_illustrative = budget_is_illustrative(fiche)
    record = {
        "id": fiche.id,
        C["ref"]: fiche.ref,
        C["parent_ref"]: parent.ref if parent is not None and parent.published else None,
        C["kind"]: fiche.kind,
        C["number"]: fiche.number,
        C["code"]: fiche.code,
        C["title"]: fiche.title,
        C["summary"]: fiche.summary,
        C["plain_language"]: fiche.plain_language,
        C["sector"]: fiche.sector,
        C["responsible_service"]: fiche.responsible_service,
        C["goal_why"]: fiche.goal_why,
        C["goal_what"]: fiche.goal_what,
        C["goal_gain"]: fiche.goal_gain,
        C["sdgs"]: _joined(fiche.sdgs),
        C["sdgs_illustrative"]: bool(fiche.sdgs_illustrative),
        C["obligation"]: fiche.obligation,
        C["priority"]: fiche.priority,              # None: the source does not say (niet vermeld)
        C["priority_reason"]: fiche.priority_reason,
        C["status"]: fiche.status,
        C["status_basis"]: fiche.status_basis,
        C["progress_pct"]: fiche.progress_pct,
        C["state_of_play"]: fiche.state_of_play,
        C["dependencies_text"]: fiche.dependencies_text,
        C["risks"]: fiche.risks,
        C["depends_on"]: _joined(
            d.depends_on.ref for d in fiche.dependencies if d.depends_on is not None and d.depends_on.published
        ),
        C["partners"]: _joined(d.partner for d in fiche.dependencies if d.partner),
        C["location_description"]: fiche.location_description,
        C["geometry_precision"]: fiche.geometry_precision,
        C["location_source"]: fiche.location_source,
        C["location_assumption"]: fiche.location_assumption,
        C["published"]: bool(fiche.published),
        C["source"]: fiche.source,
        "budget_totaal_eur": budget_total(fiche) if fiche.budget_lines else None,
        "budget_illustratief": budget_illustrative,
        "jaar_start": year_start,
        "jaar_einde": year_end,
        "illustratief": budget_illustrative or bool(fiche.sdgs_illustrative)
        or any(p.illustrative for p in fiche.phases),
        "gemeente": fiche.municipality.name,
        "nis_code": fiche.municipality.nis_code,
        "wijken": _joined(shares) if shares is not None else None,
        "bijgewerkt": utc_text(fiche.updated_at),
        "url": base_url + fiche_url(fiche),
    }
    return record


def utc_text(moment: dt.datetime | str | None) -> str | None:
    """A stored timestamp as RFC 3339 in UTC, to the second ('2026-12-06T04:00:00Z');
    naive values are UTC (the databases' now())."""
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite without type processing
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def phase_key(fiche_ref: str, position: int) -> str:
    """The natural key of a phase: '<fiche ref>-f<position>' (stable across re-imports)."""
    return f"{fiche_ref}-f{position}"


def budget_keys(fiche_ref: str, lines) -> list[str]:
    """Natural keys of a fiche's budget lines (in their order: year, id):
    '<fiche ref>-b<year>-<kind>-<n>', n counting the lines of that year and
    kind from 1 (stable across re-imports of the same file)."""
    seen: dict[tuple, int] = {}
    keys = []
    for line in lines:
        n = seen[(line.year, line.kind)] = seen.get((line.year, line.kind), 0) + 1
        keys.append(f"{fiche_ref}-b{line.year}-{line.kind}-{n}")
    return keys


def phase_record(phase: PhaseRow, fiche: FicheHead, base_url: str = "") -> dict:
    return {
        "id": phase.id,
        "sleutel": phase_key(fiche.ref, phase.position),
        "fiche_id": fiche.id,
        P["fiche_ref"]: fiche.ref,
        "fiche_titel": fiche.title,
        P["position"]: phase.position,
        P["title"]: phase.title,
        P["phase_kind"]: phase.phase_kind,
        P["start"]: phase.start,                   # dates (orjson writes ISO; files get a date type)
        P["end"]: phase.end,
        P["status"]: phase.status,
        P["illustrative"]: bool(phase.illustrative),
        P["note"]: phase.note,
        "eigen_geometrie": phase.geom is not None,
        "nis_code": fiche.municipality.nis_code,
        "url": base_url + fiche_url(fiche),
    }


def area_record(area: AreaRow) -> dict:
    return {
        "code": area.code,
        "naam": area.name,
        "niveau": area.level,
        "nis_code": area.municipality.nis_code,
        "gemeente": area.municipality.name,
        "bron": area.source,
    }


def budget_record(line, fiche, key: str) -> dict:
    """A budget line (BudgetRow) of a published fiche, with its natural key (budget_keys)."""
    return {"sleutel": key, B["fiche_ref"]: fiche.ref, B["year"]: line.year, B["kind"]: line.kind,
            B["direction"]: line.direction, B["amount_eur"]: line.amount_eur, B["basis"]: line.basis,
            B["note"]: line.note, B["phase_position"]: line.phase_position, "fiche_id": fiche.id}


def city_figure_record(value: IndicatorValue) -> dict:
    """A real city-level figure (app.read.pages.real_city_figures), exactly as the source gives it."""
    area, indicator = value.area, value.indicator
    return {
        "id": value.id,
        "nis_code": area.municipality.nis_code,
        "gemeente": area.municipality.name,
        "indicator_code": indicator.code,
        "indicator_naam": indicator.name,
        "eenheid": indicator.unit,
        "periode": value.period,
        "waarde": value.value,
        "vergelijkingswaarde": value.comparison_value,
        "vergelijking": value.comparison_label,
        "bron": value.source,
        "citaat": value.quote,
    }


def indicator_record(value: IndicatorValue) -> dict:
    area, indicator = value.area, value.indicator
    return {
        "id": value.id,
        "gebied_code": area.code,
        "wijk_naam": area.name,
        "nis_code": area.municipality.nis_code,
        "indicator_code": indicator.code,
        "indicator_naam": indicator.name,
        "eenheid": indicator.unit,
        "periode": value.period,
        "waarde": value.value,
        "vergelijkingswaarde": value.comparison_value,
        "vergelijking": value.comparison_label,
        "bron": value.source,
        "illustratief": bool(value.illustrative),
    }
