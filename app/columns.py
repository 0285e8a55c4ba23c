"""Column names of the files people exchange with Fichekaart (Dutch), and the
model attributes they map to (English).

One table serves the importers (file -> model), the exporters (model -> file)
and the downloadable templates, so a file exported here imports again as is.
"""
from __future__ import annotations

# model attribute -> column header in CSV/XLSX/GeoPackage/GeoJSON files
FICHE_COLUMNS: dict[str, str] = {
    "ref": "ref",                          # stable identifier, e.g. HER-SO-05
    "parent_ref": "ouder_ref",             # ref of the parent node in the tree
    "kind": "soort",                       # see FICHE_KINDS
    "number": "nummer",                    # the document's own number, as text ("27")
    "code": "code",                        # the document's own code ("V1.1")
    "title": "titel",
    "summary": "samenvatting",
    "plain_language": "wat_verandert",    # "Wat verandert er voor jou?" in plain language
    "sector": "sector",
    "responsible_service": "verantwoordelijke_dienst",
    "goal_why": "doel_waarom",
    "goal_what": "doel_wat",
    "goal_gain": "doel_winst",
    "sdgs": "sdgs",                        # "3;11" (1-17)
    "sdgs_illustrative": "sdgs_illustratief",
    "obligation": "verplicht_keuze",       # verplicht | keuze | empty
    "priority": "prioritair",              # ja | nee | niet vermeld (or empty): the source does not say
    "priority_reason": "prioritair_afgeleid",  # why, when `prioritair` is inferred, not stated ("afgeleid")
    "status": "status",                    # see FICHE_STATUSES
    "status_basis": "status_volgens",      # where the status comes from and when: "jaarrekening 2022"
    "progress_pct": "voortgang_pct",
    "state_of_play": "stand_van_zaken",
    "dependencies_text": "afhankelijkheden",
    "risks": "risicos",
    "depends_on": "hangt_af_van",          # "HER-SO-02;HER-VT-14" refs of other fiches
    "partners": "partners",                # "Aquafin;Neteland" outside partners
    "location_description": "locatie",
    "geometry_precision": "ligging",       # exact | indicatief
    "location_source": "ligging_bron",     # the source's words the place rests on, quoted exactly
    "location_assumption": "ligging_aanname",  # what about the place is assumed (public)
    "staff_note": "interne_opmerking",     # STAFF ONLY: never in a public page, feed or download
    "published": "gepubliceerd",           # ja | nee
    "source": "bron",
}
GEOMETRY_WKT_COLUMN = "geometrie_wkt"      # CSV/XLSX only; EPSG:31370 unless the importer is told otherwise

PHASE_COLUMNS: dict[str, str] = {
    "fiche_ref": "fiche_ref",
    "position": "volgorde",
    "title": "titel",
    "phase_kind": "soort",                 # see PHASE_KINDS
    "start": "start",                      # ISO date
    "end": "einde",                        # ISO date
    "status": "status",                    # see PHASE_STATUSES
    "illustrative": "illustratief",        # ja | nee
    "note": "toelichting",                 # public remark (e.g. outside the plan period)
}

BUDGET_COLUMNS: dict[str, str] = {
    "fiche_ref": "fiche_ref",
    "year": "jaar",
    "kind": "soort",                       # see BUDGET_KINDS
    "direction": "richting",               # see BUDGET_DIRECTIONS
    "amount_eur": "bedrag_eur",
    "basis": "basis",                      # see BUDGET_BASES
    "note": "toelichting",
    "phase_position": "fase",              # volgorde of the fiche's phase whose place the line concerns
}

PROGRESS_COLUMNS: dict[str, str] = {
    "fiche_ref": "fiche_ref",
    "period_label": "periode",             # "Jaarrekening 2022"
    "report_date": "datum",                # ISO date, may be empty
    "text": "tekst",
    "progress_pct": "voortgang_pct",
    "source": "bron",
}

INDICATOR_COLUMNS: dict[str, str] = {
    "code": "code",
    "name": "naam",
    "unit": "eenheid",
    "description": "beschrijving",
    "higher_is": "hoger_is",               # beter | slechter | neutraal
    "city_indicator_code": "stadscijfer",  # indicator with the real city figure of the same thing
}

# The long indicator-value CSV takes English or Dutch headers.
INDICATOR_VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "gebied_code"),
    "indicator_code": ("indicator_code",),
    "period": ("period", "periode"),
    "value": ("value", "waarde"),
    "source": ("source", "bron"),
    "illustrative": ("illustrative", "illustratief"),
    # a reference figure the source sets beside the value, e.g. the province's
    "comparison_value": ("comparison_value", "vergelijkingswaarde"),
    "comparison_label": ("comparison_label", "vergelijking"),
    # the source's words the value is read from, exactly
    "quote": ("quote", "citaat"),
}

MUNICIPALITY_COLUMNS: dict[str, str] = {
    "nis_code": "nis_code",
    "name": "naam",
    "plan_title": "plan_titel",
    "plan_period": "plan_periode",         # "2025-2030"
    "source": "bron",
}

# geodata/city_settings.csv: the settings the demo seed gives each city
# (app/write/city_settings.py field -> column); `publiek` is ja/nee.
CITY_SETTINGS_COLUMNS: dict[str, str] = {
    "nis_code": "nis_code",
    "display_name": "weergavenaam",
    "contact_name": "contact",
    "contact_email": "contact_email",
    "contact_url": "contact_url",
    "licence_id": "licentie",
    "listed": "publiek",
    "source_note": "bron",
}

FICHE_KINDS = ("beleidsdomein", "sector", "doelstelling", "actieplan", "fiche", "actie")
FICHE_STATUSES = ("voorstel", "gepland", "lopend", "gerealiseerd", "uitgesteld", "geschrapt")
OBLIGATIONS = ("verplicht", "keuze")
PRECISIONS = ("exact", "indicatief")
PHASE_KINDS = ("studie", "ontwerp", "vergunning", "aanbesteding", "uitvoering", "oplevering", "andere")
PHASE_STATUSES = ("gepland", "lopend", "afgerond")
BUDGET_KINDS = ("investering", "exploitatie", "personeel")
BUDGET_DIRECTIONS = ("uitgave", "ontvangst")
BUDGET_BASES = ("raming", "begroot", "gerealiseerd", "illustratief")
AREA_LEVELS = ("gemeente", "deelgemeente", "wijk", "kernwinkelgebied", "winkelgebied")

# Fields only staff may see: left out of every public record, feed and download.
STAFF_ONLY_FIELDS = ("staff_note",)
# A yes/no a source may leave open: these mean "the source does not say".
NOT_STATED = {"", "niet vermeld", "onbekend", "?"}
NOT_STATED_LABEL = "niet vermeld"
PERIOD_NOT_STATED = "niet vermeld"         # an indicator value whose source gives no period

YES = {"ja", "j", "yes", "y", "true", "1", "waar", "x"}
NO = {"nee", "n", "no", "false", "0", "onwaar", ""}
