"""Fandoms' media: the media index, a medium's fandoms, and wranglers setting a medium."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import Medium, Tag, TagKind, medium_url
from tags.wrangling import TagState, WranglingError, undo, wrangle
from tests.factories import make_author, make_tag, make_work

pytestmark = pytest.mark.django_db

F, C = TagKind.FANDOM, TagKind.CHARACTER


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    ("medium", "url"),
    [
        (Medium.ANIME, "/media/Anime%20*a*%20Manga/fandoms"),
        (Medium.BOOKS, "/media/Books%20*a*%20Literature/fandoms"),
        (Medium.COMICS, "/media/Cartoons%20*a*%20Comics%20*a*%20Graphic%20Novels/fandoms"),
        (Medium.CELEBRITIES, "/media/Celebrities%20*a*%20Real%20People/fandoms"),
        (Medium.MOVIES, "/media/Movies/fandoms"),
        (Medium.MUSIC, "/media/Music%20*a*%20Bands/fandoms"),
        (Medium.OTHER, "/media/Other%20Media/fandoms"),
        (Medium.THEATER, "/media/Theater/fandoms"),
        (Medium.TV, "/media/TV%20Shows/fandoms"),
        (Medium.VIDEO_GAMES, "/media/Video%20Games/fandoms"),
        (Medium.UNCATEGORIZED, "/media/Uncategorized%20Fandoms/fandoms"),
    ],
)
def test_medium_urls_escape_the_name_as_tag_urls_do(client, medium, url):
    assert medium_url(medium) == url
    response = client.get(url)
    assert response.status_code == 200
    assert parse(response).select_one("h2.heading").get_text() == f"Fandoms > {medium.label}"


def test_new_fandoms_are_uncategorized_and_listed_there_with_counts(client, get_page):
    make_work(tags={F: ["Sherlock"]})
    make_work(tags={F: ["Sherlock", "Avatar"]})
    make_work(tags={F: ["Hidden Fandom"]}, restricted=True)
    assert Tag.objects.get(name="Sherlock").medium == Medium.UNCATEGORIZED
    response, page = get_page("/media/Uncategorized%20Fandoms/fandoms")
    main = page.select_one("div#main")
    assert main["class"] == ["fandoms-index", "region"]
    index = page.find("ol", attrs={"class": "alphabet fandom index group"})
    letters = index.find_all("li", attrs={"class": "letter listbox group"}, recursive=False)
    assert [li.find("h3", class_="heading").get_text() for li in letters] == ["A", "S"]
    entries = [li.get_text(" ", strip=True) for li in index.select("ul.tags.index.group > li")]
    assert entries == ["Avatar (1)", "Sherlock (2)"]
    link = index.select_one("a.tag")
    assert link["href"] == "/tags/Avatar/works"
    assert "Hidden Fandom" not in page.get_text()  # no public works


def test_a_medium_without_fandoms_says_so(client):
    page = parse(client.get("/media/Theater/fandoms"))
    assert not page.find("ol", class_="alphabet")
    assert "No fandoms found" in page.select_one("p.empty.notice").get_text()


def test_an_unknown_medium_is_missing(client):
    assert client.get("/media/Podcasts/fandoms").status_code == 404
    assert client.get("/media/movies/fandoms").status_code == 404  # the name, exactly


def test_media_index_lists_every_medium_with_its_top_fandoms(client, wrangler):
    for n in range(6):
        make_work(tags={F: [f"Show {n}"] * 1})
    for n in range(6):
        for _ in range(n):
            make_work(tags={F: [f"Show {n}"]})
        wrangle(make_tag(f"Show {n}", F), TagState(canonical=True, medium=Medium.TV), by=wrangler)
    make_work(tags={F: ["Loose Fandom"]})
    response = client.get("/media")
    assert response.status_code == 200
    page = parse(response)
    assert page.select_one("div#main")["class"] == ["media-index", "region"]
    media = page.find("ul", attrs={"class": "media fandom index group"})
    boxes = media.find_all("li", attrs={"class": "medium listbox group"}, recursive=False)
    assert [box.h3.get_text() for box in boxes] == [medium.label for medium in Medium]
    tv = boxes[list(Medium).index(Medium.TV)]
    assert tv.h3.a["href"] == "/media/TV%20Shows/fandoms"
    shown = [li.get_text(" ", strip=True) for li in tv.select("ol.index.group > li")]
    assert shown == ["Show 5 (6)", "Show 4 (5)", "Show 3 (4)", "Show 2 (3)", "Show 1 (2)"]
    assert tv.select_one("p.actions a").get_text() == "All TV Shows..."
    uncategorized = boxes[-1]
    assert [a.get_text() for a in uncategorized.select("a.tag")] == ["Loose Fandom"]
    theater = boxes[list(Medium).index(Medium.THEATER)]
    assert "No Theater fandoms have public works yet." in theater.get_text()
    # The A to Z of every fandom stays at /fandoms.
    assert parse(client.get("/fandoms")).find("ol", attrs={"class": "alphabet index group"})


def test_a_wrangler_sets_a_fandoms_medium_on_the_edit_page(wrangler_client):
    make_work(tags={F: ["Sherlock"]})
    page = parse(wrangler_client.get("/tags/Sherlock/edit"))
    options = page.select("select[name=medium] option")
    assert [option.get_text() for option in options] == [m.label for m in Medium]
    assert page.select_one("select[name=medium] option[selected]")["value"] == "uncategorized"

    response = wrangler_client.post("/tags/Sherlock/edit", {"medium": "tv"})
    assert response.status_code == 302
    assert Tag.objects.get(name="Sherlock").medium == Medium.TV
    tv = parse(wrangler_client.get("/media/TV%20Shows/fandoms"))
    assert [a.get_text() for a in tv.select("ol.alphabet a.tag")] == ["Sherlock"]
    rest = parse(wrangler_client.get("/media/Uncategorized%20Fandoms/fandoms"))
    assert not rest.select("ol.alphabet a.tag")
    history = parse(wrangler_client.get("/tag_wranglings/changes")).get_text()
    assert "Medium set to TV Shows" in history
    tag_page = parse(wrangler_client.get("/tags/Sherlock"))
    assert tag_page.select_one("p.medium a")["href"] == "/media/TV%20Shows/fandoms"


def test_a_post_without_a_medium_keeps_it(wrangler_client, wrangler):
    make_work(tags={F: ["Sherlock"]})
    wrangle(make_tag("Sherlock", F), TagState(medium=Medium.BOOKS), by=wrangler)
    response = wrangler_client.post("/tags/Sherlock/edit", {"canonical": "on"})
    assert response.status_code == 302
    tag = Tag.objects.get(name="Sherlock")
    assert (tag.canonical, tag.medium) == (True, Medium.BOOKS)


def test_an_unknown_medium_is_refused_on_the_edit_page(wrangler_client):
    make_work(tags={F: ["Sherlock"]})
    response = wrangler_client.post("/tags/Sherlock/edit", {"medium": "podcasts"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Tag.objects.get(name="Sherlock").medium == Medium.UNCATEGORIZED


def test_only_fandoms_have_a_medium(wrangler_client, wrangler):
    make_work(tags={C: ["Tony"]})
    assert not parse(wrangler_client.get("/tags/Tony/edit")).select("select[name=medium]")
    with pytest.raises(WranglingError, match="only fandoms belong to a medium"):
        wrangle(make_tag("Tony", C), TagState(medium=Medium.TV), by=wrangler)


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_only_wranglers_set_a_medium(role):
    make_work(tags={F: ["Sherlock"]})
    client = Client()
    if role == "reader":
        client.force_login(make_author("reader"))
    response = client.post("/tags/Sherlock/edit", {"medium": "tv"})
    assert response.status_code == (403 if role == "reader" else 302)
    assert Tag.objects.get(name="Sherlock").medium == Medium.UNCATEGORIZED


def test_setting_a_medium_is_recorded_and_undone(wrangler):
    make_work(tags={F: ["Sherlock"]})
    sherlock = make_tag("Sherlock", F)
    change = wrangle(sherlock, TagState(canonical=True, medium=Medium.TV), by=wrangler)
    assert change.before == {"canonical": False, "merger": None, "parents": []}
    assert change.after == {"canonical": True, "merger": None, "parents": [], "medium": "tv"}
    undo(change, by=wrangler)
    sherlock.refresh_from_db()
    assert (sherlock.canonical, sherlock.medium) == (False, Medium.UNCATEGORIZED)


def test_a_fandom_made_a_synonym_keeps_its_medium(wrangler):
    make_work(tags={F: ["Sherlock", "sherlock bbc"]})
    canonical, synonym = make_tag("Sherlock", F), make_tag("sherlock bbc", F)
    wrangle(canonical, TagState(canonical=True), by=wrangler)
    wrangle(synonym, TagState(medium=Medium.TV), by=wrangler)
    synonym.refresh_from_db()
    wrangle(synonym, TagState.of(synonym).made_synonym_of(canonical), by=wrangler)
    synonym.refresh_from_db()
    assert (synonym.merger_id, synonym.medium) == (canonical.pk, Medium.TV)
