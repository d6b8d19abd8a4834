"""The profile page at /users/U/profile, in AO3's markup (listings.views.profile)."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from accounts.models import Pseud
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


def test_the_profile_shows_pseuds_join_date_id_and_works_count():
    user = make_author("profiled")
    user.date_joined = datetime.datetime(2019, 6, 2, 12, tzinfo=datetime.UTC)
    user.save(update_fields=["date_joined"])
    owl = Pseud.objects.create(user=user, name="Night Owl")
    make_work(pseud=user.pseuds.get(is_default=True))
    make_work(pseud=owl)
    make_work(pseud=owl, posted=False)
    response = Client().get("/users/profiled/profile")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("div#main")["class"] == ["profile-show", "dashboard", "region"]
    header = page.find("div", attrs={"class": "primary header module"})
    assert header.find("h2", attrs={"class": "heading"}).get_text() == "profiled"
    assert header.find("p", attrs={"class": "icon"}).img["alt"] == ""
    meta = page.find("div", attrs={"class": "wrapper"}).find("dl", attrs={"class": "meta"})
    pseuds = meta.find("dd", attrs={"class": "pseuds"})
    assert [(a.get_text(), a["href"]) for a in pseuds.find_all("a")] == [
        ("profiled", "/users/profiled/pseuds/profiled"),
        ("Night Owl", "/users/profiled/pseuds/Night%20Owl"),
    ]
    pairs = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in meta("dt")}
    assert pairs["I joined on:"] == "2019-06-02"
    assert pairs["My user ID is:"] == str(user.pk)
    # The draft is not counted.
    assert pairs["Works:"] == "2"


def test_a_missing_account_has_no_profile():
    assert Client().get("/users/nobody_here/profile").status_code == 404
