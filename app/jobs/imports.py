"""Bulk imports as background jobs.

    web: upload  -> ImportJob (state "wacht", the file in the row) + task "import.check"
    worker:         "controle": read, check every row (progress: rows checked / total),
                    preview in a rolled-back transaction -> "voorvertoning" or "fouten"
    web: confirm -> "schrijven" + task "import.write"
    worker:         the same import in ONE transaction with the history records,
                    committed together with "klaar" (all or nothing) -> "klaar" or "mislukt"

A web request only stores or reads an ImportJob row, so it never runs longer
than a second or two, whatever the file. The progress of a running job is in
the queue's store (app/jobs/queue.py); what the jobs found is JSON in the row
(ImportJob.result), so any web worker can show it and page through it.

Memory: a job reads the whole file and the importer keeps every row, so a
file may have at most IMPORT_MAX_ROWS rows (FICHEKAART_IMPORT_MAX_ROWS,
default 20,000; measured in docs/bench.md); a bigger one is refused before
any row is checked, with a Dutch message naming the limit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import secrets

from flask import Flask, current_app, g
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..auth import as_utc
from ..db import get_session, writing
from ..models import ImportJob, Municipality, User
from ..write.editing import bulk
from ..write.imports import RowError
from .queue import ProgressReporter, get_queue

log = logging.getLogger(__name__)

DEFAULT_MAX_ROWS = 20_000
JOB_TTL = bulk.UPLOAD_TTL
# A job still "running" this long after its last step was cut off (a worker
# killed or restarted mid-job): it wrote nothing (one transaction), its page says so.
STALLED_AFTER = dt.timedelta(hours=1)
RUNNING = ("wacht", "controle", "schrijven")
FINISHED = ("fouten", "klaar", "mislukt")
STATE_LABELS = {
    "wacht": "Wacht op een vrije verwerker",
    "controle": "Bestand wordt gecontroleerd",
    "voorvertoning": "Voorvertoning klaar: nog niets bewaard",
    "fouten": "Fouten gevonden: er werd niets geïmporteerd",
    "schrijven": "Import wordt bewaard",
    "klaar": "Import bewaard",
    "mislukt": "Import mislukt: er werd niets geïmporteerd",
}
PHASE_LABELS = {"lezen": "bestand lezen", "controleren": "rijen gecontroleerd",
                "voorvertoning": "voorvertoning opgebouwd", "schrijven": "fiches bewaard"}
TECHNICAL_FAILURE = ("Er liep iets mis bij het verwerken van het bestand (een technische fout, niet in je bestand). "
                     "Er werd niets geïmporteerd. Probeer het later opnieuw of meld het aan de beheerder.")


def max_rows(app: Flask | None = None) -> int:
    return int((app or current_app).config.get("IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)


# Web side: create, look up, confirm ----------------------------------------------

def start(session: Session, user: User, municipality: Municipality, kind: bulk.ImportKind, data: bytes,
          filename: str, options: dict) -> ImportJob:
    """Store the file as a new job and queue its check. Commits. Old jobs
    (older than JOB_TTL) go, as does the user's previous unfinished preview
    for this city (one waiting preview per user and city)."""
    now = dt.datetime.now(dt.UTC)
    with writing():
        session.execute(delete(ImportJob).where(
            (ImportJob.created_at < now - JOB_TTL)
            | ((ImportJob.user_id == user.id) & (ImportJob.municipality_id == municipality.id)
               & (ImportJob.state == "voorvertoning"))
        ))
        job = ImportJob(token=secrets.token_urlsafe(32), user_id=user.id, municipality_id=municipality.id,
                        kind=kind.key, filename=filename[:255], options=json.dumps(options), data=data,
                        state="wacht", created_at=now, updated_at=now)
        session.add(job)
        session.commit()
    enqueue("import.check", job.id)
    return job


def find(session: Session, token: str, user: User, municipality: Municipality) -> ImportJob | None:
    """The user's own job in this city, while it is not expired."""
    job = session.scalar(select(ImportJob).where(
        ImportJob.token == token, ImportJob.user_id == user.id, ImportJob.municipality_id == municipality.id))
    if job is None or as_utc(job.created_at) < dt.datetime.now(dt.UTC) - JOB_TTL:
        return None
    return job


def confirm(session: Session, job: ImportJob) -> bool:
    """Queue the write of a previewed job. False when it is not (or no
    longer) waiting for confirmation: a second click changes nothing."""
    claimed = _move(session, job.id, "voorvertoning", ImportJob.data.is_not(None), state="schrijven")
    if claimed:
        enqueue("import.write", job.id)
    return bool(claimed)


def choose_layer(session: Session, job: ImportJob, layer: str) -> bool:
    """Check the job's file again, now reading `layer` (a file with several
    layers). False when the job does not (or no longer) ask for a layer."""
    if job.state != "fouten" or job.data is None or layer not in result_of(job).get("layers", []):
        return False
    claimed = _move(session, job.id, "fouten", state="wacht", result=None,
                    options=json.dumps({**_options(job), "layer": layer}))
    if claimed:
        enqueue("import.check", job.id)
    return bool(claimed)


def enqueue(task: str, job_id: int) -> None:
    current_app.extensions["fichekaart.import_tasks"][task](job_id)


def stalled(job: ImportJob) -> bool:
    return job.state in RUNNING and as_utc(job.updated_at) < dt.datetime.now(dt.UTC) - STALLED_AFTER


def result_of(job: ImportJob) -> dict:
    return json.loads(job.result) if job.result else {}


