"""Pages of listings: a page past the end names the real last page, before the cap does."""

import pytest
from bs4 import BeautifulSoup
from django.http import Http404
from django.test import RequestFactory

from archive import pagination
from tests.factories import make_work
from works.models import Work

pytestmark = pytest.mark.django_db


def reason(works, page, **kwargs):
    request = RequestFactory().get("/works", {"page": page})
    with pytest.raises(Http404) as refused:
        pagination.paginate(request, works, **kwargs)
    return str(refused.value)


@pytest.fixture
def five_works():
    for number in range(5):
        make_work(title=f"Work {number}")
    return Work.objects.order_by("pk")


def test_a_page_past_the_end_names_the_last_page(five_works):
    assert reason(five_works, "9999", per_page=2) == (
        "Page 9,999 is past the end: this listing's last page is 3."
    )
    assert reason(five_works, "4", per_page=2).endswith("last page is 3.")


def test_past_the_cap_asks_for_narrower_filters(five_works, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGE", 2)
    assert "narrow the filters" in reason(five_works, "3", per_page=1)
    assert reason(five_works, "9", per_page=1).endswith("last page is 5.")
    assert pagination.paginate(RequestFactory().get("/", {"page": "2"}), five_works, 1).number == 2


@pytest.mark.parametrize("raw", ["0", "abc", "-1", "٣", "1" * 20])
def test_a_page_that_is_not_a_number_says_so(five_works, raw):
    assert "is not a page here" in reason(five_works, raw)


def test_the_404_page_of_a_short_listing_names_its_last_page(client, five_works, settings):
    settings.DEBUG = False
    response = client.get("/works?page=9999")
    assert response.status_code == 404
    text = BeautifulSoup(response.content, "html.parser").find(id="main").get_text(" ")
    assert "last page is 1." in text
    assert "Listings stop" not in text
