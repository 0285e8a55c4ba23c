"""Bulk import in the workspace (/beheer/<slug>/import): template download,
upload with preview, confirmation. See app/editing/bulk.py."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from ..auth import current_user, require_role
from ..db import defer_write_lock, get_session, writing
from ..write import history
from ..write.editing import bulk

bp = Blueprint("staff_import", __name__, url_prefix="/beheer")


def _page(status=200, **context):
    return render_template(
        "staff/import.html", city=g.city, suffixes=", ".join(bulk.ALLOWED_SUFFIXES), crs_choices=bulk.WKT_CRS_CHOICES,
        help=bulk.COLUMN_HELP, columns=bulk.TEMPLATE_COLUMNS, format_value=history.format_value,
        labels=history.FIELD_LABELS, **context,
    ), status


@bp.get("/<slug>/import")
@require_role("redacteur")
def upload_form(slug):
    return _page()


@bp.post("/<slug>/import")
@defer_write_lock  # outermost: the preview reads and checks the file for long, no write lock meanwhile
@require_role("redacteur")
def upload(slug):
    file = request.files.get("bestand")
    if file is None or not file.filename:
        return _page(422, error="Kies een bestand om te importeren.")
    filename = Path(file.filename).name
    if Path(filename).suffix.lower() not in bulk.ALLOWED_SUFFIXES:
        return _page(422, error=f"Bestandstype '{Path(filename).suffix or '?'}' wordt niet ondersteund "
                                f"({', '.join(bulk.ALLOWED_SUFFIXES)}).")
    data = file.read()
    options = {
        "crs": request.form.get("crs") if request.form.get("crs") in bulk.WKT_CRS_CHOICES else bulk.DEFAULT_WKT_CRS,
        "repair": bool(request.form.get("herstellen")),
        "drop_z": bool(request.form.get("hoogte_weglaten")),
        "layer": (request.form.get("laag") or "").strip()[:255] or None,
    }
    session = get_session()
    result = bulk.preview(session, g.city, data, filename, options)
    if result.errors:
        return _page(422, result=result, filename=filename)
    token = None
    if result.items:
        # A new transaction that writes: take the write lock up front (even
        # reloading the user after the preview's rollback happens inside it).
        with writing():
            token = bulk.store_upload(session, current_user(), g.city, data, filename,
                                      {**options, "versions": {str(k): v for k, v in result.versions.items()}})
    return _page(result=result, filename=filename, token=token)


@bp.post("/<slug>/import/bevestigen")
@require_role("redacteur")
def confirm(slug):
    session = get_session()
    try:
        upload = bulk.find_upload(session, request.form.get("token", ""), current_user(), g.city)
    except bulk.UploadExpired:
        return _page(410, error="Deze voorvertoning is verlopen of al verwerkt. Laad het bestand opnieuw op.")
    try:
        result = bulk.confirm(session, g.city, upload, current_user())
    except bulk.UploadStale as exc:
        session.rollback()
        return _page(409, error=(
            "Intussen werden fiches uit dit bestand door iemand anders gewijzigd: " + ", ".join(exc.refs)
            + ". Er werd niets geïmporteerd. Laad het bestand opnieuw op om de nieuwe voorvertoning te zien."
        ))
    if result.errors:
        return _page(422, result=result, filename=upload.filename)
    flash(f"Import uit {upload.filename} verwerkt: {len(result.created)} nieuwe fiche(s), "
          f"{len(result.updated)} bijgewerkt. Elke wijziging staat in de geschiedenis van de fiche.", "info")
    return redirect(url_for("staff.city", slug=slug))


@bp.get("/<slug>/import/sjabloon.<fmt>")
@require_role("lezer")
def template(slug, fmt):
    if fmt == "csv":
        body, mimetype = bulk.template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = bulk.template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        from flask import abort

        abort(404)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="fiches-sjabloon.{fmt}"'})
