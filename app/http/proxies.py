"""Behind nginx: FICHEKAART_TRUSTED_PROXIES=1 (the number of proxies in
front of the app) makes request.remote_addr the client's address from
X-Forwarded-For and request.is_secure follow X-Forwarded-Proto, so the login
throttle counts per citizen, /metrics sees who asks, and cookies get the
Secure flag. Leave it 0 when clients reach gunicorn directly: the headers
could then be forged."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]  # Flask docs
