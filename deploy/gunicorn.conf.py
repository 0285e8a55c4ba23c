"""gunicorn settings of one app node (deploy/systemd/fichekaart@.service).

Threads: a request spends most of its time waiting on the database or
writing a file, and threads share a process's page cache (app/http/page_cache.py)
and its connection pool. Two processes per node survive one crashing worker.
"""
import gc
import os

workers = int(os.environ.get("FICHEKAART_WORKERS", 2))
# Build the app once in the master and fork the workers from it: the geo
# stack (geopandas, pyproj, GDAL, folium) is loaded once and its pages are
# shared copy-on-write (docs/bench.md: memory per worker). Each worker drops
# the inherited connection pool (app/db.py, forget_pool_after_fork).
preload_app = True
worker_class = "gthread"
threads = int(os.environ.get("FICHEKAART_THREADS", 4))
# A request still running after this is killed; statement_timeout (30 s by
# default) and nginx's proxy_read_timeout end most before.
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycles a worker now and then (memory)
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm"
limit_request_line = 8190
# The app writes one JSON access line per request (app/http/request_log.py).
accesslog = None
errorlog = "-"
# gunicorn >= 25.1 opens a control socket in $HOME by default: two nodes of
# one user would share it, and the hardened unit's $HOME is read-only.
control_socket_disable = True


def child_exit(server, worker):
    """Prometheus multi-process mode: drop the gauges of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn's own lines (start, worker boot and exit, timeouts) as JSON too,
# in the same shape as the app's (app/http/request_log.py).
logconfig_dict = {
    # gunicorn merges this over its defaults, whose root logger and access
    # logger use a handler named "console": define it, and keep the root
    # logger without one (the app's logger has its own handler).
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.http.request_log.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "root": {"level": "WARNING", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False,
                           "qualname": "gunicorn.error"},
        # the app's own access line has the request id: gunicorn's stays off
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False,
                            "qualname": "gunicorn.access"},
    },
}


def when_ready(server):
    """Compile the templates in the master, once, before the first fork
    (app/http/warm_up.py): no worker compiles them on its first requests."""
    from app.http.warm_up import compile_templates

    count = compile_templates(server.app.wsgi())
    server.log.info("%d templates compiled before the workers start", count)


def pre_fork(server, worker):
    """Move what the master built into the permanent generation: the
    workers' garbage collector then never writes to those objects' headers,
    so their pages stay shared instead of being copied into every worker."""
    gc.freeze()
