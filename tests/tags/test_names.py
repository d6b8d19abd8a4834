"""The one parser of typed tag lists, and the pages that read tag lists through it."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import TagKind, TagParent
from tags.names import clean_tag_name, parse_tag_names
from tags.wrangling import TagState, wrangle
from tests.factories import make_tag, make_work, make_wrangler


def test_a_list_is_split_on_commas_with_spaces_collapsed_and_repeats_dropped():
    assert parse_tag_names(" Slow  Burn,,fluff ,\tFLUFF, Fluff\n, ") == ["Slow Burn", "fluff"]
    assert parse_tag_names("") == []
    assert clean_tag_name("  Alice \u00a0 Smith ") == "Alice Smith"


@pytest.mark.django_db
def test_a_wrangler_typing_a_parent_with_extra_spaces_finds_it():
    wrangler = make_wrangler()
    fandom = make_tag("Lantern Keepers", TagKind.FANDOM)
    wrangle(fandom, TagState(canonical=True), by=wrangler)
    make_work(tags={TagKind.CHARACTER: ["Alice"]})
    client = Client()
    client.force_login(wrangler)
    response = client.post(
        "/tags/Alice/edit", {"canonical": "on", "parents_fandom": "Lantern   Keepers"}
    )
    assert response.status_code == 302
    assert TagParent.objects.filter(child__name="Alice", parent=fandom).exists()


@pytest.mark.django_db
def test_the_listing_filter_keeps_each_typed_tag_once(client):
    make_work(tags={TagKind.FREEFORM: ["Fluff", "Slow Burn"]})
    response = client.get(
        "/works?work_search[other_tag_names]=Fluff, fluff,  Slow   Burn"
        "&work_search[excluded_tag_names]=Angst,ANGST"
    )
    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert page.find("input", id="other_tag_names")["value"] == "Fluff, Slow Burn"
    assert page.find("input", id="excluded_tag_names")["value"] == "Angst"
