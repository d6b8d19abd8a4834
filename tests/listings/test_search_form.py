"""The search page is AO3's Work Search, and every listing's sidebar keeps what was chosen."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from listings.parameters import TERM_PARAMS
from tags.models import Tag, TagKind
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def page_of(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def works():
    return {
        "fluff": make_work(title="Lantern Fluff", tags={TagKind.FREEFORM: ["Fluff"]}),
        "angst": make_work(title="Lantern Angst", tags={TagKind.FREEFORM: ["Angst"]}),
        "french": make_work(title="Le Phare", language="fr"),
    }


def test_the_results_header_repeats_the_search_as_ao3_does(works):
    page = page_of("/works/search?work_search[query]=lantern&work_search[word_count]=<1000")
    main = page.find(id="main")
    assert main["class"] == ["works-search", "region"]
    assert main.find("h2", class_="heading").get_text(strip=True) == "Search Results"
    searched = main.find("h4", class_="heading").get_text(" ", strip=True)
    assert searched.startswith("You searched for: lantern · Word count: <1000")
    assert "sort by: best match descending" in searched
    assert main.find("h3", class_="heading").get_text(strip=True) == "2 Found"
    assert main.find("ol", class_="work index group") is not None


def test_no_results_say_so_in_ao3s_words_with_no_list(works):
    main = page_of("/works/search?work_search[query]=nothingatall").find(id="main")
    assert main.find("h3", class_="heading").get_text(strip=True) == "0 Found"
    assert main.find("ol", class_=["work", "index", "group"]) is None
    assert main.find(
        "p", string="No results found. You may want to edit your search to make it less specific."
    )


def test_the_form_offers_the_languages_works_are_in_and_keeps_what_was_asked(works):
    page = page_of("/works/search?work_search[title]=lantern&work_search[language_id]=fr")
    form = page.find("form", id="work-search")
    options = [(o["value"], o.get_text()) for o in form.select("select#search_language option")]
    assert options == [("", "Any language"), ("en", "English"), ("fr", "Français")]
    assert form.select_one("select#search_language option[selected]")["value"] == "fr"
    assert form.find("input", id="search_title")["value"] == "lantern"
    ratings = [o.get_text() for o in form.select("select#search_rating option")][1:]
    assert ratings == [
        "Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"
    ]  # fmt: skip


def test_the_sidebar_sends_the_search_forms_fields_again(works):
    page = page_of("/works/search?work_search[title]=lantern&work_search[hits]=<10")
    sidebar = page.find("form", id="work-filters")
    hidden = {i["name"]: i["value"] for i in sidebar.select("input[type=hidden]")}
    assert hidden == {"work_search[hits]": "<10", "work_search[title]": "lantern"}


def test_an_excluded_tag_stays_checked_and_listed_once_its_works_are_gone(works):
    angst = Tag.objects.get(name="Angst")
    url = f"/works?exclude_work_search[freeform_ids][]={angst.pk}&work_search[complete]=T"
    page = page_of(url)
    box = page.select_one(f"input[name='exclude_work_search[freeform_ids][]'][value='{angst.pk}']")
    assert box is not None and box.has_attr("checked")
    assert [li["id"] for li in page.select("li.work.blurb.group")] == [
        f"work_{works['french'].pk}", f"work_{works['fluff'].pk}"
    ]  # fmt: skip
    in_effect = page.select_one(".in-effect ul li")
    assert in_effect.get_text(" ", strip=True) == "Excluding Angst Remove exclusion of Angst"
    assert in_effect.a["href"] == "/works?work_search[complete]=T"


def test_each_chosen_name_has_a_link_without_it(works):
    page = page_of("/works?work_search[other_tag_names]=Fluff, Angst")
    links = {li.strong.get_text(): li.a["href"] for li in page.select(".in-effect li")}
    assert links == {
        "Fluff": "/works?work_search[other_tag_names]=Angst",
        "Angst": "/works?work_search[other_tag_names]=Fluff",
    }


def test_the_facets_say_what_they_count(works):
    page = page_of("/works")
    assert "counts the works listed here" in page.select_one("#work-filters .facet-note").text
    assert page.select_one("a[href='#work-filters']").get_text() == "Filters"


@pytest.mark.parametrize("value", ["9" * 5000, "x" * 5000, "'\"<>&", "<", "-1", "9999-12-31", " "])
@pytest.mark.parametrize("name", TERM_PARAMS)
def test_odd_values_of_ao3s_search_fields_are_answered(works, name, value):
    response = Client().get("/works/search", {f"work_search[{name}]": value})
    assert response.status_code == 200
    assert b"'\"<>&" not in response.content  # escaped wherever it is shown again
