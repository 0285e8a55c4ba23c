"""Command line: `fichekaart <command>` (a Flask command group).

    fichekaart db upgrade | downgrade | revision -m MSG | current
    fichekaart seed                 load the demo content when the database is empty
    fichekaart import areas|indicators|fiches FILE ...
    fichekaart export fiches --city herentals --crs EPSG:31370 -o out.geojson
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import migrate
from .db import get_engine


@click.group("db", help="Databank: migraties.")
def db_group():
    pass


@db_group.command("upgrade", help="Migreer de databank naar de laatste versie.")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    migrate.upgrade(get_engine(), revision)
    click.echo(f"Databank op versie {migrate.current_revision(get_engine())}.")


@db_group.command("downgrade", help="Zet de databank terug naar een eerdere versie.")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision):
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


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)


def _create_app(*_args, **_kwargs):
    from . import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Fichekaart: projectfiches op de kaart.")
