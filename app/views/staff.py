"""Staff workspace (/beheer): dashboard, the fiche form (fields, rows,
geometry), publishing, preview of a draft, history and restore.

Bulk import lives in staff_import.py, accounts in staff_users.py. Every view
is guarded by app.auth.require_role; the tests walk all of them.
"""
from __future__ import annotations

import shapely
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth import current_user, login_required, require_role, visible_cities
from ..columns import (
    BUDGET_BASES,
    BUDGET_DIRECTIONS,
    BUDGET_KINDS,
    FICHE_KINDS,
    FICHE_STATUSES,
    OBLIGATIONS,
    PHASE_KINDS,
    PHASE_STATUSES,
    PRECISIONS,
)
from ..crs import STORAGE_EPSG, transform
from ..db import get_session
from ..models import Fiche, FicheRevision, Municipality
from ..numbers import format_amount, parse_amount, whole_number
from ..read import shape_maps
from ..read.staff import (
    city_refs,
    city_sectors,
    newest_revisions,
    publication_counts,
    staff_fiches,
    with_working_version,
)
from ..spatial import from_db
from ..write import history
from ..write.editing import form as fiche_form
from ..write.editing.geometry import (
    FAR_OUTSIDE_METRES,
    UPLOAD_SUFFIXES,
    GeometryInputError,
    distance_beyond_city,
    far_outside_message,
    geometry_from_drawing,
    geometry_from_file,
    outside_city,
    outside_city_warning,
    same_geojson,
    to_form_geojson,
)
from ..write.editing.service import FicheConflict, FormError, restore_revision, save_fiche, set_published
from ..write.editing.working import editing_state, edits_working_version, save_working, working_version_of
from . import staff_map

bp = Blueprint("staff", __name__, url_prefix="/beheer")


@bp.app_template_filter("staff_time")
def staff_time(value) -> str:
    """A stored timestamp in Belgian time: 22/11/2026 14:05."""
    return history.local_time(value).strftime("%d/%m/%Y %H:%M") if value else ""


@bp.app_template_filter("revision_fields")
def revision_fields(changes_json: str) -> str:
    """The Dutch labels of the fields a revision changed."""
    import json

    return ", ".join(history.FIELD_LABELS.get(c["field"], c["field"]) for c in json.loads(changes_json))


@bp.app_template_filter("amount_preview")
def amount_preview(value) -> str:
    """'250.000' -> '= 250.000 €': the amount as the server will store it,
    shown beside the field (empty when the field is empty or refused)."""
    try:
        amount = parse_amount(value)
    except ValueError:
        return ""
    return "" if amount is None else f"= {format_amount(amount)}"


@bp.get("/bedrag")
@login_required
def amount_as_understood():
    """The amount typed so far as the server reads it (amount.js shows it
    beside the field before saving): {"bedrag": "250.000 €"} or {"fout": ...}."""
    try:
        amount = parse_amount(request.args.get("waarde", "")[:100])
    except ValueError as exc:
        return {"fout": str(exc)}
    return {"bedrag": format_amount(amount) if amount is not None else ""}


def city_fiche(fiche_id: int) -> Fiche:
    """The fiche `fiche_id` of the city on g.city (set by require_role); 404 otherwise."""
    fiche = get_session().get(Fiche, fiche_id)
    if fiche is None or fiche.municipality_id != g.city.id:
        abort(404)
    return fiche


def _version() -> int | None:
    return whole_number(request.form.get("versie"))


def _working_version() -> int:
    """The working version's version the form started from (0: none)."""
    return whole_number(request.form.get("werkversie")) or 0


def _shown_geometry(fiche: Fiche | None):
    """The geometry the form shows: the working version's when there is one."""
    if fiche is None:
        return None
    working = working_version_of(get_session(), fiche)
    if working is None:
        return from_db(fiche.geom)
    wkt = editing_state(get_session(), fiche).get("geometry")
    return shapely.from_wkt(wkt) if wkt else None


# Dashboard -------------------------------------------------------------------

@bp.get("/")
@login_required
def dashboard():
    cities = visible_cities(get_session(), current_user())
    if len(cities) == 1:
        return redirect(url_for("staff.city", slug=cities[0].slug))
    return render_template("staff/dashboard.html", cities=cities)


@bp.get("/<slug>/")
@require_role("lezer")
def city(slug):
    session = get_session()
    status, state = request.args.get("status", ""), request.args.get("toestand", "")
    q = request.args.get("q", "").strip()
    published = {"ontwerp": False, "gepubliceerd": True}.get(state)
    fiches = staff_fiches(session, g.city, status=status if status in FICHE_STATUSES else None,
                          published=published, q=q)
    last = newest_revisions(session, [f.id for f in fiches])
    counts = publication_counts(session, g.city)
    return render_template(
        "staff/city.html", city=g.city, fiches=fiches, last=last, statuses=FICHE_STATUSES,
        filters={"status": status, "toestand": state, "q": q},
        drafts=counts.get(False, 0), published=counts.get(True, 0), working=with_working_version(session, g.city),
    )


