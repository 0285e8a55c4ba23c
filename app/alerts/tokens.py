"""Signed links for the alert mails (itsdangerous, keyed by the app's SECRET_KEY).

Each kind has its own salt, so a token of one kind is never accepted as another."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 24 * 3600      # the confirmation link of a subscription
MANAGE_MAX_AGE = 60 * 24 * 3600      # the "mijn meldingen" link (every digest carries a fresh one)


class BadToken(ValueError):
    """The link is damaged, forged or expired."""

    def __init__(self, expired: bool = False):
        super().__init__("verlopen" if expired else "ongeldig")
        self.expired = expired


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"fichekaart-alerts-{salt}")


def confirm_token(subscription_id: int, email: str) -> str:
    return _timed("confirm").dumps({"s": subscription_id, "e": email})


def read_confirm_token(token: str) -> tuple[int, str]:
    data = _load(_timed("confirm"), token, CONFIRM_MAX_AGE)
    return int(data["s"]), str(data["e"])


def manage_token(email: str) -> str:
    return _timed("manage").dumps({"e": email})


def read_manage_token(token: str) -> str:
    return str(_load(_timed("manage"), token, MANAGE_MAX_AGE)["e"])


def unsubscribe_token(subscription_id: int, email: str) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="fichekaart-alerts-unsubscribe").dumps(
        {"s": subscription_id, "e": email})


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="fichekaart-alerts-unsubscribe")
    try:
        data = serializer.loads(token)
        return int(data["s"]), str(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise BadToken() from None


def _load(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> dict:
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadToken(expired=True) from None
    except BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict):
        raise BadToken()
    return data
