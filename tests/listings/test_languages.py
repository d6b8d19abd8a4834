"""The language index and a language's works."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import TagKind
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


def test_languages_lists_each_language_with_public_works_by_its_own_name(client):
    for _ in range(2):
        make_work(language="fr")
    make_work(language="en")
    make_work(language="ja")
    make_work(language="de", restricted=True)  # members only: not counted
    make_work(language="ko", posted=False)
    response = client.get("/languages")
    assert response.status_code == 200
    page = parse(response)
    assert page.select_one("div#main")["class"] == ["languages-index", "region"]
    index = page.find("dl", attrs={"class": "language index group"})
    names = [dt.get_text() for dt in index.find_all("dt")]
    assert names == ["English", "Français", "日本語"]
    assert [dt.a["href"] for dt in index.find_all("dt")] == [
        "/languages/en", "/languages/fr", "/languages/ja",
    ]  # fmt: skip
    counts = [(dd.a["href"], dd.get_text()) for dd in index.find_all("dd")]
    assert counts == [
        ("/languages/en/works", "1 work"),
        ("/languages/fr/works", "2 works"),
        ("/languages/ja/works", "1 work"),
    ]


def test_languages_says_when_nothing_is_posted(client):
    page = parse(client.get("/languages"))
    assert not page.find("dl", class_="language")
    assert page.select_one("p.empty.notice").get_text() == "No works have been posted yet."


def test_a_languages_works_are_listed_by_the_listing_engine(get_page):
    french = [make_work(title=f"Histoire {n}", language="fr") for n in range(3)]
    make_work(title="Story", language="en")
    members = make_work(title="Pour les membres", language="fr", restricted=True)
    response, page = get_page("/languages/fr/works")
    assert response.status_code == 200
    assert page.select_one("div#main")["class"] == ["works-index", "region"]
    heading = page.find("h2", class_="heading").get_text(" ", strip=True)
    assert heading == "1 - 3 of 3 Works in Français"
    blurbs = page.select("ol.work.index.group > li.work.blurb.group")
    assert [li["id"] for li in blurbs] == [f"work_{w.pk}" for w in reversed(french)]
    assert "Story" not in page.get_text()

    member = Client()
    member.force_login(make_author("reader"))
    blurbs = parse(member.get("/languages/fr/works")).select("li.work.blurb.group")
    assert f"work_{members.pk}" in [li["id"] for li in blurbs]


def test_a_languages_works_take_the_engines_filters(get_page):
    make_work(title="Fini", language="fr", complete=True, tags={TagKind.FANDOM: ["Astérix"]})
    make_work(title="En cours", language="fr", complete=False)
    _response, page = get_page("/languages/fr/works?work_search[complete]=T")
    titles = [h4.a.get_text() for h4 in page.select("li.work.blurb.group h4.heading")]
    assert titles == ["Fini"]


def test_a_language_without_works_lists_none_and_an_unknown_one_is_missing(client, get_page):
    response, page = get_page("/languages/de/works")
    assert response.status_code == 200
    assert page.find("h2", class_="heading").get_text(" ", strip=True) == "0 Works in Deutsch"
    assert page.select_one("p.empty.notice")
    assert client.get("/languages/xx/works").status_code == 404
    assert client.get("/languages/xx").status_code == 404


def test_a_languages_page_leads_to_its_works(client):
    response = client.get("/languages/fr")
    assert response.status_code == 302
    assert response["Location"] == "/languages/fr/works"
