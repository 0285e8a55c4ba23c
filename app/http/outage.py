"""When the database is down, slow or full: a Dutch 503 with Retry-After,
and one log line per interval instead of a traceback per request.

"Unavailable" is what a working app can get from a database it cannot use
right now: a refused or timed-out connection, a statement cancelled by
statement_timeout, no free connection in the pool within its timeout, an
unreadable SQLite file. Errors in our own SQL (ProgrammingError,
IntegrityError ...) are not among them and stay 500s with a traceback.

Pages answer HTML, /api and /ogc (and clients asking for JSON) an OGC
exception document. Kept public pages are still served during an outage:
see app/http/page_cache.py.
"""
from __future__ import annotations

import threading
import time

from flask import Flask, current_app, g, jsonify, render_template
from sqlalchemy import exc as sa_exc

from .web import wants_json

DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)

TITLE = "Tijdelijk niet beschikbaar"
TEXT = ("De databank is even niet bereikbaar. Probeer het over {seconds} seconden opnieuw. "
        "Er werd niets half opgeslagen.")


class OutageLog:
    """Logs a database error at most once per `interval` seconds (per
    process and app), with the number of errors it kept quiet about."""

    def __init__(self, interval: float):
        self.interval = interval
        self.next_at = 0.0
        self.quiet = 0
        self.lock = threading.Lock()

    def note(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if now < self.next_at:
                self.quiet += 1
                return
            quiet, self.quiet, self.next_at = self.quiet, 0, now + self.interval
        more = f" ({quiet} more since the last line)" if quiet else ""
        current_app.logger.error("database unavailable: %s%s", describe(exc), more)


def describe(exc: BaseException) -> str:
    """The error on one line: its class and the first line of the driver's message."""
    original = getattr(exc, "orig", None) or exc
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__name__}: {first_line}"[:300]


def note_outage(exc: BaseException) -> None:
    """Count and (rate-limited) log a database error."""
    current_app.extensions["fichekaart.outage_log"].note(exc)
    metrics = current_app.extensions.get("fichekaart.metrics")
    if metrics is not None:
        metrics.database_errors.inc()


def retry_after() -> int:
    return int(current_app.config.get("DB_RETRY_AFTER", 30))


def unavailable_response(exc: BaseException | None = None):
    """The 503 answer (HTML or JSON) for a database that cannot be used now."""
    if exc is not None:
        note_outage(exc)
    seconds = retry_after()
    text = TEXT.format(seconds=seconds)
    if wants_json():
        response = jsonify({"code": "ServiceUnavailable", "description": text, "status": 503})
    else:
        # The page must not need the database: no user is looked up.
        g.setdefault("current_user", None)
        response = current_app.make_response(
            render_template("errors/error.html", status=503, title=TITLE, text=text))
    response.status_code = 503
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.extensions["fichekaart.outage_log"] = OutageLog(float(app.config.get("DB_ERROR_LOG_INTERVAL", 30)))
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, unavailable_response)
