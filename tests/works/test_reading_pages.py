"""The work page, chapter pages and chapter index, parsed as AO3's tools parse them."""

import re

import pytest
from django.contrib.auth import get_user_model

from tags.models import TagKind
from tests.factories import make_work
from works import services
from works.hits import counter as hit_counter

pytestmark = pytest.mark.django_db

ADULT_SENTENCE = (
    "This work could have adult content. If you continue, "
    "you have agreed that you are willing to see such content."
)


def test_single_chapter_work_shows_its_text_and_meta(get_page):
    work = make_work(
        title="The Lantern",
        chapters=[("", "<p>One two three four.</p>")],
        tags={TagKind.FANDOM: ["Marvel"], TagKind.FREEFORM: ["Fluff", "Angst"]},
    )
    response, page = get_page(f"/works/{work.pk}")
    assert response.status_code == 200
    preface = page.find("div", class_="preface group")
    assert preface.find("h2", class_="title heading").get_text(strip=True) == "The Lantern"
    assert preface.find("h3", class_="byline heading").get_text(strip=True) == "Anonymous"
    meta = page.find("dl", class_="work meta group")
    assert [a.get_text() for a in meta.select("dd.fandom.tags a.tag")] == ["Marvel"]
    assert [a.get_text() for a in meta.select("dd.freeform.tags a.tag")] == ["Angst", "Fluff"]
    assert [a.get_text() for a in meta.select("dd.rating.tags a.tag")] == ["General Audiences"]
    assert meta.find("dd", class_="words").get_text() == "4"
    assert meta.find("dd", class_="chapters").get_text() == "1/1"
    assert meta.find("dd", class_="language").get_text() == "English"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.find("dd", class_="published").get_text())
    assert meta.find("dd", class_="status") is None  # single-chapter works have no status
    chapter = page.select_one("div#chapters div.chapter#chapter-1")
    text = chapter.find("div", class_="userstuff module")
    assert text.find("p").get_text() == "One two three four."
    assert page.find("ul", class_="work navigation actions") is not None


def test_stats_use_thousands_commas_and_unknown_totals():
    work = make_work(chapters=2, complete=False, expected_chapters=None)
    work.hits = 1024
    work.word_count = 12345
    work.save()
    from django.test import Client

    response = Client().get(f"/works/{work.pk}?view_full_work=true")
    html = response.content.decode()
    assert '<dd class="hits">1,024</dd>' in html
    assert '<dd class="chapters">2/?</dd>' in html
    assert '<dt class="status">Updated:</dt>' in html


def test_summary_notes_and_end_notes_in_contract_places(get_page):
    work = make_work(
        summary="<p>A summary.</p>", notes="<p>Begin notes.</p>", end_notes="<p>The end.</p>"
    )
    _, page = get_page(f"/works/{work.pk}")
    assert page.find("blockquote", class_="userstuff").get_text() == "A summary."
    assert page.select_one("div.notes.module blockquote.userstuff").get_text() == "Begin notes."
    endnotes = page.select_one("div.afterword.preface.group div#work_endnotes")
    assert endnotes["class"] == ["end", "notes", "module"]
    assert endnotes.find("blockquote").get_text() == "The end."


def test_multi_chapter_work_redirects_to_its_first_chapter(client):
    work = make_work(chapters=3)
    first = work.chapters.get(position=1)
    response = client.get(f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}/chapters/{first.pk}"


def test_chapter_page_links_entire_work_index_and_neighbours(get_page):
    work = make_work(
        chapters=[
            ("Start", "<p>Set out.</p>"),
            ("Middle", "<p>Got lost.</p>"),
            ("End", "<p>Home.</p>"),
        ]
    )
    first, middle, last = work.chapters.all()
    response, page = get_page(f"/works/{work.pk}/chapters/{middle.pk}")
    assert response.status_code == 200
    nav = page.find("ul", class_="work navigation actions")
    entire = nav.find("li", class_="chapter entire").find("a")
    assert (entire["href"], entire.get_text()) == (
        f"/works/{work.pk}?view_full_work=true",
        "Entire Work",
    )
    assert nav.find("a", string="Chapter Index")["href"] == f"/works/{work.pk}/navigate"
    assert (
        nav.select_one("li.chapter.previous a")["href"] == f"/works/{work.pk}/chapters/{first.pk}"
    )
    assert nav.select_one("li.chapter.next a")["href"] == f"/works/{work.pk}/chapters/{last.pk}"
    chapters = page.select("div#chapters > div.chapter")
    assert [c["id"] for c in chapters] == ["chapter-2"]
    heading = chapters[0].select_one("div.chapter.preface.group h3.title")
    assert heading.find("a").get_text() == "Chapter 2"
    assert heading.find("a")["href"] == f"/works/{work.pk}/chapters/{middle.pk}"
    assert heading.contents[-1] == ": Middle"


