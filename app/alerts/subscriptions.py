"""Subscribing (double opt-in), confirming and unsubscribing: the write side
of the alerts. Each function leaves committing to the caller.

No enumeration: subscribe answers the same whatever is stored (the view shows
one page); what differs is only which mail goes to the address itself.
The address is stored only with a subscription and deleted with it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..auth import AccountError, normalise_email, utcnow
from ..models import AlertAttempt, AlertSubscription
from ..read.followed import Followed
from .tokens import CONFIRM_MAX_AGE

FREQUENCIES = {"dagelijks": "dagelijks", "wekelijks": "wekelijks"}
MAX_PER_IP_PER_HOUR = 10
MAX_PER_ADDRESS_PER_HOUR = 3
RATE_WINDOW = dt.timedelta(hours=1)
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


class InvalidInput(ValueError):
    """A Dutch message for the form."""


class RateLimited(RuntimeError):
    pass


def valid_email(raw: str) -> str:
    try:
        email = normalise_email(raw or "")
    except AccountError:
        email = ""
    if not email or len(email) > 254 or not _EMAIL.match(email) or not email.isprintable():
        raise InvalidInput("Geef een geldig e-mailadres op, bijvoorbeeld naam@voorbeeld.be.")
    return email


def valid_frequency(raw: str | None) -> str:
    if raw not in FREQUENCIES:
        raise InvalidInput("Kies hoe vaak je een overzicht wilt krijgen: dagelijks of wekelijks.")
    return FREQUENCIES[raw]


def _address_hash(email: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def check_rate(session: Session, email: str, ip: str) -> None:
    """Count one use of a form that mails an address; RateLimited when this
    address or this client asked too often in the last hour."""
    now = utcnow()
    session.execute(delete(AlertAttempt).where(AlertAttempt.at < now - dt.timedelta(days=1)))
    since = now - RATE_WINDOW
    per_ip = session.scalar(select(func.count()).select_from(AlertAttempt).where(
        AlertAttempt.ip == ip, AlertAttempt.at > since))
    per_address = session.scalar(select(func.count()).select_from(AlertAttempt).where(
        AlertAttempt.email_hash == _address_hash(email), AlertAttempt.at > since))
    if per_ip >= MAX_PER_IP_PER_HOUR or per_address >= MAX_PER_ADDRESS_PER_HOUR:
        raise RateLimited()
    session.add(AlertAttempt(ip=ip[:64], email_hash=_address_hash(email), at=now))


def subscribe(session: Session, followed: Followed, email: str, frequency: str) -> tuple[str, AlertSubscription]:
    """Store (or find) the subscription. Returns (which mail to send, the row):
    "bevestigen" for a new or unconfirmed one, "al_ingeschreven" when the
    address already follows this (the mail then carries the manage link)."""
    key = followed.key or ""
    row = session.scalar(select(AlertSubscription).where(
        AlertSubscription.email == email, AlertSubscription.municipality_id == followed.city.id,
        AlertSubscription.kind == followed.kind, AlertSubscription.target_key == key))
    if row is not None and row.confirmed_at is not None:
        return "al_ingeschreven", row
    if row is None:
        row = AlertSubscription(email=email, municipality_id=followed.city.id, kind=followed.kind, target_key=key,
                                frequency=frequency, created_at=utcnow())
        session.add(row)
    else:
        row.frequency, row.created_at = frequency, utcnow()
    session.flush()
    return "bevestigen", row


def confirm(session: Session, subscription_id: int, email: str) -> AlertSubscription | None:
    """Confirm (idempotent); None when the subscription no longer exists."""
    row = session.get(AlertSubscription, subscription_id)
    if row is None or row.email != email:
        return None
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
    return row


def unsubscribe(session: Session, subscription_id: int, email: str) -> None:
    """Delete the subscription, and so the address with it (idempotent)."""
    session.execute(delete(AlertSubscription).where(
        AlertSubscription.id == subscription_id, AlertSubscription.email == email))


def unsubscribe_all(session: Session, email: str) -> None:
    session.execute(delete(AlertSubscription).where(AlertSubscription.email == email))


def subscriptions_of(session: Session, email: str) -> list[AlertSubscription]:
    return list(session.scalars(select(AlertSubscription).where(
        AlertSubscription.email == email, AlertSubscription.confirmed_at.is_not(None)).order_by(AlertSubscription.id)))


def purge_unconfirmed(session: Session) -> int:
    """Forget addresses never confirmed within the link's lifetime."""
    done = session.execute(delete(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_(None),
        AlertSubscription.created_at < utcnow() - dt.timedelta(seconds=CONFIRM_MAX_AGE)))
    return int(getattr(done, "rowcount", 0) or 0)


def counts_per_target(session: Session) -> list[tuple[int, str, str, int, int]]:
    """[(municipality_id, kind, target_key, confirmed, awaiting confirmation)]:
    what staff may see (numbers, never addresses)."""
    confirmed = func.count(AlertSubscription.confirmed_at)
    rows = session.execute(
        select(AlertSubscription.municipality_id, AlertSubscription.kind, AlertSubscription.target_key,
               confirmed, func.count() - confirmed)
        .group_by(AlertSubscription.municipality_id, AlertSubscription.kind, AlertSubscription.target_key)
        .order_by(AlertSubscription.municipality_id, AlertSubscription.kind, AlertSubscription.target_key))
    return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]
