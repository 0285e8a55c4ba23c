"""Operations (issue 15): /healthz and /readyz, X-Request-Id and JSON log
lines, Prometheus metrics for localhost or a token only, one secret key
shared by several app nodes, and the trusted-proxy setting."""
from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import pytest
from itsdangerous import BadSignature

from app.http.request_log import JsonFormatter
from conftest import dispose, make_test_app

ROOT = Path(__file__).resolve().parent.parent
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


def test_healthz_needs_no_database(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'nergens' / 'geen.sqlite'}")
    try:
        answer = app.test_client().get("/healthz")
        assert answer.status_code == 200 and answer.json["status"] == "ok"
        assert answer.headers["Cache-Control"] == "no-store"
        assert app.test_client().get("/readyz").status_code == 503
    finally:
        dispose(app)


def test_readyz_wants_the_migrations_at_head(empty_url):
    from app import migrate

    app = make_test_app(empty_url)
    try:
        client = app.test_client()
        before = client.get("/readyz")
        assert before.status_code == 503 and "fichekaart db upgrade" in before.json["toelichting"]
        assert before.headers["Retry-After"]
        migrate.upgrade(app.extensions["fichekaart.engine"])
        after = client.get("/readyz")
        assert after.status_code == 200
        assert after.json == {"status": "klaar", "databank": "bereikbaar", "migratie": after.json["migratie"]}
    finally:
        dispose(app)


def test_a_request_id_goes_in_and_out_and_into_the_log(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    given = client.get("/herentals", headers={"X-Request-Id": "nginx-0123456789abcdef"})
    assert given.headers["X-Request-Id"] == "nginx-0123456789abcdef"
    made = client.get("/herentals", headers={"X-Request-Id": "<script>"})  # not an id: a new one is made
    assert made.headers["X-Request-Id"] != "<script>" and len(made.headers["X-Request-Id"]) == 32
    access = [r for r in caplog.records if getattr(r, "request_id", None) == "nginx-0123456789abcdef"]
    assert access and access[-1].status == 200 and access[-1].path == "/herentals"
    line = json.loads(JsonFormatter().format(access[-1]))
    assert line["request_id"] == "nginx-0123456789abcdef"
    assert line["status"] == 200 and line["method"] == "GET" and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["message"].startswith("GET /herentals")


def test_the_log_handler_writes_json_lines(app):
    from app.http.request_log import start_request

    [handler] = [h for h in app.logger.handlers if getattr(h, "fichekaart_handler", False)]
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        with app.test_request_context("/x", headers={"X-Request-Id": "abcdefgh1234"}):
            start_request()
            app.logger.warning("iets met \"quotes\"\nen een tweede regel")
    finally:
        handler.setStream(stream)
    [text] = written.getvalue().splitlines()  # one line, whatever the message holds
    line = json.loads(text)
    assert line["message"] == "iets met \"quotes\"\nen een tweede regel"
    assert line["request_id"] == "abcdefgh1234" and line["path"] == "/x"


def test_metrics_count_routes_statuses_and_the_pool(client):
    client.get("/herentals")
    client.get("/bestaat-niet-xyz")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    text = answer.text
    assert 'fichekaart_http_requests_total{method="GET",route="/<slug>",status="200"}' in text
    assert 'route="/<slug>",status="404"}' in text
    assert 'fichekaart_http_request_duration_seconds_bucket{le="0.5",method="GET",route="/<slug>"}' in text
    assert "fichekaart_db_pool_in_use " in text and "fichekaart_db_pool_capacity " in text
    assert "fichekaart_db_unavailable_total " in text


def test_metrics_are_refused_from_elsewhere_without_the_token(app):
    client = app.test_client()
    refused = client.get("/metrics", environ_base=REMOTE)
    assert refused.status_code == 403 and "metrieken" in refused.text
    app.config["METRICS_TOKEN"] = "s3cret-token"
    try:
        assert client.get("/metrics", environ_base=REMOTE,
                          headers={"Authorization": "Bearer fout"}).status_code == 403
        assert client.get("/metrics", environ_base=REMOTE,
                          headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    finally:
        del app.config["METRICS_TOKEN"]


def test_two_nodes_with_one_key_file_accept_each_others_sessions(seed_url, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 64 + "\n")
    nodes = [make_test_app(seed_url, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)) for _ in range(2)]
    lonely = make_test_app(seed_url, SECRET_KEY="a-different-key-of-one-host-only-xxxxxxxxxxxx")
    try:
        assert nodes[0].config["SECRET_KEY"] == nodes[1].config["SECRET_KEY"] == "k" * 64
        serializer = [n.session_interface.get_signing_serializer(n) for n in (*nodes, lonely)]
        cookie = serializer[0].dumps({"user_id": 7})
        assert serializer[1].loads(cookie) == {"user_id": 7}
        with pytest.raises(BadSignature):
            serializer[2].loads(cookie)
    finally:
        for app in (*nodes, lonely):
            dispose(app)


@pytest.mark.parametrize("content, message", [(None, "cannot be read"), ("kort", "at least 32")])
def test_a_bad_key_file_stops_the_start(seed_url, tmp_path, content, message):
    key_file = tmp_path / "secret_key"
    if content is not None:
        key_file.write_text(content)
    with pytest.raises(RuntimeError, match=message):
        make_test_app(seed_url, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))


