"""Imports as background jobs (both databases): a real huey worker process
end to end (upload -> progress -> paginated preview -> confirm -> result),
the row limit, and the templates of the workspace and the command line,
each of which imports as shown."""
from __future__ import annotations

import io
import re
import time
from html import unescape

from sqlalchemy import func, select

from job_fixtures import *  # noqa: F401,F403
from job_fixtures import wait_until_done
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import as_user, db, fiche_by_ref, form_values, page_form



def post_file(client, content: bytes, name: str, soort: str = "fiches", **kwargs):
    values = page_form(client, "/beheer/herentals/import", "import-form")
    values["soort"] = soort
    values.add("bestand", (io.BytesIO(content), name))
    return client.post("/beheer/herentals/import", data=values, content_type="multipart/form-data", **kwargs)


def form_action(html: str, form_id: str) -> str:
    return unescape(re.search(rf'<form[^>]*action="([^"]+)"[^>]*id="{form_id}"', html).group(1))


def confirm(client, page, **kwargs):
    return client.post(form_action(page.text, "bevestig-form"), data=form_values(page.text, "bevestig-form"), **kwargs)


def count_fiches(app) -> int:
    from app.models import Fiche

    with db(app) as session:
        return session.scalar(select(func.count()).select_from(Fiche))


# A real worker process (tests/job_fixtures.py) ----------------------------------------

def test_a_real_worker_process_checks_previews_and_imports(queued_app, staff, request, tmp_path):
    from app.jobs.queue import ProgressReporter, get_queue
    from app.models import FicheRevision

    rows = "".join(f"HER-JOB-{i:03d};Fiche {i} uit een achtergrondimport;voorstel;3 11;nee\n" for i in range(120))
    data = ("ref;titel;status;sdgs;gepubliceerd\n" + rows).encode()
    before = count_fiches(queued_app)
    client = as_user(queued_app, staff.redacteur)

    started = time.monotonic()
    stored = post_file(client, data, "achtergrond.csv")
    assert stored.status_code == 303 and time.monotonic() - started < 2   # the request only stores the file
    job_path = stored.headers["Location"]
    waiting = client.get(job_path)
    assert waiting.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting.text  # works without JS
    assert "<progress" in waiting.text and "In de wachtrij" in waiting.text
    assert "import-progress.js" in waiting.text and "status.json" in waiting.text
    status = client.get(job_path + "/status.json").json
    assert status["state"] == "wacht" and status["running"] is True
    # Progress is read from the queue's store, as the worker writes it.
    token = job_path.rsplit("/", 1)[1]
    with queued_app.app_context():
        ProgressReporter(get_queue(), token).put("controleren", 30, 120)
    assert "30 van 120 rijen gecontroleerd" in client.get(job_path).text
    assert {k: client.get(job_path + "/status.json").json[k] for k in ("done", "total")} == {"done": 30, "total": 120}
    assert count_fiches(queued_app) == before

    request.getfixturevalue("worker")                                             # now the worker starts
    wait_until_done(client, job_path)
    preview = client.get(job_path)
    text = unescape(preview.text)
    assert preview.status_code == 200, text[:2000]
    assert "120 nieuwe fiche(s), 0 bijgewerkt" in text and "nog niets bewaard" in text
    assert '<meta http-equiv="refresh"' not in preview.text
    assert "Pagina 1 van 3" in text and "HER-JOB-000" in text and "HER-JOB-050" not in text
    page3 = unescape(client.get(job_path + "?pagina=3").text)
    assert "Pagina 3 van 3" in page3 and "HER-JOB-119" in page3 and "HER-JOB-000" not in page3
    assert count_fiches(queued_app) == before                                      # the preview wrote nothing

    assert confirm(client, preview).status_code == 303
    wait_until_done(client, job_path)
    result = client.get(job_path)
    assert result.status_code == 200 and "120 nieuwe fiche(s), 0 bijgewerkt" in unescape(result.text)
    assert count_fiches(queued_app) == before + 120
    with db(queued_app) as session:
        fiche = fiche_by_ref(session, "HER-JOB-119")
        assert sorted(link.sdg for link in fiche.sdg_links) == [3, 11] and not fiche.published
        revisions = select(func.count()).select_from(FicheRevision).where(
            FicheRevision.action == "import", FicheRevision.fiche_ref.like("HER-JOB-%"))
        assert session.scalar(revisions) == 120


# The row limit ---------------------------------------------------------------------

