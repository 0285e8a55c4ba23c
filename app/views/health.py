"""Probes for a load balancer or systemd: /healthz says the process answers
(no database), /readyz that it can serve (database reachable, migrations at
head). Both JSON with Dutch values, never kept or cached."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .. import migrate
from ..db import get_engine
from ..http.outage import DATABASE_UNAVAILABLE, note_outage, retry_after

bp = Blueprint("health", __name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok", "toelichting": "Het proces antwoordt."}), 200, NO_STORE


@bp.get("/readyz")
def readyz():
    engine = get_engine()
    try:
        current = migrate.current_revision(engine)
    except DATABASE_UNAVAILABLE as exc:
        note_outage(exc)
        return _not_ready("De databank is niet bereikbaar.")
    head = _head_revision(engine)
    if current != head:
        return _not_ready(f"De databank staat op migratie {current or '(leeg)'}, verwacht {head}: "
                          "voer 'fichekaart db upgrade' uit.")
    return jsonify({"status": "klaar", "databank": "bereikbaar", "migratie": current}), 200, NO_STORE


def _head_revision(engine) -> str | None:
    """Read from the migration scripts once per app (they change only with a deploy)."""
    extensions = current_app.extensions
    if "fichekaart.head_revision" not in extensions:
        extensions["fichekaart.head_revision"] = migrate.head_revision(engine)
    return extensions["fichekaart.head_revision"]


def _not_ready(reason: str):
    headers = {**NO_STORE, "Retry-After": str(retry_after())}
    return jsonify({"status": "niet klaar", "toelichting": reason}), 503, headers
