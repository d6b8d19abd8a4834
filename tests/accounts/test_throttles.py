"""Login throttling: failed password checks counted per account and per address."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_repeated_failures_throttle_the_account(reader):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    for _ in range(5):
        response = client.post("/users/login", {"user[login]": "reader_1", "user[password]": "x"})
        assert response.status_code == 200
    # Even the right password is refused while the account is throttled.
    response = client.post(
        "/users/login", {"user[login]": "reader_1", "user[password]": "correct horse battery"}
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many failed attempts" in response.content.decode()
    cache.clear()


def test_repeated_failures_throttle_the_address(reader):
    from django.core.cache import cache

    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(20):
        client.post("/users/login", {"user[login]": f"guess_{number}", "user[password]": "x"})
    response = client.post(
        "/users/login", {"user[login]": "reader_1", "user[password]": "correct horse battery"}
    )
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = other.post(
        "/users/login", {"user[login]": "reader_1", "user[password]": "correct horse battery"}
    )
    assert response.status_code == 302
    cache.clear()
