"""Several editors at once: a true save race answers 409 with the input kept
(both databases); on SpatiaLite, SQLITE_BUSY and a read-only file give the
Dutch 503 that keeps the input, reads keep working afterwards, and three
editors and an import against a real threaded server lose nothing."""
from __future__ import annotations

import re
import sqlite3
import threading
import time
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from conftest import dispose, make_test_app
from job_fixtures import *  # noqa: F401,F403
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, as_user, csrf_token, db, edit_url, fill, form_values, page_form, race_two_saves



def herentals_fiches(app, n):
    """n Herentals fiches, made drafts: saving edits the fiche itself (a
    published fiche saves into its working version; that race is in
    tests/test_working_version.py)."""
    from app.models import Fiche, Municipality

    with db(app) as session:
        fiches = list(session.scalars(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.kind == "fiche").order_by(Fiche.id).limit(n)))
        for fiche in fiches:
            fiche.published = False
        session.commit()
        return [(f.id, f.ref) for f in fiches]


def title_of(app, fiche_id):
    from app.models import Fiche

    with db(app) as session:
        return session.get(Fiche, fiche_id).title



def spatialite_only(backend):
    if backend != "spatialite":
        pytest.skip("SQLite locking")


# The save race (both databases) --------------------------------------------------

def test_true_save_race_answers_409_with_the_input_kept(scratch_app, staff):
    (fiche_id, _ref), = herentals_fiches(scratch_app, 1)
    clients = [as_user(scratch_app, staff.redacteur), as_user(scratch_app, staff.redacteur2)]
    for round_ in range(5):
        winner = race_two_saves(clients, fiche_id, round_)
        assert title_of(scratch_app, fiche_id) == f"Ronde {round_} van redacteur {winner}"


# SpatiaLite: busy, read-only --------------------------------------------------------

