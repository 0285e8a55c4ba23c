"""Backups and restores of the whole database, online, and what a restore
drill compares: the rows per table and a checksum of every geometry.

- PostgreSQL: `pg_dump -Fc` (a consistent snapshot while the site runs) and
  `pg_restore --clean --single-transaction` (all or nothing). The client
  tools come from Debian's postgresql-client; the connection is passed in
  PG* environment variables, so the password never shows in `ps`.
- SQLite/SpatiaLite: SQLite's online backup API, page by page under a read
  lock, so the copy is consistent while the app keeps serving. A restore
  copies the backup into the live file the same way (readers see the old or
  the new database, never half of each).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from geoalchemy2 import Geometry
from sqlalchemy import Engine, func, inspect, select

from .db import sqlite_dbapi
from .models import Base
from .spatial import is_spatialite


class BackupFailed(RuntimeError):
    """A backup or restore that did not happen; the message is Dutch."""


def suffix_for(engine: Engine) -> str:
    return ".sqlite" if is_spatialite(engine) else ".dump"


def backup_path(directory: Path, engine: Engine) -> Path:
    """A new file name in `directory`: fichekaart-<UTC time>.dump|.sqlite."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return Path(directory) / f"fichekaart-{stamp}{suffix_for(engine)}"


def backup(engine: Engine, target: Path) -> Path:
    """Write a backup of the database of `engine` to `target` (a new file)."""
    target = Path(target)
    if target.exists():
        raise BackupFailed(f"{target} bestaat al: kies een nieuwe bestandsnaam.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_spatialite(engine):
        _sqlite_copy(engine, target, into_engine=False)
    else:
        _run_pg(engine, ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"])
    target.chmod(0o600)  # staff accounts (password hashes) are in it
    return target


def check_backup(engine: Engine, source: Path) -> None:
    """Raise BackupFailed unless `source` is a backup this database can restore."""
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"{source} bestaat niet.")
    if is_spatialite(engine):
        module = sqlite_dbapi()
        connection = module.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_sqlite_backup(module, connection, source)
        finally:
            connection.close()
    else:
        try:
            _run_pg(engine, ["pg_restore", "--list", str(source)])
        except BackupFailed:
            raise BackupFailed(f"{source} is geen backup van pg_dump (--format=custom).") from None


def restore(engine: Engine, source: Path) -> None:
    """Replace the database of `engine` by the backup in `source`, all or nothing."""
    source = Path(source)
    check_backup(engine, source)
    if is_spatialite(engine):
        _sqlite_copy(engine, source, into_engine=True)
    else:
        _run_pg(engine, ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                         "--exit-on-error", f"--dbname={engine.url.database}", str(source)])
    engine.dispose()  # pooled connections may hold the old schema's state


def _sqlite_copy(engine: Engine, file: Path, into_engine: bool) -> None:
    module = sqlite_dbapi()
    raw = engine.raw_connection()
    other = module.connect(str(file))
    try:
        if into_engine:
            other.backup(raw.driver_connection)
        else:
            raw.driver_connection.backup(other)
    except module.DatabaseError as exc:
        raise BackupFailed(f"{file}: {exc}") from None
    finally:
        other.close()
        raw.close()


def _check_sqlite_backup(module, connection, file: Path) -> None:
    try:
        connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except module.DatabaseError:
        raise BackupFailed(f"{file} is geen backup van een Fichekaart-databank.") from None


def _run_pg(engine: Engine, command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} ontbreekt: installeer postgresql-client (dezelfde versie als de server).")
    done = subprocess.run(command, env=libpq_environment(engine), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} mislukt: {done.stderr.strip()[:2000]}")


def libpq_environment(engine: Engine) -> dict[str, str]:
    """The connection of `engine` as PG* variables for the client tools."""
    url = engine.url
    env = dict(os.environ)
    for variable, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                            ("PGPASSWORD", url.password), ("PGDATABASE", url.database),
                            ("PGSSLMODE", url.query.get("sslmode"))):
        if value:
            env[variable] = str(value)
    return env


# Tables that hold no one's data (a counter the migrations create with its row).
BOOKKEEPING_TABLES = frozenset({"data_version"})


def table_rows(engine: Engine) -> dict[str, int]:
    """Rows per table of our models (tables that do not exist are left out)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables if table.name in present}


def geometry_checksum(engine: Engine) -> str:
    """SHA-256 over every geometry of every table, in primary key order:
    equal before a backup and after its restore on the same kind of database."""
    digest = hashlib.sha256()
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            geometries = [c for c in table.columns if isinstance(c.type, Geometry)]
            if not geometries or table.name not in present:
                continue
            keys = list(table.primary_key.columns)
            digest.update(table.name.encode())
            for row in connection.execute(select(*keys, *geometries).order_by(*keys)):
                digest.update(repr(tuple(row[:len(keys)])).encode())
                for value in row[len(keys):]:
                    digest.update(b"-" if value is None else str(value.desc).encode())
    return digest.hexdigest()