# The fiche form --------------------------------------------------------------

def _candidates(city: Municipality, fiche: Fiche | None) -> tuple[dict, dict, dict]:
    """Fiches that may be chosen as parent (not the fiche itself nor what lies
    below it), as dependency (not the fiche itself), and all titles by id."""
    session = get_session()
    others = staff_fiches(session, city)
    dependencies = {f.id: {"id": f.id, "ref": f.ref} for f in others if fiche is None or f.id != fiche.id}
    parents = {
        f.id: {"id": f.id, "ref": f.ref} for f in others
        if fiche is None or not history.is_descendant(f, fiche)
    }
    titles = {f.id: f.title for f in others}
    return parents, dependencies, titles


def _render_form(fiche: Fiche | None, values, *, errors=None, status=200, conflict=None, repairable=False,
                 version=None, warning=None, working_version=None, confirm_far=False, rejected=None):
    city = g.city
    parents, dependencies, titles = _candidates(city, fiche)
    working = working_version_of(get_session(), fiche) if fiche is not None else None
    stored_geom = _shown_geometry(fiche)
    if not values.get("geometrie_geojson"):
        values = values.copy()
        values["geometrie_geojson"] = to_form_geojson(stored_geom)
    # No notice about the stored place next to an error about a new one.
    if (warning is None and not (errors or {}).get("geometrie") and stored_geom is not None
            and outside_city(get_session(), city, stored_geom)):
        warning = outside_city_warning(city)
    sectors = city_sectors(get_session(), city)
    # The refused shape beside the geometry error, the stored one (kept) for comparison.
    error_shapes = shape_maps.rejected_shapes(stored_geom, rejected) if (errors or {}).get("geometrie") else None
    return render_template(
        "staff/fiche_form.html", city=city, fiche=fiche, v=values, errors=errors or {}, conflict=conflict,
        repairable=repairable, version=version if version is not None else (fiche.version if fiche else ""),
        working=working, edits_working=edits_working_version(fiche, working), has_geometry=stored_geom is not None,
        confirm_far=confirm_far or bool(values.get(FAR_CONFIRMATION)),
        working_version=working_version if working_version is not None else (working.version if working else 0),
        parents=parents, dependencies=dependencies, titles=titles, sectors=sectors, geometry_warning=warning,
        groups={g_.attr: fiche_form.rows_for_display(values, g_) for g_ in fiche_form.ROW_GROUPS},
        row_groups=fiche_form.ROW_GROUPS,
        choices={
            "kind": FICHE_KINDS, "status": FICHE_STATUSES, "obligation": OBLIGATIONS, "precision": PRECISIONS,
            "phase_kind": PHASE_KINDS, "phase_status": PHASE_STATUSES, "budget_kind": BUDGET_KINDS,
            "direction": BUDGET_DIRECTIONS, "basis": BUDGET_BASES,
        },
        upload_suffixes=", ".join(UPLOAD_SUFFIXES), map_parts=staff_map.edit_map(city, stored_geom),
        format_value=history.format_value, error_label=fiche_form.error_label, error_shapes=error_shapes,
        outline=shape_maps.city_outline(get_session(), city) if error_shapes else None,
    ), status


def _geometry_from_request(fiche: Fiche | None, values) -> tuple[str | None, bool]:
    """The submitted geometry as WKT in EPSG:31370 (unchanged when the map
    input was not touched). Raises GeometryInputError; on a repairable
    problem in an uploaded file, puts the shape into values (the hidden
    input) so that the re-submit with repair does not need the file again."""
    repair = bool(request.form.get("geometrie_herstellen"))
    drop_z = bool(request.form.get("hoogte_weglaten"))
    current = _shown_geometry(fiche)
    upload = request.files.get("geometrie_bestand")
    if request.form.get("geometrie_wissen"):
        return None, False
    if upload is not None and upload.filename:
        try:
            geom = geometry_from_file(upload.read(), upload.filename, repair=repair, drop_z=drop_z)
        except GeometryInputError as exc:
            if exc.pending:
                values.setlist("geometrie_geojson", [exc.pending])
            raise
        return history.wkt_of(geom), True
    text = request.form.get("geometrie_geojson") or ""
    # The map writes an (empty) FeatureCollection whenever it was edited;
    # a missing or empty input means "not touched".
    if not text.strip() or same_geojson(text, to_form_geojson(current)):
        return history.wkt_of(current), False
    return history.wkt_of(geometry_from_drawing(text, repair=repair, drop_z=drop_z)), True


