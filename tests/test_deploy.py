"""deploy/: the nginx site passes `nginx -t` (when nginx is installed:
`apt-get install nginx-light`; otherwise the test is skipped and says so),
agrees with the app (upload limit, session cookie), the systemd units pass
`systemd-analyze verify` (skipped, saying so, without it) and the gunicorn
settings load."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = (DEPLOY / "nginx" / "fichekaart.conf").read_text()
CACHE_SNIPPET = (DEPLOY / "nginx" / "fichekaart-cache.conf").read_text()


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light): the site file was not checked")
    (tmp_path / "cache").mkdir()  # nginx makes the last level only, as /var/cache/nginx/ exists on Debian
    snippet = tmp_path / "fichekaart-cache.conf"
    snippet.write_text(CACHE_SNIPPET)
    site = (SITE.replace("/var/cache/nginx/", str(tmp_path / "cache") + "/")
            .replace("/var/log/nginx", str(tmp_path))
            .replace("/etc/nginx/snippets/fichekaart-cache.conf", str(snippet)))
    (tmp_path / "site.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n  {'include ' + str(mime_types) + ';' if mime_types.exists() else ''}\n"
        f"  access_log off;\n  include {tmp_path / 'site.conf'};\n}}\n")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_the_upload_limit_is_the_apps():
    megabytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", SITE, re.MULTILINE).group(1))
    assert megabytes * 1024 * 1024 == DEFAULTS["MAX_CONTENT_LENGTH"]


def test_vendor_files_come_from_the_app_once_then_from_nginx():
    # The app knows which node_modules files may be served (layers/assets.py):
    # nginx keeps its answers instead of opening node_modules itself.
    block = SITE.split("location /static/vendor/ {", 1)[1].split("}", 1)[0]
    assert "proxy_cache fichekaart_vendor;" in block and "proxy_cache_valid 200 30d;" in block
    assert not re.search(r"^\s*(alias|root) .*node_modules", SITE, re.MULTILINE)


def test_the_cache_is_bypassed_with_the_apps_session_cookie():
    from flask import Flask

    cookie = Flask.default_config["SESSION_COOKIE_NAME"]
    assert f"map $cookie_{cookie} $fichekaart_no_cache" in SITE
    assert "proxy_cache_bypass $fichekaart_no_cache;" in CACHE_SNIPPET
    assert "proxy_no_cache $fichekaart_no_cache;" in CACHE_SNIPPET


def test_stricter_zones_guard_login_imports_and_downloads():
    for location, zone in (("location = /aanmelden", "fichekaart_login"),
                           ("location ~ ^/beheer/[^/]+/import", "fichekaart_import"),
                           ("location ~ ^/[^/]+/download\\.", "fichekaart_downloads")):
        block = SITE.split(location, 1)[1].split("}", 1)[0]
        assert f"limit_req zone={zone} " in block, location


def test_the_gunicorn_settings_load():
    script = (f"import json, logging, logging.config, runpy; s = runpy.run_path({str(DEPLOY / 'gunicorn.conf.py')!r}); "
              "assert s['worker_class'] == 'gthread' and callable(s['child_exit']); "
              "logging.config.dictConfig(s['logconfig_dict']); logging.getLogger('gunicorn.error').info('Booting')")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1])["message"] == "Booting"


def test_the_master_compiles_the_templates_before_the_workers_fork(tmp_path):
    """deploy/gunicorn.conf.py's when_ready, run by a real gunicorn master:
    it logs that every template of the app is compiled before a worker starts."""
    from app import create_app

    count = len(create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}"}).jinja_env.list_templates())
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}", "FICHEKAART_WORKERS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"),
                               "--bind", "127.0.0.1:0", "app:create_app()"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        messages = []
        for line in server.stderr:
            if line.startswith("{"):
                messages.append(json.loads(line)["message"])
            if any(m.startswith("Booting worker") for m in messages):
                break
    finally:
        server.terminate()
        server.wait(30)
    compiled = messages.index(f"{count} templates compiled before the workers start")
    assert count > 50 and compiled < next(i for i, m in enumerate(messages) if m.startswith("Booting worker"))


def test_compile_templates_fills_the_environment_cache(tmp_path):
    from app import create_app
    from app.http.warm_up import compile_templates

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}"})
    assert not app.jinja_env.cache
    count = compile_templates(app)
    assert count == len(app.jinja_env.list_templates()) == len(app.jinja_env.cache)


def test_every_app_node_reads_the_shared_environment_file():
    unit = (DEPLOY / "systemd" / "fichekaart@.service").read_text()
    assert "EnvironmentFile=/etc/fichekaart/fichekaart.env" in unit
    assert "User=fichekaart" in unit and "--bind 127.0.0.1:%i" in unit
    env = (DEPLOY / "fichekaart.env.example").read_text()
    assert "FICHEKAART_SECRET_KEY_FILE=" in env and "FICHEKAART_TRUSTED_PROXIES=1" in env


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were not checked")
    for unit in (DEPLOY / "systemd").iterdir():
        # The venv's programs do not exist here: any executable stands in for them.
        text = re.sub(r"/srv/fichekaart/\.venv/bin/\w+", "/bin/true", unit.read_text())
        (tmp_path / unit.name.replace("@.", "@8001.")).write_text(text)
    done = subprocess.run([analyze, "verify", *sorted(map(str, tmp_path.iterdir()))],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "fichekaart" not in done.stderr, done.stderr  # no warning about our units
