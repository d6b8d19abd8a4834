"""Choosing the pseud a work is posted under, and co-creators: invited by username on the
Edit page, they accept or decline, and once accepted share the byline and the editing."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from accounts.models import Pseud
from tests.factories import logged_in, make_author, make_work
from tests.works.test_posting import form_data
from works.invitations import CoCreatorInvitation
from works.models import Work

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def byline(client, url):
    page = soup(client.get(url))
    return [a.get_text() for a in page.select("h3.byline a[rel=author]")]


def blurb_byline(client, url):
    page = soup(client.get(url))
    return [a.get_text() for a in page.select("li.work.blurb h4.heading a[rel=author]")]


@pytest.fixture
def author():
    return make_author("first_author")


@pytest.fixture
def guest():
    return make_author("second_author")


@pytest.fixture
def work(author):
    return make_work(title="Shared Lantern", pseud=author.pseuds.get())


def test_the_new_work_form_offers_only_the_posters_pseuds(author, guest):
    Pseud.objects.create(user=author, name="Night Owl")
    Pseud.objects.create(user=guest, name="Not Mine")
    page = soup(logged_in(author).get("/works/new"))
    select = page.find("select", attrs={"name": "pseud"})
    assert (
        page.find("label", attrs={"for": select["id"]})
        .get_text(strip=True)
        .startswith("Creator/Pseud(s)")
    )
    options = [(option.get_text(), "selected" in option.attrs) for option in select("option")]
    assert options == [("first_author", True), ("Night Owl", False)]


def test_posting_under_a_chosen_pseud(author):
    owl = Pseud.objects.create(user=author, name="Night Owl")
    client = logged_in(author)
    response = client.post("/works/new", form_data(pseud=str(owl.pk)))
    assert response.status_code == 302
    work = Work.objects.get(title="The Lantern")
    assert list(work.pseuds.all()) == [owl]
    assert byline(client, f"/works/{work.pk}?view_adult=true") == ["Night Owl"]
    # Without the field (a client that never saw it), the default pseud.
    client.post("/works/new", form_data(title="Second"))
    assert list(Work.objects.get(title="Second").pseuds.values_list("name", flat=True)) == [
        "first_author"
    ]


def test_posting_as_someone_elses_pseud_is_refused(author, guest):
    theirs = guest.pseuds.get()
    response = logged_in(author).post("/works/new", form_data(pseud=str(theirs.pk)))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Work.objects.filter(title="The Lantern").exists()
    assert not theirs.works.exists()


def test_invite_accept_and_share_the_byline_and_editing(
    author, guest, work, django_capture_on_commit_callbacks
):
    owner, invited = logged_in(author), logged_in(guest)
    # Read (and cached) before the invitation, to show the new byline is not stale.
    assert byline(Client(), f"/works/{work.pk}") == ["first_author"]
    assert blurb_byline(Client(), "/works") == ["first_author"]
    assert invited.get(f"/works/{work.pk}/edit").status_code == 404
    edit_page = soup(owner.get(f"/works/{work.pk}/edit"))
    form = edit_page.find("form", attrs={"action": f"/works/{work.pk}/creatorships"})
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    response = owner.post(f"/works/{work.pk}/creatorships", {"username": "Second_Author"})
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work.pk}/edit"
    invitation = CoCreatorInvitation.objects.get()
    assert (invitation.work, invitation.invitee, invitation.inviter) == (work, guest, author)
    assert "second_author" in soup(owner.get(f"/works/{work.pk}/edit")).find(id="cocreators").text
    # Not in the byline until accepted.
    assert byline(Client(), f"/works/{work.pk}") == ["first_author"]

    owl = Pseud.objects.create(user=guest, name="Night Owl")
    page = soup(invited.get("/users/second_author/creatorships"))
    item = page.find(id=f"invitation_{invitation.pk}")
    assert item.find("a", attrs={"href": f"/works/{work.pk}"}).get_text() == "Shared Lantern"
    assert [o.get_text() for o in item.find("select", attrs={"name": "pseud"})("option")] == [
        "second_author",
        "Night Owl",
    ]
    # Committed, as in production: the cached blurbs and pages are dropped then.
    with django_capture_on_commit_callbacks(execute=True):
        response = invited.post(
            "/users/second_author/creatorships",
            {"invitation": invitation.pk, "pseud": owl.pk, "accept": "Accept"},
        )
    assert response.status_code == 302
    assert not CoCreatorInvitation.objects.exists()
    assert set(work.pseuds.values_list("name", flat=True)) == {"first_author", "Night Owl"}
    assert sorted(byline(Client(), f"/works/{work.pk}")) == ["Night Owl", "first_author"]
    assert sorted(blurb_byline(Client(), "/works")) == ["Night Owl", "first_author"]
    assert blurb_byline(Client(), "/users/second_author/works") != []
    assert invited.get(f"/works/{work.pk}/edit").status_code == 200
    assert "Shared Lantern" in invited.get("/users/second_author/works").content.decode()


def test_accepting_without_a_choice_joins_as_the_default_pseud(author, guest, work):
    Pseud.objects.create(user=guest, name="Night Owl")
    invitation = CoCreatorInvitation.objects.create(work=work, invitee=guest, inviter=author)
    response = logged_in(guest).post(
        "/users/second_author/creatorships", {"invitation": invitation.pk, "accept": "Accept"}
    )
    assert response.status_code == 302
    assert set(work.pseuds.values_list("name", flat=True)) == {"first_author", "second_author"}


def test_declining_drops_the_invitation_only(author, guest, work):
    invitation = CoCreatorInvitation.objects.create(work=work, invitee=guest, inviter=author)
    client = logged_in(guest)
    response = client.post(
        "/users/second_author/creatorships", {"invitation": invitation.pk, "decline": "Decline"}
    )
    assert response.status_code == 302
    assert not CoCreatorInvitation.objects.exists()
    assert list(work.pseuds.values_list("name", flat=True)) == ["first_author"]
    assert client.get(f"/works/{work.pk}/edit").status_code == 404
    assert "You have no co-creator requests." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody_here", "There is no user named"),
        ("first_author", "is already a creator of this work"),
        ("", "There is no user named"),
    ],
)
def test_an_invitation_is_refused_with_a_reason(author, work, username, message):
    client = logged_in(author)
    response = client.post(f"/works/{work.pk}/creatorships", {"username": username}, follow=True)
    assert message in response.content.decode()
    assert not CoCreatorInvitation.objects.exists()


def test_inviting_twice_is_refused(author, guest, work):
    client = logged_in(author)
    client.post(f"/works/{work.pk}/creatorships", {"username": "second_author"})
    response = client.post(
        f"/works/{work.pk}/creatorships", {"username": "second_author"}, follow=True
    )
    assert "has already been invited to this work" in response.content.decode()
    assert CoCreatorInvitation.objects.count() == 1


def test_only_a_creator_can_invite(author, guest, work):
    response = logged_in(guest).post(
        f"/works/{work.pk}/creatorships", {"username": "second_author"}
    )
    assert response.status_code == 404
    response = Client().post(f"/works/{work.pk}/creatorships", {"username": "second_author"})
    assert response.status_code == 302
    assert response["Location"].startswith("/users/login")
    assert logged_in(author).get(f"/works/{work.pk}/creatorships").status_code == 405
    assert not CoCreatorInvitation.objects.exists()


def test_another_account_cannot_see_or_answer_my_invitation(author, guest, work):
    invitation = CoCreatorInvitation.objects.create(work=work, invitee=guest, inviter=author)
    intruder = make_author("third_party")
    client = logged_in(intruder)
    assert client.get("/users/second_author/creatorships").status_code == 403
    accept = {"invitation": invitation.pk, "accept": "Accept"}
    assert client.post("/users/second_author/creatorships", accept).status_code == 403
    # Through their own page, someone else's invitation is as missing as none.
    assert client.post("/users/third_party/creatorships", accept).status_code == 404
    # The inviter cannot answer for the invitee either.
    assert logged_in(author).post("/users/second_author/creatorships", accept).status_code == 403
    assert CoCreatorInvitation.objects.filter(pk=invitation.pk).exists()
    assert list(work.pseuds.values_list("name", flat=True)) == ["first_author"]
    assert Client().get("/users/second_author/creatorships").status_code == 302


def test_accepting_under_someone_elses_pseud_is_refused(author, guest, work):
    invitation = CoCreatorInvitation.objects.create(work=work, invitee=guest, inviter=author)
    other = make_author("third_party").pseuds.get()
    response = logged_in(guest).post(
        "/users/second_author/creatorships",
        {"invitation": invitation.pk, "pseud": other.pk, "accept": "Accept"},
    )
    assert response.status_code == 400
    assert "one of your own pseuds" in response.content.decode()
    assert CoCreatorInvitation.objects.filter(pk=invitation.pk).exists()
    assert list(work.pseuds.values_list("name", flat=True)) == ["first_author"]
