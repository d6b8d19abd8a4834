"""A wrangler changes a fandom's synonyms while authors post to it: no request fails and
every tag's total stays exact."""

import threading

import pytest
from django.contrib.auth import get_user_model

from tags.counting import recount_all_tags
from tags.models import Tag, TagKind
from tags.wrangling import TagState, wrangle
from tests.factories import make_author
from tests.live_requests import LiveSession
from works.models import Work

AUTHORS = 3
POSTS_EACH = 8
TOGGLES = 12
TEXT = "<p>The lantern swung in the wind, and the keeper climbed the stair.</p>"


@pytest.fixture
def sessions(transactional_db, live_server):
    wrangler = get_user_model().objects.create_superuser("wrangler", password="a long passphrase")
    authors = []
    for number in range(AUTHORS):
        user = make_author(f"author_{number}")
        authors.append(LiveSession(live_server.url, user))
    return LiveSession(live_server.url, wrangler), authors, wrangler


def post_works(session, number, answers):
    for post in range(POSTS_EACH):
        data = session.form("/works/new", "form#work-form")
        data.update(
            title=f"Lantern {number}.{post}",
            # Half by the synonym alone, half by both: both count once in the canonical.
            fandoms="lantern verse" if post % 2 else "lantern verse, Lanterns",
            rating="General Audiences",
            archive_warnings=["No Archive Warnings Apply"],
            characters=f"Keeper {post % 3}",
            language="en",
            chapter_text=TEXT,
            post="Post",
        )
        answers.append(("post", session.post("/works/new", data).status))


def toggle_synonym(session, synonym, start_merged, answers):
    for toggle in range(TOGGLES):
        merge = (toggle % 2 == 0) != start_merged
        data = {"synonym_of": "Lanterns" if merge else "", "parents_fandom": ""}
        answers.append(("wrangle", session.post(synonym.edit_url(), data).status))


@pytest.mark.parametrize("start_merged", [False, True])
def test_totals_stay_exact_while_a_synonym_is_toggled_under_posts(sessions, start_merged):
    wrangler_session, authors, wrangler = sessions
    canonical = Tag.objects.create(name="Lanterns", kind=TagKind.FANDOM)
    wrangle(canonical, TagState(canonical=True), by=wrangler)
    synonym = Tag.objects.create(name="lantern verse", kind=TagKind.FANDOM)
    if start_merged:
        wrangle(synonym, TagState(merger_id=canonical.pk), by=wrangler)
    answers = []
    threads = [
        threading.Thread(target=post_works, args=(session, number, answers))
        for number, session in enumerate(authors)
    ]
    toggling = (wrangler_session, synonym, start_merged, answers)
    threads.append(threading.Thread(target=toggle_synonym, args=toggling))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # No deadlock reached anyone as a 503 (or a 409 after its retries), nor a 500.
    assert sorted(set(answers)) == [("post", 302), ("wrangle", 302)], sorted(answers)
    assert Work.objects.count() == AUTHORS * POSTS_EACH
    kept = dict(Tag.objects.values_list("name", "work_count"))
    recount_all_tags()
    assert kept == dict(Tag.objects.values_list("name", "work_count"))
    # The toggles end where they started: merged, the canonical counts every work once.
    expected = AUTHORS * POSTS_EACH if start_merged else AUTHORS * POSTS_EACH // 2
    assert kept["Lanterns"] == expected
