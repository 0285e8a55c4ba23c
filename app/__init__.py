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

    from . import auth, cli, web

    cli.init_app(app)
    web.init_app(app)
    auth.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from .views import public, vendor

    for blueprint in (public.bp, vendor.bp):
        app.register_blueprint(blueprint)
    from . import auth
    from .views import staff, staff_import, staff_users

    for blueprint in (auth.bp, staff.bp, staff_import.bp, staff_users.bp):
        app.register_blueprint(blueprint)
    from . import ogcapi
    from .views import downloads

    for blueprint in (ogcapi.bp, downloads.bp):
        app.register_blueprint(blueprint)
    # Templates may link to pages that other blueprints add.
    app.jinja_env.globals["url_rules"] = _EndpointNames(app)


class _EndpointNames:
    def __init__(self, app: Flask):
        self.app = app

    def __contains__(self, endpoint: str) -> bool:
        return endpoint in self.app.view_functions
