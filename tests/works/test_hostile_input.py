"""Odd and hostile query strings and forms on every listing: a clear 4xx or an empty listing
with a notice, never a 5xx."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from listings.parameters import KIND_PARAMS
from tags.models import TagKind
from tags.wrangling import TagState, wrangle
from tests.factories import make_author, make_tag, make_work, make_wrangler

pytestmark = pytest.mark.django_db

# Unicode digits that str.isdigit() (²) or int() (٣, ５) accept, numbers past PostgreSQL's
# integer and past Python's 4,300-digit int() limit, dates at the ends of the calendar, NULs,
# which PostgreSQL text cannot hold, and plain junk.
HOSTILE = [
    "0", "999999", "-1", "²", "٣", "５", "9" * 5000, "99999999999", "2147483648", "1e3",
    "1.5", "abc", "\x00", "a\x00b", "", " ", "9999-12-31", "0001-01-01", "%", "'\"<>&",
    "x" * 5000,
]  # fmt: skip
WORK_PARAMS = [
    "page",
    "tag_id",
    *(f"work_search[{name}]" for name in [
        "other_tag_names", "excluded_tag_names", "complete", "crossover", "words_from",
        "words_to", "date_from", "date_to", "query", "language_id", "sort_column",
        "sort_direction",
    ]),
]  # fmt: skip
KIND_ID_PARAMS = [
    f"{side}_work_search[{param}][]" for side in ["include", "exclude"] for param in KIND_PARAMS
]
# Every listing parses its parameters in one place (listings.parameters): /works is walked with
# every value for every parameter, the others, which differ in what they list, with the
# values that failed before and one tag id parameter of each side.
OTHER_LISTINGS = [
    "/works/search",
    "/tags/Fluff/works",
    "/users/author/works",
    "/users/author/pseuds/author/works",
]
FAILED_BEFORE = ["0", "999999", "²", "9" * 5000, "9999-12-31", "\x00"]
OTHER_PAGES = [
    ("/tags", ["page", "query", "kind"]),
    ("/tags/autocomplete", ["kind", "term"]),
    ("/tags/Fluff", ["kind"]),
    ("/fandoms", ["page"]),
]
WRANGLER_PAGES = [
    ("/tag_wranglings", ["page", "query", "kind", "status"]),
    ("/tag_wranglings/changes", ["page"]),
    ("/tags/Marvel/wrangle", ["page", "show", "status"]),
    ("/tags/Fluff/edit", ["kind"]),
]


@pytest.fixture
def archive():
    author, wrangler = make_author("author"), make_wrangler()
    for number in range(3):
        make_work(
            title=f"Listed {number}",
            tags={TagKind.FANDOM: ["Marvel"], TagKind.FREEFORM: ["Fluff"]},
            pseud=author.pseuds.get(),
        )
    wrangle(make_tag("Marvel", TagKind.FANDOM), TagState(canonical=True), by=wrangler)
    return {"author": author, "wrangler": wrangler}


def client_for(user=None):
    # A 500 comes back as a response to count, rather than as the view's exception.
    client = Client(raise_request_exception=False)
    if user:
        client.force_login(user)
    return client


def failures(client, url, param, values=HOSTILE):
    found = []
    for value in values:
        response = client.get(url, {param: value})
        if response.status_code >= 500:
            found.append((value[:20], response.status_code))
    return found


@pytest.mark.parametrize("param", WORK_PARAMS + KIND_ID_PARAMS)
def test_all_works_never_fail_on_odd_parameters(archive, param):
    assert failures(client_for(), "/works", param) == []


@pytest.mark.parametrize(
    "param",
    WORK_PARAMS + ["include_work_search[freeform_ids][]", "exclude_work_search[fandom_ids][]"],
)
@pytest.mark.parametrize("url", OTHER_LISTINGS)
def test_other_listings_never_fail_on_odd_parameters(archive, url, param):
    assert failures(client_for(), url, param, FAILED_BEFORE) == []


@pytest.mark.parametrize("param", ["page", "tag_id", "include_work_search[freeform_ids][]"])
def test_own_listing_never_fails_on_odd_parameters(archive, param):
    assert failures(client_for(archive["author"]), "/users/author/works", param) == []


@pytest.mark.parametrize(("url", "params"), OTHER_PAGES)
def test_tag_pages_never_fail_on_odd_parameters(archive, url, params):
    client = client_for()
    assert [(param, failures(client, url, param)) for param in params] == [
        (param, []) for param in params
    ]


@pytest.mark.parametrize(("url", "params"), WRANGLER_PAGES)
def test_wrangler_pages_never_fail_on_odd_parameters(archive, url, params):
    client = client_for(archive["wrangler"])
    assert [(param, failures(client, url, param)) for param in params] == [
        (param, []) for param in params
    ]


@pytest.mark.parametrize("suffix", ["", "/works", "/edit", "/wrangle"])
def test_odd_tag_names_in_the_path_are_not_found(archive, suffix):
    client = client_for(archive["wrangler"])
    statuses = {
        value[:20]: client.get(f"/tags/{quote(value)}{suffix}").status_code
        for value in HOSTILE
        if value.strip()
    }
    assert {value: status for value, status in statuses.items() if status >= 500} == {}


@pytest.mark.parametrize("field", ["hide", "unhide", "hide_name"])
@pytest.mark.parametrize("logged_in", [False, True])
def test_hidden_tags_form_never_fails(archive, field, logged_in):
    client = client_for(archive["author"] if logged_in else None)
    found = []
    for value in HOSTILE:
        response = client.post("/preferences/hidden-tags", {field: value})
        if response.status_code >= 500:
            found.append((value[:20], response.status_code))
    assert found == []


def notices(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [item.get_text(" ", strip=True) for item in page.select(".notice li, p.notice")]


def listed(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [li["id"] for li in page.select("li.work.blurb.group")]


@pytest.mark.parametrize("url", ["/works", "/tags/Fluff/works", "/works/search"])
@pytest.mark.parametrize("param", list(KIND_PARAMS))
@pytest.mark.parametrize("tag_id", ["999999", "0"])
def test_an_unknown_tag_id_empties_the_listing_and_says_so(archive, url, param, tag_id):
    response = client_for().get(url, {f"include_work_search[{param}][]": tag_id})
    assert response.status_code == 200
    assert listed(response) == []
    assert f"There is no tag with ID {tag_id}." in " ".join(notices(response))


@pytest.mark.parametrize("param", list(KIND_PARAMS))
def test_an_unknown_excluded_tag_id_is_ignored_and_says_so(archive, param):
    response = client_for().get("/works", {f"exclude_work_search[{param}][]": "999999"})
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert "There is no tag with ID 999999" in " ".join(notices(response))


@pytest.mark.parametrize(
    "url", ["/works", "/tags", "/tags/Fluff/works", "/tag_wranglings", "/tag_wranglings/changes"]
)
@pytest.mark.parametrize("page", ["²", "٣", "9" * 5000, "0", "-1", "1.5"])
def test_an_odd_page_number_is_a_404_saying_what_pages_are(archive, url, page):
    response = client_for(archive["wrangler"]).get(url, {"page": page})
    assert response.status_code == 404
    assert "Page numbers are whole numbers from 1 to 5,000" in " ".join(notices(response))


@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_accepted(archive, name, day):
    response = client_for().get("/works", {f"work_search[{name}]": day})
    assert response.status_code == 200
    # Every work was updated between the first and last day there is.
    expected = 3 if (name, day) in {("date_from", "0001-01-01"), ("date_to", "9999-12-31")} else 0
    assert len(listed(response)) == expected


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-5", "99999999999", "ten"])
@pytest.mark.parametrize("name", ["words_from", "words_to"])
def test_an_odd_word_count_is_ignored_with_a_notice(archive, name, value):
    response = client_for().get("/works", {f"work_search[{name}]": value})
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert "is not a whole number of words" in " ".join(notices(response))


@pytest.mark.parametrize("value", ["²", "9" * 5000, "99999999999"])
def test_hiding_an_odd_tag_id_is_refused_with_a_message(archive, value):
    response = client_for().post("/preferences/hidden-tags", {"hide": value})
    assert response.status_code == 400
    assert f"'{value[:20]}' is not a tag ID." in notices(response)


def test_hiding_a_name_with_a_nul_is_refused_and_keeps_what_was_typed(archive):
    response = client_for().post("/preferences/hidden-tags", {"hide_name": "Flu\x00ff"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert "There is no tag named" in page.get_text()
    assert page.find("input", attrs={"name": "hide_name"})["value"] == "Flu\x00ff".replace(
        "\x00", "\ufffd"
    )


ID_PATHS = [
    "/works/{}",
    "/works/{}/navigate",
    "/works/1/chapters/{}",
    "/chapters/{}",
    "/tags/{}/feed.atom",
    "/downloads/{}/Title.epub",
]


@pytest.mark.parametrize("path", ID_PATHS)
def test_odd_ids_in_the_path_are_not_found(archive, path):
    client = client_for(archive["wrangler"])
    statuses = {
        value[:20]: client.get(path.format(value)).status_code
        for value in ["0", "99999999999", "9" * 5000, "²", "٣"]
    }
    assert statuses == dict.fromkeys(statuses, 404)
