"""A real queue and a real `fichekaart worker` process for the tests of the
background jobs: import the fixtures into a test module with
`from job_fixtures import *  # noqa: F401,F403`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import dispose, make_test_app

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["queued_app", "worker", "wait_until_done"]


@pytest.fixture
def queued_app(scratch_app, tmp_path):
    """The scratch database with a real queue (a SQLite file): jobs wait for a worker."""
    app = make_test_app(scratch_app.config["DATABASE_URL"], QUEUE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite'}")
    yield app
    dispose(app)


@pytest.fixture
def worker(queued_app, tmp_path):
    """`fichekaart worker` as its own process, on the same database and queue."""
    env = {**os.environ, "DATABASE_URL": queued_app.config["DATABASE_URL"],
           "FICHEKAART_QUEUE_URL": queued_app.config["QUEUE_URL"], "FICHEKAART_SECRET_KEY": "test"}
    log = open(tmp_path / "worker.log", "wb")
    process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield process
    process.send_signal(signal.SIGINT)  # huey's graceful stop
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def wait_until_done(client, page_path: str, timeout: float = 180) -> list[dict]:
    """Poll the job's status as its page does; every answer comes fast."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        answer = client.get(page_path + "/status.json")
        assert answer.status_code == 200 and time.monotonic() - started < 2
        seen.append(answer.json)
        if not answer.json["running"]:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish in {timeout} s: {seen[-3:]}")
