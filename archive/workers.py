"""The gunicorn worker and ASGI guard that keep slow clients from holding the site.

gunicorn's asyncio worker, with a deadline for a request's head; then a guard that reads the
body within a deadline before Django sees it and lets only a few requests into Django at
once. A sync worker serves one connection from its first byte to its last, so a client
sending its headers or body slowly holds a whole worker. Here connections wait on an event
loop, which costs nothing while they trickle, and Django runs on a fixed pool of threads
(archive/asgi.py) only once a request has fully arrived. archive/serving.py lists the limits.
"""

import asyncio
import os
import tempfile
import time
from http import HTTPStatus

from django.conf import settings
from django.templatetags.static import static
from django.utils.csp import CSP, build_policy
from django.utils.html import escape
from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.glogging import Logger
from gunicorn.workers import gasgi

# A body must arrive within this many seconds, plus one second for every BODY_MIN_RATE
# bytes received: an honest upload over a slow line gets the time it needs, a client
# dripping a byte a second is cut off after about BODY_GRACE seconds.
BODY_GRACE = 10
BODY_MIN_RATE = 50_000
# Far above the largest request the site accepts (a 10 MB upload, a 5 MB post, as form
# data): a larger declared or sent body is refused with 413 before it is stored anywhere.
BODY_MAX_BYTES = 32 * 1024 * 1024
READ_CHUNK = 64 * 1024
# A response must be taken by the client as a body must arrive: within BODY_GRACE seconds
# plus one for every BODY_MIN_RATE bytes the server holds for it, and with something taken
# every SEND_STALL seconds. gunicorn awaits the transport's drain before the next chunk,
# but Django renders a page as one chunk, so a client that reads nothing would otherwise
# keep the whole page in the worker's memory for as long as it keeps the connection.
SEND_STALL = 10


class Protocol(ASGIProtocol):
    def connection_made(self, transport):
        super().connection_made(transport)
        # gunicorn bounds the wait for a request's head by `keepalive` only from a
        # connection's second request on; the first would wait for ever, which is all a
        # slowloris client needs. The same timer closes the connection unless a whole
        # head has arrived in time, and is cancelled as soon as one has.
        if self._request_ready is not None:
            self._arm_keepalive_timer()

    # The transport calls pause_writing once it holds more than gunicorn's high-water
    # mark (64 kB) that the client has not taken. From then until it has taken the rest
    # (resume_writing), or for good once the connection is closing (close() waits for the
    # buffer to drain), the watch below checks the rate the client takes it at.
    _send_watch = None

    def pause_writing(self):
        super().pause_writing()
        self._watch_send()

    def resume_writing(self):
        super().resume_writing()
        if not self._closed:
            self._stop_send_watch()

    def _close_transport(self):
        super()._close_transport()
        if self.transport is not None and self.transport.get_write_buffer_size():
            self._watch_send()

    def connection_lost(self, exc):
        super().connection_lost(exc)
        self._stop_send_watch()

    def _watch_send(self):
        if self._send_watch is None:
            buffered = self.transport.get_write_buffer_size()
            deadline = self.worker.loop.time() + BODY_GRACE + buffered / BODY_MIN_RATE
            self._check_send(None, deadline)

    def _check_send(self, before, deadline):
        """Abort the connection, dropping what it holds, unless the client has taken some
        of it since `before` was buffered and the deadline has not passed."""
        self._send_watch = None
        left = self.transport.get_write_buffer_size()
        if not left or self._conn_lost_handled:
            return
        now = self.worker.loop.time()
        if before is not None and (left >= before or now >= deadline):
            self.transport.abort()
            # A send waiting for the buffer to drain goes on, and finds the connection gone.
            if self._flow_control is not None:
                self._flow_control.resume_writing()
            return
        wait = max(min(SEND_STALL, deadline - now), 0.1)
        self._send_watch = self.worker.loop.call_later(wait, self._check_send, left, deadline)

    def _stop_send_watch(self):
        if self._send_watch is not None:
            self._send_watch.cancel()
            self._send_watch = None

    def _send_error_response(self, status, message, extra_headers=()):
        # gunicorn answers a request line or header over its limits in plain text before
        # Django sees the request; a reader who followed a long filter link gets a page.
        if status == HTTPStatus.REQUEST_URI_TOO_LONG:
            page, limit = URI_TOO_LONG, self.cfg.limit_request_line
        elif status == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
            page, limit = HEADERS_TOO_LARGE, self.cfg.limit_request_field_size
        else:
            return super()._send_error_response(status, message, extra_headers)
        page = page.format(limit=limit, css=escape(static("css/site.css")))
        body = page.encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *_page_headers(),
            *extra_headers,
            ("Connection", "close"),
        ]
        head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers)
        self._safe_write((head + "\r\n").encode("latin-1"))
        self._safe_write(body)
        return None


