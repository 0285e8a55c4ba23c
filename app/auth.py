"""Staff accounts, roles per city, login and logout.

Roles: `lezer` (sees a city's drafts and staff pages), `redacteur` (edits a
city's fiches), `beheerder` (all cities, and the accounts). A beheerder role
has no city. Every staff view is guarded by `require_role(role, city=...)`,
which also marks the view function with the role it needs, so
tests/test_roles.py can check every route without a list kept by hand.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure over
HTTPS, a limited lifetime); a per-user `session_stamp` in the cookie lets a
password change or a deactivation end every open session. Failed logins are
counted in the database per account+IP (and per IP), so the limit holds
across gunicorn workers.
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_session
from .models import LoginAttempt, Municipality, User, UserRole

ROLES = ("lezer", "redacteur", "beheerder")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
ROLE_LABELS = {
    "lezer": "lezer (ziet ontwerpen en werkruimte van de stad)",
    "redacteur": "redacteur (bewerkt de fiches van de stad)",
    "beheerder": "beheerder (alle steden en de gebruikers)",
}
MIN_PASSWORD_LENGTH = 10

# Login throttling: failures per account+IP, and per IP over all accounts.
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_IP = 5
MAX_FAILURES_PER_IP = 30

# A hash to check against when the account does not exist, so a wrong e-mail
# address takes as long as a wrong password (no account enumeration by timing).
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))

bp = Blueprint("auth", __name__)


class AccountError(ValueError):
    """A user-facing (Dutch) problem with account data."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes (stored as UTC); PostGIS aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# Accounts ------------------------------------------------------------------

def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 254:
        raise AccountError(f"'{email}' is geen geldig e-mailadres.")
    return email


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def end_sessions(user: User) -> None:
    """Every cookie holding the old stamp stops working."""
    user.session_stamp = secrets.token_hex(16)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)  # werkzeug's default: scrypt
    end_sessions(user)  # including the sessions opened with the old password


def parse_role(spec: str, session: Session) -> tuple[str, Municipality | None]:
    """'redacteur:herentals' -> ('redacteur', Herentals); 'beheerder' -> ('beheerder', None).
    A city is given by slug or NIS code."""
    role, _, city = spec.partition(":")
    role = role.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Onbekende rol '{role}' (kies {', '.join(ROLES)}).")
    if role == "beheerder":
        if city:
            raise AccountError("Een beheerder geldt voor alle steden: geef geen stad op.")
        return role, None
    if not city:
        raise AccountError(f"Geef bij de rol {role} een stad op, bv. {role}:herentals.")
    municipality = session.scalar(
        select(Municipality).where(
            (Municipality.slug == city.strip().lower()) | (Municipality.nis_code == city.strip())
        )
    )
    if municipality is None:
        raise AccountError(f"Onbekende stad '{city}'.")
    return role, municipality


def grant(user: User, role: str, municipality: Municipality | None) -> None:
    for existing in user.roles:
        if existing.role == role and existing.municipality_id == (municipality.id if municipality else None):
            return
    user.roles.append(UserRole(role=role, municipality=municipality))


def create_user(session: Session, email: str, password: str, *, name: str | None = None,
                roles: Sequence[tuple[str, Municipality | None]] = ()) -> User:
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountError(f"Er bestaat al een account voor {email}.")
    user = User(email=email, name=(name or "").strip() or None, active=True)
    set_password(user, password)
    for role, municipality in roles:
        grant(user, role, municipality)
    session.add(user)
    session.flush()
    return user


def role_in(user: User | None, municipality_id: int | None) -> str | None:
    """The highest role `user` holds for a city (None: any city, i.e. beheerder only)."""
    if user is None or not user.active:
        return None
    best = None
    for item in user.roles:
        applies = item.municipality_id is None or (
            municipality_id is not None and item.municipality_id == municipality_id
        )
        if applies and (best is None or ROLE_RANK[item.role] > ROLE_RANK[best]):
            best = item.role
    return best


def has_role(user: User | None, role: str, municipality: Municipality | int | None = None) -> bool:
    municipality_id = municipality.id if isinstance(municipality, Municipality) else municipality
    held = role_in(user, municipality_id)
    return held is not None and ROLE_RANK[held] >= ROLE_RANK[role]


def visible_cities(session: Session, user: User | None) -> list[Municipality]:
    """The cities whose staff pages `user` may open."""
    cities = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    return [m for m in cities if has_role(user, "lezer", m)]


# The current user ------------------------------------------------------------

def current_user() -> User | None:
    """The logged-in, active user of this request (loaded once), or None."""
    if "current_user" not in g:
        g.current_user = _load_user()
    return g.current_user


def _load_user() -> User | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = get_session().get(User, user_id)
    login_at = session.get("login_at", 0)
    max_age = current_app.config.get("STAFF_SESSION_MAX_HOURS", 12) * 3600
    if (
        user is None or not user.active or session.get("stamp") != user.session_stamp
        or utcnow().timestamp() - login_at > max_age
    ):
        session.clear()
        return None
    return user


def _login_redirect():
    return redirect(url_for("auth.login", volgende=request.full_path.rstrip("?")))


