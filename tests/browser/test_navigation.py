"""A new reader finds their way: the header's entry points and search box, and a phone's
layout with no box over another, judged from the elements' geometry."""

import pytest
from django.test import Client

from tags.models import TagKind
from tests.browser.conftest import PHONE
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db(transaction=True)

TAP_TARGET = 44
# The header may take three rows of tap targets on a phone, and no more; a member's account
# links may wrap onto a fourth rather than run past the screen's edge.
PHONE_HEADER_MAX = 3 * (TAP_TARGET + 12) + 8
MEMBER_HEADER_MAX = 4 * (TAP_TARGET + 12) + 8
ENTRY_POINTS = [("Fandoms", "/fandoms"), ("Browse", "/works"), ("Search", "/works/search")]
ENTRY_POINTS += [("Tags", "/tags")]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def overlaps(a, b):
    """Whether two bounding boxes share any area (touching edges do not count)."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def line_boxes(page, selector):
    """The boxes of each line of every element matching `selector` (an inline element that
    wraps has one per line: its bounding box alone would cover the lines between)."""
    return page.eval_on_selector_all(
        selector,
        """els => els.map(el => Array.from(el.getClientRects()).map(r => (
            {x: r.x, y: r.y, width: r.width, height: r.height})))""",
    )


def test_each_header_entry_point_leads_to_its_page(page):
    make_work(title="Lantern Keeper", tags={TagKind.FANDOM: ["Lighthouses"]})
    for label, path in ENTRY_POINTS:
        page.goto("/")
        page.locator("#header ul.primary").get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"**{path}")
        assert page.locator("#main h2.heading").first.is_visible(), label
    page.goto("/")
    page.get_by_role("link", name="More works").click()
    page.wait_for_url("**/works")


def test_the_header_search_box_searches_works(page):
    make_work(title="Lantern Keeper", chapters=[("One", "<p>The lantern swung in the dark.</p>")])
    make_work(title="Harbour Master", chapters=[("One", "<p>Ships came and went.</p>")])
    page.goto("/tags")
    page.fill("#site_search", "lantern")
    page.press("#site_search", "Enter")
    page.wait_for_url("**/works/search?**")
    assert "work_search%5Bquery%5D=lantern" in page.url
    titles = page.locator("li.work.blurb h4.heading a").all_text_contents()
    assert "Lantern Keeper" in titles
    assert "Harbour Master" not in titles


def test_the_footer_links_to_the_about_and_contact_pages(page):
    for label, path in [("About", "/about"), ("Contact", "/contact")]:
        page.goto("/")
        page.locator("#footer").get_by_role("link", name=label).click()
        page.wait_for_url(f"**{path}")
        # Made again after every emptied test database, so an earlier test cannot lose it.
        assert label in page.locator("#main h2.heading").text_content()


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_the_phone_header_is_compact_with_full_size_tap_targets(phone, live_server, signed_in):
    if signed_in:
        log_in(phone, live_server, make_author("a_reader_with_a_long_name"))
    phone.goto("/")
    header = phone.locator("#header").bounding_box()
    assert header["height"] <= (MEMBER_HEADER_MAX if signed_in else PHONE_HEADER_MAX), header
    # Every account link shows whole, none cut off at the screen's right edge.
    for link in phone.locator("#header ul.user a").all():
        if link.is_visible():
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.text_content()
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], "the page scrolls sideways"
    targets = phone.locator("#header a, #header input, #footer a")
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        if box is None:  # hidden on phones (the greeting)
            continue
        assert box["height"] >= TAP_TARGET, (targets.nth(index).text_content(), box)
    # Every entry point is reachable, scrolled to if its row is wider than the screen.
    for label, _path in ENTRY_POINTS:
        link = phone.locator("#header ul.primary").get_by_role("link", name=label, exact=True)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], label


def test_a_phone_blurb_keeps_its_date_off_the_byline(phone):
    make_work(
        title="A title long enough to run across the whole width of a phone screen",
        tags={TagKind.FANDOM: ["Lighthouses"]},
    )
    phone.goto("/works")
    date = phone.locator("li.blurb p.datetime").first.bounding_box()
    heading_lines = line_boxes(phone, "li.blurb .header h4.heading a")
    fandom_lines = line_boxes(phone, "li.blurb .header h5.fandoms a")
    for line in [box for boxes in heading_lines + fandom_lines for box in boxes]:
        assert not overlaps(date, line), (date, line)
    blurb = phone.locator("li.blurb").first.bounding_box()
    assert date["x"] + date["width"] <= blurb["x"] + blurb["width"]


def test_a_phone_work_page_keeps_each_stat_on_one_line(phone):
    work = make_work(title="Stats", chapters=3, tags={TagKind.FANDOM: ["Lighthouses"]})
    phone.goto(f"/works/{work.pk}")
    pairs = phone.eval_on_selector_all(
        "dl.work.meta dl.stats > dt",
        """dts => dts.map(dt => {
            const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(),
                b = dd.getBoundingClientRect();
            return {name: dt.textContent, value: dd.textContent, dt: a.top, dd: b.top,
                    lines: dd.getClientRects().length};
        })""",
    )
    names = [pair["name"] for pair in pairs]
    assert names[0] == "Published:" and "Words:" in names and "Hits:" in names
    for pair in pairs:
        # The value starts on its name's line and does not wrap itself.
        assert abs(pair["dt"] - pair["dd"]) < 2, pair
        assert pair["lines"] == 1, pair
    meta = phone.locator("dl.work.meta").bounding_box()
    stats = phone.locator("dl.work.meta dl.stats").bounding_box()
    # A short work's meta box takes well under a screen, its stats a few lines.
    assert meta["height"] < PHONE["height"] / 2, meta
    assert stats["height"] < 4 * 30, stats
