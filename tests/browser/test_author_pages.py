"""An author's own pages in a real browser: their work's links, a draft chapter's preview and
a one-shot's Edit page, at desktop and phone widths, with no browser problems or serious axe
violations."""

import os
from pathlib import Path

import pytest
from django.test import Client

from accounts.services import account_create
from tags.models import TagKind
from tests.browser.test_accessibility import AXE, serious_violations
from tests.factories import make_work
from works import services
from works.services import ChapterText

pytestmark = pytest.mark.django_db(transaction=True)

# Set to a directory to keep a screenshot of each page at each width.
SCREENSHOTS = os.environ.get("AUTHOR_SCREENSHOTS")
WIDTHS = {"desktop": 1280, "phone": 390}


def logged_in_context(browser, live_server, user, *, width, bypass_csp=False):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
    )
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    return context


@pytest.fixture
def author_pages():
    user = account_create(username="lantern_author", password="a lantern in the long dark")
    pseud = user.pseuds.get()
    fandom = {TagKind.FANDOM: ["Lantern Keepers"]}
    serial = make_work(
        title="The Lantern",
        chapters=[("Arrival", '<p>The keeper came.</p><p class="center">* * *</p>')],
        pseud=pseud,
        tags=fandom,
        notes="<p>For the exchange.</p>",
    )
    (draft,) = services.chapter_add(
        serial,
        chapters=[ChapterText("Secrets", "<p>What the keeper never told.</p>")],
        posted=False,
    )
    one_shot = make_work(title="Brief Light", pseud=pseud, tags=fandom)
    urls = {
        "work": f"/works/{serial.pk}/chapters/{serial.chapters.get(position=1).pk}",
        "chapter-preview": f"/works/{serial.pk}/chapters/{draft.pk}/preview",
        "chapter-new": f"/works/{serial.pk}/chapters/new",
        "one-shot-edit": f"/works/{one_shot.pk}/edit",
    }
    return user, urls


@pytest.mark.parametrize("width", WIDTHS)
def test_author_pages_show_their_actions_without_overlap(browser, live_server, author_pages, width):
    user, urls = author_pages
    context = logged_in_context(browser, live_server, user, width=WIDTHS[width])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    for name, url in urls.items():
        page.goto(url)
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.goto(urls["work"])
    links = page.locator("ul.own.work.actions a")
    assert links.all_inner_texts() == ["Edit", "Add Chapter", "Edit Chapter", "Delete"]
    boxes = [link.bounding_box() for link in links.all()]
    for first, second in zip(boxes, boxes[1:], strict=False):
        # Side by side or wrapped below, never on top of each other.
        assert (
            first["x"] + first["width"] <= second["x"]
            or first["y"] + first["height"] <= (second["y"])
        )
    assert max(box["x"] + box["width"] for box in boxes) <= WIDTHS[width]
    centred = page.locator("#workskin .userstuff p.center")
    assert centred.evaluate("p => getComputedStyle(p).textAlign") == "center"
    page.goto(urls["chapter-preview"])
    page.click("input[type=submit][value='Post Chapter']")
    assert "What the keeper never told" in page.locator("#chapters").inner_text()
    assert page.locator(".draft").count() == 0
    context.close()
    assert errors == []


def test_author_pages_have_no_serious_accessibility_violations(browser, live_server, author_pages):
    if not AXE.is_file():
        pytest.skip(f"axe-core is not at {AXE} (make test installs it with npm)")
    user, urls = author_pages
    context = logged_in_context(browser, live_server, user, width=1280, bypass_csp=True)
    page = context.new_page()
    found = {}
    for url in urls.values():
        page.goto(url)
        if problems := serious_violations(page):
            found[url] = problems
    context.close()
    assert found == {}
