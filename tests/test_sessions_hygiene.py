"""Sessions end on the server, the login throttle per account and per client
address (behind a configured number of proxies), and hygiene: the public
base URL / trusted hosts for absolute links, private files from the start,
no-store on staff answers, digit parsing that cannot 500."""
from __future__ import annotations

import csv
import io
import os
import stat
import zipfile

import pytest

from conftest import dispose, make_test_app
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, csrf_token, login


def _login_from(client, email, password, address):
    page = client.get("/aanmelden", headers={"X-Forwarded-For": address})
    return client.post("/aanmelden", data={"csrf_token": csrf_token(page.text), "email": email, "wachtwoord": password},
                       headers={"X-Forwarded-For": address})


def test_logout_ends_the_session_on_the_server(scratch_app, staff):
    client = scratch_app.test_client()
    assert login(client, staff.redacteur).status_code == 302
    cookie = client.get_cookie("session").value
    assert client.get("/beheer/herentals/").status_code == 200
    page = client.get("/beheer/herentals/")
    assert client.post("/afmelden", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    replay = scratch_app.test_client()
    replay.set_cookie("session", cookie)
    answer = replay.get("/beheer/herentals/")
    assert answer.status_code == 302 and "/aanmelden" in answer.headers["Location"]


def test_one_address_cannot_lock_out_other_staff_behind_a_proxy(scratch_app, staff):
    behind_proxy = make_test_app(scratch_app.config["DATABASE_URL"], TRUSTED_PROXIES="1")
    try:
        attacker = behind_proxy.test_client()
        for i in range(36):   # over 30 failures over several accounts, the one under attack included
            _login_from(attacker, staff.spare if i % 5 == 0 else f"gok{i}@fichekaart.test", "fout-wachtwoord",
                        "203.0.113.9")
        blocked = _login_from(attacker, staff.redacteur, PASSWORD, "203.0.113.9")
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        colleague = behind_proxy.test_client()
        assert _login_from(colleague, staff.redacteur2, PASSWORD, "198.51.100.7").status_code == 302
        # The account under attack still logs in from its own address.
        assert _login_from(behind_proxy.test_client(), staff.spare, PASSWORD, "198.51.100.8").status_code == 302
    finally:
        dispose(behind_proxy)


def test_without_trusted_proxies_a_forwarded_address_is_ignored(scratch_app, staff):
    attacker = scratch_app.test_client()
    for i in range(31):
        _login_from(attacker, f"gok{i}@fichekaart.test", "fout-wachtwoord", f"203.0.113.{i}")  # forged, one per try
    assert _login_from(attacker, staff.spare, PASSWORD, "198.51.100.1").status_code == 429


def test_staff_answers_are_not_stored(scratch_app, staff):
    client = scratch_app.test_client()
    assert client.get("/aanmelden").headers["Cache-Control"] == "no-store"
    assert login(client, staff.redacteur).status_code == 302
    for url in ("/beheer/", "/beheer/herentals/", "/beheer/herentals/import", "/beheer/bedrag?waarde=1"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    assert "no-store" not in (client.get("/herentals").headers.get("Cache-Control") or "")


@pytest.mark.parametrize("url,status", [
    ("/api/herentals/fiches.geojson?zoom=²", 400),
    ("/api/herentals/wijken.geojson?zoom=99999999999999999999", 400),
    ("/ogc/collections/fasen/items/12345678901234567890", 404),
    ("/ogc/collections/fasen/items/²", 404),
    ("/ogc/collections/fasen/items?limit=99999999999999999999", 400),
    ("/herentals/vergelijken?year=²", 200),
])
def test_digits_that_used_to_500(client, url, status):
    answer = client.get(url)
    assert answer.status_code == status, answer.text[:300]
    if status != 200:
        assert answer.json["description"] and "Traceback" not in answer.text


def test_public_url_is_used_for_absolute_links_whatever_the_host(scratch_app):
    public = make_test_app(scratch_app.config["DATABASE_URL"], PUBLIC_URL="https://fichekaart.example.be")
    try:
        client = public.test_client()
        landing = client.get("/ogc/?f=json", headers={"Host": "evil.example"}).json
        # every link of our own (licence documents live elsewhere: rel=license)
        hrefs = [link["href"] for link in landing["links"] if link["rel"] != "license"]
        assert hrefs and all(h.startswith("https://fichekaart.example.be/") for h in hrefs), hrefs
        assert not any("evil.example" in link["href"] for link in landing["links"])
        items = client.get("/ogc/collections/fasen/items?f=json&limit=2", headers={"Host": "evil.example"}).json
        assert "evil.example" not in str(items)
        export = client.get("/herentals/download.csv", headers={"Host": "evil.example"})
        assert export.status_code == 200 and b"evil.example" not in export.data
        with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
            name = next(n for n in archive.namelist() if "fiches" in n and n.endswith(".csv"))
            text = archive.read(name).decode("utf-8-sig")
        urls = [row["url"] for row in csv.DictReader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ",")]
        assert urls and all(u.startswith("https://fichekaart.example.be/herentals/") for u in urls)
    finally:
        dispose(public)


def test_trusted_hosts_refuse_another_host(scratch_app):
    guarded = make_test_app(scratch_app.config["DATABASE_URL"], TRUSTED_HOSTS="fichekaart.example.be, localhost")
    try:
        client = guarded.test_client()
        assert client.get("/ogc/?f=json", headers={"Host": "evil.example"}).status_code == 400
        assert client.get("/ogc/?f=json", headers={"Host": "fichekaart.example.be"}).status_code == 200
    finally:
        dispose(guarded)


def test_database_file_and_secret_key_are_private_from_the_start(tmp_path):
    from types import SimpleNamespace

    from app.config import instance_secret_key
    from app.db import make_engine

    old = os.umask(0)   # a permissive umask must not matter
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'nieuw.sqlite'}")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
        engine.dispose()
        key = instance_secret_key(SimpleNamespace(instance_path=str(tmp_path / "instance")))
    finally:
        os.umask(old)
    assert len(key) == 64
    for path in (tmp_path / "nieuw.sqlite", tmp_path / "instance" / "secret_key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_odd_digits_in_the_staff_form_are_refused_not_500(scratch_app, staff):
    from staff_fixtures import fill, page_form

    client = scratch_app.test_client()
    assert login(client, staff.redacteur).status_code == 302
    values = page_form(client, "/beheer/herentals/fiches/nieuw")
    fill(values, {"ref": "HER-CIJFER-1", "titel": "Cijfers", "ouder_id": "²", "versie": "1" * 20,
                  "budget-0-id": "²", "budget-0-jaar": "2026", "budget-0-soort": "investering",
                  "budget-0-richting": "uitgave", "budget-0-bedrag_eur": "5", "budget-0-basis": "raming"})
    values.add("hangt_af_van", "12345678901234567890")
    answer = client.post("/beheer/herentals/fiches/nieuw", data=values)
    assert answer.status_code == 422 and "Deze ouder kan niet gekozen worden" in answer.text
