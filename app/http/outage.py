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

A database that cannot be connected to is not asked again by every request:
after a failed connection the process holds requests back for
FICHEKAART_DB_OUTAGE_HOLD seconds (default 5): they get the kept page or
the 503 at once instead of each waiting the connect timeout on a frozen
server. Then one request tries again (the others are still held back) and
the first connection that works ends the hold. A slow statement or a full
pool does not start a hold: the database itself answers.
"""
from __future__ import annotations

import threading
import time

from flask import Flask, current_app, g, jsonify, render_template
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from ..db import PRIMARY, STANDBY
from .web import wants_json


class DatabaseHeldBack(RuntimeError):
    """Not tried: the database failed to connect a moment ago (OutageHold)."""


DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, DatabaseHeldBack)

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


class OutageHold:
    """Per process: after a failed connection, no request tries the database
    for `hold` seconds; then one tries, and a working connection ends it."""

    def __init__(self, hold: float):
        self.hold = hold
        self.until = 0.0  # 0: not holding
        self.lock = threading.Lock()

    def check(self) -> None:
        """Raise DatabaseHeldBack while holding; let one caller through when the hold is over."""
        if not self.until:
            return
        now = time.monotonic()
        with self.lock:
            if self.until and now < self.until:
                raise DatabaseHeldBack("database held back after a failed connection")
            if self.until:
                self.until = now + self.hold  # this caller tries; the others stay held back meanwhile

    def start(self) -> None:
        if self.hold > 0:
            with self.lock:
                self.until = time.monotonic() + self.hold

    def end(self, *_args) -> None:
        if self.until:
            with self.lock:
                self.until = 0.0


def is_connection_failure(exc: BaseException) -> bool:
    """A database error raised while connecting (no statement was sent)."""
    return isinstance(exc, sa_exc.DBAPIError) and exc.statement is None


def describe(exc: BaseException) -> str:
    """The error on one line: its class and the first line of the driver's message."""
    original = getattr(exc, "orig", None) or exc
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__name__}: {first_line}"[:300]


def note_outage(exc: BaseException) -> None:
    """Count and (rate-limited) log a database error; a failed connection starts a hold."""
    log: OutageLog = current_app.extensions["fichekaart.outage_log"]
    if isinstance(exc, DatabaseHeldBack):
        with log.lock:
            log.quiet += 1
    else:
        log.note(exc)
    if is_connection_failure(exc):
        current_app.extensions["fichekaart.outage_holds"][g.get("db_database", PRIMARY)].start()
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


def init_app(app: Flask, engine, read_engine=None) -> None:
    """One hold per database: a standby that failed to connect is held back
    on its own (its reads go to the primary meanwhile: app.db.get_session)."""
    app.extensions["fichekaart.outage_log"] = OutageLog(float(app.config.get("DB_ERROR_LOG_INTERVAL", 30)))
    seconds = float(app.config.get("DB_OUTAGE_HOLD", 5))
    holds = {PRIMARY: OutageHold(seconds), STANDBY: OutageHold(seconds)}
    app.extensions["fichekaart.outage_hold"] = holds[PRIMARY]
    app.extensions["fichekaart.outage_holds"] = holds
    app.extensions["fichekaart.before_session"] = lambda database=PRIMARY: holds[database].check()
    event.listen(engine, "checkout", holds[PRIMARY].end)
    if read_engine is not None:
        event.listen(read_engine, "checkout", holds[STANDBY].end)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, database_error_response)


def database_error_response(exc: BaseException):
    """SQLite that cannot write now (busy, read-only, disk full): the page that
    keeps what was typed (app.http.web.handle_database_busy); any other
    unavailable database: the 503 above."""
    from ..db import cannot_write_now
    from .web import handle_database_busy

    if isinstance(exc, sa_exc.OperationalError) and cannot_write_now(exc) is not None:
        return handle_database_busy(exc)
    return unavailable_response(exc)
