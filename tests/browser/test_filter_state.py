"""Filter state in a real browser: an exclusion survives pressing "Sort and Filter" twice, and
the Work Search form sends AO3's parameters and shows them again."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tags.models import Tag, TagKind
from tests.factories import make_work

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shelf():
    """Five works with Fluff, three of them with Angst too, and two with neither."""
    for number in range(5):
        freeforms = ["Fluff", "Angst"] if number < 3 else ["Fluff"]
        make_work(title=f"Lantern {number}", tags={TagKind.FREEFORM: freeforms})
    make_work(title="Harbour 1", language="fr", chapters=2)
    make_work(title="Harbour 2", chapters=[("", "<p>" + "word " * 2000 + "</p>")])


def heading(page):
    return page.locator("#main h2.heading").first.inner_text()


def test_an_exclusion_holds_through_two_submits(page, shelf):
    angst = Tag.objects.get(name="Angst")
    exclude = f"#work-filters input[name='exclude_work_search[freeform_ids][]'][value='{angst.pk}']"
    page.goto("/works")
    assert heading(page).startswith("1 - 7 of 7 Works")

    page.locator(exclude).check()
    page.locator("#work-filters input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"exclude_work_search"))
    assert heading(page).startswith("1 - 4 of 4 Works")
    # No listed work has Angst, so no count is offered for it; its box stays, ticked.
    expect(page.locator(exclude)).to_be_checked()
    expect(page.locator(".in-effect li")).to_have_text("Excluding Angst Remove exclusion of Angst")

    page.locator("#work-filters input[type=submit]").first.click()
    page.wait_for_load_state()
    assert heading(page).startswith("1 - 4 of 4 Works")
    expect(page.locator(exclude)).to_be_checked()
    query = parse_qs(urlsplit(page.url).query)
    assert query["exclude_work_search[freeform_ids][]"] == [str(angst.pk)]

    page.locator(".in-effect a").click()
    page.wait_for_load_state()
    assert heading(page).startswith("1 - 7 of 7 Works")
    expect(page.locator(exclude)).not_to_be_checked()


def test_the_filters_link_jumps_to_the_sidebar_on_a_phone(page, shelf):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/works")
    link = page.get_by_role("link", name="Filters", exact=True)
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#work-filters")).to_be_in_viewport()


def test_the_search_form_sends_ao3s_parameters(page, shelf):
    page.goto("/works/search")
    form = page.locator("form#work-search")
    form.get_by_label("Any Field").fill("lantern")
    form.get_by_label("Word Count").fill("<1000")
    form.get_by_label("Date Updated").fill("< 2 weeks")
    form.get_by_label("Additional Tags").fill("Fluff")
    form.get_by_label("Language").select_option("en")
    form.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"work_search"))

    query = parse_qs(urlsplit(page.url).query)
    assert query["work_search[query]"] == ["lantern"]
    assert query["work_search[word_count]"] == ["<1000"]
    assert query["work_search[revised_at]"] == ["< 2 weeks"]
    assert query["work_search[freeform_names]"] == ["Fluff"]
    assert query["work_search[language_id]"] == ["en"]
    expect(page.locator("#main h2.heading")).to_have_text("Search Results")
    expect(page.locator("#main h3.heading").first).to_have_text("5 Found")
    expect(page.locator("#main > h4.heading")).to_contain_text("You searched for: lantern")
    expect(page.locator("li.work.blurb.group")).to_have_count(5)
    # The form below the results holds the search, ready to edit.
    expect(form.get_by_label("Word Count")).to_have_value("<1000")
    expect(form.get_by_label("Language")).to_have_value("en")

    form.get_by_label("Any Field").fill("")
    form.get_by_label("Additional Tags").fill("")
    form.get_by_label("Word Count").fill(">1000")
    form.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.locator("#main h3.heading").first).to_have_text("1 Found")
    expect(page.locator("li.work.blurb.group h4.heading a").first).to_have_text("Harbour 2")
