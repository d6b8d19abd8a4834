"""Security headers on every kind of page, the rate limit, and the 503 page for outages."""

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client

from tags.models import TagKind
from tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    work = make_work(chapters=2, tags={TagKind.FANDOM: ["Marvel"]})
    chapter = work.chapters.first()
    return [
        "/",
        f"/works/{work.pk}",
        f"/works/{work.pk}/chapters/{chapter.pk}",
        f"/works/{work.pk}?view_full_work=true",
        f"/works/{work.pk}/navigate",
        "/tags/Marvel/works",
        "/works?work_search[query]=text",
        "/works/search",
        "/fandoms",
        "/tags",
        "/users/login",
        "/users/new",
        "/works/424242",
        "/preferences/hidden-tags",
    ]


def assert_safe_headers(response, url):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'", url
    assert directives["script-src"] == "'self'", url
    assert directives["style-src"] == "'self'", url
    assert directives["object-src"] == "'none'", url
    assert directives["frame-ancestors"] == "'none'", url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url


def test_every_page_type_sends_a_strict_csp_and_safe_headers(pages):
    client = Client()
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 302, 404}, url
        assert_safe_headers(response, url)


def test_answers_given_before_the_views_carry_the_same_headers(settings):
    """The rate limit's 429, the NUL 400 and a bad Host's 400 are answered by middleware
    before any view; they lacked the CSP and X-Frame-Options."""
    settings.RATE_LIMIT_REQUESTS = 1
    client = Client(REMOTE_ADDR="192.0.2.20")
    client.get("/users/login")
    limited = client.get("/users/login")
    assert limited.status_code == 429
    assert_safe_headers(limited, "429")
    settings.RATE_LIMIT_REQUESTS = 0
    nul = Client().get("/works", {"work_search[query]": "\x00"})
    assert nul.status_code == 400
    assert_safe_headers(nul, "NUL")
    host = Client(HTTP_HOST="elsewhere.example").get("/")
    assert host.status_code == 400
    assert_safe_headers(host, "Host")


def test_pages_have_no_inline_scripts_or_styles(pages):
    client = Client()
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html, url
        assert " style=" not in html and " onclick=" not in html, url


def test_rate_limit_answers_429_with_retry_after(settings):
    settings.RATE_LIMIT_REQUESTS = 5
    settings.RATE_LIMIT_WINDOW = 300
    cache.clear()
    client = Client(REMOTE_ADDR="192.0.2.10")
    statuses = [client.get("/users/login").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 300
    # Another address has its own budget.
    assert Client(REMOTE_ADDR="192.0.2.11").get("/users/login").status_code == 200
    cache.clear()


def test_rate_limit_fails_open_when_the_database_cannot_count(settings, monkeypatch):
    """The counts live in the database: when it cannot count, the request goes on (and gets
    the outage's 503 when the database is unreachable), never a 500."""
    from psycopg.errors import QueryCanceled

    from archive import middleware

    settings.RATE_LIMIT_REQUESTS = 5

    def cancelled(*args, **kwargs):
        error = OperationalError("canceling statement due to statement timeout")
        error.__cause__ = QueryCanceled("canceling statement due to statement timeout")
        raise error

    monkeypatch.setattr(middleware, "increment", cancelled)
    client = Client(raise_request_exception=False)
    assert [client.get("/users/login").status_code for _ in range(7)] == [200] * 7

    def down(*args, **kwargs):
        raise unreachable()

    monkeypatch.setattr(middleware, "increment", down)
    response = client.get("/users/login")
    assert response.status_code == 503
    assert "Error 503" in response.content.decode()


def test_database_outage_is_a_503_not_a_500(monkeypatch):
    from listings import views

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "render_listing", down)
    response = Client(raise_request_exception=False).get("/works")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Error 503" in response.content.decode()


def unreachable():
    """The error Django raises when the pool has no connection for a request."""
    from psycopg_pool import PoolTimeout

    error = OperationalError("couldn't get a connection after 1.00 sec")
    error.__cause__ = PoolTimeout("couldn't get a connection after 1.00 sec")
    return error


def test_after_an_unreachable_database_requests_get_503_at_once(monkeypatch):
    from archive import middleware
    from listings import views

    calls = []

    def down(*args, **kwargs):
        calls.append(1)
        raise unreachable()

    monkeypatch.setattr(views, "render_listing", down)
    client = Client(raise_request_exception=False)
    assert client.get("/works").status_code == 503
    # Within the pause no request waits for the database again: the view is not run.
    for url in ["/works", "/", "/users/login"]:
        response = client.get(url)
        assert response.status_code == 503
        assert "Error 503" in response.content.decode()
    assert len(calls) == 1
    # After it, a request tries the database again.
    middleware.outage.until = 0.0
    monkeypatch.undo()
    assert client.get("/works").status_code == 200


def test_a_failed_statement_is_not_taken_for_an_outage(monkeypatch):
    from psycopg.errors import DeadlockDetected

    from listings import views

    def deadlock(*args, **kwargs):
        error = OperationalError("deadlock detected")
        error.__cause__ = DeadlockDetected("deadlock detected")
        raise error

    monkeypatch.setattr(views, "render_listing", deadlock)
    client = Client(raise_request_exception=False)
    # A deadlock still there after the retries is a conflict to send again, not an outage.
    assert client.get("/works").status_code == 409
    # The server answers, so the next request is served as usual.
    assert client.get("/users/login").status_code == 200


def test_database_error_after_the_view_is_a_503_not_a_500(monkeypatch):
    """Saving the session happens after the view, outside its error handling."""
    from django.contrib.sessions.backends.db import SessionStore

    def down(self, *args, **kwargs):
        raise unreachable()

    monkeypatch.setattr(SessionStore, "save", down)
    work = make_work(rating="Explicit")
    # Consenting to adult content is stored in the session.
    response = Client(raise_request_exception=False).get(f"/works/{work.pk}?view_adult=true")
    assert response.status_code == 503
    assert "Error 503" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/works?tag_id=%00",
        "/works?work_search[language_id]=%00",
        "/works/search?work_search[query]=%00",
        "/tags?query=%00",
        "/tags/%00/works",
        "/tags/autocomplete?kind=fandom&term=%00a",
        "/users/x%00y",
    ],
)
def test_nul_characters_are_a_400_not_a_500(url):
    response = Client().get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_forged_hidden_tags_cookie_does_not_break_listings():
    client = Client()
    client.cookies["hidden_tags"] = "999999999999.5"
    assert client.get("/works").status_code == 200