def test_full_work_shows_every_chapter_and_links_back(get_page):
    work = make_work(chapters=[("One", "<p>first</p>"), ("Two", "<p>second</p>")])
    first = work.chapters.get(position=1)
    response, page = get_page(f"/works/{work.pk}?view_full_work=true")
    assert response.status_code == 200
    chapters = page.select("div#chapters > div.chapter")
    assert [c["id"] for c in chapters] == ["chapter-1", "chapter-2"]
    texts = [c.find("div", class_="userstuff module").find("p").get_text() for c in chapters]
    assert texts == ["first", "second"]
    bychapter = page.select_one("ul.work.navigation.actions li.chapter.bychapter a")
    assert bychapter["href"] == f"/works/{work.pk}/chapters/{first.pk}"


def test_chapter_of_another_work_is_404(client):
    work, other = make_work(chapters=2), make_work(chapters=2)
    foreign = other.chapters.first()
    assert client.get(f"/works/{work.pk}/chapters/{foreign.pk}").status_code == 404


def test_short_chapter_url_redirects_to_the_long_one(client):
    work = make_work(chapters=2, rating="Explicit")
    second = work.chapters.get(position=2)
    response = client.get(f"/chapters/{second.pk}?view_adult=true")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}/chapters/{second.pk}?view_adult=true"
    assert client.get("/chapters/999999").status_code == 404


def test_chapter_index_lists_numbered_chapters_with_dates(get_page):
    work = make_work(
        title="Index Me", chapters=[("Arrival", "<p>They came.</p>"), ("", "<p>They stayed.</p>")]
    )
    first, second = work.chapters.all()
    response, page = get_page(f"/works/{work.pk}/navigate")
    assert response.status_code == 200
    heading = page.find("h2", class_="heading")
    assert heading.get_text(" ", strip=True).startswith("Chapter Index for Index Me by")
    first_work_link = next(
        a for a in page.find_all("a", href=True) if re.search(r"/works/\d+$", a["href"])
    )
    assert first_work_link["href"] == f"/works/{work.pk}"
    items = page.select("ol.chapter.index.group > li")
    assert [li.find("a").get_text() for li in items] == ["1. Arrival", "2. Chapter 2"]
    assert [li.find("a")["href"] for li in items] == [
        f"/works/{work.pk}/chapters/{first.pk}",
        f"/works/{work.pk}/chapters/{second.pk}",
    ]
    assert re.fullmatch(r"\(\d{4}-\d{2}-\d{2}\)", items[0].find("span", class_="datetime").text)


@pytest.mark.parametrize("rating", ["Mature", "Explicit", "Not Rated"])
def test_adult_works_show_the_caution_gate(get_page, rating):
    work = make_work(rating=rating)
    response, page = get_page(f"/works/{work.pk}")
    assert response.status_code == 200
    caution = page.select_one("div#main.works-show.region p.caution.notice")
    assert caution.get_text() == ADULT_SENTENCE
    proceed = page.find("a", string="Yes, Continue")
    assert proceed["href"] == f"/works/{work.pk}?view_adult=true"
    assert page.find("div", id="chapters") is None


@pytest.mark.parametrize("rating", ["General Audiences", "Teen And Up Audiences"])
def test_general_and_teen_works_open_at_once(get_page, rating):
    work = make_work(rating=rating)
    _, page = get_page(f"/works/{work.pk}")
    assert page.find("p", class_="caution") is None
    assert page.find("div", id="chapters") is not None


def test_view_adult_parameter_always_opens_and_is_remembered(client, get_page):
    work = make_work(rating="Explicit", chapters=2)
    first, second = work.chapters.all()
    response, page = get_page(f"/works/{work.pk}?view_adult=true&view_full_work=true")
    assert response.status_code == 200
    assert len(page.select("div#chapters > div.chapter")) == 2
    response = client.get(f"/works/{work.pk}?view_adult=true")
    assert response["Location"] == f"/works/{work.pk}/chapters/{first.pk}?view_adult=true"
    # The session now remembers the consent: later chapters open directly.
    _, page = get_page(f"/works/{work.pk}/chapters/{second.pk}")
    assert page.find("p", class_="caution") is None
    assert page.find("div", id="chapter-2") is not None


def test_chapter_index_is_never_gated(get_page):
    work = make_work(rating="Explicit", chapters=2)
    _, page = get_page(f"/works/{work.pk}/navigate")
    assert page.find("p", class_="caution") is None
    assert len(page.select("ol.chapter.index.group > li")) == 2


