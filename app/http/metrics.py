"""Prometheus metrics at /metrics (prometheus_client):

- fichekaart_http_request_duration_seconds{method,route}: latency per route
  (the URL rule, e.g. /<slug>/fiches/<int:fiche_id>, so the label set stays small);
- fichekaart_http_requests_total{method,route,status};
- fichekaart_db_pool_in_use: connections checked out of the pool now;
  fichekaart_db_pool_capacity: pool size + overflow;
- fichekaart_db_unavailable_total: database errors answered 503 (app.http.outage).

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR
to an empty directory (wiped at start, e.g. systemd's RuntimeDirectory):
every worker writes its numbers there and /metrics adds them up (the gauges
over live workers). deploy/gunicorn.conf.py marks exited workers dead.

Only for localhost, or with `Authorization: Bearer <FICHEKAART_METRICS_TOKEN>`.
Behind nginx every request comes from localhost: the nginx site refuses
/metrics itself, and FICHEKAART_TRUSTED_PROXIES makes the client address the
real one.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event

LOCAL = {"127.0.0.1", "::1"}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The app's metrics, in a registry of its own (tests build several apps)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.duration = Histogram("fichekaart_http_request_duration_seconds", "Time to answer a request",
                                  ["method", "route"], buckets=BUCKETS, registry=self.registry)
        self.requests = Counter("fichekaart_http_requests_total", "Requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.pool_in_use = Gauge("fichekaart_db_pool_in_use", "Database connections checked out now",
                                 registry=self.registry, multiprocess_mode="livesum")
        self.pool_capacity = Gauge("fichekaart_db_pool_capacity", "Pool size plus overflow",
                                   registry=self.registry, multiprocess_mode="livesum")
        self.database_errors = Counter("fichekaart_db_unavailable_total",
                                       "Database errors answered with 503 or a kept page", registry=self.registry)

    def watch_pool(self, engine) -> None:
        pool = engine.pool
        if hasattr(pool, "size") and hasattr(pool, "_max_overflow"):
            self.pool_capacity.set(pool.size() + max(pool._max_overflow, 0))
        event.listen(engine, "checkout", lambda *_: self.pool_in_use.inc())
        event.listen(engine, "checkin", lambda *_: self.pool_in_use.dec())

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(geen route)"


def start_timer() -> None:
    g.metrics_started = time.perf_counter()


def count_response(response):
    started = g.get("metrics_started")
    if started is not None:
        metrics: Metrics = current_app.extensions["fichekaart.metrics"]
        route = _route()
        metrics.duration.labels(request.method, route).observe(time.perf_counter() - started)
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    return response


def allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token and hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return True
    return request.remote_addr in LOCAL


def metrics_view():
    if not allowed():
        abort(403, "De metrieken zijn enkel bereikbaar vanaf deze machine of met het juiste token.")
    body = current_app.extensions["fichekaart.metrics"].exposition()
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def init_app(app: Flask, engine) -> None:
    metrics = Metrics()
    metrics.watch_pool(engine)
    app.extensions["fichekaart.metrics"] = metrics
    app.before_request(start_timer)
    app.after_request(count_response)
    app.add_url_rule("/metrics", "metrics", metrics_view)
