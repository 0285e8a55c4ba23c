"""Bulk import in the workspace (/beheer/<slug>/import): templates, upload,
then the job's page (/import/<token>): progress while the worker checks the
file, a paginated preview, confirmation, the result. The requests only store
and read the job (app/jobs/imports.py); the worker does the importing."""
from __future__ import annotations

import math
from pathlib import Path

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, url_for

from ..auth import current_user, require_role
from ..db import get_session
from ..jobs import imports as jobs
from ..jobs.queue import read_progress
from ..numbers import format_amount, whole_number
from ..read import shape_maps
from ..write import history
from ..write.editing import bulk

bp = Blueprint("staff_import", __name__, url_prefix="/beheer")

PAGE_SIZE = 50          # preview items per page
ERRORS_SHOWN = 500      # row errors listed on the page (the count names the rest)
REFRESH_SECONDS = 2     # the progress page reloads itself (without JS) this often


def _upload_page(status=200, **context):
    return render_template(
        "staff/import.html", city=g.city, kinds=bulk.IMPORT_KINDS, crs_choices=bulk.WKT_CRS_CHOICES,
        max_rows=format_amount(jobs.max_rows(), symbol=False), **context,
    ), status


@bp.get("/<slug>/import")
@require_role("redacteur")
def upload_form(slug):
    return _upload_page()


@bp.post("/<slug>/import")
@require_role("redacteur")
def upload(slug):
    kind = bulk.IMPORT_KINDS.get(request.form.get("soort") or "fiches")
    if kind is None:
        return _upload_page(422, error="Kies wat het bestand bevat: fiches, fasen of budgetlijnen.")
    file = request.files.get("bestand")
    if file is None or not file.filename:
        return _upload_page(422, error="Kies een bestand om te importeren.")
    filename = Path(file.filename).name
    if Path(filename).suffix.lower() not in kind.suffixes:
        return _upload_page(422, error=f"Bestandstype '{Path(filename).suffix or '?'}' wordt niet ondersteund "
                                       f"voor {kind.label} ({', '.join(kind.suffixes)}).")
    options = {
        "crs": request.form.get("crs") if request.form.get("crs") in bulk.WKT_CRS_CHOICES else bulk.DEFAULT_WKT_CRS,
        "repair": bool(request.form.get("herstellen")),
        "drop_z": bool(request.form.get("hoogte_weglaten")),
        "layer": (request.form.get("laag") or "").strip()[:255] or None,
    }
    job = jobs.start(get_session(), current_user(), g.city, kind, file.read(), filename, options)
    return redirect(url_for("staff_import.job_page", slug=slug, token=job.token), 303)


def _job_or_404():
    job = jobs.find(get_session(), request.view_args["token"], current_user(), g.city)
    if job is None:
        abort(404)
    return job


@bp.get("/<slug>/import/<token>")
@require_role("redacteur")
def job_page(slug, token):
    job = _job_or_404()
    if job.state in ("fouten", "mislukt"):
        return _job_view(job, 409 if jobs.result_of(job).get("conflict") else 422)
    return _job_view(job, 200)


def _job_view(job, status: int, error: str | None = None):
    result = jobs.result_of(job)
    items = result.get("items", [])
    pages = max(1, math.ceil(len(items) / PAGE_SIZE))
    page = min(whole_number(request.args.get("pagina", "1"), 1) or 1, pages)
    shown = items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    # a geometry the import changes: before/after on a small map (as in the history)
    shapes = {i: shape_maps.revision_shapes(c["old"], c["new"])
              for i, item in enumerate(shown) for c in item.get("changes", []) if c["field"] == "geometry"}
    maps_needed = any(s["map"] for s in shapes.values())
    return render_template(
        "staff/import_job.html", city=g.city, job=job, kind=bulk.IMPORT_KINDS[job.kind], result=result,
        errors=jobs.errors_of(result), errors_shown=ERRORS_SHOWN, running=job.state in jobs.RUNNING,
        progress=read_progress(job.token) if job.state in jobs.RUNNING else None, error=error,
        state_label=jobs.STATE_LABELS[job.state], phase_labels=jobs.PHASE_LABELS, refresh=REFRESH_SECONDS,
        items=shown, page=page, pages=pages, shapes=shapes, maps_needed=maps_needed,
        outline=shape_maps.city_outline(get_session(), g.city) if maps_needed else None,
        can_confirm=job.state == "voorvertoning" and job.data is not None, stalled=jobs.stalled(job),
        format_value=history.format_value, labels=history.FIELD_LABELS,
    ), status


@bp.get("/<slug>/import/<token>/status.json")
@require_role("redacteur")
def job_status(slug, token):
    """What the progress page polls: small, and read from the queue's store."""
    job = _job_or_404()
    progress = read_progress(job.token) if job.state in jobs.RUNNING else None
    return jsonify({
        "state": job.state, "label": jobs.STATE_LABELS[job.state], "running": job.state in jobs.RUNNING,
        "phase": (progress or {}).get("phase"), "phase_label": jobs.PHASE_LABELS.get((progress or {}).get("phase")),
        "done": (progress or {}).get("done", 0), "total": (progress or {}).get("total", 0),
    })


@bp.post("/<slug>/import/<token>/bevestigen")
@require_role("redacteur")
def confirm(slug, token):
    job = _job_or_404()
    if not jobs.confirm(get_session(), job):
        get_session().refresh(job)
        return _job_view(job, 410, "Deze voorvertoning is verlopen of al verwerkt. Laad het bestand opnieuw op.")
    return redirect(url_for("staff_import.job_page", slug=slug, token=token), 303)


@bp.post("/<slug>/import/<token>/laag")
@require_role("redacteur")
def choose_layer(slug, token):
    job = _job_or_404()
    if not jobs.choose_layer(get_session(), job, (request.form.get("laag") or "").strip()):
        get_session().refresh(job)
        return _job_view(job, 422, "Kies een van de lagen van het bestand.")
    return redirect(url_for("staff_import.job_page", slug=slug, token=token), 303)


@bp.get("/<slug>/import/<kind>-sjabloon.<fmt>")
@require_role("lezer")
def template(slug, kind, fmt):
    import_kind = bulk.IMPORT_KINDS.get(kind)
    if import_kind is None or fmt not in ("csv", "xlsx"):
        abort(404)
    if fmt == "csv":
        body, mimetype = bulk.template_csv(import_kind), "text/csv; charset=utf-8"
    else:
        body = bulk.template_xlsx(import_kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{import_kind.template_name(fmt)}"'})
