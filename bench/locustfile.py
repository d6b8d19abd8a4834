"""The mixed-load scenario for locust: readers, listing browsers and authors posting works.

Run by bench/load.py (`make load`), which prepares the data and passes, in the environment:
LOAD_TARGETS (JSON from `bench.load.prepare`), LOAD_LOG (a JSON-lines file that gets one line
per request), LOAD_READ_RPS and LOAD_POST_RPS (the rates aimed at), LOAD_AUTHORS (how many of
the users post) and LOAD_RUN (a word that makes this run's work titles unique).
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, constant_throughput, events, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"]).read())  # noqa: SIM115
READ_RPS = float(os.environ.get("LOAD_READ_RPS", "20"))
POST_RPS = float(os.environ.get("LOAD_POST_RPS", "1"))
AUTHORS = int(os.environ.get("LOAD_AUTHORS", "4"))
READERS = int(os.environ.get("LOAD_READERS", "12"))
RUN = os.environ.get("LOAD_RUN", "run")
LOG = open(os.environ["LOAD_LOG"], "a", buffering=1)  # noqa: SIM115
POST_TEXT = (
    "<p>The lamp on the pier burned all night, and the keeper wrote down every ship that"
    " passed, every gull, every change of the wind.</p>"
)
_numbers = itertools.count(1)


@events.request.add_listener
def log_request(request_type, name, response_time, response, context, exception, **kwargs):
    """One line per request: when it started, its kind, status and time; posts add what was
    posted and the work's address, which bench/faults.py checks against the database."""
    status = getattr(response, "status_code", 0) or 0
    line = {
        "t": kwargs.get("start_time"),
        "kind": name,
        "status": status,
        "ms": round(response_time, 2),
    }
    if exception is not None and not status:
        line["error"] = type(exception).__name__
    if "title" in context:
        line.update(context)
        line["location"] = response.headers.get("Location", "") if response is not None else ""
    LOG.write(json.dumps(line) + "\n")


class ArchiveUser(HttpUser):
    abstract = True

    def keep_cookies(self):
        """Production cookies are Secure (TLS is a proxy's job); this client talks plain HTTP
        to 127.0.0.1 as that proxy would, so it unmarks them to send them back anyway."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, kind):
        # A 503 while the database is down is an expected answer that the log records;
        # locust's own failure bookkeeping is not used.
        with self.client.get(path, name=kind, catch_response=True, allow_redirects=False) as r:
            r.success()
        self.keep_cookies()


class Reader(ArchiveUser):
    """Reads chapters and whole works, and browses tag pages, filters and searches."""

    wait_time = constant_throughput(READ_RPS / max(READERS, 1))

    @task(4)
    def chapter(self):
        work = random.choice(TARGETS["works"])
        chapter = random.choice(work["chapters"])
        self.get(f"/works/{work['id']}/chapters/{chapter}?view_adult=true", "chapter")

    @task(1)
    def full_work(self):
        work = random.choice(TARGETS["works"])
        self.get(f"/works/{work['id']}?view_full_work=true&view_adult=true", "full work")

    @task(2)
    def tag_listing(self):
        self.get(random.choice(TARGETS["tag_pages"]), "tag listing")

    @task(1)
    def filtered_listing(self):
        self.get(random.choice(TARGETS["filters"]), "filtered listing")

    @task(1)
    def search(self):
        self.get(random.choice(TARGETS["searches"]), "search")


class Author(ArchiveUser):
    """Logs in once, then posts new works through the form, as a browser would."""

    fixed_count = AUTHORS
    wait_time = constant_throughput(POST_RPS / max(AUTHORS, 1)) if POST_RPS else between(60, 60)
    _usernames = itertools.cycle(TARGETS["authors"])

    def on_start(self):
        self.username = next(self._usernames)
        self.logged_in = False

    def log_in(self):
        self.client.get("/users/login", name="login form")
        self.keep_cookies()
        response = self.client.post(
            "/users/login",
            {
                "user[login]": self.username,
                "user[password]": TARGETS["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="login",
            allow_redirects=False,
        )
        self.keep_cookies()
        self.logged_in = response.status_code == 302

    @task
    def post_work(self):
        if not self.logged_in:
            self.log_in()
            return
        number = next(_numbers)
        title = f"Load {RUN} {self.username} {number}"
        fandom = random.choice(TARGETS["fandoms"])
        with self.client.post(
            "/works/new",
            {
                "title": title,
                "fandoms": fandom,
                "rating": "Teen And Up Audiences",
                "archive_warnings": ["No Archive Warnings Apply"],
                "categories": ["Gen"],
                "freeforms": f"Load Tag {RUN} {number}, Lighthouses",
                "language": "en",
                "summary": f"<p>Posted under load as {title}.</p>",
                "chapter_title": "The Pier",
                "chapter_text": POST_TEXT,
                "post": "Post",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="post",
            context={"title": title, "fandom": fandom},
            catch_response=True,
            allow_redirects=False,
        ) as response:
            response.success()
        self.keep_cookies()
        # A login page instead of the form means the session was lost: log in again.
        if response.status_code == 302 and not re.match(
            r"^/works/\d+$", response.headers.get("Location", "")
        ):
            self.logged_in = False
