"""Command line for the import jobs: the queue worker and the templates.

    fichekaart worker [--workers N]          run the background jobs (scripts/run starts it)
    fichekaart import template fiches|fasen|budget -o FILE.csv|FILE.xlsx
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker", help="Achtergrondtaken uitvoeren (imports) tot SIGTERM of Ctrl+C.")
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="Aantal taken tegelijk (standaard FICHEKAART_QUEUE_WORKERS of 1: "
                   "een import gebruikt veel geheugen).")
@with_appcontext
def worker_cmd(workers):
    from ..jobs.queue import queue_url, run_worker

    app = current_app._get_current_object()
    count = workers or int(app.config.get("QUEUE_WORKERS") or 1)
    click.echo(f"Fichekaart-verwerker: {count} taak/taken tegelijk, wachtrij {queue_url(app)}", err=True)
    run_worker(app, workers=count)


@click.command("template", help="Een importsjabloon (kolommen en een voorbeeldrij) schrijven: "
                                "fiches, fasen of budget. Hetzelfde als in de werkruimte.")
@click.argument("kind", type=click.Choice(["fiches", "fasen", "budget"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Bestand .csv of .xlsx.")
def template_cmd(kind, output):
    from ..write.editing import bulk

    import_kind = bulk.IMPORT_KINDS[kind]
    suffix = Path(output).suffix.lower()
    if suffix == ".csv":
        body = bulk.template_csv(import_kind)
    elif suffix == ".xlsx":
        body = bulk.template_xlsx(import_kind)
    else:
        raise click.BadParameter("gebruik een bestandsnaam op .csv of .xlsx", param_hint="--output")
    Path(output).write_bytes(body)
    click.echo(f"Sjabloon voor {import_kind.label} geschreven naar {output}.")
