"""Authors post, preview, edit and delete works and chapters through the forms."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from tags.models import Tag, TagKind
from tests.factories import make_author, make_work
from works.models import Chapter, Work

pytestmark = pytest.mark.django_db

TEXT = "<p>It was a dark and stormy night, and the lantern guttered.</p>"


def form_data(**overrides):
    data = {
        "title": "The Lantern",
        "fandoms": "Marvel, Doctor Who",
        "rating": "Teen And Up Audiences",
        "archive_warnings": ["No Archive Warnings Apply"],
        "categories": ["Gen"],
        "relationships": "A/B",
        "characters": "Natasha Romanov (Marvel), Clint Barton",
        "freeforms": "Fluff, Angst",
        "language": "en",
        "summary": "<p>A summary.</p>",
        "notes": "",
        "end_notes": "",
        "chapter_title": "Arrival",
        "chapter_text": TEXT,
        "post": "Post",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors(response):
    page = BeautifulSoup(response.content, "html.parser")
    return {div["id"].removesuffix("_error"): div.get_text(" ", strip=True)
            for div in page.select("div.error[id]")}  # fmt: skip


def test_signup_creates_an_account_with_a_default_pseud():
    client = Client()
    response = client.post(
        "/users/new",
        {
            "username": "new_writer",
            "email": "writer@example.org",
            "password1": "a much longer passphrase",
            "password2": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new_writer")
    assert list(user.pseuds.values_list("name", "is_default")) == [("new_writer", True)]
    assert 'href="/users/logout"' in client.get("/").content.decode()


def test_signup_rejects_bad_usernames_and_keeps_input():
    make_author("taken_name")
    response = Client().post(
        "/users/new",
        {"username": "Taken_Name", "email": "x@example.org", "password1": "p", "password2": "q"},
    )
    assert response.status_code == 400
    assert "That username is taken." in errors(response)["id_username"]
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("input", attrs={"name": "email"})["value"] == "x@example.org"
    response = Client().post("/users/new", {"username": "bad name!", "email": "x@example.org"})
    assert "letters, digits and underscores" in errors(response)["id_username"]


def test_posting_a_work_creates_it_with_tags_and_a_byline(author_client, author):
    response = author_client.post("/works/new", form_data())
    assert response.status_code == 302
    work = Work.objects.get(title="The Lantern")
    assert response["Location"] == f"/works/{work.pk}"
    assert work.posted
    assert work.chapters.get().title == "Arrival"
    assert work.word_count == 11
    assert sorted(t.name for t in work.tags.filter(kind=TagKind.FANDOM)) == ["Doctor Who", "Marvel"]
    assert work.rating == "Teen And Up Audiences"
    page = BeautifulSoup(author_client.get(f"/works/{work.pk}").content, "html.parser")
    byline = page.select_one("h3.byline.heading a[rel=author]")
    assert (byline["href"], byline.get_text()) == ("/users/author_1/pseuds/author_1", "author_1")
    tag_page = Client().get("/tags/Doctor%20Who/works").content.decode()
    assert f'id="work_{work.pk}"' in tag_page


def test_tags_are_reused_case_insensitively_within_a_kind(author_client):
    existing = Tag.objects.create(name="Marvel", kind=TagKind.FANDOM)
    author_client.post("/works/new", form_data(fandoms="marvel"))
    work = Work.objects.get()
    assert list(work.tags.filter(kind=TagKind.FANDOM)) == [existing]


def test_draft_preview_then_post(author_client, author):
    response = author_client.post("/works/new", form_data(post=None, preview="Preview"))
    work = Work.objects.get()
    assert response["Location"] == f"/works/{work.pk}/preview"
    assert not work.posted
    assert Client().get(f"/works/{work.pk}").status_code == 404  # drafts are the author's own
    assert author_client.get(f"/works/{work.pk}").status_code == 200
    assert "Draft" in author_client.get("/users/author_1/works").content.decode()
    assert "The Lantern" not in Client().get("/").content.decode()
    response = author_client.post(f"/works/{work.pk}/post")
    assert response["Location"] == f"/works/{work.pk}"
    work.refresh_from_db()
    assert work.posted
    assert "The Lantern" in Client().get("/").content.decode()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "id_title", "required"),
        ({"title": "x" * 256}, "id_title", "at most 255"),
        ({"summary": "s" * 1251}, "id_summary", "at most 1250"),
        ({"notes": "n" * 5001}, "id_notes", "at most 5000"),
        ({"end_notes": "n" * 5001}, "id_end_notes", "at most 5000"),
        ({"fandoms": ""}, "id_fandoms", "required"),
        ({"rating": ""}, "id_rating", "required"),
        ({"archive_warnings": None}, "id_archive_warnings", "required"),
        ({"chapter_text": "too short"}, "id_chapter_text", "at least 10"),
        ({"chapter_text": "x" * 510_001}, "id_chapter_text", "at most 510,000"),
        ({"freeforms": "t" * 151}, "id_freeforms", "at most 150"),
        ({"freeforms": "a<b"}, "id_freeforms", "cannot contain"),
        ({"characters": "Star*Lord"}, "id_characters", "cannot contain"),
    ],
)
def test_limits_are_enforced_and_the_form_keeps_what_was_typed(
    author_client, overrides, field, message
):
    response = author_client.post("/works/new", form_data(**overrides))
    assert response.status_code == 400
    assert message in errors(response)[field]
    assert Work.objects.count() == 0
    page = BeautifulSoup(response.content, "html.parser")
    kept = page.find("textarea", attrs={"name": "chapter_text"}).get_text().lstrip("\n")
    assert kept == form_data(**overrides).get("chapter_text", "")
    assert page.find("input", attrs={"name": "characters"})["value"].startswith(
        form_data(**overrides)["characters"][:4]
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "x" * 255},
        {"summary": "s" * 1250},
        {"notes": "n" * 5000},
        {"chapter_text": "x" * 10},
        {"chapter_text": "x" * 510_000},
        {"freeforms": "t" * 150},
    ],
)
def test_values_at_the_limits_are_accepted(author_client, overrides):
    response = author_client.post("/works/new", form_data(**overrides))
    assert response.status_code == 302, errors(response)
    assert Work.objects.count() == 1


def test_at_most_75_tags(author_client):
    # Besides freeforms the form data carries 8 tags: 2 fandoms, 1 relationship,
    # 2 characters, 1 rating, 1 warning, 1 category.
    freeforms = ", ".join(f"Tag {n}" for n in range(68))
    response = author_client.post("/works/new", form_data(freeforms=freeforms))
    assert response.status_code == 400
    assert "76 tags" in BeautifulSoup(response.content, "html.parser").get_text()
    freeforms = ", ".join(f"Tag {n}" for n in range(67))
    response = author_client.post("/works/new", form_data(freeforms=freeforms))
    assert response.status_code == 302
    assert Work.objects.get().tags.count() == 75


def test_html_is_sanitized_and_links_get_nofollow(author_client):
    text = (
        '<p>Hello <a href="https://example.org/" onclick="x()">there</a>'
        "<script>alert(1)</script> friend.</p>"
    )
    author_client.post("/works/new", form_data(chapter_text=text))
    chapter = Chapter.objects.get()
    assert chapter.text == text  # the raw text is kept as given
    assert "<script" not in chapter.text_html and "onclick" not in chapter.text_html
    assert 'rel="nofollow"' in chapter.text_html


def test_edit_work_changes_fields_and_tags(author_client, author):
    author_client.post("/works/new", form_data())
    work = Work.objects.get()
    page = BeautifulSoup(author_client.get(f"/works/{work.pk}/edit").content, "html.parser")
    assert page.find("input", attrs={"name": "fandoms"})["value"] == "Doctor Who, Marvel"
    version = page.find("input", attrs={"name": "lock_version"})["value"]
    data = form_data(title="The Lamp", fandoms="Marvel", freeforms="Hurt/Comfort")
    data.pop("post")
    response = author_client.post(f"/works/{work.pk}/edit", {**data, "lock_version": version})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "The Lamp"
    assert [t.name for t in work.tags.filter(kind=TagKind.FANDOM)] == ["Marvel"]
    assert [t.name for t in work.tags.filter(kind=TagKind.FREEFORM)] == ["Hurt/Comfort"]


def test_chapters_add_edit_reorder_delete(author_client):
    author_client.post("/works/new", form_data())
    work = Work.objects.get()
    response = author_client.post(
        f"/works/{work.pk}/chapters/new",
        {"chapter_title": "Second", "chapter_text": "<p>The second chapter, in words.</p>"},
    )
    second = work.chapters.get(position=2)
    assert response["Location"] == f"/works/{work.pk}/chapters/{second.pk}"
    work.refresh_from_db()
    assert work.chapter_count == 2
    first = work.chapters.get(position=1)

    response = author_client.post(
        f"/works/{work.pk}/chapters/{second.pk}/edit",
        {
            "chapter_title": "Second, revised",
            "chapter_text": "<p>Fewer words now.</p>",
            "lock_version": second.lock_version,
        },
    )
    second.refresh_from_db()
    assert second.title == "Second, revised"
    work.refresh_from_db()
    assert work.word_count == first.word_count + 3

    author_client.post(
        f"/works/{work.pk}/chapters/manage",
        {"order": "2, 1"},
    )
    assert list(work.chapters.values_list("id", flat=True)) == [second.pk, first.pk]

    author_client.post(f"/works/{work.pk}/chapters/{second.pk}/delete")
    assert list(work.chapters.values_list("id", "position")) == [(first.pk, 1)]
    # The last chapter cannot be deleted: the work would be empty.
    author_client.post(f"/works/{work.pk}/chapters/{first.pk}/delete")
    assert work.chapters.count() == 1


def test_delete_work_asks_then_deletes(author_client):
    author_client.post("/works/new", form_data())
    work = Work.objects.get()
    page = author_client.get(f"/works/{work.pk}/delete").content.decode()
    assert "Are you sure" in page
    response = author_client.post(f"/works/{work.pk}/delete")
    assert response.status_code == 302
    assert not Work.objects.exists()
    assert not Chapter.objects.exists()


def _author_urls(work, chapter):
    base = f"/works/{work.pk}"
    return [
        ("get", f"{base}/edit"),
        ("post", f"{base}/edit"),
        ("get", f"{base}/delete"),
        ("post", f"{base}/delete"),
        ("get", f"{base}/preview"),
        ("post", f"{base}/post"),
        ("get", f"{base}/chapters/new"),
        ("post", f"{base}/chapters/new"),
        ("get", f"{base}/chapters/manage"),
        ("post", f"{base}/chapters/manage"),
        ("get", f"{base}/chapters/{chapter.pk}/edit"),
        ("post", f"{base}/chapters/{chapter.pk}/edit"),
        ("get", f"{base}/chapters/{chapter.pk}/delete"),
        ("post", f"{base}/chapters/{chapter.pk}/delete"),
    ]


@pytest.mark.parametrize("posted", [True, False])
def test_only_the_author_may_change_a_work(author, posted):
    work = make_work(chapters=2, posted=posted, pseud=author.pseuds.get())
    chapter = work.chapters.first()
    stranger = Client()
    stranger.force_login(make_author("stranger"))
    anonymous = Client()
    for method, url in _author_urls(work, chapter):
        response = getattr(stranger, method)(url, form_data())
        assert response.status_code == 404, (method, url)
        response = getattr(anonymous, method)(url, form_data())
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/users/login?return_to=")
    work.refresh_from_db()
    assert work.chapters.count() == 2
    assert Work.objects.filter(pk=work.pk, title=work.title).exists()
    if not posted:
        assert stranger.get(f"/works/{work.pk}").status_code == 404


def test_edit_links_only_for_the_author(author_client, author):
    author_client.post("/works/new", form_data())
    work = Work.objects.get()
    assert f"/works/{work.pk}/edit" in author_client.get("/users/author_1/works").content.decode()
    stranger = Client()
    stranger.force_login(make_author("stranger"))
    assert f"/works/{work.pk}/edit" not in stranger.get("/users/author_1/works").content.decode()


def test_forms_require_csrf(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post("/works/new", form_data()).status_code == 403
    assert not Work.objects.exists()


def test_pseud_page_lists_the_authors_posted_works(author_client):
    author_client.post("/works/new", form_data())
    author_client.post("/works/new", form_data(title="Unfinished", post=None, save_draft="1"))
    page = Client().get("/users/author_1/pseuds/author_1").content.decode()
    assert "The Lantern" in page and "Unfinished" not in page
    assert Client().get("/users/author_1").status_code == 302
    assert Client().get("/users/nobody_here").status_code == 404


def test_tag_suggestions(client):
    # Canonical: suggested before any public work has it (see tests/tags/test_tag_visibility.py).
    Tag.objects.create(name="Marvel Cinematic Universe", kind=TagKind.FANDOM, canonical=True)
    Tag.objects.create(name="Marvel", kind=TagKind.CHARACTER, canonical=True)
    data = client.get("/tags/autocomplete?kind=fandom&term=marv").json()
    assert data == {"tags": ["Marvel Cinematic Universe"]}
    assert client.get("/tags/autocomplete?kind=nope&term=marv").json() == {"tags": []}


def test_markup_too_costly_to_sanitize_is_refused(author_client):
    nested = "<div>" * 300 + "deep" + "</div>" * 300
    response = author_client.post("/works/new", form_data(chapter_text=nested))
    assert response.status_code == 400
    assert "nest more than 256 deep" in errors(response)["id_chapter_text"]
    assert not Work.objects.exists()


def test_pictures_that_cannot_show_are_left_out_and_the_author_is_told(author_client):
    text = (
        '<p>Art: <img src="https://art.example/cover.png" alt="Cover">'
        '<img src="http://art.example/old.png" alt="Old"><img src="/media/local.png"></p>'
    )
    response = author_client.post("/works/new", form_data(chapter_text=text), follow=True)
    assert response.status_code == 200
    warning = BeautifulSoup(response.content, "html.parser").select_one("ul.flash li.warning")
    assert "http://art.example/old.png" in warning.get_text()
    assert "/media/local.png" in warning.get_text()
    assert "https://art.example/cover.png" not in warning.get_text()
    chapter = Work.objects.get().chapters.get()
    # What the author typed is kept, so correcting an address later brings its picture back;
    # the page's markup holds only the picture that can show.
    assert chapter.text == text
    pictures = BeautifulSoup(chapter.text_html, "html.parser").find_all("img")
    assert [(img["src"], img["referrerpolicy"], img["loading"]) for img in pictures] == [
        ("https://art.example/cover.png", "no-referrer", "lazy")
    ]
    page = BeautifulSoup(author_client.get(f"/works/{chapter.work_id}").content, "html.parser")
    assert [img["src"] for img in page.select("#chapters img")] == ["https://art.example/cover.png"]


def test_pictures_that_show_bring_no_warning(author_client):
    text = '<p><img src="https://art.example/cover.png" alt="Cover"></p>'
    response = author_client.post("/works/new", form_data(chapter_text=text), follow=True)
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("ul.flash li.warning") is None
    assert "successfully posted" in page.select_one("ul.flash").get_text()
