"""gunicorn settings of one app node (deploy/systemd/fichekaart@.service).

Threads: a request spends most of its time waiting on the database or
writing a file, and threads share a process's page cache (app/http/page_cache.py)
and its connection pool. Two processes per node survive one crashing worker.
"""
import os

workers = int(os.environ.get("FICHEKAART_WORKERS", 2))
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


def child_exit(server, worker):
    """Prometheus multi-process mode: drop the gauges of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
