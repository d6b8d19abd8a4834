"""Edits made in the admin keep listings and tag totals as current as the author's forms do."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from tags.models import Tag, TagKind
from tests.factories import make_tag, make_work
from works.models import Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "a long pass")
    client = Client()
    client.force_login(user)
    return client


def test_admin_retagging_updates_listing_columns_and_totals(admin_client):
    work = make_work(title="Admin Edited", tags={TagKind.FREEFORM: ["Old Tag"]})
    old, new = Tag.objects.get(name="Old Tag"), make_tag("New Tag")
    tagged = work.tagged.get(tag=old)
    data = {
        "title": "Admin Edited", "summary": "", "notes": "", "end_notes": "",
        "language": "en", "complete": "on", "published": "2026-01-01",
        "updated_at_0": "2026-01-01", "updated_at_1": "00:00:00", "posted": "on",
        "tagged-TOTAL_FORMS": "1", "tagged-INITIAL_FORMS": "1",
        "tagged-0-id": tagged.pk, "tagged-0-content_object": work.pk, "tagged-0-tag": new.pk,
        "chapters-TOTAL_FORMS": "0", "chapters-INITIAL_FORMS": "0",
    }  # fmt: skip
    # Keep the work's other tags (rating, warning) as they were.
    others = list(work.tagged.exclude(pk=tagged.pk))
    data["tagged-TOTAL_FORMS"] = str(1 + len(others))
    data["tagged-INITIAL_FORMS"] = str(1 + len(others))
    for number, row in enumerate(others, start=1):
        data[f"tagged-{number}-id"] = row.pk
        data[f"tagged-{number}-content_object"] = work.pk
        data[f"tagged-{number}-tag"] = row.tag_id
    response = admin_client.post(f"/admin/works/work/{work.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    work.refresh_from_db()
    assert new.pk in work.tag_ids and old.pk not in work.tag_ids
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.work_count, new.work_count) == (0, 1)


def test_admin_delete_moves_tag_totals(admin_client):
    work = make_work(tags={TagKind.FANDOM: ["Counted"]})
    tag = Tag.objects.get(name="Counted")
    assert tag.work_count == 1
    response = admin_client.post(f"/admin/works/work/{work.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Work.objects.exists()
    tag.refresh_from_db()
    assert tag.work_count == 0


def form_data(response):
    """The fields a browser would send back from an admin change form, as rendered."""
    page = BeautifulSoup(response.content, "html.parser")
    form = page.find("form", id=lambda value: value and value.endswith("_form"))
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        else:
            data[name] = field.get("value", "")
    return data


def test_admin_edits_a_work_as_its_change_page_sends_it(admin_client):
    work = make_work(title="Before", chapters=2, tags={TagKind.FANDOM: ["Counted"]})
    url = f"/admin/works/work/{work.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(title="After", restricted="on")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    work.refresh_from_db()
    assert (work.title, work.restricted, work.lock_version) == ("After", True, 1)
    assert work.chapter_count == 2
    # Restricted: out of the public totals, and its chapters as they were.
    assert Tag.objects.get(name="Counted").work_count == 0
    assert [chapter.lock_version for chapter in work.chapters.all()] == [0, 0]


def test_admin_unposting_a_work_takes_it_out_of_the_totals(admin_client):
    work = make_work(tags={TagKind.FANDOM: ["Counted"]})
    url = f"/admin/works/work/{work.pk}/change/"
    data = form_data(admin_client.get(url))
    del data["posted"]
    assert admin_client.post(url, data).status_code == 302
    work.refresh_from_db()
    assert not work.posted
    assert Tag.objects.get(name="Counted").work_count == 0


def test_admin_adds_a_work_with_its_chapters_and_tags(admin_client):
    fandom = make_tag("Added Fandom", TagKind.FANDOM)
    data = {
        "title": "From the Admin", "summary": "", "notes": "", "end_notes": "",
        "language": "en", "posted": "on",
        "tagged-TOTAL_FORMS": "1", "tagged-INITIAL_FORMS": "0", "tagged-0-tag": fandom.pk,
        "chapters-TOTAL_FORMS": "2", "chapters-INITIAL_FORMS": "0",
        "chapters-0-title": "One", "chapters-0-text": "<p>The first chapter.</p>",
        "chapters-1-title": "", "chapters-1-text": "<p>The second chapter.</p>",
    }  # fmt: skip
    response = admin_client.post("/admin/works/work/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    work = Work.objects.get(title="From the Admin")
    assert [(c.position, c.title) for c in work.chapters.all()] == [(1, "One"), (2, "")]
    assert work.chapter_count == 2 and work.word_count > 0
    assert work.tag_ids == [fandom.pk]
    fandom.refresh_from_db()
    assert fandom.work_count == 1


@pytest.mark.parametrize(
    ("chapters", "error"),
    [
        ({}, "A work needs at least one chapter."),
        ({"chapters-0-title": "Short", "chapters-0-text": "<p>x</p>"}, "at least 10 characters"),
    ],
)
def test_admin_adding_a_work_the_services_would_refuse_shows_why(admin_client, chapters, error):
    data = {
        "title": "Refused", "summary": "", "notes": "", "end_notes": "", "language": "en",
        "tagged-TOTAL_FORMS": "0", "tagged-INITIAL_FORMS": "0",
        "chapters-TOTAL_FORMS": "1" if chapters else "0", "chapters-INITIAL_FORMS": "0",
        **chapters,
    }  # fmt: skip
    response = admin_client.post("/admin/works/work/add/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Work.objects.exists()


def test_admin_chapter_edits_and_additions_go_through_the_services(admin_client):
    work = make_work(title="Chaptered", chapters=1)
    chapter = work.chapters.get()
    url = f"/admin/works/chapter/{chapter.pk}/change/"
    data = form_data(admin_client.get(url))
    data["text"] = "<p>A new text of six words.</p>"
    assert admin_client.post(url, data).status_code == 302
    chapter.refresh_from_db()
    assert (chapter.lock_version, chapter.word_count) == (1, 6)
    assert "<p>A new text of six words.</p>" in chapter.text_html
    add = {"work": work.pk, "title": "Two", "summary": "", "notes": "", "end_notes": "",
           "text": "<p>The second one.</p>"}  # fmt: skip
    assert admin_client.post("/admin/works/chapter/add/", add).status_code == 302
    work.refresh_from_db()
    assert work.chapter_count == 2
    assert list(work.chapters.values_list("position", "title")) == [(1, ""), (2, "Two")]
