"""Pictures in works, on other sites over https as on AO3, show with no CSP violation."""

import pytest

from tests.factories import make_work

pytestmark = pytest.mark.django_db(transaction=True)

# No picture server speaks TLS here: the browser's request for it is answered by Playwright,
# which only sees requests the page's policy let through.
PICTURE = "https://127.0.0.1:8169/art/cover.png"
# One red pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


def test_an_https_picture_in_a_chapter_shows_without_a_policy_violation(page):
    work = make_work(
        chapters=[
            ("", f'<p>Art by a friend:</p><p><img src="{PICTURE}" alt="The cover"></p>'),
        ]
    )
    requested = []

    def answer(route):
        requested.append(route.request.url)
        route.fulfill(status=200, body=PNG, content_type="image/png")

    page.route("https://127.0.0.1:8169/**", answer)
    page.goto(f"/works/{work.pk}")

    picture = page.locator("#chapters img")
    assert picture.count() == 1
    assert picture.get_attribute("src") == PICTURE
    assert picture.get_attribute("alt") == "The cover"
    assert picture.get_attribute("referrerpolicy") == "no-referrer"
    assert picture.get_attribute("loading") == "lazy"
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    assert requested == [PICTURE]
    # The page's problems (CSP violations among them) are checked by the conftest's hook.
