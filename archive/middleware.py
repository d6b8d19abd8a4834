"""Request plumbing shared by every page: rate limits, CSRF field names, database outages."""

import logging
import math
import sys
import time

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views import defaults

from accounts.throttles import increment
from archive.transactions import write_conflict

logger = logging.getLogger(__name__)


class AuthenticityTokenMiddleware:
    """Accept AO3's names for the CSRF token: the `authenticity_token` form field and the
    `X-CSRF-Token` header (Rails' name; Django's own is `X-CSRFToken`).

    Readers' tools log in by POSTing the token they read from the login form or
    `/token_dispenser.json` under AO3's field name, and ao3-api sends its whole login,
    token included, in the query string of the POST, which Rails reads as form fields: on
    the login URL alone the query string's token counts too. Script requests send the
    header. Django's CsrfViewMiddleware then checks the token as before, except for the
    requests `ScriptCsrfCheck` below takes over.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.script_check = ScriptCsrfCheck(get_response)

    def __call__(self, request):
        if request.method == "POST" and settings.CSRF_HEADER_NAME not in request.META:
            token = request.META.get(RAILS_CSRF_HEADER)
            if not token and "csrfmiddlewaretoken" not in request.POST:
                token = request.POST.get("authenticity_token")
                if not token and request.path == settings.LOGIN_URL:
                    token = request.GET.get("authenticity_token")
            if token:
                request.META[settings.CSRF_HEADER_NAME] = token
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        # Runs before CsrfViewMiddleware's, which skips a request checked here.
        if request.is_secure() and not {"HTTP_ORIGIN", "HTTP_REFERER"} & request.META.keys():
            return self.script_check.process_view(request, view, args, kwargs)
        return None


RAILS_CSRF_HEADER = "HTTP_X_CSRF_TOKEN"


class ScriptCsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check for an HTTPS request that sends neither Origin nor Referer, as
    ao3-api's login does: its token is checked against the cookie, but the missing
    Referer is not refused for itself. That rule guards against a POST forged from the
    site's plain-HTTP address, and browsers send Origin with every cross-origin POST, which
    Django still checks, as it checks a Referer that is sent.
    """

    def _check_referer(self, request):
        if "HTTP_REFERER" in request.META:
            super()._check_referer(request)


class RateLimitMiddleware:
    """At most RATE_LIMIT_REQUESTS requests per client address per RATE_LIMIT_WINDOW seconds.

    Counted in the database (accounts.throttles: one atomic statement a request, shared by
    every gunicorn worker); over budget the answer is 429 with Retry-After, before any other
    database work. While the database is unreachable the limit is not counted (fail open):
    the outage middleware answers 503 anyway. RATE_LIMIT_REQUESTS=0 turns it off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        budget = settings.RATE_LIMIT_REQUESTS
        if budget and not outage.ongoing():
            key = f"rate:{request.META.get('REMOTE_ADDR', '')}"
            try:
                count, seconds_left = increment([key], settings.RATE_LIMIT_WINDOW)[key]
            except DatabaseError as error:
                logger.warning("Rate limit not counted: %s", error)
                if database_unreachable(error):
                    outage.begin()
            else:
                if count > budget:
                    retry_after = max(1, math.ceil(seconds_left))
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


# After a request finds the database unreachable, this process answers 503 at once for this
# many seconds before letting a request try again. Each try waits up to the pool's timeout,
# and a sync worker serves nobody while it waits: without the pause every request of an
# outage would queue behind those waits and take seconds to get its 503.
OUTAGE_PAUSE = 2.0


class Outage:
    """Until when this process takes the database for unreachable (per process, like the
    connection pool, so no shared state is needed to know it)."""

    def __init__(self):
        self.until = 0.0

    def begin(self):
        self.until = time.monotonic() + OUTAGE_PAUSE

    def ongoing(self):
        return time.monotonic() < self.until

    def end(self):
        self.until = 0.0


outage = Outage()


def database_unreachable(exception):
    """True when a database error means there is no connection (refused, dropped, the pool's
    timeout, the server shutting down or starting up), not that one statement failed (a
    deadlock or a cancelled query leaves the server answering)."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


def write_conflicted(request):
    """The answer to a write still aborted by deadlocks after its retries: the database is
    up, so this is no outage; nothing was saved and sending it again will most likely do."""
    response = render(request, "409.html", status=409)
    response["Retry-After"] = "1"
    return response


def database_unavailable(request):
    """The 503 page; it reads nothing from the database (no user, no session)."""
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer 503 at once instead of a 500 or a hang."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if outage.ongoing():
            return database_unavailable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if write_conflict(exception):
            logger.warning("Write aborted after its retries: %s", exception)
            return write_conflicted(request)
        logger.warning("Database unavailable: %s", exception)
        if database_unreachable(exception):
            outage.begin()
        return database_unavailable(request)


def server_error(request):
    """handler500: a database error outside a view (saving the session after the page was
    made, for one) is an outage too, and gets the 503 page rather than a 500."""
    exception = sys.exception()
    if write_conflict(exception):
        return write_conflicted(request)
    if isinstance(exception, OperationalError | InterfaceError):
        if database_unreachable(exception):
            outage.begin()
        return database_unavailable(request)
    return defaults.server_error(request)


def bad_request(request, exception):
    """handler400: a form that sent more fields than Django reads (an old copy of a page, a
    script) is told so, instead of a bare "Bad Request"."""
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = (
            f"This form sent more than {limit:,} fields, more than any form of ours has:"
            " it may be an old copy of the page. Reload the page and send it again."
        )
        return render(request, "400.html", {"message": message}, status=400)
    return defaults.bad_request(request, exception)
