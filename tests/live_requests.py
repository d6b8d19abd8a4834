"""HTTP sessions, logged in or not, against a live server, for tests that race requests."""

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

# Django takes a CSRF token equal to the cookie's secret (32 letters and digits), so each
# session sends one fixed secret in both places instead of scraping a token per form.
CSRF_SECRET = "racetestsracetestsracetests12345"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    location: str
    text: str

    @property
    def page(self):
        return BeautifulSoup(self.text, "html.parser")


class LiveSession:
    """One visitor, logged in as `user` when given: cookies and CSRF set up once, redirects
    not followed."""

    def __init__(self, base_url, user=None):
        self.base_url = base_url
        self.cookie = f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.cookie += f"; {settings.SESSION_COOKIE_NAME}={session}"
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, method, path, data=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        # Only the live server's http:// address is ever opened.
        url = self.base_url + path
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310
        request.add_header("Cookie", self.cookie)
        request.add_header("X-CSRFToken", CSRF_SECRET)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, "", response.read().decode())
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            return Answer(error.code, error.headers.get("Location", ""), text)

    def posts_at_once(self, *posts):
        """POST each (path, data) from its own thread, all released together; the answers
        in the same order."""
        return at_once(*[lambda post=post: self.post(*post) for post in posts])

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def form(self, path, selector="form[method=post]"):
        """The fields of the first form on the page matching `selector`, as a browser
        would send them unchanged (hidden fields included)."""
        answer = self.get(path)
        assert answer.status == 200, (path, answer.status)
        return form_values(answer.page.select_one(selector))


def form_values(form):
    values = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            values[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            values[name] = chosen.get("value", "") if chosen else ""
        elif field.get("type") in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                values.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") not in {"submit", "file"}:
            values[name] = field.get("value", "")
    return values


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
