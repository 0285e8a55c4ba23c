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
    from . import config, db

    config.load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)

    from . import auth, cli
    from .http import compression, web

    cli.init_app(app)
    web.init_app(app)
    compression.init_app(app)
    auth.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from . import auth, ogcapi
    from .views import (api, city, city_figures, compare, downloads, fiche_page, public, region, staff,
                        staff_import, staff_users, vendor, wijk_page)

    for blueprint in (
        public.bp, city.bp, fiche_page.bp, wijk_page.bp, compare.bp, downloads.bp, ogcapi.bp, vendor.bp,
        api.bp, region.bp, auth.bp, staff.bp, staff_import.bp, staff_users.bp, city_figures.bp,
    ):
        app.register_blueprint(blueprint)
