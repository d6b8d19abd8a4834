"""An author signs up, posts, extends, retags and deletes a work in a real browser."""

import io
import re

import pytest
from django.test import Client

from accounts.services import account_create
from tags.models import Tag, TagKind
from works.models import Work

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a lantern in the long dark"
DOCX_PARAGRAPHS = [
    "The keeper climbed the hundred steps before the storm arrived.",
    "Below her the sea threw itself against the rocks, again and again.",
]
# The smallest file that announces itself as a PNG image: its signature and the start of IHDR.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00"


def word_document():
    from docx import Document

    document = Document()
    document.add_heading("The Lighthouse", level=1)
    for text in DOCX_PARAGRAPHS:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def log_in(page, live_server, username):
    """Log the page in as a new author, skipping the forms (the posting flow signs up)."""
    user = account_create(username=username, password=PASSWORD)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return user


SUGGESTIONS = re.compile(r"/tags/autocomplete\?")


def fill_tag_field(page, field, value):
    """Fill a tag field and wait for the suggestions it asks for: a form submitted while
    they load aborts their fetch, which the browser fixture counts as a failed load."""
    with page.expect_response(SUGGESTIONS):
        field.fill(value)


def fill_required_work_fields(page, *, title, fandoms):
    page.fill("[name=title]", title)
    fill_tag_field(page, page.locator("[name=fandoms]"), fandoms)
    page.select_option("[name=rating]", "Teen And Up Audiences")
    page.get_by_label("No Archive Warnings Apply").check()


def field_error(page, name):
    """The error shown beside the field called `name`, in the same <dd>."""
    return page.locator("dd", has=page.locator(f"[name={name}]")).locator(".error")