def errors_of(result: dict) -> list[RowError]:
    return [RowError(e["row"], e["column"], e["message"]) for e in result.get("errors", [])]


# Worker side: the two tasks ----------------------------------------------------

def register_tasks(app: Flask) -> None:
    """The tasks on this app's queue, each run inside the app's context."""
    queue = get_queue(app)

    def in_app(body):
        def run(job_id: int) -> None:
            with app.app_context():
                # A job takes the write lock only where it writes (writing());
                # in huey's immediate mode it runs inside a POST request.
                g.defer_write_lock = True
                body(job_id)
        return run

    app.extensions["fichekaart.import_tasks"] = {
        "import.check": queue.task(name="import.check")(in_app(check_job)),
        "import.write": queue.task(name="import.write")(in_app(write_job)),
    }


def check_job(job_id: int) -> None:
    session = get_session()
    job = _claim(session, job_id, "wacht", "controle")
    if job is None:
        return
    reporter = ProgressReporter(get_queue(), job.token)
    reporter.put("lezen")
    try:
        result = bulk.preview(session, _city(session, job), bulk.IMPORT_KINDS[job.kind], job.data, job.filename,
                              _options(job), checked=reporter.phase("controleren"),
                              progress=reporter.phase("voorvertoning"), max_rows=max_rows())
    except Exception:
        log.exception("import job %s: check failed", job_id)
        session.rollback()
        _finish(session, job_id, "mislukt", {"message": TECHNICAL_FAILURE})
        return
    finally:
        reporter.clear()
    # A clean file that changes nothing is a preview too (it says so, with nothing to confirm).
    state = "fouten" if result.errors else "voorvertoning"
    # The file stays while it may still be confirmed, or imported from another of its layers.
    keep = bool(result.items) and not result.errors or bool(result.layers)
    _finish(session, job_id, state, _preview_json(result), keep_file=keep)


def write_job(job_id: int) -> None:
    session = get_session()
    job = session.get(ImportJob, job_id)
    if job is None or job.state != "schrijven":
        return
    reporter = ProgressReporter(get_queue(), job.token)
    reporter.put("lezen")
    previewed = result_of(job)
    try:
        with writing():  # SpatiaLite: the write lock from the start, for the whole import
            session.rollback()
            job = session.get(ImportJob, job_id)
            user = session.get(User, job.user_id)
            seen = {int(k): v for k, v in previewed.get("versions", {}).items()}
            result = bulk.confirm(session, _city(session, job), bulk.IMPORT_KINDS[job.kind], job.data,
                                  job.filename, _options(job), seen, user,
                                  checked=reporter.phase("controleren"), progress=reporter.phase("schrijven"))
            if result.errors:
                session.rollback()
                outcome = {**_preview_json(result), "message": "Het bestand gaf nu fouten; er werd niets geïmporteerd."}
                _finish(session, job_id, "mislukt", outcome)
                return
            # The job's end is committed with the import itself: all or nothing.
            _set_finished(session, job_id, "klaar", {
                "created": len(result.created), "updated": len(result.updated), "unchanged": result.unchanged,
            })
            session.commit()
    except bulk.UploadStale as exc:
        session.rollback()
        _finish(session, job_id, "mislukt", {"conflict": True, "message": (
            "Intussen werden fiches uit dit bestand door iemand anders gewijzigd: " + ", ".join(exc.refs)
            + ". Er werd niets geïmporteerd. Laad het bestand opnieuw op om de nieuwe voorvertoning te zien.")})
    except Exception:
        log.exception("import job %s: write failed", job_id)
        session.rollback()
        _finish(session, job_id, "mislukt", {"message": TECHNICAL_FAILURE})
    finally:
        reporter.clear()


def _claim(session: Session, job_id: int, from_state: str, to_state: str) -> ImportJob | None:
    """Move the job on, unless another worker (or a retry) already did."""
    return session.get(ImportJob, job_id) if _move(session, job_id, from_state, state=to_state) else None


def _move(session: Session, job_id: int, from_state: str, *conditions, **values) -> bool:
    """Change the job only while it is in `from_state` (one UPDATE, committed):
    of two clicks, requests or workers, only one moves it on."""
    with writing():
        moved = session.connection().execute(
            update(ImportJob).where(ImportJob.id == job_id, ImportJob.state == from_state, *conditions)
            .values(updated_at=dt.datetime.now(dt.UTC), **values)
        ).rowcount
        session.commit()
    return bool(moved)


def _finish(session: Session, job_id: int, state: str, result: dict, *, keep_file: bool = False) -> None:
    with writing():
        session.rollback()
        _set_finished(session, job_id, state, result, keep_file=keep_file)
        session.commit()


def _set_finished(session: Session, job_id: int, state: str, result: dict, *, keep_file: bool = False) -> None:
    values: dict = {"state": state, "result": json.dumps(result), "updated_at": dt.datetime.now(dt.UTC)}
    if not keep_file:
        values["data"] = None  # the file is no longer needed: free the space
    session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))


def _city(session: Session, job: ImportJob) -> Municipality:
    return session.get(Municipality, job.municipality_id)


def _options(job: ImportJob) -> dict:
    return json.loads(job.options or "{}")


def _preview_json(result: bulk.BulkResult) -> dict:
    return {
        "items": [dataclasses.asdict(item) for item in result.items],
        "created": len(result.created), "updated": len(result.updated), "unchanged": result.unchanged,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
        "missing_columns": result.missing_columns, "layers": result.layers,
        "versions": {str(k): v for k, v in result.versions.items()},
    }
