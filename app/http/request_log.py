"""Logs an operator can follow: one JSON object per line, each with the id
of the request it belongs to.

- X-Request-Id: taken from the request when it is a plausible id (nginx's
  $request_id, a load balancer's), otherwise made here; sent back in the
  answer and written in every log line of the request.
- One access line per request (method, path, status, milliseconds, bytes);
  /healthz, /readyz and /metrics only at DEBUG (probes every few seconds).
- FICHEKAART_LOG_FORMAT: json (default) or text; FICHEKAART_LOG_LEVEL: INFO.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

_INCOMING_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_PROBES = ("/healthz", "/readyz", "/metrics")
_HANDLER_MARK = "fichekaart_handler"


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestFields(logging.Filter):
    """Adds the request id, method and path to every record made in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method, record.path = request.method, request.path
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "bytes", "remote_addr")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """One handler on the app's logger (stderr: gunicorn and systemd collect it)."""
    logger = app.logger
    logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    logger.removeHandler(default_handler)
    for handler in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    if str(app.config.get("LOG_FORMAT", "json")).lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(message)s",
                                               defaults={"request_id": "-"}))
    logger.addHandler(handler)
    if not any(isinstance(f, RequestFields) for f in logger.filters):
        logger.addFilter(RequestFields())  # on the logger: every handler (and pytest's caplog) sees the fields


def start_request() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def finish_request(response):
    from flask import current_app

    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-Id"] = rid
    started = g.get("request_started")
    if started is not None and current_app.config.get("ACCESS_LOG", True) not in (False, "0", "false"):
        level = logging.DEBUG if request.path in _PROBES else logging.INFO
        current_app.logger.log(level, "%s %s %s", request.method, request.full_path.rstrip("?"),
                               response.status_code, extra={
                                   "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                                   "bytes": response.content_length,  # the header: a stream is never read here
                                   "remote_addr": request.remote_addr,
                               })
    return response


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(start_request)
    app.after_request(finish_request)
