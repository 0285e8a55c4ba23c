"""Accounts in the workspace (/beheer/gebruikers), for beheerders (both databases)."""
from __future__ import annotations

from html import unescape

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, db, fill, login, page_form


def test_beheerder_manages_accounts(scratch_app, staff):
    from app.auth import find_user, has_role
    from app.models import Municipality

    admin = scratch_app.test_client()
    login(admin, staff.beheerder)
    with db(scratch_app) as session:
        herentals = session.query(Municipality).filter_by(slug="herentals").one()
        halle = session.query(Municipality).filter_by(slug="halle").one()
        ids = (herentals.id, halle.id)
    values = page_form(admin, "/beheer/gebruikers/nieuw", "gebruiker-form")
    fill(values, {"email": "Nieuwe.Collega@Herentals.test", "naam": "Nieuwe collega", "wachtwoord": "kort",
                  f"rol-{ids[0]}": "redacteur", f"rol-{ids[1]}": "lezer"})
    refused = admin.post("/beheer/gebruikers/nieuw", data=values)
    assert refused.status_code == 422 and "minstens 10 tekens" in refused.text
    values["wachtwoord"] = "een-goed-wachtwoord"
    assert admin.post("/beheer/gebruikers/nieuw", data=values).status_code == 302
    listing = admin.get("/beheer/gebruikers/")
    assert "nieuwe.collega@herentals.test" in listing.text and "redacteur (Herentals)" in listing.text
    with db(scratch_app) as session:
        user = find_user(session, "nieuwe.collega@herentals.test")
        assert has_role(user, "redacteur", ids[0]) and has_role(user, "lezer", ids[1])
        assert not has_role(user, "redacteur", ids[1]) and not has_role(user, "beheerder")
        user_id = user.id

    colleague = scratch_app.test_client()
    assert login(colleague, "nieuwe.collega@herentals.test", "een-goed-wachtwoord").status_code == 302
    assert colleague.get("/beheer/herentals/fiches/nieuw").status_code == 200
    assert colleague.get("/beheer/halle/fiches/nieuw").status_code == 403

    # Deactivate: the open session ends, logging in fails.
    values = page_form(admin, f"/beheer/gebruikers/{user_id}", "gebruiker-form")
    values.poplist("actief")
    assert admin.post(f"/beheer/gebruikers/{user_id}", data=values).status_code == 302
    assert colleague.get("/beheer/herentals/").status_code == 302
    assert login(scratch_app.test_client(), "nieuwe.collega@herentals.test", "een-goed-wachtwoord").status_code == 401


def test_beheerder_cannot_lock_themselves_out(scratch_app, staff):
    from app.auth import find_user

    admin = scratch_app.test_client()
    login(admin, staff.beheerder)
    with db(scratch_app) as session:
        me = find_user(session, staff.beheerder).id
    values = page_form(admin, f"/beheer/gebruikers/{me}", "gebruiker-form")
    values.poplist("beheerder")
    response = admin.post(f"/beheer/gebruikers/{me}", data=values)
    assert response.status_code == 422
    assert "Je kan jezelf niet deactiveren of je eigen beheerdersrol afnemen." in unescape(response.text)
    # Changing one's own password keeps one logged in.
    values = page_form(admin, f"/beheer/gebruikers/{me}", "gebruiker-form")
    values["wachtwoord"] = "nog-een-ander-wachtwoord"
    assert admin.post(f"/beheer/gebruikers/{me}", data=values).status_code == 302
    assert admin.get("/beheer/gebruikers/").status_code == 200
    assert login(scratch_app.test_client(), staff.beheerder, PASSWORD).status_code == 401
