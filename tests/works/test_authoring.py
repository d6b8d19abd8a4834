"""What an author sees of their own work: its links, its preview, a one-shot's Edit page,
uncounted visits, and a Word document's centred paragraphs."""

import io

import docx
import pytest
from bs4 import BeautifulSoup
from django.test import Client
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tags.models import TagKind
from tests.factories import make_author, make_work
from tests.works.test_posting import form_data
from works.hits import counter as hit_counter
from works.models import Chapter, Work

pytestmark = pytest.mark.django_db


def page_of(response):
    return BeautifulSoup(response.content, "html.parser")


def own_links(response):
    links = page_of(response).select("ul.own.work.actions a")
    return {link.get_text(): link["href"] for link in links}


def authored(author, **fields):
    """A work by `author`, with the fandom its Edit form requires."""
    fandom = {TagKind.FANDOM: ["Lantern Keepers"]}
    return make_work(pseud=author.pseuds.get(), tags=fandom, **fields)


@pytest.fixture
def own_work(author):
    return authored(author, title="The Lantern", chapters=2)


def test_the_author_sees_edit_add_chapter_and_delete_on_their_work(author_client, own_work):
    chapter = own_work.chapters.get(position=2)
    response = author_client.get(chapter.get_absolute_url())
    assert response.status_code == 200
    work_id = own_work.pk
    assert own_links(response) == {
        "Edit": f"/works/{work_id}/edit",
        "Add Chapter": f"/works/{work_id}/chapters/new",
        "Edit Chapter": f"/works/{work_id}/chapters/{chapter.pk}/edit",
        "Delete": f"/works/{work_id}/delete",
    }
    response = author_client.get(f"/works/{work_id}?view_full_work=true")
    assert set(own_links(response)) == {"Edit", "Add Chapter", "Delete"}


def test_others_see_no_links_to_change_the_work_though_the_body_is_cached(author_client, own_work):
    url = f"/works/{own_work.pk}?view_full_work=true"
    stranger = Client()
    stranger.force_login(make_author("stranger"))
    # Each order of visits: the body cached by the first serves the second.
    assert own_links(author_client.get(url))
    assert own_links(stranger.get(url)) == {}
    assert own_links(Client().get(url)) == {}
    assert f"/works/{own_work.pk}/edit" not in Client().get(url).content.decode()
    other = make_work(pseud=make_author("someone").pseuds.get())
    assert own_links(Client().get(f"/works/{other.pk}")) == {}
    assert own_links(author_client.get(f"/works/{other.pk}")) == {}
    # The actions themselves stay the creators' own.
    assert stranger.get(f"/works/{own_work.pk}/edit").status_code == 404
    assert stranger.post(f"/works/{own_work.pk}/delete").status_code == 404
    assert Work.objects.filter(pk=own_work.pk).exists()


def test_preview_shows_the_beginning_and_end_notes(author_client):
    data = form_data(
        notes="<p>Written for the lantern exchange.</p>",
        end_notes="<p>Thanks for reading!</p>",
        post=None,
        preview="Preview",
    )
    author_client.post("/works/new", data)
    work = Work.objects.get()
    page = page_of(author_client.get(f"/works/{work.pk}/preview"))
    notes = page.select_one("#workskin .preface .notes.module blockquote.userstuff")
    assert notes.get_text() == "Written for the lantern exchange."
    end_notes = page.select_one("#workskin .afterword #work_endnotes.end.notes.module")
    assert end_notes.blockquote.get_text() == "Thanks for reading!"
    # The work page shows them in the same markup.
    page = page_of(author_client.get(f"/works/{work.pk}"))
    assert page.select_one("#work_endnotes blockquote").get_text() == "Thanks for reading!"


