"""E-mail alerts end to end on both databases, with a real SMTP server in
the test process (aiosmtpd): subscribe -> confirmation mail -> confirm ->
a published change -> digest -> one-click unsubscribe -> no more mail; a
second run sends nothing; a run broken off by the relay resumes without
duplicates; no enumeration, rate limits, CSRF; staff see numbers only."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from change_helpers import HOSTILE, edit, placed_fiche_in_wijk, record_working_version
from sqlalchemy import func, select
from staff_fixtures import PASSWORD, csrf_token, db, login, staff  # noqa: F401

from app.models import AlertDelivery, AlertSubscription, Municipality


class Inbox:
    """aiosmtpd handler: keeps every message; `fail_after` makes the relay
    refuse every message after that many."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.fail_after: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return "451 4.3.0 relay tijdelijk niet beschikbaar"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(scratch_app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    scratch_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                              SMTP_FROM="Fichekaart <meldingen@fichekaart.test>",
                              PUBLIC_URL="https://fichekaart.test")
    yield handler
    controller.stop()


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def link(text: str, path: str) -> str:
    match = re.search(r"https?://[^\s\"<>]+" + re.escape(path) + r"[^\s\"<>]+", text)
    assert match, f"no {path} link in:\n{text}"
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def subscribe(client, kind: str, key: str | None, address: str, frequency: str = "dagelijks"):
    query = f"/meldingen/volgen?stad=herentals&soort={kind}" + (f"&sleutel={key}" if key else "")
    page = client.get(query)
    assert page.status_code == 200
    return client.post("/meldingen/volgen", data={
        "csrf_token": csrf_token(page.text), "stad": "herentals", "soort": kind, "sleutel": key or "",
        "email": address, "frequentie": frequency})


def send(app, *args):
    return app.test_cli_runner().invoke(args=["alerts", "send", *args])


