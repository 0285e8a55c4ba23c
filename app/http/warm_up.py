"""Work every worker would otherwise do on its first requests, done once in
gunicorn's master (deploy/gunicorn.conf.py, `when_ready`; the app is
preloaded there): the workers, also those started later to replace one
(max_requests), fork with it done and share its memory.

Compiling the app's Jinja templates costs a worker about 0.1 s of CPU on
its first city page and again on its first fiche page (docs/bench.md,
"Memory per worker, preloaded"). Nothing here touches the database, so a
database that is down at boot does not stop the server starting.
"""
from __future__ import annotations

from flask import Flask


def compile_templates(app: Flask) -> int:
    """Compile every template of `app` into its Jinja environment's cache
    (which outlives requests: Flask reloads templates only in debug mode).
    Returns how many."""
    environment = app.jinja_env
    names = environment.list_templates()
    for name in names:
        environment.get_template(name)
    return len(names)
