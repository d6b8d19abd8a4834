"""Gunicorn's settings for `make serve`, the production mode: gunicorn -c python:archive.serving."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: two per core plus one, as gunicorn suggests; WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Filter URLs built by readers' tools can be long; a longer line is answered 414 by gunicorn.
limit_request_line = 16384
accesslog = "-"
errorlog = "-"
