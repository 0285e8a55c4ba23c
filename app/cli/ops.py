"""Operations commands: `fichekaart backup`, `fichekaart restore`,
`fichekaart db checksum`, and the guard that keeps `db downgrade` and
`restore` from silently destroying data (see docs/operations.md)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import backup as backups
from ..db import get_engine


def backup_directory() -> Path:
    """FICHEKAART_BACKUP_DIR, default instance/backups."""
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def make_backup(output: str | None = None) -> Path:
    engine = get_engine()
    target = Path(output) if output else backups.backup_path(backup_directory(), engine)
    try:
        return backups.backup(engine, target)
    except backups.BackupFailed as exc:
        raise click.ClickException(str(exc)) from None


def guard_destructive(action: str, yes: bool, force: bool) -> None:
    """Refuse `action` (Dutch, e.g. "Een downgrade") without --yes, and on a
    database with rows without --force; with --force, back up first."""
    if not yes:
        raise click.ClickException(f"{action} kan tabellen en gegevens verwijderen. Bevestig met --yes.")
    # The data version counter has its one row from the migration on: bookkeeping, not data.
    filled = {name: count for name, count in backups.table_rows(get_engine()).items()
              if count and name not in backups.BOOKKEEPING_TABLES}
    if not filled:
        return
    if not force:
        listing = ", ".join(f"{name}: {count}" for name, count in filled.items())
        raise click.ClickException(
            f"De databank bevat gegevens ({listing}). {action} kan ze verwijderen. Maak eerst een backup "
            "(fichekaart backup) of gebruik --force: dan wordt eerst zelf een backup gemaakt.")
    click.echo(f"Backup gemaakt vooraf: {make_backup()}")


@click.command("backup", help="Maak een backup van de databank terwijl de site draait "
                              "(PostgreSQL: pg_dump -Fc; SpatiaLite: SQLite's backup-API).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Bestand (standaard FICHEKAART_BACKUP_DIR/fichekaart-<tijd>.dump|.sqlite).")
@with_appcontext
def backup_cmd(output):
    path = make_backup(output)
    click.echo(f"Backup gemaakt: {path}")
    print_summary()


@click.command("restore", help="Zet een backup terug in de databank (alles of niets). Vervangt alle gegevens.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Bevestig: de huidige inhoud wordt vervangen.")
@click.option("--force", is_flag=True, help="Ook als de databank gegevens bevat (er wordt eerst een backup gemaakt).")
@with_appcontext
def restore_cmd(path, yes, force):
    try:
        backups.check_backup(get_engine(), Path(path))  # a wrong file is refused before anything happens
        guard_destructive("Een restore", yes, force)
        backups.restore(get_engine(), Path(path))
    except backups.BackupFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup {path} teruggezet.")
    print_summary()


@click.command("checksum", help="Rijen per tabel en een checksum van alle geometrieën (voor een restore-oefening).")
@with_appcontext
def checksum_cmd():
    print_summary()


def print_summary() -> None:
    engine = get_engine()
    for name, count in backups.table_rows(engine).items():
        click.echo(f"{name}\t{count}")
    click.echo(f"geometrie-checksum\t{backups.geometry_checksum(engine)}")


@click.command("records", help="Controleer de bewaarde publieke records van de fiches (wat de OGC API en WFS "
                               "tonen) tegen de gegevens; met --rebuild: bouw ze allemaal opnieuw op.")
@click.option("--rebuild", is_flag=True, help="Bouw alle records opnieuw op (in één transactie).")
@with_appcontext
def records_cmd(rebuild):
    from ..db import get_session, writing
    from ..write import stored_records

    session = get_session()
    if rebuild:
        with writing(), session.begin():
            written = stored_records.rebuild(session, every_city=True)
        click.echo(f"{written} records opnieuw opgebouwd.")
        return
    found = stored_records.differences(session)
    for kind, ids in found.items():
        shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
        click.echo(f"{kind}\t{len(ids)}" + (f"\t(fiches {shown})" if ids else ""))
    if any(found.values()):
        raise click.ClickException("De bewaarde records volgen de gegevens niet. Herstel: fichekaart db records "
                                   "--rebuild.")