def edit_data(page):
    """What the Edit page's form sends as it stands, as a browser would send it."""
    form = page.find("form", id="work-form")
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "textarea":
            # A browser drops the newline Django writes after <textarea>.
            data[name] = field.get_text().removeprefix("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data[name] = field.get("value", "")
    return data


def test_a_one_shots_text_is_edited_on_its_edit_page(author_client, author):
    work = authored(
        author, title="The Lantern", chapters=[("", "<p>The first words of the one-shot.</p>")]
    )
    page = page_of(author_client.get(f"/works/{work.pk}/edit"))
    assert edit_data(page)["chapter_text"] == "<p>The first words of the one-shot.</p>"
    data = edit_data(page)
    data["chapter_text"] = "<p>New words, and more of them than before.</p>"
    data["title"] = "The Lantern, Revised"
    response = author_client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 302
    chapter = Chapter.objects.get(work=work)
    assert chapter.text_html == "<p>New words, and more of them than before.</p>"
    work.refresh_from_db()
    assert (work.title, work.word_count) == ("The Lantern, Revised", 8)
    assert "more of them" in author_client.get(f"/works/{work.pk}").content.decode()
    # The same form again was opened before that save: refused, the text kept in it.
    data["chapter_text"] = "<p>Overwriting what was just saved.</p>"
    response = author_client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 409
    chapter.refresh_from_db()
    assert "New words" in chapter.text
    assert edit_data(page_of(response))["chapter_text"] == data["chapter_text"]


def test_a_one_shots_text_is_checked_like_a_chapters(author_client, author):
    work = authored(author)
    data = edit_data(page_of(author_client.get(f"/works/{work.pk}/edit")))
    data["chapter_text"] = "too short"
    response = author_client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 400
    error = page_of(response).find("div", id="id_chapter_text_error")
    assert "at least 10" in error.get_text()
    assert "told in words" in Chapter.objects.get(work=work).text


def test_a_work_of_chapters_is_edited_without_its_text(author_client, own_work):
    page = page_of(author_client.get(f"/works/{own_work.pk}/edit"))
    assert page.find("textarea", attrs={"name": "chapter_text"}) is None
    data = edit_data(page)
    data["title"] = "Retitled"
    assert author_client.post(f"/works/{own_work.pk}/edit", data).status_code == 302
    own_work.refresh_from_db()
    assert own_work.title == "Retitled"
    assert own_work.chapters.count() == 2


def test_a_one_shot_form_sent_after_a_chapter_was_added_is_refused(author_client, author):
    work = authored(author)
    data = edit_data(page_of(author_client.get(f"/works/{work.pk}/edit")))
    text = {"chapter_title": "", "chapter_text": "<p>A second chapter's words.</p>"}
    author_client.post(f"/works/{work.pk}/chapters/new", text)
    data["chapter_text"] = "<p>Edited as if it were still a one-shot.</p>"
    assert author_client.post(f"/works/{work.pk}/edit", data).status_code == 409
    assert "told in words" in work.chapters.get(position=1).text


def test_the_authors_own_visits_are_not_hits(author_client, author, own_work):
    hit_counter.flush()
    chapter = own_work.chapters.get(position=1)
    author_client.get(chapter.get_absolute_url())
    author_client.get(f"/works/{own_work.pk}?view_full_work=true")
    hit_counter.flush()
    own_work.refresh_from_db()
    assert own_work.hits == 0
    reader = Client()
    reader.force_login(make_author("reader"))
    reader.get(chapter.get_absolute_url())
    Client(REMOTE_ADDR="198.51.100.7").get(chapter.get_absolute_url())
    hit_counter.flush()
    own_work.refresh_from_db()
    assert own_work.hits == 2


def centred_document():
    document = docx.Document()
    document.add_heading("The Lantern", level=1)
    document.add_paragraph("It was a dark and stormy night.")
    document.add_paragraph("* * *").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("Morning came.").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    buffer.name = "lantern.docx"
    return buffer


def test_a_centred_paragraph_of_a_word_document_stays_centred(author_client):
    data = form_data(chapter_text="", upload=centred_document())
    response = author_client.post("/works/new", data)
    assert response.status_code == 302
    chapter = Chapter.objects.get()
    assert chapter.text_html == (
        "<h1>The Lantern</h1><p>It was a dark and stormy night.</p>"
        '<p class="center">* * *</p><p>Morning came.</p>'
    )
    page = page_of(author_client.get(chapter.work.get_absolute_url()))
    centred = page.select("#workskin .userstuff p.center")
    assert [p.get_text() for p in centred] == ["* * *"]


def test_the_sanitizer_keeps_only_the_centring_class_on_paragraphs(author_client):
    text = '<p class="center">Centred.</p><p class="evil center">Also.</p><p class="x">No.</p>'
    author_client.post("/works/new", form_data(chapter_text=text))
    assert Chapter.objects.get().text_html == (
        '<p class="center">Centred.</p><p class="center">Also.</p><p>No.</p>'
    )
