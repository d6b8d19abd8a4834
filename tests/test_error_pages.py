"""Production error pages say what happened in words: no exception names, real reasons."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import TagKind
from tests.factories import make_author, make_tag, make_work

pytestmark = pytest.mark.django_db


def main_text(response):
    return BeautifulSoup(response.content, "html.parser").find(id="main").get_text(" ", strip=True)


def test_an_unknown_address_is_a_404_in_words(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/here")
    assert response.status_code == 404
    text = main_text(response)
    assert "Error 404" in text
    assert "The page you were looking for isn't here." in text
    assert "Resolver404" not in response.content.decode()
    assert "Http404" not in response.content.decode()


def test_a_missing_work_still_gives_its_reason(client, settings):
    settings.DEBUG = False
    response = client.get("/works/999999999")
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("h2", class_="heading").get_text() == "Error 404"
    assert "999999999" in page.find("p", class_="notice").get_text()


def test_a_superuser_opening_a_non_canonical_fandoms_queue_is_told_why(settings):
    settings.DEBUG = False
    make_tag("Unwrangled Fandom", TagKind.FANDOM)
    make_work(title="One", tags={TagKind.FANDOM: ["Unwrangled Fandom"]})
    admin = make_author("site_admin", staff=True)
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get("/tags/Unwrangled Fandom/wrangle")
    assert response.status_code == 403
    text = main_text(response)
    assert "'Unwrangled Fandom' is not a canonical fandom" in text
    assert "only canonical fandoms have a queue" in text
    assert "You don't have permission" not in text


def test_a_reader_on_a_wrangling_page_is_still_told_it_is_for_wranglers(settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(make_author("reader"))
    response = client.get("/tag_wranglings")
    assert response.status_code == 403
    assert "Only tag wranglers can use this page." in main_text(response)
