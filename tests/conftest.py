"""Fixtures: every database test runs on SpatiaLite AND PostGIS.

PostGIS comes from FICHEKAART_TEST_POSTGIS_URL (scripts/test starts a
throwaway cluster and sets it). Without it the PostGIS half is skipped
locally, and fails under CI=true or --require-postgis: in CI a missing
PostGIS is a failure, never a skip.

The demo content is loaded once per database into a seed database; tests
that write get their own copy (a file copy on SpatiaLite, CREATE DATABASE
... TEMPLATE on PostGIS), so every test starts from the same state.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import uuid

# Import order matters (SETUP-NOTES trap 2): the geo wheels before mod_spatialite.
import geopandas  # noqa: F401
import pyogrio  # noqa: F401
import pyproj  # noqa: F401
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

# The browser fixtures, registered here once so that all modules share one browser.
from browser_fixtures import chromium, phone, public_server, watched  # noqa: E402,F401

BACKENDS = ("spatialite", "postgis")


@pytest.fixture(autouse=True, scope="session")
def render_fix():
    """Maps rendered without the app (layer tests) are safe like the app's:
    create_app installs the same fix (layers/rendered.py)."""
    from layers import install_render_fix

    install_render_fix()

_counter = itertools.count()


def pytest_addoption(parser):
    parser.addoption("--require-postgis", action="store_true",
                     help="fail (not skip) when PostGIS is not available")
    parser.addoption("--backend", choices=BACKENDS, help="run the database tests on one backend only")


def postgis_url() -> str | None:
    return os.environ.get("FICHEKAART_TEST_POSTGIS_URL")


def _require_backend(config, backend: str) -> None:
    wanted = config.getoption("--backend")
    if wanted and wanted != backend:
        pytest.skip(f"--backend={wanted}")
    if backend == "postgis" and not postgis_url():
        if os.environ.get("CI") == "true" or config.getoption("--require-postgis"):
            pytest.fail("PostGIS is required (CI) but FICHEKAART_TEST_POSTGIS_URL is not set")
        pytest.skip("no PostGIS: set FICHEKAART_TEST_POSTGIS_URL (scripts/test does)")


class Databases:
    """Creates throwaway databases of one backend."""

    def __init__(self, backend: str, tmp_path_factory):
        self.backend = backend
        self.tmp = tmp_path_factory.mktemp(backend)
        self.created: list[str] = []

    def new_empty(self) -> str:
        name = f"fk_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        if self.backend == "spatialite":
            return f"sqlite:///{self.tmp / (name + '.sqlite')}"
        self._admin(f'CREATE DATABASE "{name}"')
        url = make_url(postgis_url()).set(database=name)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        self.created.append(name)
        return url.render_as_string(hide_password=False)

    def copy_of(self, url: str) -> str:
        name = f"fk_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        if self.backend == "spatialite":
            target = self.tmp / (name + ".sqlite")
            shutil.copyfile(make_url(url).database, target)
            return f"sqlite:///{target}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
        self.created.append(name)
        return make_url(postgis_url()).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        if self.backend == "postgis":
            name = make_url(url).database
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(self.created):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def _admin(self, sql: str) -> None:
        engine = create_engine(make_url(postgis_url()).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    _require_backend(request.config, request.param)
    return request.param


@pytest.fixture(scope="session")
def databases(backend, tmp_path_factory):
    dbs = Databases(backend, tmp_path_factory)
    yield dbs
    dbs.drop_all()


def make_test_app(url: str, **config):
    from app import create_app

    # DATA_VERSION_TTL 0: tests edit and read back within a second, and the
    # page cache and ETags must see every edit at once. QUEUE_URL immediate:
    # background jobs run inside the request (tests of the pages); the real
    # queue and worker process are tested in tests/test_import_jobs.py.
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "DATA_VERSION_TTL": 0,
                       "QUEUE_URL": "immediate", **config})


@contextlib.contextmanager
def counted_statements(app):
    """The number of SQL statements the app runs inside the block (count[0])."""
    engine = app.extensions["fichekaart.engine"]
    count = [0]

    def count_one(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", count_one)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", count_one)


def statements_before_and_after_adding_cities(app, url: str) -> tuple[int, int]:
    """statements_for(url) before and after `fichekaart cities add` of
    Antwerpen, Gent and Aalst: a page over every city must not ask per city."""
    client = app.test_client()
    before = statements_for(app, client, url)
    result = app.test_cli_runner().invoke(args=["cities", "add", "11002", "44021", "13001"])
    assert result.exit_code == 0, result.output
    return before, statements_for(app, client, url)


def statements_for(app, client, url: str) -> int:
    """How many SQL statements one GET of `url` (answered 200) runs."""
    with counted_statements(app) as count:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return count[0]


def dispose(app) -> None:
    app.extensions["fichekaart.engine"].dispose()


@pytest.fixture(scope="session")
def seed_url(databases) -> str:
    """A database with the migrations and the demo content, never written by tests."""
    from app import migrate
    from app.db import get_session
    from app.write.imports.demo import load_demo

    url = databases.new_empty()
    app = make_test_app(url)
    with app.app_context():
        migrate.upgrade(app.extensions["fichekaart.engine"])
        session = get_session()
        with session.begin():
            load_demo(session, log=lambda *_: None)
    dispose(app)
    return url


@pytest.fixture(scope="session")
def app(databases, seed_url):
    """The app on a copy of the seeded database, for tests that only read.
    (A copy: PostGIS cannot clone a template that has open connections.)"""
    application = make_test_app(databases.copy_of(seed_url))
    yield application
    dispose(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    from app.db import get_session

    with app.app_context():
        yield get_session()


@pytest.fixture
def scratch_app(databases, seed_url):
    """The app on a private copy of the seeded database: free to write."""
    url = databases.copy_of(seed_url)
    application = make_test_app(url)
    yield application
    dispose(application)
    databases.drop(url)


@pytest.fixture
def scratch_session(scratch_app):
    from app.db import get_session

    with scratch_app.app_context():
        yield get_session()


@pytest.fixture
def empty_url(databases):
    url = databases.new_empty()
    yield url
    databases.drop(url)