def test_sign_up_post_extend_retag_and_delete_a_work(page):
    page.goto("/users/new")
    page.fill("[name=username]", "lantern_writer")
    page.fill("[name=email]", "keeper@example.org")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.get_by_role("button", name="Create Account").click()
    expect(page.get_by_role("link", name="Hi, lantern_writer!")).to_be_visible()

    page.locator("header").get_by_role("link", name="Post New Work").click()
    expect(page).to_have_url(re.compile(r"/works/new$"))
    fill_required_work_fields(page, title="The Lantern Keeper", fandoms="Lighthouse Tales")
    fill_tag_field(page, page.locator("[name=freeforms]"), "Slow Burn")
    page.select_option("[name=language]", label="Français")
    page.set_input_files(
        "[name=upload]",
        files=[
            {
                "name": "chapter.docx",
                "mimeType": "application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
                "buffer": word_document(),
            }
        ],
    )
    page.get_by_role("button", name="Preview").click()

    expect(page).to_have_url(re.compile(r"/works/\d+/preview$"))
    expect(page.get_by_role("heading", name="Preview (draft, visible only to you)")).to_be_visible()
    chapter_text = page.locator("#chapters")
    expect(chapter_text.get_by_role("heading", name="The Lighthouse")).to_be_visible()
    for paragraph in DOCX_PARAGRAPHS:
        expect(chapter_text.get_by_text(paragraph)).to_be_visible()
    work = Work.objects.get(title="The Lantern Keeper")
    assert not work.posted

    page.get_by_role("button", name="Post").click()
    expect(page).to_have_url(re.compile(rf"/works/{work.pk}$"))
    expect(page.get_by_role("status")).to_have_text("Work was successfully posted.")
    expect(page.locator("dd.language")).to_have_text("Français")
    expect(page.locator("#chapters").get_by_text(DOCX_PARAGRAPHS[1])).to_be_visible()

    page.goto(f"/works/{work.pk}/chapters/new")
    page.fill("[name=chapter_title]", "The Storm")
    page.fill("[name=chapter_text]", "The storm broke at midnight and the lamp held.")
    page.get_by_role("button", name="Post Chapter").click()
    expect(page).to_have_url(re.compile(rf"/works/{work.pk}/chapters/\d+$"))
    expect(page.get_by_role("heading", name="Chapter 2: The Storm")).to_be_visible()
    expect(page.get_by_text("The storm broke at midnight and the lamp held.")).to_be_visible()
    expect(page.locator("dd.chapters")).to_have_text("2/?")

    page.locator("dd.fandom.tags").get_by_role("link", name="Lighthouse Tales").click()
    expect(page.get_by_role("heading", name="1 - 1 of 1 Work in Lighthouse Tales")).to_be_visible()
    blurb = page.locator(f"#work_{work.pk}")
    expect(blurb.get_by_role("link", name="The Lantern Keeper")).to_be_visible()
    expect(blurb.get_by_role("link", name="Slow Burn")).to_be_visible()

    page.locator("header").get_by_role("link", name="My Works").click()
    page.get_by_label("Actions for The Lantern Keeper").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"/works/{work.pk}/edit$"))
    expect(page.locator("[name=freeforms]")).to_have_value("Slow Burn")
    fill_tag_field(page, page.locator("[name=freeforms]"), "Found Family")
    page.get_by_role("button", name="Save Changes").click()
    # A work of several chapters opens at its first chapter, as on AO3.
    expect(page).to_have_url(re.compile(rf"/works/{work.pk}/chapters/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Work was successfully updated.")
    freeforms = page.locator("dd.freeform.tags")
    expect(freeforms.get_by_role("link", name="Found Family")).to_be_visible()
    expect(freeforms.get_by_role("link", name="Slow Burn")).to_have_count(0)

    page.locator("header").get_by_role("link", name="My Works").click()
    page.get_by_label("Actions for The Lantern Keeper").get_by_role("link", name="Delete").click()
    expect(page.get_by_text("Are you sure you want to delete The Lantern Keeper")).to_be_visible()
    page.get_by_role("button", name="Yes, Delete Work").click()
    expect(page.get_by_role("status")).to_have_text("Your work The Lantern Keeper was deleted.")
    expect(page.get_by_role("link", name="The Lantern Keeper")).to_have_count(0)
    assert page.goto(f"/works/{work.pk}").status == 404


def test_form_errors_show_beside_their_fields_and_keep_what_was_typed(page, live_server):
    log_in(page, live_server, "error_prone")
    page.goto("/works/new")
    fill_required_work_fields(page, title="Too Much To Say", fandoms="Doctor Who, Marvel")
    typed = "<p>Every word of this chapter was typed by hand.</p>"
    page.fill("[name=chapter_text]", typed)
    # The textarea's maxlength stops typing at 1,250 characters; an old browser or a script
    # does not stop there, and the server must still refuse it.
    page.locator("[name=summary]").evaluate("(field, text) => { field.value = text; }", "s" * 1251)
    page.get_by_role("button", name="Post").click()

    expect(page.get_by_role("alert").first).to_contain_text("The work was not saved")
    expect(field_error(page, "summary")).to_contain_text("at most 1250 characters (it has 1251)")
    expect(page.locator("[name=title]")).to_have_value("Too Much To Say")
    expect(page.locator("[name=fandoms]")).to_have_value("Doctor Who, Marvel")
    expect(page.locator("[name=chapter_text]")).to_have_value(typed)
    expect(page.locator("[name=summary]")).to_have_value("s" * 1251)
    expect(page.locator("[name=rating]")).to_have_value("Teen And Up Audiences")
    expect(page.get_by_label("No Archive Warnings Apply")).to_be_checked()
    expect(page.locator("dd.has-error")).to_have_count(1)

    page.fill("[name=summary]", "A short summary now.")
    page.fill("[name=chapter_text]", "")
    page.set_input_files(
        "[name=upload]",
        files=[{"name": "chapter.txt", "mimeType": "text/plain", "buffer": PNG_BYTES}],
    )
    page.get_by_role("button", name="Post").click()

    expect(field_error(page, "upload")).to_contain_text("PNG image")
    expect(field_error(page, "summary")).to_have_count(0)
    expect(page.locator("[name=title]")).to_have_value("Too Much To Say")
    expect(page.locator("[name=fandoms]")).to_have_value("Doctor Who, Marvel")
    expect(page.locator("[name=summary]")).to_have_value("A short summary now.")
    assert not Work.objects.exists()


def test_tag_fields_suggest_existing_tags_of_their_kind(page, live_server):
    # Canonical, so suggested before any work carries them (tags.models visible_to).
    Tag.objects.create(name="Marvel Cinematic Universe", kind=TagKind.FANDOM, canonical=True)
    Tag.objects.create(name="Marvel Adjacent Character", kind=TagKind.CHARACTER, canonical=True)
    log_in(page, live_server, "tag_typist")
    with page.expect_response(re.compile(r"/static/js/tag-suggestions\.js$")) as script:
        page.goto("/works/new")
    assert script.value.status == 200

    fandoms = page.get_by_label("Fandoms")
    expect(fandoms).to_have_attribute("list", "id_fandoms_suggestions")
    fandoms.press_sequentially("Marv")
    options = page.locator("#id_fandoms_suggestions option")
    expect(options).to_have_count(1)
    expect(options).to_have_attribute("value", "Marvel Cinematic Universe")

    fandoms.press_sequentially(", Doct")
    expect(page.locator("#id_fandoms_suggestions option")).to_have_count(0)
