"""Cities for beheerders: a city's settings (/beheer/<slug>/instellingen:
display name, plan, licence, contact, basemap, accent colour, logo, listed,
with their history) and adding a municipality by its NIS code
(/beheer/steden, the same app.write.cities.add_city as `fichekaart cities add`).
Lezers and redacteurs get 403 (app.auth.require_role)."""
from __future__ import annotations

import json

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth import current_user, require_role
from ..db import get_session
from ..licences import KNOWN_LICENCES
from ..numbers import whole_number
from ..read.city_settings import BASEMAPS, city_profile, settings_history, settings_row
from ..write.cities import CityError, add_city, list_cities
from ..write.city_settings import (
    FIELD_LABELS,
    LOGO_MAX_BYTES,
    OTHER_LICENCE,
    LogoUpload,
    SettingsConflict,
    SettingsError,
    save_settings,
)

bp = Blueprint("staff_cities", __name__, url_prefix="/beheer")


@bp.app_template_filter("settings_changes")
def settings_changes(changes_json: str) -> list[dict]:
    """A CitySettingsRevision's changes: [{"field", "old", "new"}]."""
    return json.loads(changes_json)


def _settings_page(values: dict | None = None, *, error: str | None = None, status: int = 200):
    session = get_session()
    row = settings_row(session, g.city)
    return render_template(
        "staff/settings.html", city=g.city, profile=city_profile(session, g.city), row=row,
        values=values, error=error, licences=list(KNOWN_LICENCES.values()), other_licence=OTHER_LICENCE,
        basemaps=BASEMAPS, history=settings_history(session, g.city), field_labels=FIELD_LABELS,
        logo_max_kb=LOGO_MAX_BYTES // 1024,
    ), status


@bp.get("/<slug>/instellingen")
@require_role("beheerder")
def settings(slug):
    return _settings_page()


@bp.post("/<slug>/instellingen")
@require_role("beheerder")
def save(slug):
    session = get_session()
    form = request.form.to_dict()
    form["listed"] = bool(request.form.get("listed"))
    upload = request.files.get("logo")
    logo = LogoUpload(upload.read(LOGO_MAX_BYTES + 1), upload.filename or "") if upload and upload.filename else None
    try:
        changes = save_settings(session, g.city, form, logo=logo, remove_logo=bool(request.form.get("remove_logo")),
                                user=current_user(), expected_version=whole_number(request.form.get("versie")))
    except SettingsConflict as exc:
        session.rollback()
        return _settings_page(form, error=str(exc), status=409)
    except SettingsError as exc:
        session.rollback()
        return _settings_page(form, error=str(exc), status=422)
    session.commit()
    flash("Instellingen bewaard." if changes else "Niets gewijzigd.", "info")
    return redirect(url_for("staff_cities.settings", slug=slug))


@bp.route("/steden", methods=["GET", "POST"])
@require_role("beheerder", city=None)
def cities():
    session = get_session()
    error, status = None, 200
    if request.method == "POST":
        try:
            report = add_city(session, request.form.get("nis", ""), slug=request.form.get("slug") or None)
        except CityError as exc:
            session.rollback()
            error, status = f"{exc} Er werd niets gewijzigd.", 422
        else:
            session.commit()
            flash(report.summary(), "info")
            return redirect(url_for("staff_cities.cities"))
    return render_template("staff/cities.html", cities=list_cities(session), error=error,
                           values=request.form), status
