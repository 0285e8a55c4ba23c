"""The import job's progress page in Chromium: the script takes over from the
meta refresh (in <noscript>), shows the progress the worker stores, and shows the result
once the job is over (both databases)."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from browser_fixtures import ARTIFACTS, BROWSER_MARKS, Watched, serve
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, db

pytestmark = BROWSER_MARKS


def test_progress_bar_follows_the_job_then_shows_the_result(scratch_app, staff, chromium):
    from app.auth import find_user
    from app.jobs.queue import ProgressReporter, get_queue
    from app.models import ImportJob, Municipality

    scratch_app.config["BASEMAP"] = "none"
    now = dt.datetime.now(dt.UTC)
    with db(scratch_app) as session:  # a job the (absent) worker has just picked up
        city_id = session.scalar(select(Municipality.id).where(Municipality.slug == "herentals"))
        session.add(ImportJob(token="browser-job", user_id=find_user(session, staff.redacteur).id,
                              municipality_id=city_id, kind="fiches", filename="groot.csv", state="controle",
                              created_at=now, updated_at=now))
        session.commit()
    server, thread = serve(scratch_app)
    watched = Watched(chromium, f"http://127.0.0.1:{server.server_port}")
    try:
        page = watched.page
        page.goto(watched.base + "/aanmelden")
        page.fill("#email", staff.redacteur)
        page.fill("#wachtwoord", PASSWORD)
        page.click("#aanmelden-form button[type=submit]")
        page.wait_for_load_state()
        page.goto(watched.base + "/beheer/herentals/import/browser-job")
        assert page.locator('meta[http-equiv="refresh"]').count() == 0   # in <noscript>: no reloads with JS
        # The worker reports progress: the bar follows without a reload.
        with scratch_app.app_context():
            ProgressReporter(get_queue(), "browser-job").put("controleren", 300, 1200)
        page.wait_for_selector("#voortgang-tekst:has-text('300 van 1200 rijen gecontroleerd')", timeout=10000)
        assert page.eval_on_selector("#voortgang-balk", "b => [b.value, b.max]") == [300, 1200]
        page.screenshot(path=str(ARTIFACTS / "staff-import-progress.png"))
        # The job ends: the page reloads itself and shows the result.
        with db(scratch_app) as session:
            session.execute(update(ImportJob).where(ImportJob.token == "browser-job").values(
                state="klaar", result=json.dumps({"created": 1200, "updated": 0, "unchanged": 0})))
            session.commit()
        page.wait_for_selector("#resultaat", timeout=10000)
        assert "1200 nieuwe fiche(s), 0 bijgewerkt" in page.content()
        watched.check_clean()
    finally:
        watched.close()
        server.shutdown()
        thread.join(5)
