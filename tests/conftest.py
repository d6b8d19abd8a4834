import pytest
from bs4 import BeautifulSoup


@pytest.fixture
def get_page(client):
    """GET a URL and return (response, parsed HTML)."""

    def get(url, **kwargs):
        response = client.get(url, **kwargs)
        return response, BeautifulSoup(response.content, "html.parser")

    return get


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """The suite sends far more than a reader would; test_security turns the limit back on."""
    settings.RATE_LIMIT_REQUESTS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests only need it to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DATABASE_FIXTURES = ("transactional_db", "live_server", "db")


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Cached page bodies and counters must not leak from one test into the next.

    The default cache is a database table: a test that uses no database can reach no cache
    either, and one that does gets its database set up before the table is emptied.
    """
    from django.core.cache import cache

    uses = [name for name in DATABASE_FIXTURES if name in request.fixturenames]
    if request.node.get_closest_marker("django_db") is None and not uses:
        return
    if uses:
        request.getfixturevalue(uses[0])
    cache.clear()


@pytest.fixture(autouse=True)
def no_database_outage():
    """A test that fakes an outage must not leave the next ones answered 503."""
    from archive.middleware import outage

    outage.end()
    yield
    outage.end()


AO3_SITE = "https://archiveofourown.org"


@pytest.fixture
def ao3_api_requests(live_server, monkeypatch):
    """Send the ao3-api client's requests to the live server; (method, path and query) of
    each, in order.

    ao3-api hard-codes AO3's site in every URL and fetches through requests' Session (its
    own, or the one requests.request opens), so rewriting the URL there moves the whole
    site while the client builds and parses everything as it does against AO3.
    """
    import requests

    sent = []
    request = requests.Session.request

    def to_live_server(session, method, url, *args, **kwargs):
        if not url.startswith(AO3_SITE + "/"):
            raise AssertionError(f"ao3-api tried to fetch {url} outside the test server")
        path = url.removeprefix(AO3_SITE)
        sent.append((method.upper(), path))
        return request(session, method, live_server.url + path, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", to_live_server)
    # requests honours proxy variables, and the test server must be reached directly.
    monkeypatch.setenv("no_proxy", "*")
    return sent
