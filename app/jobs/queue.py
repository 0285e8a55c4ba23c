"""The task queue: huey, with its storage chosen by FICHEKAART_QUEUE_URL.

- unset (the default): SqliteHuey, a SQLite file next to the SpatiaLite
  database (`<database>.jobs.sqlite`), or `instance/jobs.sqlite` when the
  database is PostGIS. Every web worker and queue worker of one machine share it.
- `redis://host:6379/0`: RedisHuey, for several app machines (needs the
  `redis` package on every node).
- `sqlite:////path/to/jobs.sqlite`: SqliteHuey in that file.
- `immediate`: huey's immediate mode, tasks run at once inside the caller
  (tests of the pages only; the real queue is tested with a real worker).

One huey instance per app (app.extensions["fichekaart.queue"]); the tasks
are registered on it by app/jobs/imports.py and run inside the app's context.
Besides the queue, huey's key-value store keeps the progress of running jobs,
so that any web worker can show it without touching the main database (on
SpatiaLite a progress write would compete with the import for the write lock).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import make_url

log = logging.getLogger(__name__)

QUEUE_NAME = "fichekaart"


def queue_url(app: Flask) -> str:
    configured = app.config.get("QUEUE_URL")
    if configured:
        return str(configured)
    database = make_url(app.config["DATABASE_URL"])
    if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
        return f"sqlite:///{database.database}.jobs.sqlite"
    return f"sqlite:///{Path(app.instance_path) / 'jobs.sqlite'}"


def make_queue(url: str) -> Huey:
    # results=False: a job's outcome lives in its ImportJob row, not in huey.
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, results=False, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        try:
            import redis  # noqa: F401
        except ImportError:
            raise RuntimeError("FICHEKAART_QUEUE_URL is a Redis URL but the redis package is not installed "
                               "(pip install redis)") from None
        return RedisHuey(QUEUE_NAME, results=False, url=url)
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, results=False, filename=url.removeprefix("sqlite:///"))
    raise RuntimeError(f"FICHEKAART_QUEUE_URL '{url}': use redis://..., sqlite:///... or leave it unset")


def init_app(app: Flask) -> None:
    app.extensions["fichekaart.queue"] = make_queue(queue_url(app))
    from . import imports

    imports.register_tasks(app)


def get_queue(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["fichekaart.queue"]


# Progress of a running job ----------------------------------------------------

def progress_key(token: str) -> str:
    return f"voortgang:{token}"


def read_progress(token: str) -> dict | None:
    """{"phase", "done", "total"} of a running job, or None."""
    try:
        return get_queue().get(progress_key(token), peek=True)
    except Exception:  # the store is down: the page still shows the job's state
        log.warning("could not read job progress", exc_info=True)
        return None


class ProgressReporter:
    """progress(done, total) callbacks that write to the queue's store, at
    most every `interval` seconds (and always at the end of a phase)."""

    def __init__(self, queue: Huey, token: str, interval: float = 0.5):
        self.queue, self.key, self.interval = queue, progress_key(token), interval
        self._last = 0.0

    def phase(self, name: str):
        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - self._last < self.interval:
                return
            self._last = now
            self.put(name, done, total)
        return report

    def put(self, phase: str, done: int = 0, total: int = 0) -> None:
        try:
            self.queue.put(self.key, {"phase": phase, "done": done, "total": total})
        except Exception:  # progress is a courtesy: never fail the import over it
            log.warning("could not store job progress", exc_info=True)

    def clear(self) -> None:
        try:
            self.queue.delete(self.key)
        except Exception:
            log.warning("could not clear job progress", exc_info=True)


def run_worker(app: Flask, workers: int = 1) -> None:
    """Run a huey consumer for this app until SIGTERM/SIGINT (`fichekaart worker`)."""
    huey_log = logging.getLogger("huey")
    if not huey_log.handlers:  # huey's own lines (started, executing, errors) to stderr, for journalctl
        huey_log.addHandler(logging.StreamHandler())
        huey_log.setLevel(logging.INFO)
    # max_delay: an idle worker looks for new jobs at least every second
    # (huey's default backs off to 10 s; a person is waiting on the page).
    consumer = get_queue(app).create_consumer(workers=workers, worker_type="thread", periodic=False, max_delay=1.0)
    consumer.run()
