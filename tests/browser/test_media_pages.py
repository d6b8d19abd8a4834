"""The language and media pages in a browser: no serious axe violations, nothing wider than
a phone's screen, and a wrangler choosing a fandom's medium from the edit form."""

import pytest

from tags.models import Medium, Tag, TagKind
from tags.wrangling import TagState, wrangle
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import axe_page, serious_violations  # noqa: F401
from tests.browser.test_posting_flow import log_in
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/languages",
    "/languages/fr/works",
    "/media",
    "/media/TV%20Shows/fandoms",
    "/media/Theater/fandoms",
]


@pytest.fixture
def archive():
    make_work(title="Histoire", language="fr", tags={TagKind.FANDOM: ["Les Misérables"]})
    make_work(title="Story", tags={TagKind.FANDOM: ["Doctor Who"]})
    # A superuser: a transactional test's flush drops the Wranglers group the migration made.
    wrangler = make_author("media_wrangler", staff=True)
    wrangler.is_superuser = True
    wrangler.save(update_fields=["is_superuser"])
    wrangle(Tag.objects.get(name="Doctor Who"), TagState(medium=Medium.TV), by=wrangler)


def test_language_and_media_pages_pass_axe(axe_page, archive):  # noqa: F811
    found = {}
    for url in PAGES:
        axe_page.goto(url)
        if problems := serious_violations(axe_page):
            found[url] = problems
    assert not found


def test_language_and_media_pages_fit_a_phone(phone, archive):
    for url in PAGES:
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (url, width)


def test_a_wrangler_picks_a_medium_from_the_edit_form(page, live_server, archive):
    user = log_in(page, live_server, "picker")
    user.is_staff = user.is_superuser = True
    user.save()
    page.goto("/tags/Les%20Mis%C3%A9rables/edit")
    page.select_option("select[name=medium]", label="Books & Literature")
    page.click("input[type=submit][value='Save Changes']")
    page.goto("/media/Books%20*a*%20Literature/fandoms")
    links = page.locator("ol.alphabet.fandom.index.group a.tag")
    assert links.all_text_contents() == ["Les Misérables"]
