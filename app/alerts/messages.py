"""The alert mails, as multipart text + HTML (templates/mail/*.txt and *.html;
Jinja escapes the HTML part, the text part holds the texts as they are).
Links are absolute: built in a request, or in the CLI's request context on
FICHEKAART_PUBLIC_URL (digest.py)."""
from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from flask import render_template, url_for

from ..models import AlertSubscription
from ..read.changes import ChangeEvent
from ..read.followed import Followed
from .mailer import build_message
from .tokens import confirm_token, manage_token, unsubscribe_token

FREQUENCY_WORDS = {"dagelijks": "dagelijks", "wekelijks": "wekelijks"}


def _render(template: str, **context) -> tuple[str, str]:
    return render_template(f"mail/{template}.txt", **context), render_template(f"mail/{template}.html", **context)


def confirm_message(row: AlertSubscription, name: str) -> EmailMessage:
    link = url_for("alerts.confirm", token=confirm_token(row.id, row.email), _external=True)
    text, html = _render("confirm", name=name, link=link, frequency=row.frequency,
                         privacy=url_for("alerts.privacy", _external=True))
    return build_message(row.email, "Bevestig je inschrijving op Fichekaart", text, html)


def manage_message(email: str, already: str | None = None) -> EmailMessage:
    """The link to one's subscriptions page (also the answer to subscribing
    to something one already follows)."""
    link = url_for("alerts.manage", token=manage_token(email), _external=True)
    text, html = _render("manage", link=link, already=already)
    return build_message(email, "Je meldingen op Fichekaart", text, html)


def group_by_fiche(events: Sequence[ChangeEvent]) -> list[tuple[ChangeEvent, list[ChangeEvent]]]:
    """[(the newest event of a fiche: its title, that fiche's events oldest first)]."""
    groups: dict[int, list[ChangeEvent]] = {}
    for event in sorted(events, key=lambda e: (e.at, e.revision_id)):
        groups.setdefault(event.fiche_id, []).append(event)
    return [(items[-1], items) for items in groups.values()]


def digest_parts(followed: Followed, name: str, events: Sequence[ChangeEvent], *, frequency: str,
                 manage_link: str, unsubscribe_link: str) -> tuple[str, str, str]:
    """(subject, text, html) of a digest: also the staff preview."""
    slug = followed.city.slug
    groups = [(latest, items, url_for("fiche.page", slug=slug, fiche_id=latest.fiche_id, _external=True,
                                      _anchor="wijzigingen"))
              for latest, items in group_by_fiche(events)]
    count = len(events)
    subject = f"{count} wijziging{'en' if count != 1 else ''} voor {name} ({followed.city.name})"
    context = dict(name=name, city=followed.city, groups=groups, frequency=FREQUENCY_WORDS.get(frequency, frequency),
                   manage_link=manage_link, unsubscribe_link=unsubscribe_link,
                   privacy=url_for("alerts.privacy", _external=True))
    text, html = _render("digest", **context)
    return subject, text, html


def digest_message(row: AlertSubscription, followed: Followed, name: str,
                   events: Sequence[ChangeEvent]) -> EmailMessage:
    unsubscribe = url_for("alerts.unsubscribe", token=unsubscribe_token(row.id, row.email), _external=True)
    subject, text, html = digest_parts(
        followed, name, events, frequency=row.frequency,
        manage_link=url_for("alerts.manage", token=manage_token(row.email), _external=True),
        unsubscribe_link=unsubscribe)
    # RFC 8058: a mail client may unsubscribe with one POST, no page, no login.
    return build_message(row.email, subject, text, html, headers={
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })
