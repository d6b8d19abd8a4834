"""The `AO3` client (ao3-api), pointed at a live test server, logs in and reads this archive."""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tags.models import TagKind
from tests.factories import PASSWORD, make_author, make_work

AO3 = pytest.importorskip("AO3")

pytestmark = [
    # The live server's thread sees committed rows only.
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Call to deprecated method:DeprecationWarning"),
]


@pytest.fixture
def requested(ao3_api_requests):
    """The method and path of each request the client sent (tests/conftest.py)."""
    return ao3_api_requests


def storm_work(pseud):
    return make_work(
        title="The Keeper's Log",
        pseud=pseud,
        summary="<p>A lighthouse, a storm, a landing.</p>",
        chapters=[
            ("Arrival", "<p>The boat came in at dusk.</p>"),
            ("The Storm", "<p>Rain hammered the lamp room.</p><p>Nobody slept.</p>"),
        ],
        rating="Teen And Up Audiences",
        warnings=["No Archive Warnings Apply"],
        complete=False,
        tags={
            TagKind.CATEGORY: ["F/M"],
            TagKind.FANDOM: ["Original Work"],
            TagKind.RELATIONSHIP: ["Keeper/Sailor"],
            TagKind.CHARACTER: ["The Keeper"],
            TagKind.FREEFORM: ["Storms"],
        },
    )


def test_session_logs_in_and_reads_a_work(requested):
    author = make_author("keeper")
    work = storm_work(author.pseuds.get())

    session = AO3.Session("keeper", PASSWORD)
    # It read the token from the login form, then POSTed its credentials in the query string.
    assert requested == [("GET", "/users/login"), ("POST", "/users/login")]
    assert session.is_authed

    read = AO3.Work(work.pk, session=session)

    assert read.title == "The Keeper's Log"
    assert [user.username for user in read.authors] == ["keeper"]
    assert read.rating == "Teen And Up Audiences"
    assert read.warnings == ["No Archive Warnings Apply"]
    assert read.categories == ["F/M"]
    assert read.fandoms == ["Original Work"]
    assert read.relationships == ["Keeper/Sailor"]
    assert read.characters == ["The Keeper"]
    assert read.tags == ["Storms"]
    assert read.nchapters == 2
    assert read.status == "Work in Progress"
    assert [chapter.title for chapter in read.chapters] == ["Arrival", "The Storm"]
    assert " ".join(read.chapters[1].text.split()) == "Rain hammered the lamp room. Nobody slept."
    # Pages it needs a token from carry the csrf-token meta.
    assert read.authenticity_token


def test_user_lists_an_authors_works_from_their_blurbs(requested):
    author = make_author("keeper")
    pseud = author.pseuds.get()
    storm_work(pseud)
    make_work(title="Calm", pseud=pseud, rating="Not Rated", warnings=["Major Character Death"])

    user = AO3.User("keeper")
    works = {work.title: work for work in user.get_works()}

    assert user.works == 2
    assert set(works) == {"The Keeper's Log", "Calm"}
    assert works["The Keeper's Log"].rating == "Teen And Up Audiences"
    assert works["The Keeper's Log"].categories == ["F/M"]
    assert works["The Keeper's Log"].warnings == ["No Archive Warnings Apply"]
    assert works["Calm"].rating == "Not Rated"
    assert works["Calm"].categories == ["No category"]


def test_session_with_a_wrong_password_is_refused(requested):
    make_author("keeper")

    with pytest.raises(AO3.utils.LoginError):
        AO3.Session("keeper", "wrong password")


def login_token(client):
    page = BeautifulSoup(client.get("/users/login").content, "html.parser")
    return page.find("input", {"name": "authenticity_token"})["value"]


def test_login_reads_its_fields_from_a_posts_query_string():
    make_author("keeper")
    client = Client(enforce_csrf_checks=True)
    fields = {"user[login]": "keeper", "user[password]": PASSWORD}

    # Without the token the query string logs nobody in.
    refused = client.post("/users/login?" + urlencode(fields))
    token = login_token(client)
    logged_in = client.post("/users/login?" + urlencode({**fields, "authenticity_token": token}))

    assert refused.status_code == 403
    assert logged_in.status_code == 302
    assert 'href="/users/logout"' in client.get("/").content.decode()


def test_query_string_token_counts_on_the_login_url_only():
    author = make_author("keeper")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    token = login_token(client)

    response = client.post("/users/logout?" + urlencode({"authenticity_token": token}))

    assert response.status_code == 403


def test_rails_csrf_header_is_accepted_on_script_requests():
    author = make_author("keeper")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    page = BeautifulSoup(client.get("/").content, "html.parser")
    token = page.find("meta", {"name": "csrf-token"})["content"]
    assert page.find("meta", {"name": "csrf-param"})["content"] == "authenticity_token"

    refused = client.post("/users/logout", headers={"X-CSRF-Token": "not-the-token"})
    accepted = client.post("/users/logout", headers={"X-CSRF-Token": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302


def blurb(work, client=None):
    page = BeautifulSoup((client or Client()).get("/works").content, "html.parser")
    return page.find("li", id=f"work_{work.pk}")


def symbols(item):
    """The required tags' (class, title, text) as readers' tools read them."""
    return [
        (" ".join(span["class"]), span["title"], span.get_text())
        for span in item.select("ul.required-tags > li > span")
    ]


def test_blurb_carries_aos_work_and_creator_classes():
    author = make_author("keeper")
    work = storm_work(author.pseuds.get())
    anonymous = make_work(title="Nobody's")

    classes = ["work", "blurb", "group"]
    assert blurb(work)["class"] == [*classes, f"work-{work.pk}", f"user-{author.pk}"]
    assert blurb(anonymous)["class"] == [*classes, f"work-{anonymous.pk}"]

    own = Client()
    own.force_login(author)
    page = BeautifulSoup(own.get("/users/keeper/works").content, "html.parser")
    mine = page.find("li", id=f"work_{work.pk}")
    assert mine["class"][:2] == ["own", "work"]


def test_required_tags_spans_carry_aos_symbol_classes():
    work = storm_work(None)
    several = make_work(
        rating="Explicit",
        warnings=["Creator Chose Not To Use Archive Warnings", "Major Character Death"],
        tags={TagKind.CATEGORY: ["F/F", "Gen"]},
    )
    bare = make_work(rating="General Audiences", warnings=["Graphic Depictions Of Violence"])

    assert symbols(blurb(work)) == [
        ("rating-teen rating", "Teen And Up Audiences", "Teen And Up Audiences"),
        ("warning-no warnings", "No Archive Warnings Apply", "No Archive Warnings Apply"),
        ("category-het category", "F/M", "F/M"),
        ("complete-no iswip", "Work in Progress", "Work in Progress"),
    ]
    warnings = "Creator Chose Not To Use Archive Warnings, Major Character Death"
    assert symbols(blurb(several)) == [
        ("rating-explicit rating", "Explicit", "Explicit"),
        ("warning-choosenotto warnings", warnings, warnings),
        ("category-multi category", "F/F, Gen", "F/F, Gen"),
        ("complete-yes iswip", "Complete Work", "Complete Work"),
    ]
    violence = "Graphic Depictions Of Violence"
    assert symbols(blurb(bare))[:3] == [
        ("rating-general-audience rating", "General Audiences", "General Audiences"),
        ("warning-yes warnings", violence, violence),
        ("category-none category", "No category", "No category"),
    ]


def main_class(client, url):
    response = client.get(url, follow=True)
    return BeautifulSoup(response.content, "html.parser").find("div", id="main")["class"]


def test_main_region_carries_aos_page_classes():
    author = make_author("keeper")
    work = storm_work(author.pseuds.get())
    chapter = work.chapters.order_by("position").first()
    client = Client()

    assert main_class(client, f"/works/{work.pk}?view_full_work=true") == ["works-show", "region"]
    assert main_class(client, f"/works/{work.pk}/chapters/{chapter.pk}") == [
        "chapters-show",
        "region",
    ]
    dashboard = ["works-index", "dashboard", "filtered", "region"]
    assert main_class(client, "/users/keeper/works") == dashboard
    assert main_class(client, "/users/keeper/pseuds/keeper/works") == dashboard
    assert main_class(client, "/works") == ["works-index", "region"]
    assert main_class(client, "/users/login") == ["sessions-new", "region"]


def test_every_page_has_the_csrf_token_meta():
    work = storm_work(None)
    client = Client()
    for url in ["/", "/works", f"/works/{work.pk}", "/users/login", "/works/999999"]:
        page = BeautifulSoup(client.get(url, follow=True).content, "html.parser")
        meta = page.head.find("meta", {"name": "csrf-token"})
        assert meta and meta["content"], url
