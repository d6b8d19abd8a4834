"""The work page, chapter pages and chapter index, parsed as AO3's tools parse them."""

import pytest

from tags.models import TagKind
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def test_single_chapter_work_shows_its_text_and_meta(get_page):
    work = make_work(
        title="The Lantern",
        chapters=[("", "<p>One two three four.</p>")],
        tags={TagKind.FANDOM: ["Marvel"], TagKind.FREEFORM: ["Fluff", "Angst"]},
    )
    response, page = get_page(f"/works/{work.pk}")
    assert response.status_code == 200
    assert page.select_one("div.preface.group h2.title.heading").get_text(strip=True) == "The Lantern"
    meta = page.find("dl", class_="work meta group")
    assert [a.get_text() for a in meta.select("dd.fandom.tags a.tag")] == ["Marvel"]
    assert [a.get_text() for a in meta.select("dd.freeform.tags a.tag")] == ["Angst", "Fluff"]
    assert meta.find("dd", class_="words").get_text() == "4"
    assert meta.find("dd", class_="chapters").get_text() == "1/1"
    text = page.find("div", class_="userstuff module")
    assert text.find("p").get_text() == "One two three four."


def test_multi_chapter_work_redirects_to_its_first_chapter(client):
    work = make_work(chapters=3, expected_chapters=None)
    first = work.chapters.get(position=1)
    response = client.get(f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}/chapters/{first.pk}"


def test_unknown_work_is_a_404_with_the_contract_heading(get_page):
    response, page = get_page("/works/424242")
    assert response.status_code == 404
    assert page.select_one("div#main.error-404 h2.heading").get_text() == "Error 404"
    assert "424242" in page.get_text()