def test_busy_database_gives_503_with_the_input_kept_and_reads_keep_working(scratch_app, staff, backend):
    spatialite_only(backend)
    url = scratch_app.config["DATABASE_URL"]
    impatient = make_test_app(url, SQLITE_BUSY_TIMEOUT_MS=200)
    try:
        client = as_user(impatient, staff.redacteur)
        (fiche_id, _ref), = herentals_fiches(impatient, 1)
        values = fill(page_form(client, edit_url(fiche_id)), {"titel": "Getypt tijdens een lock"})
        holder = sqlite3.connect(make_url(url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")   # another writer holds the lock
        try:
            started = time.monotonic()
            answer = client.post(edit_url(fiche_id), data=values)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
            assert time.monotonic() - started < 3
            assert "De databank is even bezet" in answer.text
            assert 'value="Getypt tijdens een lock"' in answer.text        # kept, ready to send again
            # Reads keep working on this worker while the lock is held and after.
            assert client.get(edit_url(fiche_id)).status_code == 200
            assert client.get("/herentals").status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        again = form_values(answer.text, "opnieuw-form")
        resent = client.post(edit_url(fiche_id), data=again)
        assert resent.status_code == 302
        assert title_of(impatient, fiche_id) == "Getypt tijdens een lock"
        assert client.get("/herentals").status_code == 200
    finally:
        dispose(impatient)


def test_read_only_database_gives_503_and_reads_keep_working(scratch_app, staff, backend):
    spatialite_only(backend)
    path = make_url(scratch_app.config["DATABASE_URL"]).database
    read_only = make_test_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        client = read_only.test_client()
        page = client.get("/aanmelden")
        answer = client.post("/aanmelden", data={"csrf_token": csrf_token(page.text), "email": staff.redacteur,
                                                  "wachtwoord": PASSWORD})
        assert answer.status_code == 503, answer.text[:300]
        assert "alleen-lezen of schijf vol" in answer.text
        assert PASSWORD not in answer.text and staff.redacteur in answer.text
        for _ in range(3):
            assert client.get("/herentals").status_code == 200
            assert client.get("/").status_code == 200
    finally:
        dispose(read_only)


# Three editors and an import against a real server (SpatiaLite) -----------------------

def test_three_editors_and_an_import_on_a_real_server(scratch_app, queued_app, staff, backend, request):
    """The import runs as it does in production: its jobs in a worker process."""
    spatialite_only(backend)
    import requests
    from werkzeug.serving import make_server

    request.getfixturevalue("worker")
    server = make_server("127.0.0.1", 0, queued_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    fiches = herentals_fiches(scratch_app, 6)
    statuses: list[int] = []
    imports_written: list[bool] = []
    last_title: dict[int, str] = {}
    lock = threading.Lock()

    def session_for(email):
        s = requests.Session()
        page = s.get(base + "/aanmelden")
        answer = s.post(base + "/aanmelden", data={"csrf_token": csrf_token(page.text), "email": email,
                                                    "wachtwoord": PASSWORD}, allow_redirects=False)
        assert answer.status_code == 302
        return s

    def editor(email, fiche_id, name):
        s = session_for(email)
        for n in range(8):
            page = s.get(base + edit_url(fiche_id))
            values = fill(form_values(page.text, "fiche-form"), {"titel": f"{name} bewaart {n}"})
            answer = s.post(base + edit_url(fiche_id), data=list(values.items(multi=True)), allow_redirects=False)
            with lock:
                statuses.append(answer.status_code)
                if answer.status_code == 302:
                    last_title[fiche_id] = f"{name} bewaart {n}"

    def importer():
        s = session_for(staff.beheerder)
        rows = "\n".join(f"{ref};Geïmporteerd {ref}" for _id, ref in fiches[3:])
        for _ in range(5):
            page = s.get(base + "/beheer/herentals/import")
            data = {"csrf_token": csrf_token(page.text), "crs": "31370"}
            preview = s.post(base + "/beheer/herentals/import", data=data,
                             files={"bestand": ("f.csv", f"ref;titel\n{rows}\n".encode())})
            preview = finished(s, preview.url)  # the job's page, once the worker has checked the file
            with lock:
                statuses.append(preview.status_code)
            assert preview.status_code == 200, re.findall(r"<td>[^<]{10,}</td>", preview.text)[:3]
            action = re.search(r'action="([^"]+/bevestigen)"', preview.text)
            if action:
                confirmed = s.post(base + unescape(action.group(1)), allow_redirects=False, data={
                    "csrf_token": csrf_token(preview.text)})
                done = finished(s, preview.url)
                with lock:
                    statuses.extend([confirmed.status_code, done.status_code])
                    imports_written.append("Import bewaard" in done.text)

    def finished(s, job_url):
        """Poll the job's status (as its page does) until the worker is done with it."""
        deadline = time.monotonic() + 120
        while s.get(job_url + "/status.json").json()["running"]:
            assert time.monotonic() < deadline, "the worker did not finish the job"
            time.sleep(0.2)
        return s.get(job_url)

    workers = [
        threading.Thread(target=editor, args=(staff.redacteur, fiches[0][0], "A")),
        threading.Thread(target=editor, args=(staff.redacteur2, fiches[1][0], "B")),
        threading.Thread(target=editor, args=(staff.beheerder, fiches[2][0], "C")),
        threading.Thread(target=importer),
    ]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    server.shutdown()
    assert [s for s in statuses if s >= 500] == [], statuses
    assert statuses.count(302) >= 24, statuses
    assert imports_written and all(imports_written), imports_written   # the worker wrote the import
    for fiche_id, title in last_title.items():
        assert title_of(scratch_app, fiche_id) == title     # no lost update
    assert len(last_title) == 3
    print(f"\n{len(statuses)} requests in {time.monotonic() - started:.1f} s: {sorted(set(statuses))}")


def test_full_disk_gives_503_and_reads_keep_working(scratch_app, staff, backend):
    """SQLITE_FULL, simulated with max_page_count at the file's current size."""
    spatialite_only(backend)
    from sqlalchemy import event

    client = as_user(scratch_app, staff.redacteur)
    (fiche_id, _ref), = herentals_fiches(scratch_app, 1)
    values = fill(page_form(client, edit_url(fiche_id)), {"samenvatting": "Veel tekst. " * 200_000})
    engine = scratch_app.extensions["fichekaart.engine"]

    def full(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", full)
    engine.dispose()
    try:
        answer = client.post(edit_url(fiche_id), data=values)
        assert answer.status_code == 503 and "schijf vol" in answer.text
        assert "Veel tekst. Veel tekst." in answer.text        # the input is kept
        assert client.get(edit_url(fiche_id)).status_code == 200
        assert client.get("/herentals").status_code == 200
    finally:
        event.remove(engine, "connect", full)
        engine.dispose()
