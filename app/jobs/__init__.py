"""Background jobs: the task queue (queue.py, huey) and the import jobs
(imports.py). The web request stores the work and returns at once; a worker
process (`fichekaart worker`, started by scripts/run) does it."""
