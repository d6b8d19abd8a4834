"""Tags typed only on drafts or restricted works: hidden from everyone but wranglers and the
works' authors until a public work has them, in the same words as a tag never typed."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import Tag, TagKind
from tags.wrangling import TagState, wrangle
from tests.factories import make_author, make_tag, make_work, make_wrangler
from works import services

pytestmark = pytest.mark.django_db

FREEFORM = TagKind.FREEFORM
HIDDEN = ["Draft Secret", "Members Secret"]
# Members read restricted works, so only a draft's tags are hidden from them.
HIDDEN_FROM = [(None, "Draft Secret"), (None, "Members Secret"), ("member", "Draft Secret")]


@pytest.fixture
def people():
    return {
        "author": make_author("author"),
        "member": make_author("member"),
        "wrangler": make_wrangler(),
    }


@pytest.fixture
def works(people):
    pseud = people["author"].pseuds.get()
    public = make_work(title="Public", tags={FREEFORM: ["Shared Secret"]}, pseud=pseud)
    draft = make_work(title="Draft", posted=False, tags={FREEFORM: ["Draft Secret"]}, pseud=pseud)
    restricted = make_work(
        title="Locked", restricted=True, tags={FREEFORM: ["Members Secret"]}, pseud=pseud
    )
    # A canonical tag a wrangler made is public before any work has it.
    wrangle(make_tag("Wrangled Secret"), TagState(canonical=True), by=people["wrangler"])
    return {"public": public, "draft": draft, "restricted": restricted}


def client_for(user=None):
    client = Client()
    if user:
        client.force_login(user)
    return client


def not_found_text(response):
    assert response.status_code == 404
    return BeautifulSoup(response.content, "html.parser").select_one("p.notice").get_text()


def index_names(client, query):
    page = BeautifulSoup(client.get("/tags", {"query": query}).content, "html.parser")
    return sorted(link.get_text() for link in page.select("ul.tags.index a.tag"))


def suggested(client, term):
    return client.get("/tags/autocomplete", {"kind": FREEFORM, "term": term}).json()["tags"]


@pytest.mark.parametrize(
    "who, shown",
    [
        (None, ["Shared Secret", "Wrangled Secret"]),
        ("member", ["Members Secret", "Shared Secret", "Wrangled Secret"]),
    ],
)
def test_index_and_suggestions_leave_out_tags_only_on_drafts_and_restricted_works(
    people, works, who, shown
):
    client = client_for(people.get(who))
    assert index_names(client, "Secret") == shown
    assert sorted(suggested(client, "Secret")) == shown


def test_a_member_reads_a_restricted_works_tag_page(people, works):
    client = client_for(people["member"])
    page = BeautifulSoup(client.get("/tags/Members%20Secret/works").content, "html.parser")
    assert [h.a.get_text() for h in page.select("li.work.blurb h4.heading")] == ["Locked"]


@pytest.mark.parametrize("who", ["wrangler", "author"])
def test_wranglers_and_the_author_see_them(people, works, who):
    client = client_for(people[who])
    everything = sorted([*HIDDEN, "Shared Secret", "Wrangled Secret"])
    assert index_names(client, "Secret") == everything
    assert sorted(suggested(client, "Secret")) == everything
    for name in HIDDEN:
        assert client.get(f"/tags/{quote(name)}").status_code == 200


@pytest.mark.parametrize("suffix", ["", "/works"])
@pytest.mark.parametrize("who, name", HIDDEN_FROM)
def test_a_hidden_tags_pages_read_as_a_tag_never_typed(people, works, who, name, suffix):
    client = client_for(people.get(who))
    hidden = not_found_text(client.get(f"/tags/{quote(name)}{suffix}"))
    missing = not_found_text(client.get(f"/tags/{quote('Never Typed')}{suffix}"))
    assert hidden == f"There is no tag named '{name}'."
    assert hidden.replace(name, "Never Typed") == missing


@pytest.mark.parametrize("who, name", HIDDEN_FROM)
def test_a_hidden_tags_feed_reads_as_a_missing_id(people, works, who, name):
    client = client_for(people.get(who))
    tag_id = Tag.objects.get(name=name).pk
    hidden = not_found_text(client.get(f"/tags/{tag_id}/feed.atom"))
    assert hidden == f"There is no tag with ID {tag_id}."
    assert client_for(people["wrangler"]).get(f"/tags/{tag_id}/feed.atom").status_code == 200


@pytest.mark.parametrize("who, name", HIDDEN_FROM)
def test_listings_treat_a_hidden_tag_as_unknown(people, works, who, name):
    client = client_for(people.get(who))
    tag_id = Tag.objects.get(name=name).pk
    by_name = client.get("/works", {"tag_id": name})
    by_name = BeautifulSoup(by_name.content, "html.parser")
    assert f"No such tag: {name} (ignored)" in by_name.select_one("ul.notice").get_text()
    by_id = client.get("/works", {"include_work_search[freeform_ids][]": str(tag_id)})
    page = BeautifulSoup(by_id.content, "html.parser")
    assert f"There is no tag with ID {tag_id}." in page.select_one("ul.notice").get_text()
    assert page.select("li.work.blurb") == []


def test_hiding_a_hidden_tag_by_name_reads_as_a_tag_never_typed(people, works):
    response = client_for(people["member"]).post(
        "/preferences/hidden-tags", {"hide_name": "Draft Secret"}
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("p.error").get_text() == "There is no tag named 'Draft Secret'."


def test_a_tag_shows_once_a_public_work_has_it(people, works):
    client = client_for()
    assert client.get("/tags/Draft%20Secret").status_code == 404
    services.work_post(works["draft"])
    assert client.get("/tags/Draft%20Secret").status_code == 200
    assert "Draft Secret" in index_names(client, "Secret")


def test_a_canonical_tags_page_leaves_out_a_hidden_synonym(people, works):
    canonical = Tag.objects.get(name="Wrangled Secret")
    synonym = Tag.objects.get(name="Draft Secret")
    wrangle(synonym, TagState(merger_id=canonical.pk), by=people["wrangler"])
    page = BeautifulSoup(client_for().get("/tags/Wrangled%20Secret").content, "html.parser")
    assert "Draft Secret" not in page.get_text()
    wrangler_page = client_for(people["wrangler"]).get("/tags/Wrangled%20Secret")
    assert "Draft Secret" in wrangler_page.content.decode()


def test_the_fixed_tags_are_always_shown(works):
    Tag.objects.filter(name="General Audiences").update(work_count=0)
    client = client_for()
    assert client.get("/tags/General%20Audiences").status_code == 200
    ratings = client.get("/tags/autocomplete", {"kind": TagKind.RATING, "term": "General"})
    assert ratings.json()["tags"] == ["General Audiences"]
