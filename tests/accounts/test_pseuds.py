"""Accounts make, rename and delete their pseuds at AO3's URLs, and only their own."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from accounts.models import Pseud
from tests.factories import logged_in, make_author, make_work

pytestmark = pytest.mark.django_db


def names(user):
    return sorted(user.pseuds.values_list("name", flat=True))


@pytest.fixture
def owner():
    return make_author("owner_1")


@pytest.fixture
def other():
    return make_author("other_1")


def test_the_index_lists_an_accounts_pseuds_with_controls_for_it_only(owner, other):
    Pseud.objects.create(user=owner, name="Night Owl")
    page = BeautifulSoup(logged_in(owner).get("/users/owner_1/pseuds").content, "html.parser")
    assert [a.get_text() for a in page.select("li.pseud h4 a")] == ["owner_1", "Night Owl"]
    assert page.select_one('a[href="/users/owner_1/pseuds/new"]')
    assert page.select_one('a[href="/users/owner_1/pseuds/Night%20Owl/delete"]')
    # The default pseud has no delete link.
    assert not page.select_one('a[href="/users/owner_1/pseuds/owner_1/delete"]')
    response = logged_in(other).get("/users/owner_1/pseuds")
    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert len(page.select("li.pseud")) == 2
    assert not page.select('a[href^="/users/owner_1/pseuds/"][href$="/delete"]')
    assert not page.select('a[href$="/edit"], a[href="/users/owner_1/pseuds/new"]')


def test_creating_a_pseud(owner):
    client = logged_in(owner)
    assert client.get("/users/owner_1/pseuds/new").status_code == 200
    response = client.post("/users/owner_1/pseuds/new", {"name": "  Night   Owl "})
    assert response.status_code == 302
    assert response["Location"] == "/users/owner_1/pseuds"
    assert names(owner) == ["Night Owl", "owner_1"]
    assert not Pseud.objects.get(name="Night Owl").is_default
    # Its page is the pseud's works.
    assert client.get("/users/owner_1/pseuds/Night%20Owl").status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("night owl", "You already have a pseud called"),
        ("OWNER_1", "You already have a pseud called"),
        ("", "This field is required."),
        ("x" * 41, "at most 40 characters"),
        ("a/b", "letters, numbers, spaces, underscores and hyphens"),
        ("-dash", "must begin and end with a letter or number"),
        ("New", "A pseud cannot be called"),
    ],
)
def test_a_pseud_name_is_refused_with_a_reason(owner, name, message):
    Pseud.objects.create(user=owner, name="Night Owl")
    response = logged_in(owner).post("/users/owner_1/pseuds/new", {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert names(owner) == ["Night Owl", "owner_1"]


def test_two_accounts_may_use_the_same_pseud_name(owner, other):
    Pseud.objects.create(user=other, name="Night Owl")
    response = logged_in(owner).post("/users/owner_1/pseuds/new", {"name": "Night Owl"})
    assert response.status_code == 302
    assert names(owner) == ["Night Owl", "owner_1"]


def test_renaming_a_pseud_renames_its_bylines(owner):
    pseud = Pseud.objects.create(user=owner, name="Night Owl")
    work = make_work(title="Owl Work", pseud=pseud)
    client = logged_in(owner)
    page = BeautifulSoup(
        client.get("/users/owner_1/pseuds/Night%20Owl/edit").content, "html.parser"
    )
    assert page.find("input", attrs={"name": "name"})["value"] == "Night Owl"
    response = client.post("/users/owner_1/pseuds/night%20owl/edit", {"name": "Day Owl"})
    assert response.status_code == 302
    pseud.refresh_from_db()
    assert pseud.name == "Day Owl"
    page = BeautifulSoup(Client().get(f"/works/{work.pk}").content, "html.parser")
    byline = page.select_one("h3.byline a[rel=author]")
    assert (byline.get_text(), byline["href"]) == ("Day Owl", "/users/owner_1/pseuds/Day%20Owl")
    # Only the case of its own name changes: that is no clash with itself.
    response = client.post("/users/owner_1/pseuds/Day%20Owl/edit", {"name": "day owl"})
    assert response.status_code == 302
    assert names(owner) == ["day owl", "owner_1"]


def test_renaming_to_another_pseuds_name_is_refused(owner):
    Pseud.objects.create(user=owner, name="Night Owl")
    response = logged_in(owner).post("/users/owner_1/pseuds/Night%20Owl/edit", {"name": "Owner_1"})
    assert response.status_code == 400
    assert "You already have a pseud called" in response.content.decode()
    assert names(owner) == ["Night Owl", "owner_1"]


def test_deleting_a_pseud_moves_its_works_to_the_default_pseud(owner):
    pseud = Pseud.objects.create(user=owner, name="Night Owl")
    default = owner.pseuds.get(is_default=True)
    alone = make_work(title="By Night Owl", pseud=pseud)
    both = make_work(title="By both", pseud=pseud)
    both.pseuds.add(default)
    client = logged_in(owner)
    assert client.get("/users/owner_1/pseuds/Night%20Owl/delete").status_code == 200
    response = client.post("/users/owner_1/pseuds/Night%20Owl/delete")
    assert response.status_code == 302
    assert names(owner) == ["owner_1"]
    assert list(alone.pseuds.all()) == [default]
    assert list(both.pseuds.all()) == [default]
    page = BeautifulSoup(Client().get("/users/owner_1/works").content, "html.parser")
    assert {h4.a.get_text() for h4 in page.select("li.work h4.heading")} == {
        "By Night Owl",
        "By both",
    }


def test_the_default_pseud_cannot_be_deleted(owner):
    make_work(title="Mine", pseud=owner.pseuds.get())
    client = logged_in(owner)
    response = client.post("/users/owner_1/pseuds/owner_1/delete", follow=True)
    assert "You cannot delete your default pseud." in response.content.decode()
    assert names(owner) == ["owner_1"]
    assert owner.pseuds.get().works.count() == 1


def test_another_account_cannot_make_rename_or_delete_my_pseuds(owner, other):
    pseud = Pseud.objects.create(user=owner, name="Night Owl")
    client = logged_in(other)
    assert client.get("/users/owner_1/pseuds/new").status_code == 403
    assert client.post("/users/owner_1/pseuds/new", {"name": "Intruder"}).status_code == 403
    assert client.get("/users/owner_1/pseuds/Night%20Owl/edit").status_code == 403
    edit = client.post("/users/owner_1/pseuds/Night%20Owl/edit", {"name": "Taken"})
    assert edit.status_code == 403
    assert client.post("/users/owner_1/pseuds/Night%20Owl/delete").status_code == 403
    assert names(owner) == ["Night Owl", "owner_1"]
    assert names(other) == ["other_1"]
    pseud.refresh_from_db()
    assert pseud.name == "Night Owl"


def test_visitors_are_sent_to_log_in(owner):
    Pseud.objects.create(user=owner, name="Night Owl")
    for url in ["/users/owner_1/pseuds/new", "/users/owner_1/pseuds/Night%20Owl/edit"]:
        response = Client().post(url, {"name": "Anon"})
        assert response.status_code == 302
        assert response["Location"].startswith("/users/login?return_to=")
    response = Client().post("/users/owner_1/pseuds/Night%20Owl/delete")
    assert response["Location"].startswith("/users/login?return_to=")
    assert names(owner) == ["Night Owl", "owner_1"]


def test_missing_accounts_and_pseuds_are_404(owner):
    client = logged_in(owner)
    assert client.get("/users/nobody_here/pseuds").status_code == 404
    assert client.get("/users/owner_1/pseuds/Nobody/edit").status_code == 404
    assert client.post("/users/owner_1/pseuds/Nobody/delete").status_code == 404
    # Refused before any view (archive.middleware), or by the view: never a server error.
    assert client.get("/users/owner_1/pseuds/a%00b/edit").status_code in {400, 404}


def test_the_dashboard_links_the_pseud_pages(owner):
    page = BeautifulSoup(logged_in(owner).get("/users/owner_1/works").content, "html.parser")
    for href in ["/users/owner_1/pseuds", "/users/owner_1/creatorships", "/users/owner_1/profile"]:
        assert page.select_one(f'a[href="{href}"]')
