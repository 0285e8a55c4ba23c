"""fichekaart backup / restore / db checksum and the guarded db downgrade,
on both databases: a restore drill (rows per table and the geometry
checksum equal after restoring into a new database), and no data lost by a
downgrade or restore that was not asked for with --yes and --force."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from app import backup as backups
from app import migrate
from app.models import Fiche
from conftest import dispose, make_test_app


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def summary(app) -> tuple[dict, str]:
    engine = app.extensions["fichekaart.engine"]
    return backups.table_rows(engine), backups.geometry_checksum(engine)


def test_restore_drill_gives_the_same_rows_and_geometries(scratch_app, databases, tmp_path):
    rows, checksum = summary(scratch_app)
    assert rows["fiches"] > 100 and rows["areas"] > 0
    made = cli(scratch_app, "backup", "-o", str(tmp_path / "drill.backup"))
    assert made.exit_code == 0, made.output
    assert "Backup gemaakt" in made.output and f"geometrie-checksum\t{checksum}" in made.output
    assert (tmp_path / "drill.backup").stat().st_mode & 0o777 == 0o600

    target_url = databases.new_empty()
    target = make_test_app(target_url)
    try:
        restored = cli(target, "restore", str(tmp_path / "drill.backup"), "--yes")
        assert restored.exit_code == 0, restored.output
        assert summary(target) == (rows, checksum)
        engine = target.extensions["fichekaart.engine"]
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        assert target.test_client().get("/herentals").status_code == 200
    finally:
        dispose(target)
        databases.drop(target_url)


def test_the_checksum_sees_a_moved_geometry(scratch_app):
    before = summary(scratch_app)[1]
    engine = scratch_app.extensions["fichekaart.engine"]
    with engine.begin() as connection:
        first = connection.scalar(Fiche.__table__.select().with_only_columns(Fiche.id)
                                  .where(Fiche.geom.is_not(None)).order_by(Fiche.id).limit(1))
        other = connection.scalar(Fiche.__table__.select().with_only_columns(Fiche.geom)
                                  .where(Fiche.geom.is_not(None), Fiche.id != first).order_by(Fiche.id).limit(1))
        connection.execute(update(Fiche).where(Fiche.id == first).values(geom=other))
    assert summary(scratch_app)[1] != before


def test_restore_over_data_needs_force_and_backs_up_first(scratch_app, tmp_path):
    scratch_app.config["BACKUP_DIR"] = str(tmp_path / "vooraf")
    rows, checksum = summary(scratch_app)
    assert cli(scratch_app, "backup", "-o", str(tmp_path / "b.backup")).exit_code == 0

    refused = cli(scratch_app, "restore", str(tmp_path / "b.backup"), "--yes")
    assert refused.exit_code != 0 and "bevat gegevens" in refused.output and "fiches:" in refused.output
    assert not (tmp_path / "vooraf").exists()

    forced = cli(scratch_app, "restore", str(tmp_path / "b.backup"), "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(list((tmp_path / "vooraf").iterdir())) == 1
    assert summary(scratch_app) == (rows, checksum)


@pytest.mark.parametrize("content", ["dit is geen backup", "SQLite format 3\x00" + "x" * 200])
def test_restore_refuses_a_file_that_is_no_backup(scratch_app, tmp_path, content):
    scratch_app.config["BACKUP_DIR"] = str(tmp_path / "vooraf")
    junk = tmp_path / "geen.backup"
    junk.write_text(content)
    rows = summary(scratch_app)[0]
    answer = cli(scratch_app, "restore", str(junk), "--yes", "--force")
    assert answer.exit_code != 0
    assert "geen backup" in answer.output and "Traceback" not in answer.output
    assert not (tmp_path / "vooraf").exists()  # refused before the backup that --force makes
    assert summary(scratch_app)[0] == rows


def test_a_backup_never_overwrites_a_file(scratch_app, tmp_path):
    existing = tmp_path / "er.backup"
    existing.write_text("ouder")
    answer = cli(scratch_app, "backup", "-o", str(existing))
    assert answer.exit_code != 0 and "bestaat al" in answer.output
    assert existing.read_text() == "ouder"


def test_downgrade_needs_a_revision_and_yes(scratch_app):
    engine = scratch_app.extensions["fichekaart.engine"]
    head = migrate.head_revision(engine)
    without_revision = cli(scratch_app, "db", "downgrade")
    assert without_revision.exit_code != 0 and "REVISION" in without_revision.output
    without_yes = cli(scratch_app, "db", "downgrade", "base")
    assert without_yes.exit_code != 0 and "--yes" in without_yes.output
    with_data = cli(scratch_app, "db", "downgrade", "base", "--yes")
    assert with_data.exit_code != 0 and "bevat gegevens" in with_data.output
    assert migrate.current_revision(engine) == head
    assert summary(scratch_app)[0]["fiches"] > 100


def test_forced_downgrade_backs_up_first_and_the_backup_restores(scratch_app, tmp_path):
    scratch_app.config["BACKUP_DIR"] = str(tmp_path)
    engine = scratch_app.extensions["fichekaart.engine"]
    rows, checksum = summary(scratch_app)
    forced = cli(scratch_app, "db", "downgrade", "base", "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert migrate.current_revision(engine) is None
    [made] = list(Path(tmp_path).iterdir())
    assert str(made) in forced.output

    restored = cli(scratch_app, "restore", str(made), "--yes")  # the database is empty now
    assert restored.exit_code == 0, restored.output
    assert summary(scratch_app) == (rows, checksum)


def test_an_empty_database_downgrades_with_yes(empty_url):
    app = make_test_app(empty_url)
    try:
        engine = app.extensions["fichekaart.engine"]
        migrate.upgrade(engine)
        answer = cli(app, "db", "downgrade", "base", "--yes")
        assert answer.exit_code == 0, answer.output
        assert migrate.current_revision(engine) is None
    finally:
        dispose(app)


@pytest.mark.parametrize("command", [("db", "checksum")])
def test_checksum_command_prints_rows_and_checksum(app, command):
    answer = cli(app, *command)
    assert answer.exit_code == 0
    assert "fiches\t" in answer.output and "geometrie-checksum\t" in answer.output


def test_a_backup_is_taken_online_and_holds_only_committed_data(scratch_app, databases, tmp_path):
    engine = scratch_app.extensions["fichekaart.engine"]
    rows, checksum = summary(scratch_app)
    with engine.connect() as writer:
        pending = writer.begin()  # an edit in progress while the backup runs
        first = writer.scalar(Fiche.__table__.select().with_only_columns(Fiche.id).order_by(Fiche.id).limit(1))
        writer.execute(update(Fiche).where(Fiche.id == first).values(title="NOG NIET BEVESTIGD"))
        made = cli(scratch_app, "backup", "-o", str(tmp_path / "online.backup"))
        pending.rollback()
    assert made.exit_code == 0, made.output

    target_url = databases.new_empty()
    target = make_test_app(target_url)
    try:
        assert cli(target, "restore", str(tmp_path / "online.backup"), "--yes").exit_code == 0
        assert summary(target) == (rows, checksum)
        with target.extensions["fichekaart.engine"].connect() as connection:
            titles = connection.scalars(Fiche.__table__.select().with_only_columns(Fiche.title)).all()
        assert "NOG NIET BEVESTIGD" not in titles
    finally:
        dispose(target)
        databases.drop(target_url)
