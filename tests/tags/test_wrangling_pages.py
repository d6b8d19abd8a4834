"""Tag pages and the wranglers' pages: what they show, what they change, and who may use them."""

from functools import partial

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from tags.models import Tag, TagKind, TagParent, WranglingChange
from tags.wrangling import TagState, wrangle
from tests.factories import make_author, make_tag, make_work, make_wrangler

pytestmark = pytest.mark.django_db

F, C = TagKind.FANDOM, TagKind.CHARACTER


@pytest.fixture
def graph(wrangler):
    """Marvel > MCU (with synonym "mcu movies"), Natasha under MCU, two unwrangled characters."""
    marvel, mcu, synonym = make_tag("Marvel", F), make_tag("MCU", F), make_tag("mcu movies", F)
    natasha = make_tag("Natasha Romanov", C)
    make_work(title="One", tags={F: ["mcu movies"], C: ["Natasha Romanov", "tony", "Loki?"]})
    make_work(title="Two", tags={F: ["MCU"], C: ["tony"]})
    wrangle(marvel, TagState(canonical=True), by=wrangler)
    wrangle(mcu, TagState(canonical=True, parent_ids=frozenset({marvel.pk})), by=wrangler)
    wrangle(synonym, TagState(merger_id=mcu.pk), by=wrangler)
    wrangle(natasha, TagState(canonical=True, parent_ids=frozenset({mcu.pk})), by=wrangler)
    return {tag.name: tag for tag in Tag.objects.all()}


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


def state_of(name):
    return TagState.of(Tag.objects.get(name=name))


def wrangling_requests(graph):
    """(method, url, data) for every wrangling page, each a change when POSTed."""
    change = WranglingChange.objects.first()
    return [
        ("get", "/tag_wranglings", None),
        ("get", "/tag_wranglings/changes", None),
        ("get", "/tags/tony/edit", None),
        ("get", "/tags/MCU/wrangle", None),
        ("post", "/tags/tony/edit", {"canonical": "on", "parents_fandom": "MCU"}),
        (
            "post",
            "/tags/MCU/wrangle?show=characters&status=unwrangled",
            {"selected_tags": [graph["tony"].pk], "action": "canonical_here"},
        ),
        ("post", f"/tag_wranglings/changes/{change.pk}/undo", {}),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("reader", 403), ("staff only", 403), ("group only", 403)],
)
def test_only_staff_wranglers_reach_the_wrangling_pages(graph, role, expected):
    client = Client()
    users = {
        "reader": make_author,
        "staff only": partial(make_author, staff=True),
        "group only": partial(make_wrangler, staff=False),
    }
    if role in users:
        client.force_login(users[role](role.replace(" ", "_")))
    states = {name: state_of(name) for name in graph}
    changes = WranglingChange.objects.count()
    for method, url, data in wrangling_requests(graph):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == expected, (method, url)
        if expected == 302:
            assert response["Location"].startswith("/users/login?return_to=")
        else:
            assert "Only tag wranglers can use this page." in response.content.decode()
    assert {name: state_of(name) for name in graph} == states
    assert WranglingChange.objects.count() == changes


def test_wranglers_reach_every_page(graph, wrangler_client):
    for method, url, _data in wrangling_requests(graph):
        if method == "get":
            assert wrangler_client.get(url).status_code == 200, url


def test_wrangling_forms_need_the_csrf_token(graph, wrangler):
    client = Client(enforce_csrf_checks=True)
    client.force_login(wrangler)
    response = client.post("/tags/tony/edit", {"canonical": "on"})
    assert response.status_code == 403
    assert not state_of("tony").canonical


def test_tag_page_shows_kind_status_synonyms_parents_children_and_counts(client, graph):
    page = parse(client.get("/tags/MCU"))
    assert "This tag belongs to the Fandom Category." in page.find("p", class_="kind").get_text()
    assert "canonical tag" in page.find("p", class_="kind").get_text()
    parents = page.select("div.parent.listbox a.tag")
    assert [a.get_text() for a in parents] == ["Marvel"]
    assert [a.get_text() for a in page.select("div.synonym.listbox a.tag")] == ["mcu movies"]
    assert [a.get_text() for a in page.select("div.sub.listbox a.tag")] == ["Natasha Romanov"]
    assert page.select_one("dd.works").get_text() == "2"  # "One" through its synonym
    assert page.select_one("dd.direct").get_text() == "1"
    assert not page.find("a", string="Edit tag")  # not for readers

    unwrangled = parse(client.get("/tags/tony"))
    assert "has not been wrangled" in unwrangled.find("p", class_="kind").get_text()


