"""Draft chapters: previewed and saved by their work's creators, hidden from everyone else
on every page, download, count and search until they are posted."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import TagKind
from tests.factories import make_author, make_work
from works.hits import counter as hit_counter
from works.models import Chapter, Work

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "<p>The lighthouse keeper's secret, unposted, in eleven words here.</p>"


def page_of(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def work(author):
    return make_work(
        title="The Lantern",
        chapters=[("Arrival", "<p>The first chapter, posted for all.</p>")],
        pseud=author.pseuds.get(),
        tags={TagKind.FANDOM: ["Lantern Keepers"]},
    )


def add_draft(client, work, button="save_draft"):
    data = {"chapter_title": "Secrets", "chapter_text": DRAFT_TEXT, button: "x"}
    return client.post(f"/works/{work.pk}/chapters/new", data)


@pytest.fixture
def draft(author_client, work):
    response = add_draft(author_client, work)
    chapter = Chapter.objects.get(work=work, position=2)
    assert response["Location"] == f"/works/{work.pk}/chapters/{chapter.pk}/preview"
    return chapter


@pytest.fixture
def reader():
    client = Client()
    client.force_login(make_author("reader"))
    return client


def test_the_new_chapter_form_offers_preview_draft_and_post(author_client, work):
    page = page_of(author_client.get(f"/works/{work.pk}/chapters/new"))
    buttons = page.select("form p.submit input[type=submit]")
    assert [(b["name"], b["value"]) for b in buttons] == [
        ("preview", "Preview"),
        ("save_draft", "Save as Draft"),
        ("post", "Post Chapter"),
    ]


@pytest.mark.parametrize("button", ["preview", "save_draft"])
def test_preview_and_save_as_draft_keep_the_chapter_a_draft(author_client, work, button):
    response = add_draft(author_client, work, button)
    chapter = Chapter.objects.get(work=work, position=2)
    assert not chapter.posted
    assert response["Location"] == f"/works/{work.pk}/chapters/{chapter.pk}/preview"
    page = page_of(author_client.get(response["Location"]))
    assert "lighthouse keeper" in page.select_one("#chapters .userstuff").get_text()
    assert page.find("input", value="Post Chapter") is not None


def test_a_draft_leaves_the_works_counts_and_search_as_they_were(work, draft):
    work.refresh_from_db()
    assert (work.chapter_count, work.word_count, work.chapters_label) == (1, 6, "1/1")
    assert not Work.objects.filter(pk=work.pk, search_vector="lighthouse").exists()
    assert Work.objects.filter(pk=work.pk, search_vector="posted").exists()


def test_readers_see_nothing_of_a_draft_chapter(client, reader, work, draft):
    for visitor in (client, reader):
        response = visitor.get(f"/works/{work.pk}")
        assert response.status_code == 200  # a one-chapter work to readers: no redirect
        html = response.content.decode()
        assert "lighthouse" not in html
        assert "Secrets" not in html
        assert page_of(response).select_one("dd.chapters").get_text() == "1/1"
        assert visitor.get(f"/works/{work.pk}?view_full_work=true").status_code == 200
        assert visitor.get(draft.get_absolute_url()).status_code == 404
        assert visitor.get(f"/chapters/{draft.pk}").status_code == 404
        index = visitor.get(f"/works/{work.pk}/navigate").content.decode()
        assert "Secrets" not in index
        assert visitor.get(f"/works/{work.pk}/chapters/{draft.pk}/preview").status_code in (
            302,
            404,
        )
        assert visitor.post(f"/works/{work.pk}/chapters/{draft.pk}/post").status_code in (
            302,
            404,
        )
    draft.refresh_from_db()
    assert not draft.posted


def test_downloads_leave_a_draft_chapter_out(client, work, draft):
    page = page_of(client.get(f"/works/{work.pk}"))
    for link in page.select("li.download ul a"):
        response = client.get(link["href"])
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        if link.get_text() == "HTML":
            assert b"first chapter, posted" in body
            assert b"lighthouse" not in body


def test_the_creator_sees_their_draft_on_the_reading_pages(author_client, work, draft):
    response = author_client.get(f"/works/{work.pk}")
    # Two chapters to the creator: the work page opens the first of them.
    first = work.chapters.get(position=1)
    assert response["Location"] == first.get_absolute_url()
    page = page_of(author_client.get(draft.get_absolute_url()))
    assert page.select_one("#chapters .chapter .title .draft").get_text() == "(Draft)"
    assert "lighthouse" in page.select_one("#chapters .userstuff").get_text()
    index = page_of(author_client.get(f"/works/{work.pk}/navigate"))
    entries = [li.get_text(" ", strip=True) for li in index.select("ol.chapter.index li")]
    assert entries[1] == "2. Secrets (Draft)"
    assert author_client.get(f"/chapters/{draft.pk}").status_code == 302


def test_posting_a_draft_shows_it_to_readers(author_client, reader, work, draft):
    hit_counter.flush()
    # A reader's visit caches the body without the draft; posting must not serve it again.
    assert "lighthouse" not in reader.get(f"/works/{work.pk}").content.decode()
    response = author_client.post(f"/works/{work.pk}/chapters/{draft.pk}/post")
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    work.refresh_from_db()
    assert draft.posted
    assert (work.chapter_count, work.chapters_label) == (2, "2/2")
    assert Work.objects.filter(pk=work.pk, search_vector="lighthouse").exists()
    full = reader.get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert "lighthouse" in full
    assert reader.get(draft.get_absolute_url()).status_code == 200


def test_the_last_posted_chapter_cannot_be_deleted_while_only_drafts_remain(
    author_client, work, draft
):
    first = work.chapters.get(position=1)
    response = author_client.post(f"/works/{work.pk}/chapters/{first.pk}/delete")
    assert response.status_code == 302
    assert Chapter.objects.filter(pk=first.pk).exists()
    page = page_of(author_client.get(response["Location"]))
    assert "only posted chapter" in page.get_text()
    # A draft itself may go.
    author_client.post(f"/works/{work.pk}/chapters/{draft.pk}/delete")
    assert not Chapter.objects.filter(pk=draft.pk).exists()


def test_the_manage_page_marks_drafts(author_client, work, draft):
    page = page_of(author_client.get(f"/works/{work.pk}/chapters/manage"))
    items = [li.get_text(" ", strip=True) for li in page.select("ol.chapters.manage li")]
    assert items[1].startswith("Chapter 2: Secrets (Draft) Preview and post")


def test_the_authors_own_visits_to_a_draft_are_no_hits(author_client, work, draft):
    hit_counter.flush()
    author_client.get(draft.get_absolute_url())
    hit_counter.flush()
    work.refresh_from_db()
    assert work.hits == 0
