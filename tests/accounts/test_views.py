"""Logging in the way AO3 clients do (token dispenser, AO3 field names, 302 on success),
logging out, and resetting or changing a password."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

pytestmark = pytest.mark.django_db


def test_login_form_has_ao3_fields(client):
    page = BeautifulSoup(client.get("/users/login").content, "html.parser")
    form = page.find("form", id="new_user")
    assert form["action"] == "/users/login"
    assert form.find("input", attrs={"name": "authenticity_token", "type": "hidden"})["value"]
    for name in ["user[login]", "user[password]", "user[remember_me]"]:
        assert form.find("input", attrs={"name": name}) is not None


def test_client_style_login_with_token_dispenser(reader):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/token_dispenser.json").json()["token"]
    response = client.post(
        "/users/login",
        {
            "user[login]": "reader_1",
            "user[password]": "correct horse battery",
            "user[remember_me]": "1",
            "commit": "Log in",
            "utf8": "✓",
            "authenticity_token": token,
        },
    )
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert 'href="/users/logout"' in home.content.decode()
    assert BeautifulSoup(home.content, "html.parser").body["class"] == ["logged-in"]


def test_login_without_token_is_refused(reader):
    client = Client(enforce_csrf_checks=True)
    client.get("/users/login")
    response = client.post(
        "/users/login", {"user[login]": "reader_1", "user[password]": "correct horse battery"}
    )
    assert response.status_code == 403


def test_wrong_password_keeps_the_username_and_says_why(client, reader):
    response = client.post("/users/login", {"user[login]": "reader_1", "user[password]": "wrong"})
    assert response.status_code == 200
    assert 'href="/users/logout"' not in response.content.decode()
    page = BeautifulSoup(response.content, "html.parser")
    assert "doesn't match our records" in page.get_text()
    assert page.find("input", attrs={"name": "user[login]"})["value"] == "reader_1"


def test_return_to_is_followed_only_within_the_site(client, reader):
    data = {"user[login]": "reader_1", "user[password]": "correct horse battery"}
    response = client.post("/users/login?return_to=/works/5", data)
    assert response["Location"] == "/works/5"
    client.logout()
    response = client.post("/users/login?return_to=https://evil.example/", data)
    assert response["Location"] == "/"


def test_logout_takes_a_post(client, reader):
    client.force_login(reader)
    assert client.get("/users/logout").status_code == 200
    response = client.post("/users/logout")
    assert response.status_code == 302
    assert "logged-out" in client.get("/").content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(reader, mailoutbox):
    reader.email = "reader@example.org"
    reader.save()
    client = Client()
    response = client.post("/users/password/reset", {"email": "reader@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(
        line for line in mailoutbox[0].body.splitlines() if "/users/password/reset/" in line
    )
    path = link[link.index("/users/password/reset/") :].strip()
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("a brand new passphrase")


def test_password_change(reader):
    client = Client()
    client.force_login(reader)
    response = client.post(
        "/users/password/change",
        {
            "old_password": "correct horse battery",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("another long passphrase")
