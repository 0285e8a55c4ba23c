"""`fichekaart cities ...`: onboarding municipalities from the bundled
boundaries of Flanders (app/write/cities.py)."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from ..db import get_session
from ..write.cities import CityError, add_city, bundled_nis_codes, list_cities, remove_city


@click.group("cities", help="Gemeenten toevoegen uit de meegeleverde grenzen van Vlaanderen, tonen, verwijderen.")
def cities_group():
    pass


@cities_group.command("add", help="Voeg gemeenten toe met hun deelgemeenten en wijken (bv. 11002 voor Antwerpen).")
@click.argument("nis_codes", nargs=-1)
@click.option("--all", "all_cities", is_flag=True, help="Alle 319 gemeenten van het meegeleverde bestand.")
@click.option("--slug", help="Korte naam in de adresbalk (standaard uit de naam; enkel bij één gemeente).")
@click.option("--refresh", is_flag=True, help="Bestaande gebieden bijwerken naar de meegeleverde naam en grens.")
@with_appcontext
def cities_add(nis_codes, all_cities, slug, refresh):
    codes = bundled_nis_codes() if all_cities else list(nis_codes)
    if not codes:
        raise click.UsageError("Geef één of meer NIS-codes, of --all.")
    if slug and len(codes) != 1:
        raise click.UsageError("--slug kan alleen bij één gemeente.")
    started = time.perf_counter()
    session = get_session()
    try:
        with session.begin():  # all municipalities or none
            reports = [add_city(session, nis, slug=slug, refresh=refresh) for nis in codes]
    except CityError as exc:
        raise click.ClickException(f"{exc} Er werd niets gewijzigd.") from None
    for report in reports if len(reports) <= 20 else []:
        click.echo(report.summary())
    added = sum(sum(r.added.values()) for r in reports)
    click.echo(f"{len(reports)} gemeente(n), {sum(r.created for r in reports)} nieuw, {added} gebieden toegevoegd, "
               f"{sum(len(r.changed) for r in reports)} bijgewerkt, in {time.perf_counter() - started:.1f} s.")


@cities_group.command("list", help="Toon de gemeenten met hun aantal wijken en fiches.")
@with_appcontext
def cities_list():
    for row in list_cities(get_session()):
        click.echo(f"{row['nis_code']}\t{row['slug']}\t{row['naam']}\t{row['wijken']} wijken\t"
                   f"{row['fiches']} fiches ({row['gepubliceerd']} gepubliceerd)")


@cities_group.command("remove", help="Verwijder een gemeente met haar gebieden (met fiches enkel met --force).")
@click.argument("nis_code")
@click.option("--force", is_flag=True, help="Ook met fiches: eerst een reservekopie (JSON) in instance/backups/.")
@with_appcontext
def cities_remove(nis_code, force):
    session = get_session()
    try:
        with session.begin():
            backup = remove_city(session, nis_code, force=force)
    except CityError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Gemeente {nis_code} verwijderd." + (f" Reservekopie: {backup}" if backup else ""))
