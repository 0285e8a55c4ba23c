"""Public pages of the e-mail alerts (/meldingen/...): follow (double opt-in),
confirm, one-click unsubscribe (RFC 8058), "mijn meldingen" via a signed
link, the privacy note.

Every answer that mails an address is the same page whether or not the
address is known. Forms carry a CSRF token, except the one-click unsubscribe
POST: mail clients send it without a page, and the signed token is its proof.
The pages hold tokens: never kept by a cache (no-store).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, render_template, request, url_for

from ..alerts import subscriptions
from ..alerts.mailer import MailNotSent, send, smtp_configured
from ..alerts.messages import confirm_message, manage_message
from ..alerts.tokens import BadToken, read_confirm_token, read_manage_token, read_unsubscribe_token
from ..auth import _client_ip
from ..db import get_session
from ..http.web import csrf
from ..numbers import whole_number
from ..read.followed import KINDS, Followed, NotFollowable, resolve
from ..read.queries import find_municipality
from .feeds import feed_url, page_url

bp = Blueprint("alerts", __name__, url_prefix="/meldingen")
log = logging.getLogger(__name__)


def follow_url(followed: Followed) -> str:
    """The subscribe form for `followed` (linked from the fiche, wijk and city pages)."""
    return url_for("alerts.follow", stad=followed.city.slug, soort=followed.kind, sleutel=followed.key or None)


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # tokens in the URL stay on this site
    return response


def _target():
    session = get_session()
    city = find_municipality(session, request.values.get("stad", ""))
    kind = request.values.get("soort", "stad")
    if city is None or kind not in KINDS:
        abort(404)
    try:
        return resolve(session, city, kind, request.values.get("sleutel") or None)
    except NotFollowable:
        abort(404)


def _message(title: str, text: str, status: int = 200, **extra):
    return render_template("alerts/message.html", title=title, text=text, **extra), status


@bp.get("/volgen")
def follow():
    followed, name = _target()
    return render_template("alerts/follow.html", followed=followed, name=name, form={}, error=None,
                           enabled=smtp_configured(), back=page_url(followed), feed=feed_url(followed))


@bp.post("/volgen")
def follow_post():
    followed, name = _target()
    session = get_session()
    form = {"email": request.form.get("email", ""), "frequentie": request.form.get("frequentie")}
    if not smtp_configured():
        return _message("Meldingen niet beschikbaar", "E-mailmeldingen zijn op deze site (nog) niet ingesteld.", 503)
    try:
        email = subscriptions.valid_email(form["email"])
        frequency = subscriptions.valid_frequency(form["frequentie"])
    except subscriptions.InvalidInput as exc:
        return render_template("alerts/follow.html", followed=followed, name=name, form=form, error=str(exc),
                               enabled=True, back=page_url(followed), feed=feed_url(followed)), 400
    try:
        subscriptions.check_rate(session, email, _client_ip())
        session.commit()
    except subscriptions.RateLimited:
        session.rollback()
        return _message("Even geduld", "Er werden van hier of voor dit adres te veel aanvragen gedaan. "
                        "Probeer het over een uur opnieuw.", 429)
    which, row = subscriptions.subscribe(session, followed, email, frequency)
    message = confirm_message(row, name) if which == "bevestigen" else manage_message(email, already=name)
    try:
        send(message)
    except MailNotSent as exc:
        session.rollback()
        log.warning("alert mail not sent: %s", exc)
        return _message("Niet verstuurd", "De mail kon nu niet verstuurd worden. Probeer het later opnieuw.", 503)
    session.commit()
    return _message("Kijk in je mailbox",
                    f"Als het adres klopt, krijg je binnen enkele minuten een mail over het volgen van {name}. "
                    "Pas na je bevestiging in die mail sturen we overzichten.", back=page_url(followed))


@bp.route("/bevestigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    try:
        subscription_id, email = read_confirm_token(token)
    except BadToken as exc:
        return _message("Link ongeldig", "Deze bevestigingslink is verlopen; schrijf je opnieuw in."
                        if exc.expired else "Deze bevestigingslink is ongeldig.", 400)
    if request.method == "GET":  # a button, not the link itself: mail scanners follow links
        return render_template("alerts/confirm.html", token=token)
    session = get_session()
    row = subscriptions.confirm(session, subscription_id, email)
    if row is None:
        return _message("Link ongeldig", "Deze inschrijving bestaat niet meer; schrijf je opnieuw in.", 400)
    session.commit()
    return _message("Ingeschreven", "Je inschrijving is bevestigd. Je krijgt een overzicht zodra er iets "
                    f"verandert ({row.frequency}).")


@bp.route("/uitschrijven/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" without a
    page or CSRF token; the signed token is the proof. Any other POST is a
    form and needs its CSRF token."""
    if request.method == "POST" and request.form.get("List-Unsubscribe") != "One-Click":
        csrf.protect()
    try:
        subscription_id, email = read_unsubscribe_token(token)
    except BadToken:
        return _message("Link ongeldig", "Deze uitschrijflink is ongeldig.", 400)
    if request.method == "GET":
        return render_template("alerts/unsubscribe.html", token=token)
    session = get_session()
    subscriptions.unsubscribe(session, subscription_id, email)
    session.commit()
    return _message("Uitgeschreven", "Je bent uitgeschreven. Je krijgt hierover geen mails meer en dit "
                    "abonnement is met je e-mailadres gewist.")


@bp.route("/beheren", methods=["GET", "POST"])
def request_manage_link():
    if request.method == "GET":
        return render_template("alerts/request_link.html", error=None, email="")
    session = get_session()
    try:
        email = subscriptions.valid_email(request.form.get("email", ""))
    except subscriptions.InvalidInput as exc:
        return render_template("alerts/request_link.html", error=str(exc), email=request.form.get("email", "")), 400
    try:
        subscriptions.check_rate(session, email, _client_ip())
        session.commit()
    except subscriptions.RateLimited:
        session.rollback()
        return _message("Even geduld", "Te veel aanvragen. Probeer het over een uur opnieuw.", 429)
    if subscriptions.subscriptions_of(session, email):
        try:
            send(manage_message(email))
        except MailNotSent as exc:
            log.warning("alert mail not sent: %s", exc)
    # The same answer whether or not the address follows anything.
    return _message("Kijk in je mailbox", "Als dit adres iets volgt, krijg je een mail met een link naar je meldingen.")


def _manage_email(token: str) -> str:
    try:
        return read_manage_token(token)
    except BadToken:
        abort(404)


@bp.get("/beheren/<token>")
def manage(token: str):
    email = _manage_email(token)
    session = get_session()
    rows = []
    for row in subscriptions.subscriptions_of(session, email):
        try:
            followed, name = resolve(session, row.municipality, row.kind, row.target_key or None)
        except NotFollowable:
            followed, name = None, "iets dat niet meer online staat"
        rows.append((row, name, page_url(followed) if followed else None))
    return render_template("alerts/manage.html", rows=rows, token=token, email=email)


@bp.post("/beheren/<token>")
def manage_post(token: str):
    email = _manage_email(token)
    session = get_session()
    target = request.form.get("opzeggen", "")
    if target == "alles":
        subscriptions.unsubscribe_all(session, email)
    elif whole_number(target, minimum=1) is not None:
        subscriptions.unsubscribe(session, int(target), email)
    else:
        abort(400)
    session.commit()
    if target == "alles" or not subscriptions.subscriptions_of(session, email):
        return _message("Uitgeschreven", "Je volgt niets meer; je e-mailadres is gewist.")
    return manage(token)


@bp.get("/privacy")
def privacy():
    return render_template("alerts/privacy.html")
