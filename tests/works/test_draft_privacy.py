"""Reading URLs say nothing about drafts: a draft's chapter is missing in the same words as a
chapter or work that never existed."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_work

pytestmark = pytest.mark.django_db

NEVER = 999_999


def not_found_text(response):
    assert response.status_code == 404
    return BeautifulSoup(response.content, "html.parser").select_one("p.notice").get_text()


@pytest.fixture
def draft():
    return make_work(title="Unposted", posted=False, chapters=2)


def test_a_drafts_chapter_reads_as_a_chapter_that_never_was(draft):
    chapter = draft.chapters.first()
    found = not_found_text(Client().get(f"/chapters/{chapter.pk}"))
    never = not_found_text(Client().get(f"/chapters/{NEVER}"))
    assert found == f"There is no chapter with ID {chapter.pk}."
    assert found.replace(str(chapter.pk), str(NEVER)) == never
    assert "work" not in found


@pytest.mark.parametrize("chapter", ["own", "missing"])
def test_a_drafts_chapter_pages_read_as_a_work_that_never_was(draft, chapter):
    chapter_id = draft.chapters.first().pk if chapter == "own" else NEVER
    found = not_found_text(Client().get(f"/works/{draft.pk}/chapters/{chapter_id}"))
    never = not_found_text(Client().get(f"/works/{NEVER}/chapters/{chapter_id}"))
    assert found.replace(str(draft.pk), str(NEVER)) == never


def test_a_posted_works_chapter_still_redirects():
    work = make_work(chapters=2)
    chapter = work.chapters.last()
    response = Client().get(f"/chapters/{chapter.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/works/{work.pk}/chapters/{chapter.pk}")