def login_required(view):
    """Anonymous users go to the login page (and come back afterwards)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return _login_redirect()
        return view(*args, **kwargs)

    wrapper.required_role = getattr(view, "required_role", "aangemeld")
    wrapper.city_arg = getattr(view, "city_arg", None)
    return wrapper


def require_role(role: str, city: str | None = "slug"):
    """Guard a view: anonymous -> login page; logged in without `role` for the
    city named by the view argument `city` (a slug) -> 403 in Dutch. With
    city=None the role must hold for all cities (beheerder). The city is put
    on g.city. The view is marked (.required_role, .city_arg) for the tests."""
    if role not in ROLES:
        raise ValueError(role)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return _login_redirect()
            municipality = None
            if city is not None:
                key = kwargs.get(city, "")
                municipality = get_session().scalar(select(Municipality).where(Municipality.slug == key))
                if municipality is None:
                    abort(404)
            if not has_role(user, role, municipality):
                where = f" voor {municipality.name}" if municipality else ""
                abort(403, f"Je hebt de rol {role}{where} niet. Vraag een beheerder om toegang.")
            g.city = municipality
            return view(*args, **kwargs)

        wrapper.required_role = role
        wrapper.city_arg = city
        return wrapper

    return decorate


# Login throttling ----------------------------------------------------------

def _client_ip() -> str:
    # Behind reverse proxies FICHEKAART_TRUSTED_PROXIES (app/http/hosts.py,
    # werkzeug's ProxyFix) makes this the client's address, taken from the
    # X-Forwarded-For entries the trusted proxies added; without it the header
    # is ignored, so a client cannot choose its own address.
    return (request.remote_addr or "onbekend")[:64]


def login_blocked(db: Session, email: str, ip: str) -> dt.timedelta | None:
    """How long until a login may be tried again, or None when it may now."""
    since = utcnow() - LOGIN_WINDOW
    last_success = db.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.success.is_(True)
        )
    )
    if last_success is not None:
        since = max(since, as_utc(last_success))
    pair = select(LoginAttempt.at).where(
        LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since
    ).order_by(LoginAttempt.at)
    failures = [as_utc(at) for at in db.scalars(pair)]
    if len(failures) >= MAX_FAILURES_PER_ACCOUNT_IP:
        return failures[-MAX_FAILURES_PER_ACCOUNT_IP] + LOGIN_WINDOW - utcnow()
    per_ip = db.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > utcnow() - LOGIN_WINDOW
    ))
    if per_ip >= MAX_FAILURES_PER_IP:
        return LOGIN_WINDOW
    return None


def record_attempt(db: Session, email: str, ip: str, success: bool) -> None:
    db.add(LoginAttempt(email=email[:254], ip=ip, success=success, at=utcnow()))
    # Old attempts say nothing any more; keep the table small.
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - dt.timedelta(days=1)))


def safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme): no open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("staff.dashboard")


@bp.route("/aanmelden", methods=["GET", "POST"])
def login():
    target = request.values.get("volgende")
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(target))
        return render_template("auth/login.html", volgende=target, email="")
    db = get_session()
    raw_email = request.form.get("email", "")
    email = raw_email.strip().lower()[:254]
    password = request.form.get("wachtwoord", "")
    ip = _client_ip()
    wait = login_blocked(db, email, ip)
    if wait is not None:
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        text = (f"Te veel mislukte aanmeldpogingen. Om je account te beschermen kan je pas binnen "
                f"{minutes} minuten opnieuw proberen.")
        return render_template("auth/login.html", volgende=target, email=raw_email, error=text,
                               blocked=True), 429, {"Retry-After": str(int(wait.total_seconds()) + 1)}
    user = find_user(db, email) if email else None
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    ok = bool(user and user.active and valid)
    record_attempt(db, email, ip, ok)
    if ok:
        user.last_login_at = utcnow()
    db.commit()
    if not ok:
        text = "Dit e-mailadres en wachtwoord horen niet bij een actieve account."
        return render_template("auth/login.html", volgende=target, email=raw_email, error=text), 401
    session.clear()  # a new session on login: nothing carried over from before
    session.permanent = True
    session["user_id"] = user.id
    session["stamp"] = user.session_stamp
    session["login_at"] = int(utcnow().timestamp())
    g.current_user = user
    flash(f"Aangemeld als {user.email}.", "info")
    return redirect(safe_next(target))


@bp.post("/afmelden")
def logout():
    """End the session on the server too: the user's stamp is rotated, so a
    copy of the cookie (another tab, a stolen copy) stops working as well.
    This logs the user out on every device."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        get_session().commit()
    session.clear()
    g.current_user = None
    flash("Je bent afgemeld.", "info")
    return redirect(url_for("public.index"))


# App wiring ----------------------------------------------------------------

class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the Secure flag whenever the
    request came over HTTPS (SESSION_COOKIE_SECURE forces it always)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def inject_user() -> dict:
    user = current_user()
    return {
        "current_user": user,
        "has_role": lambda role, city=None: has_role(user, role, city),
        "role_labels": ROLE_LABELS,
    }


STAFF_PATHS = ("/beheer", "/aanmelden", "/afmelden")


def no_store_for_staff(response):
    """Staff answers show drafts and accounts: no cache (browser, proxy) keeps them."""
    if request.path.startswith(STAFF_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(no_store_for_staff)
    app.session_interface = StaffSessionInterface()
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=float(app.config.get("STAFF_SESSION_HOURS", 8)))
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # A CSRF token lives as long as the login session: an editor who spends
    # more than an hour on a fiche must not lose the text on saving.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.context_processor(inject_user)