FAR_CONFIRMATION = "ver_buiten_bevestigd"


def _needs_far_confirmation(values, wkt: str, errors: dict) -> bool:
    """A new place more than FAR_OUTSIDE_METRES beyond the city's boundary
    is saved only with the confirmation box ticked; otherwise an error about
    the place, and the shape goes into the hidden input (an uploaded file
    need not be sent again)."""
    geom = shapely.from_wkt(wkt)
    beyond = distance_beyond_city(get_session(), g.city, geom)
    if beyond is None or beyond <= FAR_OUTSIDE_METRES:
        return False
    if not values.get(FAR_CONFIRMATION):
        errors["geometrie"] = far_outside_message(g.city, beyond)
        values.setlist("geometrie_geojson", [to_form_geojson(geom)])
    return True


def _handle_form(fiche: Fiche | None):
    session = get_session()
    values = request.form.copy()
    parents, dependencies, _titles = _candidates(g.city, fiche)
    existing = {}
    if fiche is not None:
        existing = {"phases": {p["id"]: p for p in editing_state(session, fiche)["phases"] if p.get("id")}}
    parsed = fiche_form.parse_form(values, parents=parents, dependencies=dependencies, existing_rows=existing)
    errors = dict(parsed.errors)
    repairable, rejected = False, None
    try:
        wkt, geometry_changed = _geometry_from_request(fiche, values)
    except GeometryInputError as exc:
        errors["geometrie"] = str(exc)
        repairable, rejected = exc.repairable, exc.rejected
        wkt, geometry_changed = None, False
    if geometry_changed and wkt and not parsed.state.get("geometry_precision"):
        errors["ligging"] = "Geef aan hoe nauwkeurig de nieuwe ligging is: exact of indicatief."
    confirm_far = geometry_changed and wkt is not None and _needs_far_confirmation(values, wkt, errors)
    if confirm_far and errors.get("geometrie") and wkt:
        rejected = transform(shapely.from_wkt(wkt), STORAGE_EPSG, 4326)
    if errors:
        return _render_form(fiche, values, errors=errors, status=422, repairable=repairable, version=_version(),
                            working_version=_working_version(), confirm_far=confirm_far, rejected=rejected)
    state = {**parsed.state, "geometry": wkt}
    if fiche is not None and edits_working_version(fiche, working_version_of(session, fiche)):
        return _save_working(fiche, values, state, geometry_changed)
    try:
        saved, revision, notes = save_fiche(session, g.city, fiche, state, current_user(), _version())
    except FormError as exc:
        session.rollback()
        errors = {fiche_form.C.get(k, k): v for k, v in exc.errors.items()}
        return _render_form(fiche, values, errors=errors, status=422, version=_version())
    except FicheConflict as exc:
        return _render_form(session.get(Fiche, fiche.id), values, status=409, conflict=exc.conflict,
                            version=exc.conflict.stored_version)
    if revision is None:
        flash("Er was niets gewijzigd.", "info")
    else:
        flash(f"Fiche {saved.ref} bewaard (versie {saved.version})."
              + ("" if saved.published else " Ze is nog een ontwerp: niet publiek zichtbaar."), "info")
    for note in notes:
        flash(note, "warning")
    if geometry_changed and outside_city(session, g.city, from_db(saved.geom)):
        flash(outside_city_warning(g.city), "warning")
    return redirect(url_for("staff.edit_fiche", slug=g.city.slug, fiche_id=saved.id))


def _save_working(fiche: Fiche, values, state: dict, geometry_changed: bool):
    """Save a published fiche's form into its working version (the public
    keeps seeing the live fiche until "Publiceren")."""
    session = get_session()
    try:
        working, revision = save_working(session, g.city, fiche, state, current_user(), _version(),
                                         _working_version())
    except FormError as exc:
        session.rollback()
        errors = {fiche_form.C.get(k, k): v for k, v in exc.errors.items()}
        return _render_form(fiche, values, errors=errors, status=422, version=_version(),
                            working_version=_working_version())
    except FicheConflict as exc:
        return _render_form(session.get(Fiche, fiche.id), values, status=409, conflict=exc.conflict,
                            version=exc.conflict.stored_version, working_version=exc.conflict.working_version)
    if revision is None:
        flash("Er was niets gewijzigd.", "info")
    else:
        flash(f"Werkversie van {fiche.ref} bewaard (werkversie {working.version}). Het publiek ziet nog de "
              "gepubliceerde versie tot je de werkversie publiceert.", "info")
    wkt = state.get("geometry")
    if geometry_changed and wkt and outside_city(session, g.city, shapely.from_wkt(wkt)):
        flash(outside_city_warning(g.city), "warning")
    return redirect(url_for("staff.edit_fiche", slug=g.city.slug, fiche_id=fiche.id))


@bp.route("/<slug>/fiches/nieuw", methods=["GET", "POST"])
@require_role("redacteur")
def new_fiche(slug):
    if request.method == "POST":
        return _handle_form(None)
    values = fiche_form.form_data({"kind": "fiche", "status": "voorstel", "ref": _next_ref(g.city)})
    return _render_form(None, values)


def _next_ref(city: Municipality) -> str:
    """A suggestion: the city's prefix and the next free number (HER-NIEUW-3)."""
    refs = city_refs(get_session(), city)
    prefix = city.slug[:3].upper()
    n = 1
    while f"{prefix}-NIEUW-{n}" in refs:
        n += 1
    return f"{prefix}-NIEUW-{n}"


@bp.route("/<slug>/fiches/<int:fiche_id>/bewerken", methods=["GET", "POST"])
@require_role("redacteur")
def edit_fiche(slug, fiche_id):
    fiche = city_fiche(fiche_id)
    if request.method == "POST":
        return _handle_form(fiche)
    return _render_form(fiche, fiche_form.form_data(editing_state(get_session(), fiche)))


@bp.post("/<slug>/fiches/<int:fiche_id>/publicatie")
@require_role("redacteur")
def publish(slug, fiche_id):
    fiche = city_fiche(fiche_id)
    wanted = request.form.get("actie") == "publiceren"
    try:
        revision = set_published(get_session(), fiche, wanted, current_user(), _version() or 0)
    except FicheConflict as exc:
        return render_template("staff/conflict.html", city=g.city, fiche=fiche, conflict=exc.conflict,
                               format_value=history.format_value,
                               action="publiceren" if wanted else "terugzetten naar ontwerp"), 409
    if revision is None:
        flash("Er was niets te wijzigen.", "info")
    elif wanted:
        flash(f"Fiche {fiche.ref} is gepubliceerd: ze staat nu op de publieke pagina's en kaarten.", "info")
    else:
        flash(f"Fiche {fiche.ref} is weer een ontwerp: ze is niet meer publiek zichtbaar.", "info")
    return redirect(request.form.get("terug") if request.form.get("terug", "").startswith("/beheer/")
                    else url_for("staff.edit_fiche", slug=slug, fiche_id=fiche.id))


@bp.get("/<slug>/fiches/<int:fiche_id>/voorbeeld")
@require_role("lezer")
def preview(slug, fiche_id):
    fiche = city_fiche(fiche_id)
    return staff_map.render_preview(g.city, fiche)


# History ---------------------------------------------------------------------

@bp.get("/<slug>/fiches/<int:fiche_id>/geschiedenis")
@require_role("lezer")
def fiche_history(slug, fiche_id):
    fiche = city_fiche(fiche_id)
    revisions = history.revisions_of(get_session(), fiche)
    changes = {r.id: history.changes_of(r) for r in revisions}
    shapes = {rid: shape_maps.revision_shapes(c["old"], c["new"])
              for rid, items in changes.items() for c in items if c["field"] == "geometry"}
    maps_needed = any(s["map"] for s in shapes.values())
    return render_template(
        "staff/history.html", city=g.city, fiche=fiche, revisions=revisions, shapes=shapes,
        maps_needed=maps_needed, outline=shape_maps.city_outline(get_session(), g.city) if maps_needed else None,
        changes=changes, labels=history.FIELD_LABELS,
        actions=history.ACTION_LABELS, format_value=history.format_value, local_time=history.local_time,
    )


@bp.post("/<slug>/fiches/<int:fiche_id>/geschiedenis/<int:revision_id>/herstellen")
@require_role("redacteur")
def restore(slug, fiche_id, revision_id):
    session = get_session()
    fiche = city_fiche(fiche_id)
    revision = session.get(FicheRevision, revision_id)
    if revision is None or revision.fiche_id != fiche.id:
        abort(404)
    when = "voor" if request.form.get("toestand") == "voor" else "na"
    try:
        new_revision, notes = restore_revision(session, fiche, revision, when, current_user(), _version() or 0)
    except FicheConflict as exc:
        return render_template("staff/conflict.html", city=g.city, fiche=fiche, conflict=exc.conflict,
                               format_value=history.format_value, action="een eerdere versie herstellen"), 409
    if new_revision is None:
        flash("Die versie is gelijk aan de huidige: er werd niets gewijzigd.", "info")
    else:
        flash(f"Eerdere versie hersteld (nu versie {fiche.version}). Ook dit herstel staat in de geschiedenis.", "info")
    for note in notes:
        flash(note, "warning")
    return redirect(url_for("staff.fiche_history", slug=slug, fiche_id=fiche.id))
