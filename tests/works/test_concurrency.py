"""Writes to one work or chapter that race or overlap: deletes stay deleted, stale forms are
refused with the typed text kept, and nobody gets a 500."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_author, make_work
from tests.live_requests import LiveSession, form_values
from works.models import Chapter, Work

TRIALS = 30
TEXT = "<p>It was a dark and stormy night, and the lantern guttered.</p>"


def authored_work(pseud, *, chapters=1):
    return make_work(chapters=chapters, tags={"fandom": ["Lanterns"]}, pseud=pseud)


def assert_told_deleted(answer, what):
    """The loser of a race with a delete is told so: by the service when the delete committed
    while it waited for the row, else by the page that no longer finds it."""
    notice = answer.page.select_one(".notice").get_text()
    assert f"This {what} was deleted" in notice or f"no {what} with ID" in notice, notice


def assert_no_orphans():
    """No work that nobody can edit or delete: each has a creator and a chapter."""
    assert not Work.objects.filter(pseuds=None).exists()
    assert not Work.objects.filter(chapters=None).exists()


@pytest.fixture
def racer(transactional_db, live_server):
    user = make_author("racer")
    return LiveSession(live_server.url, user), user.pseuds.get()


def test_a_work_deleted_while_it_is_edited_stays_deleted(racer):
    session, pseud = racer
    for trial in range(TRIALS):
        work = authored_work(pseud)
        edit = session.form(f"/works/{work.pk}/edit", "form#work-form")
        edit["title"] = f"Edited in trial {trial}"
        edited, deleted = session.posts_at_once(
            (f"/works/{work.pk}/edit", edit),
            (f"/works/{work.pk}/delete", {}),
        )
        assert deleted.status == 302, (trial, deleted.status)
        assert edited.status in {302, 404}, (trial, edited.status, edited.text[:500])
        if edited.status == 404:
            assert_told_deleted(edited, "work")
        assert not Work.objects.filter(pk=work.pk).exists(), trial
        assert_no_orphans()


def test_a_chapter_deleted_while_it_is_edited_stays_deleted(racer):
    session, pseud = racer
    for trial in range(TRIALS):
        work = authored_work(pseud, chapters=2)
        second = work.chapters.get(position=2)
        url = f"/works/{work.pk}/chapters/{second.pk}"
        edit = session.form(f"{url}/edit", "form[enctype]")
        edit["chapter_title"] = f"Edited in trial {trial}"
        edited, deleted = session.posts_at_once(
            (f"{url}/edit", edit),
            (f"{url}/delete", {}),
        )
        assert deleted.status == 302, (trial, deleted.status)
        assert edited.status in {302, 404}, (trial, edited.status, edited.text[:500])
        if edited.status == 404:
            assert_told_deleted(edited, "chapter")
        assert not Chapter.objects.filter(pk=second.pk).exists(), trial
        assert list(work.chapters.values_list("position", flat=True)) == [1]
        work.refresh_from_db()
        assert work.chapter_count == 1


def test_a_chapter_added_while_the_work_is_deleted_leaves_nothing(racer):
    session, pseud = racer
    for trial in range(TRIALS):
        work = authored_work(pseud)
        new = session.form(f"/works/{work.pk}/chapters/new", "form[enctype]")
        new.update(chapter_title="Late", chapter_text=TEXT)
        added, deleted = session.posts_at_once(
            (f"/works/{work.pk}/chapters/new", new),
            (f"/works/{work.pk}/delete", {}),
        )
        assert deleted.status == 302, (trial, deleted.status)
        assert added.status in {302, 404}, (trial, added.status, added.text[:500])
        if added.status == 404:
            assert_told_deleted(added, "work")
        assert not Work.objects.filter(pk=work.pk).exists(), trial
        assert not Chapter.objects.filter(work_id=work.pk).exists(), trial
        assert_no_orphans()


def test_two_editors_saving_at_once_do_not_overwrite_each_other(racer):
    session, pseud = racer
    for trial in range(TRIALS // 3):
        work = authored_work(pseud)
        first = session.form(f"/works/{work.pk}/edit", "form#work-form")
        second = dict(first)
        first["title"], second["title"] = f"First {trial}", f"Second {trial}"
        answers = session.posts_at_once(
            (f"/works/{work.pk}/edit", first),
            (f"/works/{work.pk}/edit", second),
        )
        assert sorted(answer.status for answer in answers) == [302, 409], trial
        refused = next(answer for answer in answers if answer.status == 409)
        winner = "First" if refused is answers[1] else "Second"
        work.refresh_from_db()
        assert work.title == f"{winner} {trial}"


# Stale forms, one request after the other.


@pytest.fixture
def author_client(db):
    user = make_author("editor")
    pseud = user.pseuds.get()
    client = Client()
    client.force_login(user)
    return client, pseud


def edit_form(client, url, selector):
    response = client.get(url)
    assert response.status_code == 200
    return form_values(BeautifulSoup(response.content, "html.parser").select_one(selector))


def parsed(response):
    return BeautifulSoup(response.content, "html.parser")


def test_a_stale_work_form_is_refused_and_keeps_the_typed_text(author_client):
    client, pseud = author_client
    work = authored_work(pseud)
    url = f"/works/{work.pk}/edit"
    mine = edit_form(client, url, "form#work-form")
    theirs = edit_form(client, url, "form#work-form")
    theirs["title"] = "Saved first"
    assert client.post(url, theirs).status_code == 302
    mine.update(title="Saved second", summary="<p>My long summary, typed with care.</p>")
    response = client.post(url, mine)
    assert response.status_code == 409
    page = parsed(response)
    assert (
        "This work was changed since you opened this form"
        in page.select_one("#work-form .error").get_text()
    )
    assert page.find("input", attrs={"name": "title"})["value"] == "Saved second"
    assert "My long summary" in page.find("textarea", attrs={"name": "summary"}).get_text()
    work.refresh_from_db()
    assert work.title == "Saved first"
    # Reloaded, the form carries the new version and saves.
    fresh = edit_form(client, url, "form#work-form")
    fresh["title"] = "Saved second"
    assert client.post(url, fresh).status_code == 302
    work.refresh_from_db()
    assert work.title == "Saved second"


def test_a_stale_chapter_form_is_refused_and_keeps_the_typed_text(author_client):
    client, pseud = author_client
    work = authored_work(pseud)
    chapter = work.chapters.get()
    url = f"/works/{work.pk}/chapters/{chapter.pk}/edit"
    mine, theirs = edit_form(client, url, "form[enctype]"), edit_form(client, url, "form[enctype]")
    theirs["chapter_text"] = "<p>Their version of the chapter, saved first.</p>"
    assert client.post(url, theirs).status_code == 302
    mine["chapter_text"] = "<p>My version of the chapter, saved second.</p>"
    response = client.post(url, mine)
    assert response.status_code == 409
    page = parsed(response)
    assert "This chapter was changed since you opened this form" in page.get_text()
    assert "My version" in page.find("textarea", attrs={"name": "chapter_text"}).get_text()
    chapter.refresh_from_db()
    assert "Their version" in chapter.text


@pytest.mark.parametrize("version", ["", "abc", "-1", "1.5", "99999999999999999999"])
def test_a_bad_version_field_is_a_form_error(author_client, version):
    client, pseud = author_client
    work = authored_work(pseud)
    chapter = work.chapters.get()
    for url, selector in [
        (f"/works/{work.pk}/edit", "form#work-form"),
        (f"/works/{work.pk}/chapters/{chapter.pk}/edit", "form[enctype]"),
    ]:
        data = edit_form(client, url, selector)
        assert "lock_version" in data
        data["lock_version"] = version
        response = client.post(url, data)
        assert response.status_code == 400, (url, version)
        assert "reload the page" in parsed(response).select_one("div.error").get_text()
    work.refresh_from_db()
    assert work.lock_version == 0
