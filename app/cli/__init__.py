"""Command line: `fichekaart <command>` (a Flask command group).

    fichekaart db upgrade | downgrade REV --yes [--force] | revision -m MSG | current | checksum
    fichekaart backup [-o FILE] | restore FILE --yes [--force]
    fichekaart seed                 load the demo content when the database is empty
    fichekaart import areas|addresses|indicators|fiches|phases|budget FILE ... | template KIND -o FILE
    fichekaart worker               run the background jobs (imports from the workspace)
    fichekaart export fiches --city herentals --crs EPSG:31370 -o out.geojson
    fichekaart users create-admin EMAIL [--password-stdin] | add EMAIL --role redacteur:herentals | list
    fichekaart cities add NIS... [--all] [--slug S] [--refresh] | list | remove NIS [--force]
    fichekaart alerts send [--frequency dagelijks|wekelijks] [--ignore-schedule]
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from .. import migrate
from ..columns import AREA_LEVELS
from ..db import get_engine, get_session, writing
from ..geometry import GeometryError
from ..read.queries import FicheFilters
from ..write.imports import ImportFailed


@click.group("db", help="Databank: migraties.")
def db_group():
    pass


@db_group.command("upgrade", help="Migreer de databank naar de laatste versie.")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    migrate.upgrade(get_engine(), revision)
    click.echo(f"Databank op versie {migrate.current_revision(get_engine())}.")


@db_group.command("downgrade", help="Zet de databank terug naar een eerdere versie (REVISION verplicht, "
                                      "bv. 0001 of base). Weigert op een databank met gegevens, tenzij --force.")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Bevestig: tabellen en gegevens kunnen verdwijnen.")
@click.option("--force", is_flag=True, help="Ook als de databank gegevens bevat (er wordt eerst een backup gemaakt).")
@with_appcontext
def db_downgrade(revision, yes, force):
    from .ops import guard_destructive

    guard_destructive("Een downgrade", yes, force)
    migrate.downgrade(get_engine(), revision)
    click.echo(f"Databank op versie {migrate.current_revision(get_engine())}.")


@db_group.command("revision", help="(ontwikkelaars) Nieuwe migratie uit de modellen.")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message):
    migrate.revision(get_engine(), message)


@db_group.command("current", help="Toon de huidige versie van de databank.")
@with_appcontext
def db_current():
    click.echo(migrate.current_revision(get_engine()) or "(leeg)")


@contextlib.contextmanager
def transaction():
    """One transaction for a whole command: an import writes all or nothing."""
    session = get_session()
    try:
        with writing(), session.begin():
            yield session
    except ImportFailed as exc:
        raise click.ClickException(exc.summary()) from None
    except (GeometryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


class ProgressBar:
    """A click progress bar that importers call as progress(done, total)."""

    def __init__(self, label: str):
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.__exit__(None, None, None)


@click.command("seed", help="Laad de demo-inhoud (Herentals en Halle) als de databank nog geen fiches heeft.")
@click.option("--force", is_flag=True, help="Ook laden als er al fiches zijn (enkel op een lege databank zinvol).")
@with_appcontext
def seed(force):
    from ..write.imports.demo import database_is_empty, load_demo

    with transaction() as session:
        if not force and not database_is_empty(session):
            click.echo("De databank heeft al fiches: demo-inhoud niet opnieuw geladen.")
            return
        click.echo("Demo-inhoud laden uit geodata/ ...")
        load_demo(session, log=click.echo)
    click.echo("Klaar.")


@click.group("import", help="Gegevens importeren (alles of niets, fouten per rij).")
def import_group():
    pass


@import_group.command("areas", help="Gebieden uit een GeoPackage, Shapefile (zip) of GeoJSON.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", required=True, type=click.Choice(AREA_LEVELS), help="Niveau van de gebieden.")
@click.option("--layer", help="Laag in het bestand (verplicht als het er meer dan één heeft).")
@click.option("--code-column", default="code", show_default=True)
@click.option("--name-column", default="naam", show_default=True)
@click.option("--municipality", help="NIS-code van de gemeente (standaard: de eerste 5 tekens van de code).")
@click.option("--source", "source_text", help="Bronvermelding.")
@with_appcontext
def import_areas_cmd(path, level, layer, code_column, name_column, municipality, source_text):
    from ..write.imports.areas import import_areas

    with transaction() as session:
        n = import_areas(session, path, level=level, layer=layer, code_column=code_column,
                         name_column=name_column, municipality=municipality, source_text=source_text,
                         progress=ProgressBar("Gebieden"))
    click.echo(f"{n} gebied(en) geïmporteerd.")


@import_group.command("addresses", help="Adressen van een gemeente (Adressenregister): GeoPackage, Shapefile (zip) "
                                         "of CSV met x/y of WKT. Vervangt alle adressen van die gemeente.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--municipality", required=True, help="NIS-code of naam (slug) van de gemeente.")
@click.option("--layer", help="Laag in het bestand (standaard de eerste).")
@click.option("--street-column", default="straatnaam", show_default=True)
@click.option("--number-column", default="huisnummer", show_default=True)
@click.option("--postcode-column", default="postcode", show_default=True)
@click.option("--x-column", default="x", show_default=True, help="CSV: kolom met de x-coördinaat.")
@click.option("--y-column", default="y", show_default=True, help="CSV: kolom met de y-coördinaat.")
@click.option("--wkt-column", default="wkt", show_default=True,
              help="CSV: kolom met de geometrie als WKT (in plaats van x/y).")
@click.option("--crs", help="CSV: coördinatenstelsel van x/y of WKT (standaard EPSG:31370).")
@click.option("--source", "source_text", help="Bronvermelding.")
@with_appcontext
def import_addresses_cmd(path, municipality, layer, street_column, number_column, postcode_column, x_column,
                         y_column, wkt_column, crs, source_text):
    from ..write.imports.addresses import import_addresses

    with transaction() as session:
        n = import_addresses(session, path, municipality=municipality, layer=layer, street_column=street_column,
                             number_column=number_column, postcode_column=postcode_column or None,
                             x_column=x_column, y_column=y_column, wkt_column=wkt_column, crs=crs,
                             source_text=source_text)
    click.echo(f"{n} adres(sen) geïmporteerd.")


@import_group.command("indicators", help="Indicatordefinities (code, naam, eenheid, beschrijving, hoger_is).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_indicators_cmd(path):
    from ..write.imports.indicators import import_indicator_definitions

    with transaction() as session:
        n = import_indicator_definitions(session, path)
    click.echo(f"{n} indicator(en) geïmporteerd.")


@import_group.command("indicator-values",
                      help="Indicatorwaarden in lange vorm: area_code, indicator_code, period, value "
                           "(decimale komma mag).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", "source_text", help="Bron voor rijen zonder bronkolom.")
@click.option("--illustrative/--real", default=None, help="Markeer alle waarden als illustratief of echt.")
@with_appcontext
def import_indicator_values_cmd(path, source_text, illustrative):
    from ..write.imports.indicators import import_indicator_values

    with transaction() as session:
        n = import_indicator_values(session, path, default_source=source_text, illustrative=illustrative,
                                    progress=ProgressBar("Waarden"))
    click.echo(f"{n} waarde(n) geïmporteerd.")


@import_group.command("fiches", help="Fiches uit CSV, XLSX, GeoJSON, GeoPackage, Shapefile (zip) of KML.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--municipality", required=True, help="NIS-code of naam van de stad (bv. 13011 of herentals).")
@click.option("--layer", help="Laag in het bestand (verplicht als het er meer dan één heeft).")
@click.option("--crs", help="Coördinatenstelsel van de kolom geometrie_wkt in CSV/XLSX (standaard EPSG:31370).")
@click.option("--repair", is_flag=True, help="Ongeldige geometrieën automatisch herstellen.")
@click.option("--drop-z", is_flag=True, help="Hoogtecoördinaten (3D) weglaten.")
@with_appcontext
def import_fiches_cmd(path, municipality, layer, crs, repair, drop_z):
    from ..write.imports.fiches import import_fiches

    with transaction() as session:
        result = import_fiches(session, path, municipality=municipality, layer=layer, crs=crs,
                               repair_invalid=repair, drop_z=drop_z, progress=ProgressBar("Fiches"))
    click.echo(f"{result.created} fiche(s) nieuw, {result.updated} bijgewerkt.")


def _child_command(name: str, label: str, importer_name: str):
    @import_group.command(name, help=f"{label} van fiches (CSV/XLSX); vervangt die van elke genoemde fiche.")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--municipality", required=True, help="NIS-code of naam van de stad.")
    @with_appcontext
    def command(path, municipality):
        from ..write.imports import fiches

        with transaction() as session:
            n = getattr(fiches, importer_name)(session, path, municipality=municipality,
                                               progress=ProgressBar(label))
        click.echo(f"{n} rij(en) geïmporteerd.")

    return command


_child_command("phases", "Fasen", "import_phases")
_child_command("budget", "Budgetlijnen", "import_budget_lines")
_child_command("progress", "Voortgangsrapporten", "import_progress_reports")


@click.group("export", help="Gegevens exporteren.")
def export_group():
    pass


@export_group.command("fiches", help="Gepubliceerde fiches van een stad als GeoJSON-bestand.")
@click.option("--municipality", required=True, help="NIS-code of naam van de stad.")
@click.option("--crs", default="EPSG:4326", show_default=True,
              help="EPSG:4326 (RFC 7946), EPSG:31370 of EPSG:3812.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--drafts", is_flag=True, help="Ook ontwerpen (niet-gepubliceerde fiches).")
@with_appcontext
def export_fiches_cmd(municipality, crs, output, drafts):
    from ..crs import OFFERED_EPSG, crs_name, epsg_of
    from ..read.features import dumps, fiche_features
    from ..read.rows import load_fiche_rows

    epsg = epsg_of(crs)
    if epsg not in OFFERED_EPSG:
        raise click.BadParameter(f"kies {', '.join(crs_name(e) for e in OFFERED_EPSG)}", param_hint="--crs")
    session = get_session()
    fiches = load_fiche_rows(session, FicheFilters(municipality=municipality, include_drafts=drafts))
    collection = fiche_features(fiches, epsg, decimals=None)  # the CRS's own decimals (app.crs.DECIMALS)
    if epsg != 4326:
        # RFC 7946 knows only WGS84; other CRSs are named the pre-2016 way, which GDAL and QGIS read.
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    with open(output, "wb") as fh:
        fh.write(dumps(collection))
    click.echo(f"{len(fiches)} fiche(s) geschreven naar {output} ({crs}).")


@click.group("users", help="Accounts voor de werkruimte (rollen: lezer, redacteur per stad; beheerder).")
def users_group():
    pass


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Herhaal het wachtwoord")


@users_group.command("create-admin", help="Maak een beheerder (alle steden, gebruikers). Voor de eerste account.")
@click.argument("email")
@click.option("--name", help="Naam.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer (één regel).")
@with_appcontext
@writing()
def users_create_admin(email, name, password_stdin):
    from ..auth import AccountError, create_user

    password = _read_password(password_stdin)
    session = get_session()
    try:
        with session.begin():
            user = create_user(session, email, password, name=name, roles=[("beheerder", None)])
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Beheerder {user.email} aangemaakt.")


@users_group.command("add", help="Maak een account of geef een bestaande account rollen, "
                                 "bv. --role redacteur:herentals --role lezer:halle.")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, help="rol:stad (stad = slug of NIS-code), of beheerder.")
@click.option("--name", help="Naam (bij een nieuwe account).")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer (één regel).")
@with_appcontext
@writing()
def users_add(email, roles, name, password_stdin):
    from ..auth import AccountError, create_user, find_user, grant, parse_role

    session = get_session()
    try:
        parsed = [parse_role(spec, session) for spec in roles]
        existing = find_user(session, email)
        if existing is not None:
            for role, municipality in parsed:
                grant(existing, role, municipality)
            session.commit()
            click.echo(f"Rollen toegevoegd aan {existing.email}.")
            return
        password = _read_password(password_stdin)
        user = create_user(session, email, password, name=name, roles=parsed)
        session.commit()
    except AccountError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Account {user.email} aangemaakt.")


@users_group.command("list", help="Toon de accounts en hun rollen.")
@with_appcontext
def users_list():
    from sqlalchemy import select

    from ..models import User

    for user in get_session().scalars(select(User).order_by(User.email)):
        roles = ", ".join(
            f"{r.role}:{r.municipality.slug}" if r.municipality else r.role for r in user.roles
        ) or "geen rollen"
        click.echo(f"{user.email}\t{'actief' if user.active else 'gedeactiveerd'}\t{roles}")


def init_app(app: Flask) -> None:
    from .alerts import alerts_group
    from .cities import cities_group
    from .jobs import template_cmd, worker_cmd
    from .ops import backup_cmd, checksum_cmd, records_cmd, restore_cmd

    db_group.add_command(checksum_cmd)
    db_group.add_command(records_cmd)
    import_group.add_command(template_cmd)
    for command in (db_group, seed, import_group, export_group, users_group, cities_group, backup_cmd,
                    restore_cmd, alerts_group, worker_cmd):
        app.cli.add_command(command)


def _create_app(*_args, **_kwargs):
    from .. import create_app

    # The statement timeout guards web requests; an operator's import,
    # migration or backup may take longer.
    return create_app({"DB_STATEMENT_TIMEOUT_MS": 0})


main = FlaskGroup(create_app=_create_app, help="Fichekaart: projectfiches op de kaart.")
