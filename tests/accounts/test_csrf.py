"""The CSRF check over HTTPS: a script's login without Origin or Referer is let through on
its token alone, while a forged or cross-site one is still refused."""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import PASSWORD, make_author

pytestmark = pytest.mark.django_db

FIELDS = {"user[login]": "keeper", "user[password]": PASSWORD}


@pytest.fixture
def client():
    make_author("keeper")
    return Client(enforce_csrf_checks=True)


def token(client):
    page = BeautifulSoup(client.get("/users/login", secure=True).content, "html.parser")
    return page.find("input", {"name": "authenticity_token"})["value"]


def login(client, *, with_token=True, **headers):
    fields = {**FIELDS, "authenticity_token": token(client) if with_token else ""}
    return client.post("/users/login?" + urlencode(fields), secure=True, headers=headers)


def test_a_login_with_neither_origin_nor_referer_is_checked_by_its_token(client):
    assert login(client).status_code == 302


def test_a_login_without_its_token_is_refused(client):
    assert login(client, with_token=False).status_code == 403


def test_a_foreign_referer_or_origin_is_still_refused(client):
    assert login(client, Referer="https://elsewhere.example/").status_code == 403
    assert login(client, Origin="https://elsewhere.example").status_code == 403
    assert login(client, Referer="http://testserver/users/login").status_code == 403


def test_our_own_referer_is_accepted(client):
    assert login(client, Referer="https://testserver/users/login").status_code == 302
