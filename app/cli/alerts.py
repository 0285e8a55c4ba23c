"""`fichekaart alerts send | preview`: the digest job, for cron or a systemd
timer (docs/operations.md). Links in the mails are built on
FICHEKAART_PUBLIC_URL (there is no request to take a host from)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import get_session

LOCAL_URL = "http://127.0.0.1:5000"


def public_request_context():
    """A request context whose url_for(_external=True) gives public URLs."""
    base = current_app.config.get("PUBLIC_URL") or LOCAL_URL
    return current_app.test_request_context("/", base_url=str(base).rstrip("/") + "/")


@click.group("alerts", help="E-mailmeldingen: overzichten versturen.")
def alerts_group():
    pass


@alerts_group.command("send", help="Verstuur de overzichten die aan de beurt zijn (dagelijks/wekelijks). "
                                   "Veilig om opnieuw te starten: niets wordt twee keer gemaild.")
@click.option("--frequency", type=click.Choice(["dagelijks", "wekelijks"]), help="Enkel deze abonnementen.")
@click.option("--ignore-schedule", is_flag=True, help="Ook abonnementen waarvan het vorige overzicht recent is.")
@with_appcontext
def alerts_send(frequency, ignore_schedule):
    from ..alerts.digest import send_digests
    from ..alerts.mailer import smtp_configured

    if not smtp_configured():
        raise click.ClickException("FICHEKAART_SMTP_HOST is niet ingesteld (zie docs/operations.md).")
    if not current_app.config.get("PUBLIC_URL"):
        click.echo(f"Let op: FICHEKAART_PUBLIC_URL is niet ingesteld; links in de mails wijzen naar {LOCAL_URL}.",
                   err=True)
    with public_request_context():
        report = send_digests(get_session(), frequency=frequency, ignore_schedule=ignore_schedule,
                              log=lambda line: click.echo(line, err=True))
    click.echo(f"{report.mails} mail(s) verstuurd met samen {report.events} wijziging(en); "
               f"{report.purged} onbevestigde inschrijving(en) gewist.")
    if report.failed:
        sys.exit(1)
