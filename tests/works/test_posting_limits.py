"""Every chapter meets the same limits however it arrives (typed, the hidden field an upload
fills, the chapter form, seed files); the chapter cap, the reorder form of a long work, and a
Post form sent twice."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

import works.checking
from tests.factories import make_author, make_work
from tests.live_requests import LiveSession, form_values
from works.importing import import_seed_file
from works.limits import TEXT_MAX
from works.models import Chapter, Submission, Work
from works.rendering import count_words, render_user_html

TEXT = "<p>It was a dark and stormy night, and the lantern guttered.</p>"


def work_data(**overrides):
    data = {
        "title": "The Lantern",
        "fandoms": "Marvel",
        "rating": "Teen And Up Audiences",
        "archive_warnings": ["No Archive Warnings Apply"],
        "language": "en",
        "chapter_title": "Arrival",
        "chapter_text": TEXT,
        "post": "Post",
    }
    data.update(overrides)
    return data


def more(*chapters):
    """The hidden field an uploaded file with several chapters fills: [(title, html), …]."""
    return json.dumps([{"title": title, "html": html} for title, html in chapters])


def page_of(response):
    return BeautifulSoup(response.content, "html.parser")


def alerts(response):
    return " ".join(div.get_text(" ", strip=True) for div in page_of(response).select(".error"))


def kept_text(response):
    return page_of(response).find("textarea", attrs={"name": "chapter_text"}).get_text().strip()


def authored_work(author, *, chapters=1):
    return make_work(chapters=chapters, pseud=author.pseuds.get())


def long_work(author, count):
    """A work with `count` chapters, stored in one go (saving them one by one takes long)."""
    work = authored_work(author)
    html = render_user_html(TEXT)
    Chapter.objects.bulk_create(
        Chapter(work=work, position=position, title=f"Part {position}", text=TEXT,
                text_html=html, word_count=count_words(html))
        for position in range(2, count + 1)
    )  # fmt: skip
    work.refresh_counts()
    return work


# The hidden more_chapters field


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chapters", "message"),
    [
        ([("t" * 300, TEXT)], "Chapter 2 has a title of 300 characters"),
        ([("Second", "")], "Chapter 2 must have at least 10 characters"),
        ([("Second", "   <p> </p>")], "Chapter 2 must have at least 10 characters"),
        ([("Second", TEXT), ("Third", "x" * (TEXT_MAX + 1))], "Chapter 3 is 510,001 characters"),
        ([("Second", "<p>A NUL \x00 inside the text.</p>")], "Chapter 2 contains a NUL"),
        ([("A NUL \x00 in the title", TEXT)], "Chapter 2 contains a NUL"),
        ([("Second", "<p>A lone surrogate \ud800 here.</p>")], "not valid Unicode"),
        ([("Second", "&amp;" * 100_000)], "too full of & or < characters"),
        ([("Second", "<div>" * 300 + "deep" + "</div>" * 300)], "nest more than 256 deep"),
    ],
)
def test_each_chapter_in_the_hidden_field_meets_the_limits(author_client, chapters, message):
    data = work_data(more_chapters=more(*chapters))
    response = author_client.post("/works/new", data)
    assert response.status_code == 400
    assert message in alerts(response)
    assert not Work.objects.exists() and not Chapter.objects.exists()
    # What was typed and what the upload gave are both still in the form.
    assert kept_text(response) == TEXT
    kept = page_of(response).find("input", attrs={"name": "more_chapters"})["value"]
    assert json.loads(kept) == json.loads(data["more_chapters"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", ["[" * 100_000, "{not json", '{"title": "x"}', '[{"title": "no html"}]', '"text"']
)
def test_a_damaged_hidden_field_is_a_message_not_a_500(author_client, raw):
    response = author_client.post("/works/new", work_data(more_chapters=raw))
    assert response.status_code == 400
    assert "could not be read" in alerts(response)
    assert not Work.objects.exists()


@pytest.mark.django_db
def test_chapters_from_the_hidden_field_within_the_limits_are_saved(author_client):
    data = work_data(more_chapters=more(("Second", TEXT), ("Third", "x" * TEXT_MAX)))
    response = author_client.post("/works/new", data)
    assert response.status_code == 302, alerts(response)
    work = Work.objects.get()
    assert list(work.chapters.values_list("title", flat=True)) == ["Arrival", "Second", "Third"]


@pytest.mark.django_db
def test_a_post_has_at_most_max_chapters(author_client, monkeypatch):
    monkeypatch.setattr(works.checking, "MAX_CHAPTERS", 3)
    data = work_data(more_chapters=more(*[(f"Part {n}", TEXT) for n in range(2, 5)]))
    response = author_client.post("/works/new", data)
    assert response.status_code == 400
    assert "at most 3 chapters; this would make 4" in alerts(response)
    assert not Work.objects.exists()
    data = work_data(more_chapters=more(*[(f"Part {n}", TEXT) for n in range(2, 4)]))
    assert author_client.post("/works/new", data).status_code == 302
    assert Work.objects.get().chapter_count == 3


@pytest.mark.django_db
def test_a_post_carries_at_most_post_chapters_max_chapters(author_client, monkeypatch):
    monkeypatch.setattr(works.checking, "POST_CHAPTERS_MAX", 2)
    data = work_data(more_chapters=more(("Second", TEXT), ("Third", TEXT)))
    response = author_client.post("/works/new", data)
    assert response.status_code == 400
    assert "One post can carry at most 2 chapters, and this has 3" in alerts(response)
    assert not Work.objects.exists()


@pytest.mark.django_db
def test_a_post_carries_at_most_post_text_max_characters(author_client, monkeypatch):
    monkeypatch.setattr(works.checking, "POST_TEXT_MAX", 3 * len(TEXT))
    data = work_data(more_chapters=more(("Second", TEXT), ("Third", TEXT + " ")))
    response = author_client.post("/works/new", data)
    assert response.status_code == 400
    assert f"one post can carry at most {3 * len(TEXT)}" in alerts(response)
    assert not Work.objects.exists()


# The chapter form and the services behind it


@pytest.mark.django_db
def test_adding_a_chapter_past_max_chapters_is_refused(author_client, author, monkeypatch):
    monkeypatch.setattr(works.checking, "MAX_CHAPTERS", 2)
    work = authored_work(author, chapters=2)
    response = author_client.post(
        f"/works/{work.pk}/chapters/new", {"chapter_title": "Third", "chapter_text": TEXT}
    )
    assert response.status_code == 400
    assert "at most 2 chapters; this would make 3" in alerts(response)
    assert kept_text(response) == TEXT
    assert work.chapters.count() == 2


@pytest.mark.django_db
def test_the_chapter_forms_hidden_field_is_checked_too(author_client, author):
    work = authored_work(author)
    response = author_client.post(
        f"/works/{work.pk}/chapters/new",
        {"chapter_title": "Second", "chapter_text": TEXT, "more_chapters": more(("t" * 300, TEXT))},
    )
    assert response.status_code == 400
    assert "Chapter 2 has a title of 300 characters" in alerts(response)
    assert work.chapters.count() == 1


# Seed files


def seed_text(chapters):
    body = "\n\n".join(f"Chapter {n}: Part {n}\n\n{text}" for n, text in enumerate(chapters, 1))
    return f"Work Text:\n\n{body}\n[starting tags]\ntitle:\nA Long Seed\nfreeform:\nFluff\n"


@pytest.mark.django_db
def test_a_seed_chapter_over_the_text_limit_fails_to_import(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(seed_text(["Some words of the story.", "y" * (TEXT_MAX + 1)]))
    result = import_seed_file(path)
    assert result.status == "failed"
    # Measured on the stored HTML, paragraph tags included.
    assert re.match(r"Chapter 2 is 510,0\d\d characters long; a chapter can be at most 510,000",
                    result.message)  # fmt: skip
    assert not Work.objects.exists()


@pytest.mark.django_db
def test_a_seed_with_more_than_max_chapters_fails_to_import(tmp_path, monkeypatch):
    monkeypatch.setattr(works.checking, "MAX_CHAPTERS", 2)
    path = tmp_path / "many.txt"
    path.write_text(seed_text(["Some words of the story."] * 3))
    result = import_seed_file(path)
    assert result.status == "failed"
    assert "at most 2 chapters" in result.message
    assert not Work.objects.exists()


# The reorder form of a work with more chapters than Django's 1,000 fields


def chapter_order(work):
    return list(work.chapters.values_list("title", flat=True))


@pytest.mark.django_db
def test_a_work_of_1001_chapters_can_be_reordered(author_client, author):
    work = long_work(author, 1001)
    response = author_client.get(f"/works/{work.pk}/chapters/manage")
    form = page_of(response).select_one("form[method=post]")
    fields = form_values(form)
    assert len(fields) < 10
    assert fields["order"] == "1-1001"
    response = author_client.post(
        f"/works/{work.pk}/chapters/manage", {"order": "2, 1, 3-1000, 1001"}
    )
    assert response.status_code == 302
    titles = chapter_order(work)
    assert titles[:3] == ["Part 2", "", "Part 3"] and titles[-1] == "Part 1001"
    assert list(work.chapters.values_list("position", flat=True)) == list(range(1, 1002))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("2, 1, 2", "Chapter 2 is listed twice"),
        ("2, 1", "Chapter 3 is missing"),
        ("1, 2, 3, 4", "There is no chapter 4: this work has 3"),
        ("1-3, 1-400", "There is no chapter 400: this work has 3"),
        ("1-3, 9999999999", "'9999999999' is not a chapter number"),
        ("1-3, " + "9" * 5000, "is not a chapter number"),
        ("3-1", "'3-1' is not a chapter number"),
        ("one, two", "'one' is not a chapter number"),
        ("", "This field is required"),
    ],
)
def test_a_bad_order_is_a_message_and_keeps_what_was_typed(author_client, author, order, message):
    work = authored_work(author, chapters=3)
    before = chapter_order(work)
    response = author_client.post(f"/works/{work.pk}/chapters/manage", {"order": order})
    assert response.status_code == 400
    assert message in alerts(response)
    assert page_of(response).find("input", attrs={"name": "order"}).get("value", "") == order
    assert chapter_order(work) == before


@pytest.mark.django_db
def test_a_form_with_more_than_1000_fields_gets_a_clear_message(author_client, author):
    work = authored_work(author, chapters=2)
    fields = {f"position_{n}": str(n) for n in range(1, 1002)}
    response = author_client.post(f"/works/{work.pk}/chapters/manage", fields)
    assert response.status_code == 400
    text = page_of(response).get_text(" ", strip=True)
    assert "more than 1,000 fields" in text
    assert "Reload the page" in text


# The Post form sent twice


@pytest.mark.django_db
def test_the_same_post_form_sent_twice_makes_one_work(author_client):
    form = form_values(page_of(author_client.get("/works/new")).select_one("form#work-form"))
    token = form["submission_token"]
    assert re.fullmatch(r"[0-9a-f-]{36}", token)
    data = work_data(submission_token=token)
    first = author_client.post("/works/new", data)
    second = author_client.post("/works/new", data)
    work = Work.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/works/{work.pk}"
    # A new form is a new work.
    author_client.post("/works/new", work_data(submission_token=str(uuid.uuid4())))
    assert Work.objects.count() == 2


@pytest.mark.django_db
def test_the_same_chapter_form_sent_twice_adds_one_chapter(author_client, author):
    work = authored_work(author)
    page = page_of(author_client.get(f"/works/{work.pk}/chapters/new"))
    token = form_values(page.select_one("form[method=post]"))["submission_token"]
    data = {"chapter_title": "Second", "chapter_text": TEXT, "submission_token": token}
    first = author_client.post(f"/works/{work.pk}/chapters/new", data)
    second = author_client.post(f"/works/{work.pk}/chapters/new", data)
    chapter = work.chapters.get(position=2)
    assert first["Location"] == second["Location"] == chapter.get_absolute_url()
    assert work.chapters.count() == 2


@pytest.mark.django_db
def test_tokens_are_kept_for_a_day(author_client, author):
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    author_client.post("/works/new", work_data(submission_token=old))
    author_client.post("/works/new", work_data(submission_token=recent))
    Submission.objects.filter(token=old).update(created_at=timezone.now() - timedelta(days=2))
    author_client.post("/works/new", work_data(submission_token=str(uuid.uuid4())))
    assert not Submission.objects.filter(token=old).exists()
    # Sent again within the day, the recent form still leads to its work.
    again = author_client.post("/works/new", work_data(submission_token=recent))
    assert again["Location"] == Submission.objects.get(token=recent).work.get_absolute_url()
    assert Work.objects.count() == 3


@pytest.mark.django_db
def test_another_users_token_is_refused(author_client, author):
    data = work_data(submission_token="0b6f3c1e-8f4e-4c61-9a57-1a2b3c4d5e6f")
    author_client.post("/works/new", data)
    other = Client()
    other.force_login(make_author("author_2"))
    response = other.post("/works/new", data)
    assert response.status_code == 400
    assert "This form was sent already" in alerts(response)
    assert Work.objects.count() == 1


TRIALS = 20


@pytest.fixture
def live_author(transactional_db, live_server):
    user = make_author("racer")
    return LiveSession(live_server.url, user), user


def test_two_clicks_at_once_on_post_make_one_work(live_author):
    session, _ = live_author
    for trial in range(TRIALS):
        form = session.form("/works/new", "form#work-form")
        form.update(work_data(title=f"Trial {trial}"))
        first, second = session.posts_at_once(("/works/new", form), ("/works/new", form))
        works = Work.objects.filter(title=f"Trial {trial}")
        assert works.count() == 1, trial
        location = f"/works/{works.get().pk}"
        assert (first.status, second.status) == (302, 302), (trial, first.text[:300])
        assert first.location.endswith(location) and second.location.endswith(location)
    assert Work.objects.count() == TRIALS


def test_two_clicks_at_once_on_post_chapter_add_one_chapter(live_author):
    session, user = live_author
    work = authored_work(user)
    for trial in range(TRIALS):
        path = f"/works/{work.pk}/chapters/new"
        form = session.form(path)
        form.update({"chapter_title": f"Trial {trial}", "chapter_text": TEXT})
        answers = session.posts_at_once((path, form), (path, form))
        assert [a.status for a in answers] == [302, 302], trial
        assert work.chapters.filter(title=f"Trial {trial}").count() == 1, trial
    assert work.chapters.count() == TRIALS + 1
