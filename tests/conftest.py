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


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached page bodies and counters must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_database_outage():
    """A test that fakes an outage must not leave the next ones answered 503."""
    from archive.middleware import outage

    outage.end()
    yield
    outage.end()
