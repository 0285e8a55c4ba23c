"""Helpers and fixtures for the staff workspace tests: accounts with roles,
logging in through the real form, reading a page's form the way a browser
would submit it, and CSRF tokens.

Import the fixtures into a test module with
`from staff_fixtures import *  # noqa: F401,F403`.
"""
from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

PASSWORD = "correct-paard-batterij"

__all__ = [
    "db", "PASSWORD", "Staff", "staff", "login", "logout_client", "csrf_token", "form_values", "page_form", "fill",
    "fiche_by_ref", "draft_marker_fiche",
]


@contextlib.contextmanager
def db(app):
    """A database session in a short app context of its own. (Requests made
    while an app context is pushed would share it, and its session.)"""
    from app.db import get_session

    with app.app_context():
        yield get_session()


@dataclass
class Staff:
    """The accounts of a scratch database (emails), one per role."""
    beheerder: str = "beheerder@fichekaart.test"
    redacteur: str = "redacteur.herentals@fichekaart.test"
    redacteur2: str = "tweede.redacteur.herentals@fichekaart.test"
    lezer: str = "lezer.herentals@fichekaart.test"
    lezer_halle: str = "lezer.halle@fichekaart.test"
    spare: str = "reserve@fichekaart.test"


@pytest.fixture
def staff(scratch_app) -> Staff:
    """Accounts in the scratch database: a beheerder, two redacteurs and a
    lezer of Herentals, a lezer of Halle (the other city), and a spare
    account the tests may change."""
    from app.auth import create_user, parse_role
    from app.db import get_session

    accounts = Staff()
    with scratch_app.app_context():
        session = get_session()
        specs = {
            accounts.beheerder: ["beheerder"],
            accounts.redacteur: ["redacteur:herentals"],
            accounts.redacteur2: ["redacteur:herentals"],
            accounts.lezer: ["lezer:herentals"],
            accounts.lezer_halle: ["lezer:halle"],
            accounts.spare: ["lezer:halle"],
        }
        for email, roles in specs.items():
            create_user(session, email, PASSWORD, roles=[parse_role(r, session) for r in roles])
        session.commit()
    return accounts


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    """Log in through the real form; returns the response of the POST."""
    page = client.get("/aanmelden")
    if page.status_code == 302:  # already logged in
        return page
    return client.post("/aanmelden", data={"csrf_token": csrf_token(page.text), "email": email, "wachtwoord": password})


def logout_client(client) -> None:
    page = client.get("/beheer/", follow_redirects=True)
    if 'action="/afmelden"' in page.text:
        client.post("/afmelden", data={"csrf_token": csrf_token(page.text)})


class _FormParser(HTMLParser):
    """What a browser would submit from one form: inputs (checked boxes only),
    selected options (or a single select's first option), textareas; not the
    contents of <template> elements."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.template_depth = form_id, False, 0
        self.values: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.textarea: str | None = None
        self.action: str | None = None
        self.textareas: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (self.form_id is None and self.action is None or a.get("id") == self.form_id):
            self.inside, self.action = True, a.get("action")
            return
        if not self.inside:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and "name" in a:
            self.select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            if self.select["first"] is None:
                self.select["first"] = a.get("value", "")
            if "selected" in a:
                self.select["chosen"].append(a.get("value", ""))
        elif tag == "textarea" and "name" in a:
            self.textarea = a["name"]
            self.textareas.add(a["name"])
            self.values.append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "template" and self.template_depth:
            self.template_depth -= 1
        elif tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else [self.select["first"] or ""])
            self.values.extend((self.select["name"], v) for v in chosen)
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.inside and not self.template_depth:
            name, value = self.values[-1]
            self.values[-1] = (name, value + data)


def form_values(html: str, form_id: str | None = None) -> MultiDict:
    """The values a browser would submit from the form `form_id` (or the first form)."""
    parser = _FormParser(form_id)
    parser.feed(html)
    # Browsers drop the one newline right after <textarea>.
    return MultiDict([
        (name, value[1:] if name in parser.textareas and value.startswith("\n") else value)
        for name, value in parser.values
    ])


def fill(values: MultiDict, changes: dict) -> MultiDict:
    """Set fields like a person typing (MultiDict.update would add values)."""
    for key, value in changes.items():
        values[key] = value
    return values


def page_form(client, url: str, form_id: str = "fiche-form") -> MultiDict:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return form_values(page.text, form_id)


def as_user(app, email: str):
    """A test client logged in as `email` (the staff fixture's password)."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def edit_url(fiche_id: int) -> str:
    return f"/beheer/herentals/fiches/{fiche_id}/bewerken"


def race_two_saves(clients, fiche_id: int, round_: int) -> int:
    """Two editors post the edit form of `fiche_id` at the same moment (a
    barrier), each with its own title 'Ronde <round_> van redacteur <i>'.
    Exactly one wins (302); the other gets the Dutch 409 that keeps their
    input. Returns the winner's index."""
    forms = [page_form(c, edit_url(fiche_id)) for c in clients]
    for i, values in enumerate(forms):
        fill(values, {"titel": f"Ronde {round_} van redacteur {i}"})
    barrier, answers = threading.Barrier(2), [None, None]

    def save(i):
        barrier.wait()
        answers[i] = clients[i].post(edit_url(fiche_id), data=forms[i])

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302, 409], statuses
    winner = next(i for i, a in enumerate(answers) if a.status_code == 302)
    loser = answers[1 - winner].get_data(as_text=True)
    assert "Iemand anders heeft deze fiche intussen gewijzigd" in loser
    assert f'value="Ronde {round_} van redacteur {1 - winner}"' in loser   # the input is kept
    return winner


def fiche_by_ref(session, ref: str):
    from sqlalchemy import select

    from app.models import Fiche

    return session.scalar(select(Fiche).where(Fiche.ref == ref))


def draft_marker_fiche(session, marker: str):
    """Turn a published Herentals project with a geometry and a budget into
    a draft whose title and summary carry `marker`. Returns the fiche."""
    from sqlalchemy import select

    from app.models import BudgetLine, Fiche, Municipality

    fiche = session.scalar(
        select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.geom.is_not(None),
            Fiche.kind == "fiche", Fiche.id.in_(select(BudgetLine.fiche_id)),
        ).order_by(Fiche.id).limit(1)
    )
    assert fiche is not None, "the demo data has no published Herentals fiche with a geometry and a budget"
    fiche.title = f"{marker} titel"
    fiche.summary = f"{marker} samenvatting"
    fiche.published = False
    session.commit()
    return fiche
