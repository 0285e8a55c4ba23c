"""The working version of a published fiche in the workspace: preview it
as the public page, compare it with the public version, publish it, or
discard it (app/write/editing/working.py does the writing).

Only redacteurs of the city see a working version: it is unpublished text.
Like every /beheer answer, these carry Cache-Control: no-store (app.auth).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth import current_user, require_role
from ..db import get_session
from ..numbers import whole_number
from ..write import history
from ..write.editing.service import FicheConflict, FormError
from ..write.editing.working import (
    StaleWorkingVersion,
    comparison,
    discard_working,
    publish_working,
    render_with_working_version,
    working_version_of,
)
from .staff import city_fiche

bp = Blueprint("staff_working", __name__, url_prefix="/beheer")


def _seen() -> tuple[int, int]:
    """(fiche version, working version) the editor's page showed."""
    return whole_number(request.form.get("versie")) or 0, whole_number(request.form.get("werkversie")) or 0


def _no_working_version(fiche):
    flash("Deze fiche heeft geen werkversie (meer): je ziet de gepubliceerde versie.", "info")
    return redirect(url_for("staff.edit_fiche", slug=g.city.slug, fiche_id=fiche.id))


def _conflict_page(fiche, conflict, action: str):
    return render_template("staff/conflict.html", city=g.city, fiche=fiche, conflict=conflict,
                           format_value=history.format_value, action=action), 409


@bp.get("/<slug>/fiches/<int:fiche_id>/werkversie/voorbeeld")
@require_role("redacteur")
def preview(slug, fiche_id):
    from .fiche_page import render_fiche_page

    session = get_session()
    fiche = city_fiche(fiche_id)
    working = working_version_of(session, fiche)
    if working is None:
        return _no_working_version(fiche)
    return render_with_working_version(session, fiche, working,
                                       lambda applied: render_fiche_page(applied, preview=True, working=True))


@bp.get("/<slug>/fiches/<int:fiche_id>/werkversie/vergelijking")
@require_role("redacteur")
def compare(slug, fiche_id):
    session = get_session()
    fiche = city_fiche(fiche_id)
    working = working_version_of(session, fiche)
    if working is None:
        return _no_working_version(fiche)
    return render_template("staff/working_compare.html", city=g.city, fiche=fiche, working=working,
                           rows=comparison(session, fiche, working), format_value=history.format_value)


@bp.post("/<slug>/fiches/<int:fiche_id>/werkversie/publiceren")
@require_role("redacteur")
def publish(slug, fiche_id):
    session = get_session()
    fiche = city_fiche(fiche_id)
    version, working_seen = _seen()
    confirmed = whole_number(request.form.get("bevestig_basis"))
    try:
        revision, notes = publish_working(session, fiche, current_user(), version, working_seen, confirmed)
    except StaleWorkingVersion as exc:
        return render_template(
            "staff/working_stale.html", city=g.city, fiche=fiche, working=exc.working, since=exc.since,
            rows=comparison(session, fiche, exc.working), format_value=history.format_value,
        ), 409
    except FicheConflict as exc:
        return _conflict_page(fiche, exc.conflict, "de werkversie publiceren")
    except FormError as exc:
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("staff.edit_fiche", slug=slug, fiche_id=fiche.id))
    if revision is None:
        flash("De werkversie was gelijk aan de gepubliceerde versie; ze is verwijderd.", "info")
    else:
        flash(f"De werkversie van {fiche.ref} is gepubliceerd (versie {fiche.version}): ze staat nu op de "
              "publieke pagina's, kaarten en downloads.", "info")
    for note in notes:
        flash(note, "warning")
    return redirect(url_for("staff.edit_fiche", slug=slug, fiche_id=fiche.id))


@bp.post("/<slug>/fiches/<int:fiche_id>/werkversie/verwerpen")
@require_role("redacteur")
def discard(slug, fiche_id):
    session = get_session()
    fiche = city_fiche(fiche_id)
    version, working_seen = _seen()
    try:
        discard_working(session, fiche, current_user(), version, working_seen)
    except FicheConflict as exc:
        return _conflict_page(fiche, exc.conflict, "de werkversie verwerpen")
    flash(f"De werkversie van {fiche.ref} is verworpen; de gepubliceerde versie blijft ongewijzigd.", "info")
    return redirect(url_for("staff.edit_fiche", slug=slug, fiche_id=fiche.id))