def test_restricted_work_sends_visitors_to_log_in(client, get_page):
    work = make_work(title="Members Only", restricted=True, chapters=2)
    chapter = work.chapters.first()
    for url in [
        f"/works/{work.pk}",
        f"/works/{work.pk}/chapters/{chapter.pk}",
        f"/works/{work.pk}/navigate",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/users/login?restricted=true&return_to=/works/{work.pk}"
    _, page = get_page(f"/users/login?restricted=true&return_to=/works/{work.pk}")
    assert "This work is only available to registered users of the Archive." in page.get_text()
    _, home = get_page("/")
    assert "Members Only" not in home.get_text()

    user = get_user_model().objects.create_user("reader", password="a long passphrase")
    client.force_login(user)
    response, page = get_page(f"/works/{work.pk}?view_full_work=true")
    assert response.status_code == 200
    title = page.find("h2", class_="title heading")
    assert title.find("img", alt="(Restricted)")["title"] == "Restricted"
    _, home = get_page("/")
    assert home.select_one(f"li#work_{work.pk} h4.heading img")["alt"] == "(Restricted)"


def test_drafts_are_not_shown(client):
    draft = make_work(posted=False)
    assert client.get(f"/works/{draft.pk}").status_code == 404
    assert client.get(f"/works/{draft.pk}/navigate").status_code == 404


def test_unknown_work_is_a_404_with_the_contract_heading(get_page):
    for url in ["/works/424242", "/works/424242/navigate", "/works/424242/chapters/1"]:
        response, page = get_page(url)
        assert response.status_code == 404
        first_heading = page.find("h2", class_="heading")
        assert first_heading.get_text() == "Error 404"
        assert first_heading.find_parent("div", id="main")["class"] == ["error-404", "region"]
    assert "424242" in page.get_text()


@pytest.mark.parametrize(
    "url", ["/works/abc", "/works/-1", "/works/99999999999999999999999", "/works/1/chapters/x"]
)
def test_malformed_ids_are_404_not_500(client, url):
    assert client.get(url).status_code == 404


def test_user_text_is_sanitized_on_the_page(client):
    work = make_work(
        summary='<p onclick="alert(1)">sum</p><script>alert(2)</script>',
        chapters=[("", '<p>hi<script>alert(3)</script><a href="javascript:alert(4)">x</a></p>')],
    )
    html = client.get(f"/works/{work.pk}").content.decode()
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


def test_hits_count_once_per_visitor_per_day(client):
    work = make_work()
    hit_counter.flush()
    client.get(f"/works/{work.pk}")
    client.get(f"/works/{work.pk}")
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 1
    from django.test import Client

    # A new User-Agent per request is still the same visitor from the same address.
    for number in range(5):
        Client(HTTP_USER_AGENT=f"agent {number}").get(f"/works/{work.pk}")
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 1
    Client(REMOTE_ADDR="198.51.100.20").get(f"/works/{work.pk}")
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 2


def test_gate_and_missing_pages_do_not_count_hits(client):
    work = make_work(rating="Mature")
    client.get(f"/works/{work.pk}")
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 0


def test_hide_creators_style_toggle(get_page):
    work = make_work()
    _, page = get_page(f"/works/{work.pk}")
    toggle = page.find("a", string="Hide Creator's Style")
    assert toggle["href"] == "?style=disable"
    _, page = get_page(f"/works/{work.pk}?style=disable")
    assert page.find("div", id="workskin")["class"] == ["creator-style-hidden"]
    assert page.find("a", string="Show Creator's Style") is not None


def test_language_is_shown_by_the_name_readers_tools_map(get_page):
    # FanFicFare maps "Français" (not Django's "français") back to "fr".
    work = make_work(language="fr")
    _, page = get_page(f"/works/{work.pk}")
    assert page.find("dd", class_="language").get_text() == "Français"


def test_adult_work_answers_a_foreign_or_unknown_chapter_with_404_not_the_gate(client):
    work, other = make_work(rating="Explicit", chapters=2), make_work(chapters=1)
    foreign = other.chapters.get()
    assert client.get(f"/works/{work.pk}/chapters/{foreign.pk}").status_code == 404
    assert client.get(f"/works/{work.pk}/chapters/99999999").status_code == 404


def test_a_missing_chapter_counts_no_hit(client):
    work = make_work(chapters=2)
    hit_counter.flush()
    assert client.get(f"/works/{work.pk}/chapters/99999999").status_code == 404
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 0


def test_a_work_without_a_rating_is_gated_as_not_rated(get_page):
    work = services.work_create(
        title="Unrated", chapters=[services.ChapterText("", "<p>Some words here.</p>")]
    )
    make_work(rating="General Audiences")  # the rating tags exist, none on this work
    _, page = get_page(f"/works/{work.pk}")
    assert page.select_one("p.caution.notice") is not None