def test_a_synonym_redirects_to_its_canonical_tag_keeping_the_query(client, graph):
    response = client.get("/tags/mcu%20movies/works?page=1&work_search[complete]=T")
    assert response.status_code == 302
    assert response["Location"] == "/tags/MCU/works?page=1&work_search%5Bcomplete%5D=T"
    assert client.get("/tags/mcu%20movies")["Location"] == "/tags/MCU"
    assert client.get("/tags/no%20such%20tag").status_code == 404


def test_a_name_shared_by_a_synonym_and_a_fandom_still_leads_to_the_fandom(client, wrangler):
    """Names are unique only within a kind: a character synonym named like a fandom must
    not send the fandom's works page to the character's canonical tag, and the wrangling
    pages reach each of the two tags."""
    character = make_tag("Sherlock", C)  # created first: the lower id
    make_work(title="Fandom work", tags={F: ["Sherlock"]})
    make_work(title="Character work", tags={F: ["Sherlock (TV)"], C: ["Sherlock", "Holmes"]})
    holmes, fandom = Tag.objects.get(name="Holmes"), Tag.objects.get(kind=F, name="Sherlock")
    wrangle(holmes, TagState(canonical=True), by=wrangler)
    wrangle(character, TagState(merger_id=holmes.pk), by=wrangler)
    wrangle(fandom, TagState(canonical=True), by=wrangler)

    index = parse(client.get("/fandoms"))
    assert index.find("a", string="Sherlock")["href"] == "/tags/Sherlock/works"
    response = client.get("/tags/Sherlock/works")
    assert response.status_code == 200
    titles = [a.get_text() for a in parse(response).select("li.work.blurb h4.heading a")]
    assert "Fandom work" in titles
    assert client.get("/tags/Sherlock").status_code == 200
    assert client.get("/tags/Sherlock?kind=character")["Location"] == "/tags/Holmes?kind=character"

    wranglers = Client()
    wranglers.force_login(wrangler)
    fandom_page = parse(wranglers.get(fandom.edit_url()))
    assert "Fandom tag" in fandom_page.find("p", class_="kind").get_text()
    assert fandom_page.find("form", class_="wrangle")["action"] == "/tags/Sherlock/edit?kind=fandom"
    character_page = parse(wranglers.get("/tags/Sherlock/edit?kind=character"))
    assert "Character tag" in character_page.find("p", class_="kind").get_text()
    response = wranglers.post("/tags/Sherlock/edit?kind=character", {"synonym_of": ""})
    assert response["Location"] == "/tags/Sherlock/edit?kind=character"
    assert state_of("Holmes").canonical and Tag.objects.get(pk=character.pk).merger_id is None
    assert Tag.objects.get(pk=fandom.pk).canonical
    assert wranglers.get("/tags/Sherlock/wrangle").status_code == 200  # the fandom's queue


def test_edit_form_makes_a_synonym_and_the_change_can_be_undone(graph, wrangler_client):
    response = wrangler_client.post("/tags/tony/edit", {"synonym_of": "natasha romanov"})
    assert response.status_code == 302
    assert state_of("tony").merger_id == graph["Natasha Romanov"].pk
    page = parse(wrangler_client.get("/tags/tony/edit"))
    change = page.select_one("ol.wrangling.changes li")
    assert "Made a synonym of Natasha Romanov" in change.get_text(" ", strip=True)
    assert page.find("input", id="id_synonym_of")["value"] == "Natasha Romanov"

    undo_url = change.find("form")["action"]
    response = wrangler_client.post(undo_url, {"back_to": "tag"})
    assert response["Location"] == "/tags/tony/edit?kind=character"
    assert state_of("tony") == TagState()
    undone = parse(wrangler_client.get("/tag_wranglings/changes"))
    assert "undoing an earlier change" in undone.select_one("ol.wrangling.changes li").get_text()


def test_edit_form_rejects_bad_input_keeping_what_was_typed(graph, wrangler_client):
    response = wrangler_client.post(
        "/tags/Marvel/edit", {"canonical": "on", "parents_fandom": "MCU, Nowhere"}
    )
    assert response.status_code == 400
    page = parse(response)
    assert "There is no fandom tag named 'Nowhere'." in page.get_text()
    assert page.find("input", id="id_parents_fandom")["value"] == "MCU, Nowhere"

    response = wrangler_client.post(
        "/tags/Marvel/edit", {"canonical": "on", "parents_fandom": "MCU"}
    )
    assert response.status_code == 400
    assert "making it a parent would make a loop" in parse(response).find(role="alert").get_text()
    assert not TagParent.objects.filter(child=graph["Marvel"]).exists()


