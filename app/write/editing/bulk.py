"""Bulk import of fiches from the workspace: a template to fill in, a
preview (the real importer runs inside a transaction that is rolled back),
and the confirmation (the same import, committed, every change recorded).

Between preview and confirmation the file waits in the database
(PendingUpload), tied to the user and the city, under a random token.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from ...columns import (
    BUDGET_BASES,
    FICHE_COLUMNS,
    FICHE_KINDS,
    FICHE_STATUSES,
    GEOMETRY_WKT_COLUMN,
    OBLIGATIONS,
    PRECISIONS,
)
from ...crs import CRS_LABELS, OFFERED_EPSG, STORAGE_EPSG, crs_name
from ...db import cannot_write_now, writing
from ...geometry import GeometryError
from ...models import Fiche, Municipality, PendingUpload, User
from .. import history
from ..imports import ImportFailed, RowError
from ..imports.fiches import import_fiches

TEMPLATE_COLUMNS = [*FICHE_COLUMNS.values(), GEOMETRY_WKT_COLUMN]
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json", ".gpkg", ".zip", ".kml")
UPLOAD_TTL = dt.timedelta(hours=24)
# The CRSs a WKT column may be in (app.crs offers them), storage first: the form's default.
WKT_CRS_CHOICES = {str(epsg): f"{CRS_LABELS[epsg]} ({crs_name(epsg)})" for epsg in OFFERED_EPSG}
DEFAULT_WKT_CRS = str(STORAGE_EPSG)

# What each column means, for the template's second sheet and the upload page.
COLUMN_HELP = {
    "ref": "Verplicht. Unieke code van de fiche binnen de stad (bv. HER-SO-05). "
           "Bestaat ze al, dan wordt de fiche bijgewerkt.",
    "ouder_ref": "Ref van de bovenliggende fiche (sector, doelstelling ...), of leeg.",
    "soort": f"Eén van: {', '.join(FICHE_KINDS)} (standaard fiche).",
    "titel": "Verplicht.",
    "wat_verandert": "Wat verandert er voor jou? Een paar zinnen in eenvoudige taal voor inwoners, of leeg.",
    "sdgs": "Nummers 1 tot 17, gescheiden door ; (bv. 3;11).",
    "verplicht_keuze": f"{' of '.join(OBLIGATIONS)}, of leeg.",
    "prioritair": "ja, nee, of leeg / niet vermeld als de bron er niets over zegt.",
    "prioritair_afgeleid": "Leeg als de bron prioritair zelf vermeldt; anders waarom de waarde afgeleid is.",
    "status_volgens": "Waar de status vandaan komt en wanneer, bv. jaarrekening 2022.",
    "ligging_bron": "De woorden van de bron waarop de ligging steunt, letterlijk.",
    "ligging_aanname": "Wat aan de ligging een aanname is (publiek).",
    "interne_opmerking": "Alleen voor medewerkers: komt nooit op een publieke pagina of in een download.",
    "status": f"Eén van: {', '.join(FICHE_STATUSES)}.",
    "voortgang_pct": "Geheel getal van 0 tot 100.",
    "hangt_af_van": "Refs van andere fiches, gescheiden door ;.",
    "partners": "Externe partners, gescheiden door ; (bv. Aquafin;Neteland).",
    "ligging": f"{' of '.join(PRECISIONS)}.",
    "gepubliceerd": "ja of nee. Leeg = nee: de fiche wordt (of blijft) een ontwerp.",
    GEOMETRY_WKT_COLUMN: "Geometrie als WKT (bv. POINT (182716.8 207503.1)), in het gekozen coördinatenstelsel.",
}
# Columns a file often leaves out: the importer then keeps what existing
# fiches have and gives new fiches the default; the preview says so.
OPTIONAL_COLUMNS = ("ouder_ref", "sdgs", "hangt_af_van", "partners", "gepubliceerd", GEOMETRY_WKT_COLUMN)


class UploadExpired(LookupError):
    pass


class UploadStale(RuntimeError):
    """Fiches in the file were changed by someone else after the preview."""

    def __init__(self, refs: list[str]):
        super().__init__(", ".join(refs))
        self.refs = refs


def template_csv() -> bytes:
    """Header only; ';' and a BOM, as Excel in Belgium expects."""
    return ("\ufeff" + ";".join(TEMPLATE_COLUMNS) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "fiches"
    sheet.append(TEMPLATE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("uitleg")
    notes.append(["kolom", "uitleg"])
    for column in TEMPLATE_COLUMNS:
        notes.append([column, COLUMN_HELP.get(column, "Vrije tekst.")])
    notes.append([])
    notes.append(["", "Alleen het eerste werkblad (fiches) wordt ingelezen. Bedragen en fasen importeer je apart."])
    notes.append(["", f"Budgetbasis bij budgetlijnen: {', '.join(BUDGET_BASES)}."])
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


def _run_import(session: Session, municipality: Municipality, data: bytes, filename: str, options: dict,
                before: dict[str, tuple[int, int, dict]]) -> BulkResult:
    result = BulkResult()
    try:
        import_fiches(session, data, municipality=municipality.nis_code, filename=filename,
                      crs=options.get("crs") or None, repair_invalid=bool(options.get("repair")),
                      drop_z=bool(options.get("drop_z")), layer=options.get("layer") or None)
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


def _missing_columns(data: bytes, filename: str, layer: str | None) -> list[str]:
    from ..imports.tables import read_table

    try:
        table = read_table(data, filename, layer)
    except ImportFailed:
        return []
    present = set(table.columns) | ({GEOMETRY_WKT_COLUMN} if table.geometries is not None else set())
    return [c for c in OPTIONAL_COLUMNS if c not in present]


def preview(session: Session, municipality: Municipality, data: bytes, filename: str, options: dict) -> BulkResult:
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
                result = _run_import(session, municipality, data, filename, options, before)
            break
        except DBAPIError as exc:
            if attempt == 2 or cannot_write_now(exc) != "busy":
                raise
        finally:
            session.rollback()
    if not result.errors:
        result.missing_columns = _missing_columns(data, filename, options.get("layer") or None)
    return result


def store_upload(session: Session, user: User, municipality: Municipality, data: bytes, filename: str,
                 options: dict) -> str:
    """Keep the file until confirmation (one pending file per user and city). Commits."""
    now = dt.datetime.now(dt.UTC)
    session.execute(delete(PendingUpload).where(
        (PendingUpload.created_at < now - UPLOAD_TTL)
        | ((PendingUpload.user_id == user.id) & (PendingUpload.municipality_id == municipality.id))
    ))
    token = secrets.token_urlsafe(32)
    session.add(PendingUpload(token=token, user_id=user.id, municipality_id=municipality.id, filename=filename[:255],
                              options=json.dumps(options), data=data, created_at=now))
    session.commit()
    return token


def find_upload(session: Session, token: str, user: User, municipality: Municipality) -> PendingUpload:
    upload = session.scalar(select(PendingUpload).where(
        PendingUpload.token == token, PendingUpload.user_id == user.id, PendingUpload.municipality_id == municipality.id
    ))
    if upload is None:
        raise UploadExpired()
    from ...auth import as_utc

    if as_utc(upload.created_at) < dt.datetime.now(dt.UTC) - UPLOAD_TTL:
        raise UploadExpired()
    return upload


def confirm(session: Session, municipality: Municipality, upload: PendingUpload, user: User) -> BulkResult:
    """Import the previewed file for real, recording every created or changed
    fiche ("import"). Refuses (UploadStale) when a fiche the preview showed as
    changed was saved by someone else since. Commits, or rolls back on error."""
    options = json.loads(upload.options or "{}")
    before = _before(session, municipality)
    seen = {int(k): v for k, v in options.get("versions", {}).items()}
    stale = [ref for ref, (fiche_id, version, _s) in before.items() if fiche_id in seen and seen[fiche_id] != version]
    if stale:
        raise UploadStale(sorted(stale))
    result = _run_import(session, municipality, upload.data, upload.filename, options, before)
    if result.errors:
        session.rollback()
        return result
    note = f"Bulkimport uit {upload.filename}"
    for fiche in _city_fiches(session, municipality):
        old = before.get(fiche.ref)
        history.record(session, fiche, user, "import", old[2] if old else None, note=note)
    session.delete(upload)
    session.commit()
    return result
