"""Pseuds and co-creators in a real browser: an author makes a pseud and invites a
co-creator, who accepts with JavaScript off; the new pages pass axe-core."""

import pytest
from django.test import Client

from accounts.services import account_create
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import axe_page, serious_violations  # noqa: F401
from tests.factories import make_work
from works.invitations import CoCreatorInvitation

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a lantern in the long dark"


def log_in(context, live_server, username):
    user = account_create(username=username, password=PASSWORD)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return user


def test_a_pseud_and_a_co_creator_end_to_end(page, browser, live_server):
    author = log_in(page.context, live_server, "lamp_keeper")
    work = make_work(title="The Shared Lantern", pseud=author.pseuds.get())
    page.goto("/users/lamp_keeper/works")
    page.get_by_role("link", name="Pseuds").click()
    page.get_by_role("link", name="New Pseud").click()
    page.get_by_label("Name").fill("Night Keeper")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".flash")).to_contain_text("Pseud Night Keeper was successfully created.")
    expect(page.locator("li.pseud h4 a")).to_have_text(["lamp_keeper", "Night Keeper"])

    guest_context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    guest_context.set_default_timeout(TIMEOUT_MS)
    guest = guest_context.new_page()
    log_in(guest_context, live_server, "tide_watcher")

    page.goto(f"/works/{work.pk}/edit")
    page.get_by_label("Invite a co-creator by username").fill("tide_watcher")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".flash")).to_contain_text("tide_watcher was invited")
    expect(page.locator("#cocreators")).to_contain_text("Waiting for an answer: tide_watcher")

    guest.goto("/users/tide_watcher/works")
    guest.get_by_role("link", name="Co-Creator Requests").click()
    expect(guest.locator("li.creatorship h4 a")).to_have_text("The Shared Lantern")
    guest.get_by_role("button", name="Accept").click()
    expect(guest.locator(".flash")).to_contain_text(
        "You are now a co-creator of The Shared Lantern"
    )
    guest.goto(f"/works/{work.pk}")
    expect(guest.locator("h3.byline a[rel=author]")).to_have_text(["lamp_keeper", "tide_watcher"])
    guest.goto(f"/works/{work.pk}/edit")
    expect(guest.locator("h2.heading")).to_contain_text("Edit Work")
    guest_context.close()


def test_the_new_pages_have_no_serious_accessibility_violations(axe_page, live_server):  # noqa: F811
    author = log_in(axe_page.context, live_server, "lamp_keeper")
    work = make_work(title="The Shared Lantern", pseud=author.pseuds.get())
    inviter = account_create(username="tide_watcher", password=PASSWORD)
    theirs = make_work(title="Their Tide", pseud=inviter.pseuds.get())
    CoCreatorInvitation.objects.create(work=theirs, invitee=author, inviter=inviter)
    CoCreatorInvitation.objects.create(work=work, invitee=inviter, inviter=author)
    found = {}
    urls = [
        "/users/lamp_keeper/pseuds",
        "/users/lamp_keeper/pseuds/new",
        "/users/lamp_keeper/pseuds/lamp_keeper/edit",
        "/users/lamp_keeper/profile",
        "/users/lamp_keeper/creatorships",
        f"/works/{work.pk}/edit",
    ]
    for url in urls:
        axe_page.goto(url)
        if problems := serious_violations(axe_page):
            found[url] = problems
    assert not found
