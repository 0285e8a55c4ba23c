"""Fichekaart: project fiches of Flemish cities on layered maps."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    from layers import install_render_fix

    from . import config, db

    install_render_fix()  # before any map renders: folium must not run data as Jinja (layers/rendered.py)

    config.load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)

    from . import auth, cli
    from .http import compression, cors, hosts, metrics, outage, request_log, web
    from .jobs import queue
    from .write import search_index  # noqa: F401  (registers the ORM events that keep search columns)

    request_log.init_app(app)
    cli.init_app(app)
    hosts.init_app(app)
    web.init_app(app)
    outage.init_app(app, db.get_engine_of(app), app.extensions.get("fichekaart.read_engine"))
    compression.init_app(app)
    cors.init_app(app)
    metrics.init_app(app, db.get_engine_of(app))
    auth.init_app(app)
    queue.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from . import auth, ogcapi, wfs
    from .views import (
        alerts,
        api,
        catalogue,
        city,
        city_assets,
        city_figures,
        compare,
        crawlers,
        downloads,
        feeds,
        fiche_page,
        finder,
        glossary,
        health,
        public,
        region,
        staff,
        staff_alerts,
        staff_cities,
        staff_import,
        staff_users,
        staff_working,
        vendor,
        wijk_page,
    )

    for blueprint in (
        public.bp, glossary.bp, city.bp, city_figures.bp, fiche_page.bp, wijk_page.bp, compare.bp, downloads.bp,
        feeds.bp, alerts.bp, crawlers.bp,
        ogcapi.bp, wfs.bp, vendor.bp,
        api.bp, region.bp, auth.bp, staff.bp, staff_alerts.bp, staff_import.bp, staff_users.bp, staff_working.bp,
        finder.bp, health.bp, city_assets.bp, staff_cities.bp, catalogue.bp,
    ):
        app.register_blueprint(blueprint)
