"""Bulk import from the workspace: templates to fill in (with an example
row that imports as shown), a preview (the real importer runs inside a
transaction that is rolled back), and the confirmation (the same import,
written, every change recorded).

Fiches, their phases and their budget lines (`IMPORT_KINDS`). The web
request only stores the file; the preview and the write run as background
jobs (app/jobs/imports.py), which hold the file in an ImportJob row.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from ...columns import (
    BUDGET_BASES,
    BUDGET_COLUMNS,
    BUDGET_DIRECTIONS,
    BUDGET_KINDS,
    FICHE_COLUMNS,
    FICHE_KINDS,
    FICHE_STATUSES,
    GEOMETRY_WKT_COLUMN,
    OBLIGATIONS,
    PHASE_COLUMNS,
    PHASE_KINDS,
    PHASE_STATUSES,
    PRECISIONS,
)
from ...crs import CRS_LABELS, OFFERED_EPSG, STORAGE_EPSG, crs_name
from ...db import cannot_write_now, writing
from ...geometry import GeometryError
from ...models import Fiche, Municipality, User
from .. import history
from ..imports import ImportFailed, RowError
from ..imports.fiches import import_budget_lines, import_fiches, import_phases
from ..imports.pipeline import Progress

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json", ".gpkg", ".zip", ".kml")
TABLE_SUFFIXES = (".csv", ".xlsx")   # phases and budget lines: tables only
UPLOAD_TTL = dt.timedelta(hours=24)
# The CRSs a WKT column may be in (app.crs offers them), storage first: the form's default.
WKT_CRS_CHOICES = {str(epsg): f"{CRS_LABELS[epsg]} ({crs_name(epsg)})" for epsg in OFFERED_EPSG}
DEFAULT_WKT_CRS = str(STORAGE_EPSG)

# Lists inside one cell. A ';' in a cell clashes with the ';' between the
# cells of a Belgian CSV (the cell then needs quotes), so the help and the
# examples separate numbers and refs by spaces, which every importer accepts.
_QUOTED_LIST = ("In een CSV-bestand met ; tussen de kolommen staat zo'n cel tussen dubbele aanhalingstekens "
                "(\"Aquafin;Neteland\"); Excel en het sjabloon doen dat zelf.")

# What each column means, for the templates' second sheet and the upload page.
COLUMN_HELP = {
    "ref": "Verplicht. Unieke code van de fiche binnen de stad (bv. HER-SO-05). "
           "Bestaat ze al, dan wordt de fiche bijgewerkt.",
    "ouder_ref": "Ref van de bovenliggende fiche (sector, doelstelling ...), of leeg.",
    "soort": f"Eén van: {', '.join(FICHE_KINDS)} (standaard fiche).",
    "titel": "Verplicht.",
    "wat_verandert": "Wat verandert er voor jou? Een paar zinnen in eenvoudige taal voor inwoners, of leeg.",
    "sdgs": "Nummers 1 tot 17, gescheiden door een spatie (bv. 3 11). Ook een komma of ; mag.",
    "sdgs_illustratief": "ja of nee: ja als de SDG's niet uit de bron komen maar ter illustratie gekozen zijn. "
                         "Leeg = nee.",
    "verplicht_keuze": f"{' of '.join(OBLIGATIONS)}, of leeg.",
    "prioritair": "ja, nee, of leeg / niet vermeld als de bron er niets over zegt.",
    "prioritair_afgeleid": "Leeg als de bron prioritair zelf vermeldt; anders waarom de waarde afgeleid is.",
    "status_volgens": "Waar de status vandaan komt en wanneer, bv. jaarrekening 2022.",
    "ligging_bron": "De woorden van de bron waarop de ligging steunt, letterlijk.",
    "ligging_aanname": "Wat aan de ligging een aanname is (publiek).",
    "interne_opmerking": "Alleen voor medewerkers: komt nooit op een publieke pagina of in een download.",
    "status": f"Eén van: {', '.join(FICHE_STATUSES)}.",
    "voortgang_pct": "Geheel getal van 0 tot 100, of leeg.",
    "hangt_af_van": "Refs van andere fiches, gescheiden door een spatie (bv. HER-SO-02 HER-VT-14).",
    "partners": "Externe partners, gescheiden door ; (bv. Aquafin;Neteland). " + _QUOTED_LIST,
    "ligging": f"{' of '.join(PRECISIONS)}.",
    "gepubliceerd": "ja of nee. Leeg = nee: de fiche wordt (of blijft) een ontwerp.",
    GEOMETRY_WKT_COLUMN: "Geometrie als WKT (bv. POINT (182716.8 207503.1)), in het gekozen coördinatenstelsel.",
}
PHASE_HELP = {
    "fiche_ref": "Verplicht. Ref van een bestaande fiche. Het bestand vervangt alle fasen van elke fiche "
                 "die het noemt.",
    "volgorde": "Geheel getal: 1 voor de eerste fase (standaard 1).",
    "titel": "Verplicht.",
    "soort": f"Eén van: {', '.join(PHASE_KINDS)}, of leeg.",
    "start": "Datum als jjjj-mm-dd of dd/mm/jjjj, of leeg.",
    "einde": "Datum als jjjj-mm-dd of dd/mm/jjjj, of leeg; niet voor de start.",
    "status": f"Eén van: {', '.join(PHASE_STATUSES)}, of leeg.",
    "illustratief": "ja of nee: ja als de datums niet uit de bron komen. Leeg = nee.",
    "toelichting": "Publieke opmerking bij de fase, of leeg.",
    GEOMETRY_WKT_COLUMN: "Eigen plaats van de fase als WKT in Lambert 72 (EPSG:31370), of leeg.",
}
BUDGET_HELP = {
    "fiche_ref": "Verplicht. Ref van een bestaande fiche. Het bestand vervangt alle budgetlijnen van elke "
                 "fiche die het noemt.",
    "jaar": "Verplicht. Jaartal (1990 tot 2100).",
    "soort": f"Verplicht. Eén van: {', '.join(BUDGET_KINDS)}.",
    "richting": f"Eén van: {', '.join(BUDGET_DIRECTIONS)} (standaard uitgave).",
    "bedrag_eur": "Verplicht. Bedrag in euro zoals je het typt: 250.000 of 1.250.000,50 "
                  "(een punt scheidt duizendtallen, een komma de centen).",
    "basis": f"Verplicht. Eén van: {', '.join(BUDGET_BASES)}.",
    "toelichting": "Publieke opmerking bij het bedrag, of leeg.",
    "fase": "Volgorde van de fase van de fiche waarop het bedrag slaat, of leeg.",
}

# The example rows of the templates: marked as examples, never published, and
# importable as they stand (tests/test_import_jobs.py imports each one).
EXAMPLE_REF = "VOORBEELD-01"
FICHE_EXAMPLE = {
    "ref": EXAMPLE_REF, "soort": "fiche",
    "titel": "Voorbeeld: heraanleg van een speelplein (vervang deze rij door je eigen fiches)",
    "samenvatting": "Voorbeeldrij van het sjabloon, geen echte fiche.",
    "wat_verandert": "Voorbeeld: een veilig speelplein dicht bij huis.",
    "sdgs": "3 11", "sdgs_illustratief": "ja", "verplicht_keuze": "keuze", "prioritair": "niet vermeld",
    "status": "voorstel", "voortgang_pct": "0", "partners": "Aquafin;Neteland", "ligging": "indicatief",
    "ligging_aanname": "Voorbeeldligging.", "gepubliceerd": "nee", "bron": "Voorbeeld uit het importsjabloon",
    GEOMETRY_WKT_COLUMN: "POINT (182716.8 207503.1)",
}
PHASE_EXAMPLE = {
    "fiche_ref": EXAMPLE_REF, "volgorde": "1", "titel": "Voorbeeld: ontwerp", "soort": "ontwerp",
    "start": "2026-09-01", "einde": "30/06/2027", "status": "gepland", "illustratief": "ja",
    "toelichting": "Voorbeeldrij van het sjabloon.",
}
BUDGET_EXAMPLE = {
    "fiche_ref": EXAMPLE_REF, "jaar": "2027", "soort": "investering", "richting": "uitgave",
    "bedrag_eur": "250.000", "basis": "illustratief", "toelichting": "Voorbeeldbedrag, geen echt budget.",
    "fase": "1",
}


@dataclass(frozen=True)
class ImportKind:
    """What a file can hold: fiches, or rows that belong to fiches."""

    key: str                    # in URLs and ImportJob.kind
    label: str                  # Dutch, plural
    columns: list[str]
    help: dict[str, str]
    example: dict[str, str]
    suffixes: tuple[str, ...]
    run: Callable[..., object]  # the importer: (session, data, municipality=, filename=, progress=, ...)

    def template_name(self, fmt: str) -> str:
        return f"{self.key}-sjabloon.{fmt}"


def _fiches(session, data, *, municipality, filename, options, **progress):
    return import_fiches(session, data, municipality=municipality, filename=filename,
                         crs=options.get("crs") or None, repair_invalid=bool(options.get("repair")),
                         drop_z=bool(options.get("drop_z")), layer=options.get("layer") or None, **progress)


def _children(importer):
    def run(session, data, *, municipality, filename, options, **progress):
        return importer(session, data, municipality=municipality, filename=filename, **progress)
    return run


IMPORT_KINDS = {kind.key: kind for kind in (
    ImportKind("fiches", "fiches", [*FICHE_COLUMNS.values(), GEOMETRY_WKT_COLUMN], COLUMN_HELP, FICHE_EXAMPLE,
               ALLOWED_SUFFIXES, _fiches),
    ImportKind("fasen", "fasen", [*PHASE_COLUMNS.values(), GEOMETRY_WKT_COLUMN], PHASE_HELP, PHASE_EXAMPLE,
               TABLE_SUFFIXES, _children(import_phases)),
    ImportKind("budget", "budgetlijnen", list(BUDGET_COLUMNS.values()), BUDGET_HELP, BUDGET_EXAMPLE,
               TABLE_SUFFIXES, _children(import_budget_lines)),
)}
TEMPLATE_COLUMNS = IMPORT_KINDS["fiches"].columns
# Columns a file often leaves out: the importer then keeps what existing
# fiches have and gives new fiches the default; the preview says so.
OPTIONAL_COLUMNS = ("ouder_ref", "sdgs", "hangt_af_van", "partners", "gepubliceerd", GEOMETRY_WKT_COLUMN)


class UploadStale(RuntimeError):
    """Fiches in the file were changed by someone else after the preview."""

    def __init__(self, refs: list[str]):
        super().__init__(", ".join(refs))
        self.refs = refs


def template_csv(kind: ImportKind = IMPORT_KINDS["fiches"]) -> bytes:
    """The header and the example row; ';' and a BOM, as Excel in Belgium
    expects (csv quotes a cell that holds a ';')."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(kind.columns)
    writer.writerow([kind.example.get(c, "") for c in kind.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: ImportKind = IMPORT_KINDS["fiches"]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = kind.key
    sheet.append(kind.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([kind.example.get(c, "") for c in kind.columns])
    for cell in sheet[2]:
        cell.number_format = "@"  # text: Excel keeps "250.000" and "3 11" as typed
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("uitleg")
    notes.append(["kolom", "uitleg"])
    for column in kind.columns:
        notes.append([column, kind.help.get(column, "Vrije tekst.")])
    notes.append([])
    notes.append(["", f"Alleen het eerste werkblad ({kind.key}) wordt ingelezen. De tweede rij is een voorbeeld: "
                      "vervang of verwijder ze."])
    if kind.key == "fiches":
        notes.append(["", "Fasen en budgetlijnen importeer je apart, met hun eigen sjabloon."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class PreviewItem:
    ref: str
    title: str
    action: str                      # "nieuw" | "bijgewerkt"
    fiche_id: int | None = None
    changes: list[dict] = field(default_factory=list)


@dataclass
class BulkResult:
    items: list[PreviewItem] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)   # fiche id -> version the preview saw
    layers: list[str] = field(default_factory=list)          # a file with several layers: its layers, to choose from

    @property
    def created(self) -> list[PreviewItem]:
        return [i for i in self.items if i.action == "nieuw"]

    @property
    def updated(self) -> list[PreviewItem]:
        return [i for i in self.items if i.action == "bijgewerkt"]


def _city_fiches(session: Session, municipality: Municipality) -> list[Fiche]:
    return list(session.scalars(
        select(Fiche).where(Fiche.municipality_id == municipality.id).options(
            selectinload(Fiche.sdg_links), selectinload(Fiche.parent), selectinload(Fiche.phases),
            selectinload(Fiche.budget_lines), selectinload(Fiche.progress_reports),
            selectinload(Fiche.dependencies),
        )
    ))


def _run_import(session: Session, municipality: Municipality, kind: ImportKind, data: bytes, filename: str,
                options: dict, before: dict[str, tuple[int, int, dict]], **progress) -> BulkResult:
    """Run the importer in the caller's transaction; what it changed, per fiche."""
    result = BulkResult()
    try:
        kind.run(session, data, municipality=municipality.nis_code, filename=filename, options=options, **progress)
    except ImportFailed as exc:
        result.errors = list(exc.errors)
        result.layers = getattr(exc, "layers", [])
        return result
    except (GeometryError, ValueError) as exc:
        result.errors = [RowError(None, None, str(exc))]
        return result
    except DBAPIError as exc:
        if cannot_write_now(exc):
            raise  # not the file's fault: the caller retries or answers 503
        # The importer does not check text lengths; PostGIS refuses e.g. a
        # 'nummer' over 20 characters at flush (SQLite would store it).
        session.rollback()
        detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        result.errors = [RowError(
            None, None, f"De databank weigerde een waarde uit het bestand (te lang of ongeldig): {detail}")]
        return result
    for fiche in _city_fiches(session, municipality):
        old = before.get(fiche.ref)
        after = history.snapshot(fiche)
        if old is None:
            result.items.append(PreviewItem(fiche.ref, fiche.title, "nieuw", None, history.diff({}, after)))
            continue
        changes = history.diff(old[2], after)
        if changes:
            result.items.append(PreviewItem(fiche.ref, fiche.title, "bijgewerkt", fiche.id, changes))
            result.versions[fiche.id] = old[1]
        else:
            result.unchanged += 1
    return result


def _before(session: Session, municipality: Municipality) -> dict[str, tuple[int, int, dict]]:
    return {f.ref: (f.id, f.version, history.snapshot(f)) for f in _city_fiches(session, municipality)}


def _missing_columns(kind: ImportKind, data: bytes, filename: str, layer: str | None) -> list[str]:
    from ..imports.tables import read_table

    if kind.key != "fiches":
        return []
    try:
        table = read_table(data, filename, layer)
    except ImportFailed:
        return []
    present = set(table.columns) | ({GEOMETRY_WKT_COLUMN} if table.geometries is not None else set())
    return [c for c in OPTIONAL_COLUMNS if c not in present]


def preview(session: Session, municipality: Municipality, kind: ImportKind, data: bytes, filename: str,
            options: dict, *, checked: Progress = None, progress: Progress = None,
            max_rows: int | None = None) -> BulkResult:
    """What importing the file would do, without writing anything: the
    importer runs and the transaction is rolled back.

    On SpatiaLite the first try holds no write lock while the file is read
    and checked (a deferred transaction). If someone saved meanwhile, SQLite
    refuses to turn it into a writing one; the second try then takes the
    write lock from the start (BEGIN IMMEDIATE)."""
    for attempt in (1, 2):
        session.rollback()
        try:
            with writing() if attempt == 2 else contextlib.nullcontext():
                before = _before(session, municipality)
                result = _run_import(session, municipality, kind, data, filename, options, before,
                                     checked=checked, progress=progress, max_rows=max_rows)
            break
        except DBAPIError as exc:
            if attempt == 2 or cannot_write_now(exc) != "busy":
                raise
        finally:
            session.rollback()
    if not result.errors:
        result.missing_columns = _missing_columns(kind, data, filename, options.get("layer") or None)
    return result


def confirm(session: Session, municipality: Municipality, kind: ImportKind, data: bytes, filename: str,
            options: dict, seen_versions: dict[int, int], user: User, *, checked: Progress = None,
            progress: Progress = None) -> BulkResult:
    """Import the previewed file for real, recording every created or changed
    fiche ("import"), in the caller's transaction (the caller commits, or
    rolls back when the result has errors). Refuses (UploadStale) when a
    fiche the preview showed as changed was saved by someone else since."""
    before = _before(session, municipality)
    stale = [ref for ref, (fiche_id, version, _s) in before.items()
             if fiche_id in seen_versions and seen_versions[fiche_id] != version]
    if stale:
        raise UploadStale(sorted(stale))
    result = _run_import(session, municipality, kind, data, filename, options, before,
                         checked=checked, progress=progress)
    if result.errors:
        return result
    note = f"Bulkimport uit {filename}"
    for fiche in _city_fiches(session, municipality):
        old = before.get(fiche.ref)
        history.record(session, fiche, user, "import", old[2] if old else None, note=note)
    return result