def test_fandom_queue_lists_unwrangled_tags_and_wrangles_them_in_bulk(graph, wrangler_client):
    page = parse(wrangler_client.get("/tags/MCU/wrangle?show=characters&status=unwrangled"))
    listed = [label.get_text() for label in page.select("table.wrangling label")]
    assert listed == ["Loki?", "tony"]  # Natasha is wrangled; both works count via the synonym

    data = {"selected_tags": [graph["tony"].pk, graph["Loki?"].pk], "action": "canonical_here"}
    response = wrangler_client.post("/tags/MCU/wrangle?show=characters&status=unwrangled", data)
    assert response.status_code == 302
    for name in ["tony", "Loki?"]:
        assert state_of(name) == TagState(True, None, frozenset({graph["MCU"].pk}))
    page = parse(wrangler_client.get(response["Location"]))
    assert "No unwrangled characters are used in this fandom's works." in page.get_text()
    assert Tag.objects.get(name="MCU").work_count == 2


def test_fandom_queue_refuses_an_unknown_synonym_target_keeping_the_selection(
    graph, wrangler_client
):
    data = {"selected_tags": [graph["tony"].pk], "action": "synonym", "synonym_of": "Nobody"}
    response = wrangler_client.post("/tags/MCU/wrangle?show=characters&status=unwrangled", data)
    assert response.status_code == 400
    page = parse(response)
    assert "There is no character tag named 'Nobody'." in page.get_text()
    assert page.find("input", id=f"tag_{graph['tony'].pk}").has_attr("checked")
    assert page.find("input", id="id_synonym_of")["value"] == "Nobody"
    assert state_of("tony") == TagState()


def test_bulk_wrangling_is_all_or_nothing(graph, wrangler, wrangler_client):
    clint, natasha, loki = make_tag("Clint", C), graph["Natasha Romanov"], graph["Loki?"]
    wrangle(make_tag("Natasha", C), TagState(merger_id=natasha.pk), by=wrangler)
    wrangle(loki, TagState(canonical=True), by=wrangler)
    # Clint (first by name) could be a synonym; Natasha Romanov has one, so cannot.
    data = {"selected_tags": [clint.pk, natasha.pk], "action": "synonym", "synonym_of": "Loki?"}
    response = wrangler_client.post("/tags/MCU/wrangle?status=all", data)
    assert response.status_code == 400
    assert "'Natasha Romanov' has synonyms (Natasha)" in parse(response).get_text()
    assert state_of("Clint") == TagState()
    assert not WranglingChange.objects.filter(tag=clint).exists()


def test_wrangling_home_searches_by_name_kind_and_status(graph, wrangler_client):
    page = parse(wrangler_client.get("/tag_wranglings?kind=character&status=unwrangled"))
    rows = [th.get_text(strip=True) for th in page.select("table.wrangling tbody th")]
    assert sorted(rows) == ["Loki?", "tony"]
    page = parse(wrangler_client.get("/tag_wranglings?query=mcu&status=synonymous"))
    assert [th.get_text(strip=True) for th in page.select("tbody th")] == ["mcu movies"]
    assert "Synonym of MCU" in page.select_one("tbody tr").get_text(" ", strip=True)


def test_header_links_wranglers_alone_to_wrangling(wrangler_client, client):
    assert parse(wrangler_client.get("/")).find("a", string="Tag Wrangling")
    assert not parse(client.get("/")).find("a", string="Tag Wrangling")
    client.force_login(make_author("staff_only", staff=True))  # would get the 403 page
    assert not parse(client.get("/")).find("a", string="Tag Wrangling")


def test_fandom_queue_leaves_out_tags_only_drafts_carry(graph, wrangler_client):
    make_work(title="Draft", posted=False, tags={F: ["MCU"], C: ["Secret Character"]})
    page = parse(wrangler_client.get("/tags/MCU/wrangle?show=characters&status=all"))
    listed = [label.get_text() for label in page.select("table.wrangling label")]
    assert "Secret Character" not in listed
    assert "tony" in listed


def test_admin_cannot_delete_tags(graph):
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("admin", password="x" * 12))
    tag = graph["tony"]
    assert admin.get(f"/admin/tags/tag/{tag.pk}/delete/").status_code == 403
    assert admin.get(f"/admin/tags/tag/{tag.pk}/change/").status_code == 200
    assert Tag.objects.filter(pk=tag.pk).exists()