def test_trusted_proxies_give_the_client_address(seed_url):
    seen = {}
    for hops in (0, 1):
        app = make_test_app(seed_url, TRUSTED_PROXIES=hops)
        try:
            with app.test_client() as client:
                client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.4", "X-Forwarded-Proto": "https"})
                from flask import request

                seen[hops] = (request.remote_addr, request.is_secure)
        finally:
            dispose(app)
    assert seen[0] == ("127.0.0.1", False)
    assert seen[1] == ("198.51.100.4", True)


def test_metrics_add_up_the_workers_in_multiprocess_mode(tmp_path):
    # As under gunicorn with PROMETHEUS_MULTIPROC_DIR: two "workers" (apps in
    # two processes) count into one directory, and /metrics adds them up.
    import subprocess
    import sys
    import textwrap

    (tmp_path / "metrics").mkdir()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from conftest import make_test_app
        app = make_test_app("sqlite:///{tmp_path / 'db.sqlite'}")
        client = app.test_client()
        for _ in range(int(sys.argv[1])):
            assert client.get("/healthz").status_code == 200
        if sys.argv[2] == "scrape":
            print(client.get("/metrics").text)
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    for count, action in ((2, "-"), (3, "scrape")):
        done = subprocess.run([sys.executable, "-c", script, str(count), action], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert 'fichekaart_http_requests_total{method="GET",route="/healthz",status="200"} 5.0' in done.stdout


def test_the_access_line_never_reads_a_streamed_answer(tmp_path):
    from flask import Response

    app = make_test_app(f"sqlite:///{tmp_path / 'x.sqlite'}")
    read = []

    def parts():
        yield "eerste deel, "
        read.append("the rest")
        yield "tweede deel"

    app.add_url_rule("/stroom", "stroom", lambda: Response(parts()))
    try:
        answer = app.test_client().get("/stroom", buffered=False)
        assert answer.status_code == 200 and read == []  # logged and counted, the rest not yet made
        assert answer.get_data(as_text=True) == "eerste deel, tweede deel"
    finally:
        dispose(app)


def test_the_pool_gauge_follows_the_connections_in_use(seed_url):
    app = make_test_app(seed_url)
    try:
        client = app.test_client()
        engine = app.extensions["fichekaart.engine"]

        def in_use() -> float:
            lines = client.get("/metrics").text.splitlines()
            return float(next(x for x in lines if x.startswith("fichekaart_db_pool_in_use ")).split()[1])

        assert in_use() == 0
        with engine.connect(), engine.connect():
            assert in_use() == 2
        assert in_use() == 0
        assert client.get("/herentals").status_code == 200  # a request gives its connection back
        assert in_use() == 0
    finally:
        dispose(app)