class Worker(gasgi.ASGIWorker):
    """gunicorn's ASGI worker with the head deadline above and the sync workers' timeout:
    a request inside Django for longer than `timeout` gets the worker killed and replaced
    by the arbiter, as a sync worker stuck on one request was."""

    def init_process(self):
        # The worker builds each connection's protocol from this module-level name.
        gasgi.ASGIProtocol = Protocol
        super().init_process()

    def notify(self):
        # The arbiter kills a worker whose heartbeat (the file's mtime, on the monotonic
        # clock) is older than `timeout`; dating it to the oldest request still inside
        # Django makes that the age of the longest request.
        stamp = time.monotonic()
        if isinstance(self.asgi, Guard):
            stamp = min(stamp, self.asgi.oldest_start(default=stamp))
        os.utime(self.tmp.fileno(), (stamp, stamp))


class AccessLog(Logger):
    """gunicorn's access log, without the query string of a login: ao3-api sends the
    password there, as AO3 accepts it (accounts.views.login_view)."""

    def atoms(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") == settings.LOGIN_URL and environ.get("QUERY_STRING"):
            environ = {**environ, "RAW_URI": settings.LOGIN_URL + "?[hidden]"}
            environ["QUERY_STRING"] = "[hidden]"
        return super().atoms(resp, req, environ, request_time)


class Disconnected(Exception):
    """The client went away (or gunicorn gave up waiting for it) before its body arrived."""


class Guard:
    """ASGI middleware in front of Django: the body first, within its deadline; then at most
    `concurrency` requests in Django at once, so they never wait for a database
    connection (the pool holds as many) and slow clients never count against them."""

    def __init__(self, app, *, concurrency):
        self.app = app
        self.slots = asyncio.Semaphore(concurrency)
        self.inside = {}

    def oldest_start(self, *, default):
        return min(self.inside.values(), default=default)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > BODY_MAX_BYTES:
            return await _refuse(send, 413, TOO_LARGE)
        with tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            try:
                await _read_body(receive, body)
            except TimeoutError:
                return await _refuse(send, 408, TOO_SLOW)
            except OverflowError:
                return await _refuse(send, 413, TOO_LARGE)
            except Disconnected:
                return None
            size = body.tell()
            body.seek(0)
            await self.slots.acquire()
            token = object()
            self.inside[token] = time.monotonic()
            try:
                await self.app(scope, _replay(body, size, receive), self._sending(send, token))
            finally:
                # Absent while the response is with the client, its slot already given back.
                if self.inside.pop(token, None) is not None:
                    self.slots.release()
        return None

    def _sending(self, send, token):
        """The app's send, during which the request gives back its slot and stops counting
        as in Django: a client taking a large page slowly (its deadline is the Protocol's)
        should neither keep others out of Django nor get the worker killed for `timeout`."""

        async def send_outside(message):
            if message["type"] != "http.response.body":
                return await send(message)
            del self.inside[token]
            self.slots.release()
            await send(message)
            if message.get("more_body", False):
                await self.slots.acquire()
                self.inside[token] = time.monotonic()
            return None

        return send_outside


def _content_length(scope):
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive, body):
    """Copy the request's body into `body`; TimeoutError past the deadline."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    received = 0
    while True:
        deadline = started + BODY_GRACE + received / BODY_MIN_RATE
        async with asyncio.timeout_at(deadline):
            message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > BODY_MAX_BYTES:
            raise OverflowError
        # Writes past the spool's memory size go to disk: off the event loop then.
        if getattr(body, "_rolled", False):
            await asyncio.to_thread(body.write, chunk)
        else:
            body.write(chunk)
        if not message.get("more_body", False):
            return


def _replay(body, size, receive):
    """An ASGI receive that hands Django the stored body, then waits on the real one
    (Django listens for the client's disconnect while it answers)."""
    finished = False

    async def replayed():
        nonlocal finished
        if finished:
            return await receive()
        chunk = body.read(READ_CHUNK)
        more = body.tell() < size
        finished = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replayed


def _page_headers():
    """The security headers Django's middleware gives every page, for the pages answered
    here, before Django."""
    return [
        (str(CSP.HEADER_ENFORCE), build_policy(settings.SECURE_CSP)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
    ]


async def _refuse(send, status, text):
    # Said plainly and closed: the rest of the request will not be read.
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"connection", b"close")]
    headers += [(name.lower().encode(), value.encode()) for name, value in _page_headers()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})


TOO_SLOW = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Request timeout | Archive</title></head>
<body><h2 class="heading">Request timeout</h2>
<p>Your request arrived too slowly and was not completed. Please try again.</p></body></html>
"""
TOO_LARGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Request too large | Archive</title></head>
<body><h2 class="heading">Request too large</h2>
<p>Your request is larger than this archive accepts (32 MB at most).</p></body></html>
"""
URI_TOO_LONG = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Address too long | Archive</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"></head>
<body><div id="main" class="error-414 region" role="main">
<h2 class="heading">Address too long</h2>
<p>The address of this page is longer than this archive accepts (about {limit:,} characters).
Links that filter by very many tags can grow this long: go back, remove some of the
included or excluded tags, and filter again.</p>
<p><a href="/">Go to the front page</a></p>
</div></body></html>
"""
HEADERS_TOO_LARGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Request too large | Archive</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"></head>
<body><div id="main" class="error-431 region" role="main">
<h2 class="heading">Request too large</h2>
<p>Your browser sent request headers larger than this archive accepts ({limit:,}
characters each), such as a very long address sent along as the Referer. Open the
<a href="/">front page</a> and go on from there.</p>
</div></body></html>
"""
