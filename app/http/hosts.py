"""Which host and client the app believes: the public base URL for every
absolute link, trusted hosts, and the client address behind proxies.

- FICHEKAART_PUBLIC_URL (e.g. https://fichekaart.herentals.be): every
  absolute link (OGC API links, the `url` column of exports, url_for with
  _external) is built on it, whatever Host header a request carries.
- FICHEKAART_TRUSTED_HOSTS (comma-separated, Flask's TRUSTED_HOSTS): other
  Host headers get a 400. Without either setting the Host header is used
  as sent (development).
- FICHEKAART_TRUSTED_PROXIES (default 0): the number of reverse proxies in
  front of the app. werkzeug's ProxyFix then takes the client address,
  scheme and host from that many X-Forwarded-* entries (the login throttle
  counts per client address); with 0 those headers are ignored.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..numbers import whole_number


class PublicUrl:
    """WSGI middleware: the scheme, host and path prefix of the public URL."""

    def __init__(self, wsgi_app, public_url: str):
        parts = urlsplit(public_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"FICHEKAART_PUBLIC_URL must be like https://host[/prefix], not {public_url!r}")
        self.wsgi_app, self.scheme, self.host, self.prefix = wsgi_app, parts.scheme, parts.netloc, parts.path

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        if self.prefix:
            environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()] or None
    if app.config.get("PUBLIC_URL"):
        app.wsgi_app = PublicUrl(app.wsgi_app, app.config["PUBLIC_URL"])  # type: ignore[method-assign]  # Flask docs
    proxies = whole_number(app.config.get("TRUSTED_PROXIES") or 0, 0, 10)
    if proxies is None:
        raise ValueError("FICHEKAART_TRUSTED_PROXIES must be a number of proxies from 0 to 10")
    if proxies:
        # Outside PublicUrl, so that the configured public URL wins over X-Forwarded-Host.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # as Flask's docs do
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
