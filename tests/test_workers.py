"""State every gunicorn worker must share, tested against a real gunicorn with 2 workers.

Login throttling, the rate limit, the tag-graph version behind cached fragments, and the
one-account-per-name rule, each with concurrent requests so that both workers serve some.
The server is started the way `make run` starts it (tests/gunicorn.py), on the suite's test
database, which pytest-django has migrated.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from tags.models import TagKind
from tags.wrangling import TagState, wrangle
from tests.factories import make_tag, make_work
from tests.gunicorn import Gunicorn
from tests.live_requests import LiveSession, at_once

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
WRONG = "not the password"
NEW_PASSWORD = "a new long passphrase"


@pytest.fixture
def server(tmp_path):
    with Gunicorn(tmp_path, RATE_LIMIT_REQUESTS="0") as running:
        yield running


def concurrently(calls, workers=8):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def make_account(name, *, staff=False):
    # The server checks passwords with the real hasher, not the suite's fast one.
    return get_user_model().objects.create(
        username=name,
        password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher()),
        is_staff=staff,
    )


def our_login(server, username, password):
    session = LiveSession(server.url)
    return lambda: session.post(
        "/users/login", {"user[login]": username, "user[password]": password}
    )


def admin_login(server, username, password):
    session = LiveSession(server.url)
    return lambda: session.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )


def throttled(response):
    return "Too many failed attempts" in response.text


@pytest.mark.parametrize("login", [our_login, admin_login], ids=["users-login", "admin-login"])
def test_wrong_passwords_are_limited_across_workers(server, login):
    make_account("guessed_1", staff=True)
    make_account("guessed_2", staff=True)
    # One below the limit, then the right password: still let in.
    wrong = login(server, "guessed_1", WRONG)
    refused = concurrently([wrong] * 4)
    assert [r.status for r in refused] == [200] * 4
    assert not any(throttled(r) for r in refused)
    assert login(server, "guessed_1", PASSWORD)().status == 302
    # Exactly the limit of wrong ones, sent together so both workers take some: each is
    # checked and refused as wrong, and then even the right password is refused.
    wrong = login(server, "guessed_2", WRONG)
    refused = concurrently([wrong] * 5)
    assert not any(throttled(r) for r in refused)
    assert all("match" in r.text or "correct" in r.text for r in refused)
    for _ in range(4):
        response = login(server, "guessed_2", PASSWORD)()
        assert response.status != 302
        assert throttled(response)


def test_right_passwords_sent_at_once_do_not_lock_the_account(server):
    """Twelve right logins at once pass the limit while they are checked; those refused
    unchecked used to stay counted, and locked the account for 15 minutes."""
    make_account("popular")
    answers = at_once(*[our_login(server, "popular", PASSWORD) for _ in range(12)])
    assert {answer.status for answer in answers} <= {302, 429}
    assert our_login(server, "popular", PASSWORD)().status == 302


def test_password_change_counts_against_the_same_limit(server):
    user = make_account("changer")
    session = LiveSession(server.url, user)

    def change(old):
        return lambda: session.post(
            "/users/password/change",
            {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    refused = concurrently([change(WRONG)] * 5)
    assert [r.status for r in refused] == [200] * 5
    assert not any(throttled(r) for r in refused)
    response = change(PASSWORD)()
    assert response.status == 200
    assert throttled(response)
    # And the login forms now refuse this account too.
    assert throttled(our_login(server, "changer", PASSWORD)())
    user.refresh_from_db()
    assert PBKDF2PasswordHasher().verify(PASSWORD, user.password)


def test_rate_limit_allows_exactly_the_budget_across_workers(tmp_path):
    from accounts.models import Throttle

    with Gunicorn(tmp_path, RATE_LIMIT_REQUESTS="25", RATE_LIMIT_WINDOW="300") as server:
        Throttle.objects.all().delete()
        statuses = concurrently(
            [lambda: requests.get(server.url + "/users/login", timeout=30).status_code] * 40
        )
        assert sorted(statuses) == [200] * 25 + [429] * 15
        response = requests.get(server.url + "/", timeout=30)
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 300


def fandom_names(server):
    page = BeautifulSoup(requests.get(server.url + "/fandoms", timeout=30).content, "html.parser")
    return frozenset(link.get_text(strip=True) for link in page.select("#main a.tag"))


def test_every_worker_shows_a_wrangle_and_its_undo(server):
    marvel = make_tag("Marvel", TagKind.FANDOM)
    mcu = make_tag("MCU", TagKind.FANDOM)
    make_work(tags={TagKind.FANDOM: ["Marvel"]})
    make_work(tags={TagKind.FANDOM: ["MCU"]})
    wrangler = get_user_model().objects.create_superuser("wrangler", password=PASSWORD)
    both = frozenset({"Marvel", "MCU"})
    # Both workers cache the index.
    assert set(concurrently([lambda: fandom_names(server)] * 12)) == {both}
    wrangle(marvel, TagState().made_canonical(), by=wrangler)
    change = wrangle(mcu, TagState().made_synonym_of(marvel), by=wrangler)
    assert set(concurrently([lambda: fandom_names(server)] * 12)) == {frozenset({"Marvel"})}
    # The undo goes through one worker's page; every read after it shows MCU again.
    answer = LiveSession(server.url, wrangler).post(f"/tag_wranglings/changes/{change.pk}/undo", {})
    assert answer.status == 302
    assert set(concurrently([lambda: fandom_names(server)] * 12)) == {both}


def test_sign_ups_differing_in_case_make_one_account(server):
    def sign_up(name):
        session = LiveSession(server.url)
        return lambda: session.post(
            "/users/new",
            {"username": name, "email": f"{name}@example.org",
             "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
        )  # fmt: skip

    for number in range(8):
        name = f"Dupe_pt{number}"
        answers = at_once(sign_up(name), sign_up(name.lower()))
        assert sorted(a.status for a in answers) == [302, 400], name
        refused = next(a for a in answers if a.status == 400)
        assert "That username is taken." in refused.page.get_text()
        assert get_user_model().objects.filter(username__iexact=name).count() == 1
