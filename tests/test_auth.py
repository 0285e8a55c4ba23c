"""Accounts, login, sessions and throttling (both databases)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, csrf_token, db, login


def test_anonymous_staff_page_redirects_to_login_and_back(scratch_app, staff):
    client = scratch_app.test_client()
    response = client.get("/beheer/herentals/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden?volgende=/beheer/herentals/")
    page = client.get(response.headers["Location"])
    assert "Aanmelden" in page.text
    done = client.post("/aanmelden", data={
        "csrf_token": csrf_token(page.text), "email": staff.lezer, "wachtwoord": PASSWORD,
        "volgende": "/beheer/herentals/",
    })
    assert done.status_code == 302 and done.headers["Location"] == "/beheer/herentals/"
    assert client.get("/beheer/herentals/").status_code == 200


def test_session_cookie_flags_and_lifetime(scratch_app, staff):
    client = scratch_app.test_client()
    cookie = login(client, staff.lezer).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain http (the test client)
    secure = scratch_app.test_client()
    page = secure.get("/aanmelden", base_url="https://localhost")
    response = secure.post("/aanmelden", base_url="https://localhost", headers={"Referer": "https://localhost/aanmelden"}, data={
        "csrf_token": csrf_token(page.text), "email": staff.lezer, "wachtwoord": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_open_redirect_refused(scratch_app, staff):
    client = scratch_app.test_client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = client.get("/aanmelden")
        response = client.post("/aanmelden", data={"csrf_token": csrf_token(page.text), "email": staff.lezer,
                                                   "wachtwoord": PASSWORD, "volgende": target})
        assert response.headers["Location"] == "/beheer/", target
        client.post("/afmelden", data={"csrf_token": csrf_token(client.get("/beheer/herentals/").text)})


def test_wrong_password_and_unknown_account_say_the_same(scratch_app, staff):
    client = scratch_app.test_client()
    wrong = login(client, staff.lezer, "niet-het-wachtwoord")
    unknown = login(client, "niemand@fichekaart.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "Dit e-mailadres en wachtwoord horen niet bij een actieve account."
    assert message in wrong.text and message in unknown.text


def test_logout_is_post_only(scratch_app, staff):
    client = scratch_app.test_client()
    login(client, staff.lezer)
    # GET does not log out (it falls through to the city pages' /<slug>: 404).
    assert client.get("/afmelden").status_code in (404, 405)
    page = client.get("/beheer/herentals/")
    assert page.status_code == 200
    response = client.post("/afmelden", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert client.get("/beheer/herentals/").status_code == 302


def test_rate_limit_per_account_and_ip(scratch_app, staff):
    client = scratch_app.test_client()
    for _ in range(5):
        assert login(client, staff.redacteur, "fout-fout-fout").status_code == 401
    blocked = login(client, staff.redacteur, PASSWORD)  # even the right password
    assert blocked.status_code == 429
    assert "Te veel mislukte aanmeldpogingen" in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0
    # Another address, or another account from this address, is not blocked.
    other_ip = scratch_app.test_client()
    page = other_ip.get("/aanmelden", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    ok = other_ip.post("/aanmelden", environ_base={"REMOTE_ADDR": "10.1.2.3"}, data={
        "csrf_token": csrf_token(page.text), "email": staff.redacteur, "wachtwoord": PASSWORD})
    assert ok.status_code == 302
    assert login(scratch_app.test_client(), staff.lezer).status_code == 302
    # The count lives in the database (shared by all workers).
    from app.models import LoginAttempt

    with db(scratch_app) as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == staff.redacteur, LoginAttempt.success.is_(False))) == 5


def test_deactivated_user_and_password_change_end_sessions(scratch_app, staff):
    from app.auth import find_user, set_password

    client = scratch_app.test_client()
    login(client, staff.lezer)
    assert client.get("/beheer/herentals/").status_code == 200
    with db(scratch_app) as session:
        set_password(find_user(session, staff.lezer), "een-nieuw-wachtwoord")
        session.commit()
    assert client.get("/beheer/herentals/").status_code == 302  # logged out everywhere
    with db(scratch_app) as session:
        find_user(session, staff.redacteur).active = False
        session.commit()
    assert login(client, staff.redacteur).status_code == 401


def test_passwords_are_hashed(scratch_app, staff):
    from app.auth import find_user

    with db(scratch_app) as session:
        user = find_user(session, staff.beheerder)
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_cli_users(scratch_app):
    runner = scratch_app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "chef@fichekaart.test", "--password-stdin"],
                           input="een-lang-wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "Beheerder chef@fichekaart.test aangemaakt" in result.output
    again = runner.invoke(args=["users", "create-admin", "chef@fichekaart.test", "--password-stdin"],
                          input="een-lang-wachtwoord\n")
    assert again.exit_code != 0 and "bestaat al" in again.output
    short = runner.invoke(args=["users", "create-admin", "kort@fichekaart.test", "--password-stdin"], input="kort\n")
    assert short.exit_code != 0 and "minstens 10 tekens" in short.output
    prompted = runner.invoke(args=["users", "add", "red@fichekaart.test", "--role", "redacteur:herentals",
                                   "--role", "lezer:23027"], input="nog-een-wachtwoord\nnog-een-wachtwoord\n")
    assert prompted.exit_code == 0, prompted.output
    bad = runner.invoke(args=["users", "add", "x@fichekaart.test", "--role", "redacteur"], input="x\n")
    assert bad.exit_code != 0 and "Geef bij de rol redacteur een stad op" in bad.output
    listing = runner.invoke(args=["users", "list"])
    assert re.search(r"chef@fichekaart.test\tactief\tbeheerder", listing.output)
    assert "redacteur:herentals, lezer:halle" in listing.output
    client = scratch_app.test_client()
    assert login(client, "chef@fichekaart.test", "een-lang-wachtwoord").status_code == 302
    assert client.get("/beheer/gebruikers/").status_code == 200