def test_a_file_over_the_row_limit_is_refused_naming_the_limit(scratch_app, staff):
    scratch_app.config["IMPORT_MAX_ROWS"] = 5
    before = count_fiches(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    assert "hoogstens 5 rijen" in client.get("/beheer/herentals/import").text
    rows = "".join(f"HER-TEVEEL-{i};Fiche {i}\n" for i in range(6))
    answer = post_file(client, ("ref;titel\n" + rows).encode(), "teveel.csv", follow_redirects=True)
    assert answer.status_code == 422
    assert ("Dit bestand telt 6 rijen; één import mag er hoogstens 5 tellen. Splits het bestand op"
            in unescape(answer.text))
    assert count_fiches(scratch_app) == before


# Templates: the same in the workspace and on the command line, and each imports as shown

def test_each_template_imports_as_shown(scratch_app, staff, tmp_path):
    from app.models import Fiche
    from app.write.imports.tables import read_table

    client = as_user(scratch_app, staff.redacteur)
    runner = scratch_app.test_cli_runner()
    for kind in ("fiches", "fasen", "budget"):
        for fmt in ("csv", "xlsx"):
            served = client.get(f"/beheer/herentals/import/{kind}-sjabloon.{fmt}")
            assert served.status_code == 200
            assert f'filename="{kind}-sjabloon.{fmt}"' in served.headers["Content-Disposition"]
            out = tmp_path / f"{kind}.{fmt}"
            done = runner.invoke(args=["import", "template", kind, "-o", str(out)])
            assert done.exit_code == 0, done.output
            cli, web = read_table(out.read_bytes(), out.name), read_table(served.data, out.name)
            assert (cli.columns, cli.rows) == (web.columns, web.rows) and len(web.rows) == 1
    # In the order a city fills them in: the fiche, then its phase, then its budget line.
    for kind in ("fiches", "fasen", "budget"):
        template = client.get(f"/beheer/herentals/import/{kind}-sjabloon.csv").data
        preview = post_file(client, template, f"{kind}-sjabloon.csv", soort=kind, follow_redirects=True)
        assert preview.status_code == 200, unescape(preview.text)[:3000]
        expected = "1 nieuwe fiche(s), 0 bijgewerkt" if kind == "fiches" else "0 nieuwe fiche(s), 1 bijgewerkt"
        assert expected in preview.text, kind
        assert confirm(client, preview, follow_redirects=True).status_code == 200
    with db(scratch_app) as session:
        fiche = session.scalar(select(Fiche).where(Fiche.ref == "VOORBEELD-01"))
        assert fiche.title.startswith("Voorbeeld:") and not fiche.published            # an example, never public
        assert sorted(link.sdg for link in fiche.sdg_links) == [3, 11] and fiche.sdgs_illustrative is True
        assert sorted(d.partner for d in fiche.dependencies if d.partner) == ["Aquafin", "Neteland"]
        assert fiche.geom is not None and fiche.geometry_precision == "indicatief"
        [phase] = fiche.phases
        assert (phase.title, phase.phase_kind, str(phase.start), str(phase.end), phase.illustrative) == (
            "Voorbeeld: ontwerp", "ontwerp", "2026-09-01", "2027-06-30", True)
        [line] = fiche.budget_lines
        assert (line.year, line.kind, float(line.amount_eur), line.basis, line.phase_position) == (
            2027, "investering", 250000.0, "illustratief", 1)                       # "250.000" is 250000 €
    # The XLSX templates hold the same rows: importing them changes nothing.
    for kind in ("fiches", "fasen", "budget"):
        template = client.get(f"/beheer/herentals/import/{kind}-sjabloon.xlsx").data
        preview = post_file(client, template, f"{kind}-sjabloon.xlsx", soort=kind, follow_redirects=True)
        assert preview.status_code == 200 and "0 nieuwe fiche(s), 0 bijgewerkt" in preview.text, kind
        assert "Er is niets te importeren" in preview.text


def test_the_column_help_names_the_right_types(scratch_app, staff):
    text = unescape(as_user(scratch_app, staff.redacteur).get("/beheer/herentals/import").text)
    assert "sdgs_illustratief</th><td>ja of nee" in text
    assert "gescheiden door een spatie (bv. 3 11)" in text and "3;11" not in text
    assert "bedrag_eur</th><td>Verplicht. Bedrag in euro zoals je het typt: 250.000" in text


def test_a_job_cut_off_by_a_stopped_worker_says_so(scratch_app, staff):
    import datetime as dt

    from app.auth import find_user
    from app.models import ImportJob, Municipality

    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    with db(scratch_app) as session:
        city_id = session.scalar(select(Municipality.id).where(Municipality.slug == "herentals"))
        user_id = find_user(session, staff.redacteur).id
        for token, when in (("afgebroken", long_ago), ("bezig", dt.datetime.now(dt.UTC))):
            session.add(ImportJob(token=token, user_id=user_id, municipality_id=city_id, kind="fiches",
                                  filename="groot.csv", state="schrijven", created_at=when, updated_at=when))
        session.commit()
    client = as_user(scratch_app, staff.redacteur)
    assert "meer dan een uur stil" in client.get("/beheer/herentals/import/afgebroken").text
    assert "meer dan een uur stil" not in client.get("/beheer/herentals/import/bezig").text
