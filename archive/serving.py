"""Gunicorn's settings for `make serve` and `make run`: gunicorn -c python:archive.serving.

Slow or idle clients cannot hold a worker: connections wait on each worker's event loop
(archive/workers.py) and a request reaches Django only once it has fully arrived. The
limits a client meets:

- its request line and headers must arrive within `keepalive` (5 s) of connecting, or of
  the previous response on a kept-alive connection; otherwise the connection is closed;
- its request line may be 16,384 bytes and each header line 8,190, or it is answered 414
  or 431 with a short page (archive.workers.Protocol);
- its body within 10 s plus 1 s per 50 kB (archive.workers.BODY_GRACE, BODY_MIN_RATE),
  otherwise 408; a body over 32 MB is refused with 413 (BODY_MAX_BYTES);
- its response must be taken within 10 s plus 1 s per 50 kB the server holds for it, with
  something taken every 10 s (archive.workers.SEND_STALL), or the connection is aborted and
  what it held freed; time spent waiting for the client holds no Django slot and does not
  count towards `timeout`;
- a request that has run in Django for `timeout` (30 s) gets its worker killed and
  replaced, as a sync worker was, and the connections that worker held are dropped;
- at most as many requests per worker run in Django at once as the database pool holds
  (archive/database.py, 8, on a pool of as many threads: archive/asgi.py); the others
  wait their turn on the event loop.

Measured on the 2-CPU development machine (2 workers, wrk -c16, 3 rounds, a loaded
machine): a bare view answered 900-1300 requests/s against 1130-1310 with sync workers;
a cached chapter page 70-135 against 38-58, as requests waiting on the database overlap.
With 50 slow-header and 50 slow-body clients connected, other readers were answered in
under 0.2 s (sync workers: not at all for 30 s). Django's own ASGI handler in place of the
thread pool gave 230-600 requests/s for the bare view.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
wsgi_app = "archive.asgi:application"
worker_class = "archive.workers.Worker"
# The site has no startup or shutdown events to run.
asgi_lifespan = "off"
# Views run in threads but hold the GIL while they render, so processes, not threads, use
# the cores: two per core plus one, as gunicorn suggests. WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound (a client that
# reuses a connection just as its worker recycles sees it closed, and retries).
max_requests = 5000
max_requests_jitter = 500
# Filter URLs built by readers' tools can be long. gunicorn's documentation caps this at
# 8190, but that cap is its WSGI parser's: measured with this worker (tests/test_long_urls.py)
# a request line of 16,384 bytes is served and one byte more is a 414, which
# archive.workers answers with a page saying so. Each header line keeps gunicorn's limit of
# 8,190 bytes (431 past it, with a page too); Chromium cuts a Referer over 4 kB to the
# site's origin, so a long URL's next click is no such header.
limit_request_line = 16384
accesslog = "-"
# The access log leaves out a login's query string, where ao3-api sends the password.
logger_class = "archive.workers.AccessLog"
errorlog = "-"
