"""Configuration: defaults, then instance/config.py, then environment
(FICHEKAART_*; DATABASE_URL for the database), then the test config."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    # Basemap: "osm", "none", or a custom XYZ/WMTS URL template in BASEMAP_URL.
    "BASEMAP": "osm",
    "BASEMAP_URL": None,
    "BASEMAP_ATTRIBUTION": None,
    "BASEMAP_NAME": None,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # uploads over 20 MB get a 413 with a Dutch message
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
}


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if key.startswith("FICHEKAART_"):
            app.config[key.removeprefix("FICHEKAART_")] = value
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ.get("DATABASE_URL") or default_database_url(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = shared_secret_key(app) or instance_secret_key(app)


def default_database_url(app: Flask) -> str:
    return f"sqlite:///{Path(app.instance_path) / 'fichekaart.sqlite'}"


def shared_secret_key(app: Flask) -> str | None:
    """The key in FICHEKAART_SECRET_KEY_FILE, when set: one file (or one
    FICHEKAART_SECRET_KEY) shared by every app node, so that a session
    signed by one node is accepted by the others."""
    name = app.config.get("SECRET_KEY_FILE")
    if not name:
        return None
    path = Path(name)
    try:
        key = path.read_text().strip()
    except OSError as exc:
        raise RuntimeError(f"FICHEKAART_SECRET_KEY_FILE {path} cannot be read: {exc.strerror}") from None
    if len(key) < 32:
        raise RuntimeError(f"FICHEKAART_SECRET_KEY_FILE {path} holds no key of at least 32 characters")
    return key


def instance_secret_key(app: Flask) -> str:
    """A random key kept in instance/ so sessions survive a restart (one
    host only: several nodes need the shared key above)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # 0600 from the first byte (a chmod afterwards leaves a window).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker was first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip()