def test_follow_a_wijk_from_subscription_to_unsubscribe(scratch_app, inbox):
    with db(scratch_app) as session:
        fiche_id, wijk = placed_fiche_in_wijk(session)
    client = scratch_app.test_client()
    address = "bewoner@voorbeeld.be"

    answer = subscribe(client, "wijk", wijk, address)
    assert answer.status_code == 200 and "Kijk in je mailbox" in answer.text
    [confirmation] = inbox.to(address)
    text, html = parts(confirmation)
    confirm_path = link(text, "/meldingen/bevestigen/")
    assert confirm_path in html

    # Nothing is sent before the confirmation.
    edit_session_change(scratch_app, fiche_id, status="lopend")
    assert send(scratch_app).exit_code == 0 and len(inbox.messages) == 1

    page = client.get(confirm_path)             # a button: a mail scanner's GET confirms nothing
    with db(scratch_app) as session:
        assert session.scalar(select(AlertSubscription.confirmed_at)) is None
    done = client.post(confirm_path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200 and "bevestigd" in done.text

    # A published change, then a working-version change that must stay private.
    edit_session_change(scratch_app, fiche_id, status="uitgesteld", budget_factor=2, title=HOSTILE)
    with db(scratch_app) as session:
        record_working_version(session, fiche_id, title="GEHEIME WERKVERSIE")
    result = send(scratch_app)
    assert result.exit_code == 0, result.output
    assert "1 mail(s) verstuurd" in result.output
    [digest] = inbox.to(address)[1:]
    text, html = parts(digest)
    assert "naar uitgesteld" in text and "Het budget voor" in text and "ging van" in html
    assert "GEHEIME WERKVERSIE" not in text + html
    # hostile title: literal in the text part, escaped in the HTML part
    assert HOSTILE in text and "<script>" not in html and "&lt;script&gt;" in html
    unsubscribe_url = digest["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith("https://fichekaart.test/meldingen/uitschrijven/")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in text

    # A second run sends nothing new, also when the schedule is ignored.
    assert "0 mail(s)" in send(scratch_app).output
    assert "0 mail(s)" in send(scratch_app, "--ignore-schedule").output

    # RFC 8058 one-click: a POST without page or CSRF token; the address is gone.
    path = "/" + unsubscribe_url.split("://", 1)[1].split("/", 1)[1]
    gone = scratch_app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert gone.status_code == 200 and "uitgeschreven" in gone.text
    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(AlertSubscription)
                              .where(AlertSubscription.email == address)) == 0
        assert session.scalar(select(func.count()).select_from(AlertDelivery)) == 0

    edit_session_change(scratch_app, fiche_id, status="gerealiseerd")
    assert "0 mail(s)" in send(scratch_app, "--ignore-schedule").output
    assert len(inbox.to(address)) == 2


def edit_session_change(app, fiche_id, **changes):
    with db(app) as session:
        edit(session, fiche_id, **changes)


def confirmed(app, address: str, kind: str, key: str = "", frequency: str = "dagelijks") -> None:
    with db(app) as session:
        city = session.scalar(select(Municipality).where(Municipality.slug == "herentals"))
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        session.add(AlertSubscription(email=address, municipality_id=city.id, kind=kind, target_key=key,
                                      frequency=frequency, created_at=past, confirmed_at=past))
        session.commit()


def test_a_run_broken_off_resumes_without_duplicates(scratch_app, inbox):
    with db(scratch_app) as session:
        fiche_id, _wijk = placed_fiche_in_wijk(session)
    addresses = ["een@voorbeeld.be", "twee@voorbeeld.be", "drie@voorbeeld.be"]
    confirmed(scratch_app, addresses[0], "stad")
    confirmed(scratch_app, addresses[1], "fiche", str(fiche_id))
    confirmed(scratch_app, addresses[2], "stad", frequency="wekelijks")
    edit_session_change(scratch_app, fiche_id, status="uitgesteld", title=HOSTILE + "\r\nBcc: kwaad@voorbeeld.be")

    inbox.fail_after = 1                      # the relay refuses the second mail
    broken = send(scratch_app)
    assert broken.exit_code == 1 and "Versturen mislukt" in broken.output
    assert [m["To"] for m in inbox.messages] == [addresses[0]]
    with db(scratch_app) as session:               # the failed one's claim was given back
        sent = dict(session.execute(select(AlertSubscription.email, AlertSubscription.last_sent_at)).all())
        assert sent[addresses[0]] is not None and sent[addresses[1]] is None

    # A second run at the same moment cannot claim what this one claimed.
    from app.alerts.digest import claim
    with db(scratch_app) as session:
        row = session.scalar(select(AlertSubscription).where(AlertSubscription.email == addresses[0]))
        assert not claim(session, row.id, None, dt.datetime.now(dt.UTC))

    inbox.fail_after = None
    resumed = send(scratch_app)
    assert resumed.exit_code == 0 and "2 mail(s)" in resumed.output
    assert "0 mail(s)" in send(scratch_app, "--ignore-schedule").output
    assert sorted(m["To"] for m in inbox.messages) == sorted(addresses)
    for message in inbox.messages:            # no header injection through a title
        assert message["Bcc"] is None and "\n" not in message["Subject"]


def test_same_answer_whether_the_address_is_known_and_rate_limit(scratch_app, inbox):
    confirmed(scratch_app, "bekend@voorbeeld.be", "stad")
    client = scratch_app.test_client()
    known = subscribe(client, "stad", None, "bekend@voorbeeld.be")
    unknown = subscribe(client, "stad", None, "onbekend@voorbeeld.be")
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    # the known address gets its manage link, not a second subscription
    [mail] = inbox.to("bekend@voorbeeld.be")
    manage_path = link(parts(mail)[0], "/meldingen/beheren/")
    manage = client.get(manage_path)
    assert manage.status_code == 200 and "bekend@voorbeeld.be" in manage.text
    erased = client.post(manage_path, data={"csrf_token": csrf_token(manage.text), "opzeggen": "alles"})
    assert erased.status_code == 200 and "gewist" in erased.text
    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(AlertSubscription)
                              .where(AlertSubscription.email == "bekend@voorbeeld.be")) == 0

    for _ in range(2):
        assert subscribe(client, "stad", None, "onbekend@voorbeeld.be").status_code == 200
    assert subscribe(client, "stad", None, "onbekend@voorbeeld.be").status_code == 429

    bad = client.post("/meldingen/volgen", data={"stad": "herentals", "soort": "stad", "email": "x@y.be",
                                                 "frequentie": "dagelijks"})
    assert bad.status_code == 400 and "CSRF" in bad.text
    page = client.get("/meldingen/volgen?stad=herentals&soort=stad")
    wrong = client.post("/meldingen/volgen", data={"csrf_token": csrf_token(page.text), "stad": "herentals",
                                                   "soort": "stad", "email": "geen adres", "frequentie": "dagelijks"})
    assert wrong.status_code == 400 and "geldig e-mailadres" in wrong.text
    assert client.get("/meldingen/volgen?stad=herentals&soort=wijk&sleutel=GEEN").status_code == 404
    assert client.get("/meldingen/bevestigen/vervalst").status_code == 400
    assert client.post("/meldingen/uitschrijven/vervalst", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert "verwijderd" in client.get("/meldingen/privacy").text or "gewist" in client.get("/meldingen/privacy").text


def test_staff_see_counts_and_a_preview_never_addresses(scratch_app, inbox, staff):  # noqa: F811
    with db(scratch_app) as session:
        fiche_id, wijk = placed_fiche_in_wijk(session)
    confirmed(scratch_app, "geheim.adres@voorbeeld.be", "wijk", wijk)
    edit_session_change(scratch_app, fiche_id, status="uitgesteld")
    client = scratch_app.test_client()
    login(client, staff.beheerder, PASSWORD)
    overview = client.get("/beheer/meldingen/")
    assert overview.status_code == 200 and "geheim.adres" not in overview.text
    assert f'data-key="{wijk}"' in overview.text
    preview = client.get(f"/beheer/meldingen/voorbeeld?stad=herentals&soort=wijk&sleutel={wijk}")
    assert preview.status_code == 200 and "naar uitgesteld" in preview.text
    editor = scratch_app.test_client()
    login(editor, staff.redacteur, PASSWORD)
    assert editor.get("/beheer/meldingen/").status_code == 403


def test_without_a_relay_the_form_says_so_and_offers_the_feed(scratch_app):
    client = scratch_app.test_client()
    page = client.get("/meldingen/volgen?stad=herentals&soort=stad")
    assert page.status_code == 200 and "niet ingesteld" in page.text
    assert 'href="/herentals/wijzigingen.atom"' in page.text
    refused = client.post("/meldingen/volgen", data={"csrf_token": csrf_token(client.get("/aanmelden").text),
                                                     "stad": "herentals", "soort": "stad", "email": "a@b.be",
                                                     "frequentie": "dagelijks"})
    assert refused.status_code == 503 and "niet ingesteld" in refused.text
    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(AlertSubscription)) == 0
    result = scratch_app.test_cli_runner().invoke(args=["alerts", "send"])
    assert result.exit_code != 0 and "FICHEKAART_SMTP_HOST" in result.output
