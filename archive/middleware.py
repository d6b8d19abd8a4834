"""Request plumbing shared by every page: rate limits, CSRF field names, database outages."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

logger = logging.getLogger(__name__)


class AuthenticityTokenMiddleware:
    """Accept AO3's `authenticity_token` form field as Django's CSRF token.

    Readers' tools log in by POSTing the token they read from `/token_dispenser.json`
    under AO3's field name; Django looks for `csrfmiddlewaretoken` or the CSRF header.
    The token is checked by Django's CsrfViewMiddleware exactly as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and settings.CSRF_HEADER_NAME not in request.META:
            token = request.POST.get("authenticity_token")
            if token and "csrfmiddlewaretoken" not in request.POST:
                request.META[settings.CSRF_HEADER_NAME] = token
        return self.get_response(request)


class RateLimitMiddleware:
    """At most RATE_LIMIT_REQUESTS requests per client address per RATE_LIMIT_WINDOW seconds.

    A fixed window counted in the cache (Redis when REDIS_URL is set, so every gunicorn
    worker shares it); over budget the answer is 429 with Retry-After, decided before any
    database work. RATE_LIMIT_REQUESTS=0 turns it off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        budget = settings.RATE_LIMIT_REQUESTS
        if budget:
            window = settings.RATE_LIMIT_WINDOW
            now = time.time()
            start = int(now // window * window)
            key = f"rate:{request.META.get('REMOTE_ADDR', '')}:{start}"
            cache.add(key, 0, timeout=window + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # the window expired between add and incr
                cache.add(key, 1, timeout=window + 1)
                count = 1
            if count > budget:
                retry_after = max(1, int(start + window - now))
                response = HttpResponse(
                    TOO_MANY_REQUESTS.format(seconds=retry_after),
                    status=429,
                    content_type="text/html; charset=utf-8",
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)


TOO_MANY_REQUESTS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Too many requests | Archive</title></head>
<body><div id="main" class="error-429 region" role="main">
<h2 class="heading">Too many requests</h2>
<p>You have made too many requests in a short time. Please try again in {seconds} seconds.</p>
</div></body></html>
"""


class RejectNulMiddleware:
    """A NUL character in the path or query string is a 400: PostgreSQL cannot store or
    compare text holding one, and no real link carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path]
        for key, values in request.GET.lists():
            texts += [key, *values]
        if any("\x00" in text for text in texts):
            return HttpResponseBadRequest(
                "<!DOCTYPE html><title>Bad request</title>"
                '<h2 class="heading">Bad request</h2>'
                "<p>The address holds a NUL character, which no page of this archive has.</p>",
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer 503 at once instead of a 500 or a hang."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response
