"""Accounts (/beheer/gebruikers), for beheerders: list, create, change roles,
(de)activate, set a new password. The command line offers the same
(`fichekaart users ...`), and creates the first beheerder."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..auth import (
    ROLE_LABELS,
    AccountError,
    create_user,
    current_user,
    end_sessions,
    grant,
    require_role,
    set_password,
)
from ..db import get_session
from ..models import Municipality, User
from ..read.pages import all_municipalities
from ..read.staff import users_with_roles

bp = Blueprint("staff_users", __name__, url_prefix="/beheer/gebruikers")
CITY_ROLES = ("lezer", "redacteur")


def _cities():
    return all_municipalities(get_session())


def _roles_from_form(cities) -> list[tuple[str, Municipality | None]]:
    roles: list[tuple[str, Municipality | None]] = []
    if request.form.get("beheerder"):
        roles.append(("beheerder", None))
    for city in cities:
        role = request.form.get(f"rol-{city.id}", "")
        if role in CITY_ROLES:
            roles.append((role, city))
    return roles


def _form(user, status=200, error=None, values=None):
    return render_template("staff/user_form.html", user=user, cities=_cities(), error=error, values=values or {},
                           city_roles=CITY_ROLES, role_labels=ROLE_LABELS), status


@bp.get("/")
@require_role("beheerder", city=None)
def users():
    people = users_with_roles(get_session())
    return render_template("staff/users.html", users=people)


@bp.route("/nieuw", methods=["GET", "POST"])
@require_role("beheerder", city=None)
def new_user():
    if request.method == "GET":
        return _form(None)
    session = get_session()
    try:
        user = create_user(session, request.form.get("email", ""), request.form.get("wachtwoord", ""),
                           name=request.form.get("naam"), roles=_roles_from_form(_cities()))
    except AccountError as exc:
        session.rollback()
        return _form(None, 422, str(exc), request.form)
    session.commit()
    flash(f"Account {user.email} aangemaakt.", "info")
    return redirect(url_for("staff_users.users"))


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@require_role("beheerder", city=None)
def edit_user(user_id):
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "GET":
        return _form(user)
    me = current_user()
    roles = _roles_from_form(_cities())
    active = bool(request.form.get("actief"))
    if user.id == me.id and (not active or ("beheerder", None) not in roles):
        return _form(user, 422, "Je kan jezelf niet deactiveren of je eigen beheerdersrol afnemen.", request.form)
    try:
        if request.form.get("wachtwoord"):
            set_password(user, request.form["wachtwoord"])
    except AccountError as exc:
        return _form(user, 422, str(exc), request.form)
    user.name = (request.form.get("naam") or "").strip() or None
    if user.active and not active:
        end_sessions(user)
    user.active = active
    user.roles = []
    session.flush()
    for role, city in roles:
        grant(user, role, city)
    session.commit()
    if user.id == me.id and request.form.get("wachtwoord"):
        from flask import session as cookie

        cookie["stamp"] = user.session_stamp  # stay logged in after changing one's own password
    flash(f"Account {user.email} bewaard.", "info")
    return redirect(url_for("staff_users.users"))

