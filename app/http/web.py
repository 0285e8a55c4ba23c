"""What every response gets: security headers with a per-request CSP nonce,
CSRF protection, and Dutch error pages (JSON for API clients)."""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

csrf = CSRFProtect()

ERROR_TITLES = {
    400: "Ongeldige aanvraag",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegelaten",
    409: "Conflict",
    413: "Bestand te groot",
    415: "Bestandstype niet ondersteund",
    422: "Gegevens niet aanvaard",
    429: "Te veel pogingen",
    500: "Interne fout",
}
ERROR_TEXTS = {
    404: "Deze pagina bestaat niet (meer).",
    413: "Het bestand is groter dan toegelaten ({limit} MB).",
    429: "Te veel pogingen na elkaar. Probeer het over een minuut opnieuw.",
    500: "Er liep iets mis aan onze kant. Er werd niets half opgeslagen.",
}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)", re.IGNORECASE)


def with_nonce(html: str) -> Markup:
    """Give every <script> in trusted, server-rendered HTML (folium's map
    parts) this request's nonce, so the CSP can forbid all other inline script."""
    return Markup(_SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', str(html)))


def basemap_origins(app: Flask) -> list[str]:
    origins = []
    if app.config.get("BASEMAP", "osm") != "none":
        origins.append("https://tile.openstreetmap.org")
    if app.config.get("BASEMAP_URL"):
        parts = urlsplit(app.config["BASEMAP_URL"].replace("{s}", "a"))
        origins.append(f"{parts.scheme}://{parts.netloc}")
    # a city may choose OpenStreetMap or the GRB basemap in its settings
    # (app/basemap.py CITY_BASEMAP_ORIGINS); kept pages carry no city context
    from ..basemap import CITY_BASEMAP_ORIGINS

    origins += [o for o in CITY_BASEMAP_ORIGINS if o not in origins]
    return origins


def security_headers(response):
    from flask import current_app

    img = " ".join(["'self'", "data:", "blob:", *basemap_origins(current_app)])
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; style-src 'self' 'unsafe-inline'; "
        f"img-src {img}; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def wants_json() -> bool:
    if request.path.startswith(("/ogc", "/api")):
        return request.args.get("f") != "html"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, description: str | None = None):
    from flask import current_app

    title = ERROR_TITLES.get(status, "Fout")
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    text = description or ERROR_TEXTS.get(status, title).format(limit=limit)
    if wants_json():
        return jsonify({"code": title, "description": text, "status": status}), status
    return render_template("errors/error.html", status=status, title=title, text=text), status


def handle_http_error(exc: HTTPException):
    description = exc.description if exc.code not in (404, 413, 500) and exc.description else None
    if description and description.startswith(("The ", "You ")):  # werkzeug's English defaults
        description = None
    return error_response(exc.code or 500, description)


def handle_csrf_error(exc: CSRFError):
    return error_response(
        400, "Het formulier is verlopen of ongeldig (CSRF). Laad de pagina opnieuw en probeer nog eens."
    )


def handle_unexpected(exc: Exception):
    from flask import current_app

    current_app.logger.exception("Unexpected error")
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_UNEXPECTED", True):
        raise exc
    return error_response(500)


def allow_large_staff_forms():
    """Flask 3.1 caps non-file form data at 500 kB and 1000 fields; in the
    workspace a detailed geometry in the hidden input or a fiche with many
    rows needs more. The whole request stays under MAX_CONTENT_LENGTH (Dutch
    413 page). Registered before CSRF, which is the first to read the form."""
    from flask import current_app

    if request.path.startswith("/beheer/"):
        request.max_form_memory_size = current_app.config.get("MAX_CONTENT_LENGTH")
        request.max_form_parts = 10_000


BUSY_RETRY_SECONDS = 5


def handle_database_busy(exc: Exception):
    """SQLITE_BUSY, a read-only file or a full disk -> a Dutch 503 with
    Retry-After that keeps what was typed (a button sends it again), never a
    500. Anything else goes to the generic handler."""
    from flask import current_app

    from ..db import cannot_write_now

    problem = cannot_write_now(exc)
    if problem is None:
        return handle_unexpected(exc)
    busy = problem == "busy"
    current_app.logger.warning("Database cannot write now (%s): %s %s at %s", problem, request.method, request.path,
                               (getattr(exc, "statement", None) or "")[:80])
    db_session = g.get("db_session")
    if db_session is not None:
        db_session.rollback()  # hand the connection back clean: later reads must keep working
    g.defer_write_lock = True  # rendering this page only reads (the user, the menu)
    if busy:
        text = ("De databank is even bezet door een andere bewerking. Er werd niets bewaard. "
                f"Probeer het over {BUSY_RETRY_SECONDS} seconden opnieuw.")
    else:
        text = ("De databank kan nu geen wijzigingen bewaren (alleen-lezen of schijf vol). Er werd niets bewaard. "
                "Bekijken kan wel; verwittig de beheerder van de server.")
    headers = {"Retry-After": str(BUSY_RETRY_SECONDS), "Cache-Control": "no-store"}
    if wants_json():
        return jsonify({"code": "Tijdelijk niet beschikbaar", "description": text, "status": 503}), 503, headers
    # Passwords are never echoed into a page; everything else is kept.
    posted = request.method == "POST"
    kept = [(k, v) for k, v in request.form.items(multi=True) if "wachtwoord" not in k] if posted else []
    files = [f.filename for f in request.files.values() if f.filename] if request.method == "POST" else []
    return render_template("errors/busy.html", status=503, title="Tijdelijk niet beschikbaar", text=text,
                           kept=kept, files=files, action=request.full_path.rstrip("?")), 503, headers


def init_app(app: Flask) -> None:
    app.before_request(allow_large_staff_forms)
    csrf.init_app(app)
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(Exception, handle_unexpected)
    # OperationalError goes to app/http/outage.py, which hands SQLite's
    # busy/read-only/full-disk errors to handle_database_busy (input kept).
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["with_nonce"] = with_nonce
    from .. import basemap  # the privacy note under every map (basemap_note() in templates)

    basemap.init_app(app)
