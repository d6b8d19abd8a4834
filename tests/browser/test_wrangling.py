"""A wrangler in a real browser: a fandom's queue wrangled in bulk with suggestions, the
result on the tag page, then undone from the change history."""

import pytest
from playwright.sync_api import expect

from tags.models import Tag, TagKind
from tags.wrangling import TagState, wrangle
from tests.browser.test_posting_flow import fill_tag_field, log_in
from tests.factories import make_work

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrangler_merges_spellings_from_the_queue_and_undoes_it(page, live_server):
    user = log_in(page, live_server, "wrangler_browser")
    user.is_staff = user.is_superuser = True
    user.save()
    make_work(
        title="Spellings",
        tags={TagKind.FANDOM: ["MCU"], TagKind.CHARACTER: ["Natasha Romanov", "Natasha R."]},
    )
    mcu, natasha = Tag.objects.get(name="MCU"), Tag.objects.get(name="Natasha Romanov")
    wrangle(mcu, TagState(canonical=True), by=user)
    wrangle(natasha, TagState(canonical=True, parent_ids=frozenset({mcu.pk})), by=user)

    page.goto("/")
    page.get_by_role("link", name="Tag Wrangling").click()
    page.goto("/tags/MCU/wrangle")
    expect(page.locator("table.wrangling tbody tr")).to_have_count(1)  # Natasha is wrangled
    page.get_by_role("checkbox", name="Natasha R.").check()
    page.get_by_label("Make synonyms of:").check()
    target = page.get_by_label("Canonical tag to make them synonyms of")
    target.press_sequentially("Natasha Ro")
    expect(page.locator("#id_synonym_of_suggestions option")).to_have_attribute(
        "value", "Natasha Romanov"
    )
    fill_tag_field(page, target, "Natasha Romanov")
    page.get_by_role("button", name="Wrangle").click()
    expect(page.get_by_role("status")).to_have_text("Wrangled 1 tag.")
    expect(page.locator("p.empty.notice")).to_contain_text("No unwrangled characters")

    page.goto("/tags/Natasha%20Romanov")
    expect(page.locator("div.synonym.listbox a.tag")).to_have_text(["Natasha R."])
    page.goto("/tags/Natasha%20R*d*")
    assert page.url.endswith("/tags/Natasha%20Romanov")

    page.goto("/tag_wranglings/changes")
    page.get_by_role("button", name="Undo this change to Natasha R.").click()
    expect(page.get_by_role("status")).to_have_text("Undid the change to 'Natasha R.'.")
    assert Tag.objects.get(name="Natasha R.").merger_id is None
