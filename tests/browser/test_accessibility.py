"""Readers who use a keyboard, a dark theme or a screen reader: axe-core finds no serious or
critical violations on the main pages, and a multi-chapter work reads by keyboard alone."""

import os
from pathlib import Path

import pytest

from tags.models import Tag, TagKind
from tags.wrangling import TagState, wrangle
from tests.factories import make_author, make_work

AXE = Path(
    os.environ.get(
        "AXE_PATH",
        Path(__file__).resolve().parents[2] / ".data/npm/node_modules/axe-core/axe.min.js",
    )
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def axe_page(browser, live_server, request):
    """A page that can run axe-core: the site's CSP would block it, so this context alone
    bypasses CSP (the other browser tests keep it)."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not at {AXE} (make test installs it with npm)")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_main_pages_have_no_serious_accessibility_violations(axe_page, live_server):
    work = make_work(
        title="Accessible",
        summary="<p>A summary.</p>",
        chapters=3,
        tags={TagKind.FANDOM: ["Marvel"], TagKind.FREEFORM: ["Fluff"]},
    )
    user = make_author("writer_a11y", staff=True)
    user.is_superuser = True
    user.save()
    wrangle(Tag.objects.get(name="Marvel"), TagState(canonical=True), by=user)
    found = {}
    urls = [
        "/",
        f"/works/{work.pk}?view_full_work=true",
        f"/works/{work.pk}/navigate",
        "/tags/Marvel/works",
        "/tags/Marvel",
        "/works/search?work_search[query]=chapter",
        "/fandoms",
        "/users/login",
        "/users/new",
        "/about",
    ]
    for url in urls:
        axe_page.goto(url)
        if problems := serious_violations(axe_page):
            found[url] = problems
    axe_page.goto("/users/login")
    axe_page.fill("#user_login", "writer_a11y")
    axe_page.fill("#user_password", "a long passphrase")
    axe_page.click("input[type=submit][value='Log in']")
    for url in ["/works/new", "/tag_wranglings", "/tags/Fluff/edit", "/tags/Marvel/wrangle"]:
        axe_page.goto(url)
        if problems := serious_violations(axe_page):
            found[url] = problems
    assert not found


def test_a_multi_chapter_work_reads_by_keyboard_alone(page):
    work = make_work(title="Keyboard", chapters=[("One", "<p>first</p>"), ("Two", "<p>second</p>")])
    first, second = work.chapters.all()
    page.goto(f"/works/{work.pk}/chapters/{first.pk}")
    # The skip link is the first stop and takes focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    # Tab on until "Next Chapter" has focus, then follow it with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if "Next Chapter" in page.evaluate("document.activeElement.textContent || ''"):
            break
    else:
        pytest.fail("no focusable Next Chapter link")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows no focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/works/{work.pk}/chapters/{second.pk}")
    assert page.locator("#chapter-2").is_visible()


def test_dark_theme_follows_the_system_setting(browser, live_server):
    work = make_work(title="Night")
    for scheme, expected_dark in [("dark", True), ("light", False)]:
        context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"/works/{work.pk}")
        rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(part) for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3]]
        assert (sum(channels) / 3 < 128) is expected_dark, (scheme, rgb)
        context.close()


def test_filtering_a_tag_page_with_the_form(page):
    for number in range(3):
        make_work(title=f"Done {number}", tags={TagKind.FANDOM: ["Marvel"]})
    make_work(title="Ongoing", complete=False, tags={TagKind.FANDOM: ["Marvel"]})
    page.goto("/tags/Marvel/works")
    assert page.locator("li.work.blurb").count() == 4
    page.check("input[name='work_search[complete]'][value='F']")
    page.locator("#work-filters input[type=submit]").first.click()
    page.wait_for_url("**/works?**")
    titles = page.locator("li.work.blurb h4.heading a").first.text_content()
    assert page.locator("li.work.blurb").count() == 1
    assert titles == "Ongoing"
