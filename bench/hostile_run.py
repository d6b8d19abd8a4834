"""Hostile uploads posted by logged-in authors while slow clients are in flight and readers read.

`Author` logs in to a bench site as a browser does (session cookie, CSRF token) and posts
uploads through the Post New Work form. `run(site, ...)` posts every upload of
`bench.hostile.worst_uploads()` from a few authors at once while bench/slow_clients.py holds
slow connections open and readers time work pages; `make load` runs it as its last phase
(bench/load.py) and appends `section(figures)` to bench/RESULTS.md. `python -m
bench.hostile_run` does the same on a small site of its own.
"""

import itertools
import json
import os
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from lxml import html

from bench import hostile, slow_clients
from bench.load import HOST, RESULTS, Site, machine_lines, percentile

# What the form is sent with besides the file; the file fills the chapter text.
FORM = {
    "rating": "Teen And Up Audiences",
    "archive_warnings": ["No Archive Warnings Apply"],
    "categories": ["Gen"],
    "freeforms": "Hostile Uploads",
    "language": "en",
    "summary": "",
    "chapter_title": "",
    "chapter_text": "",
    "post": "Post",
}


@dataclass
class Posted:
    """How the form answered one upload: its status, the upload field's error, the time."""

    label: str
    title: str
    expected: str | None
    status: int = 0
    error: str = ""
    location: str = ""
    seconds: float = 0.0
    # When it was sent and answered, in time.monotonic().
    started: float = 0.0
    finished: float = 0.0

    @property
    def as_expected(self):
        if self.expected is None:
            return self.status == 302 and self.location.startswith("/works/")
        return self.status == 400 and self.expected in self.error


class Author:
    """One browser session of an author on the site at `base_url`."""

    def __init__(self, base_url, username, password, *, timeout=60):
        self.base_url = base_url
        self.username = username
        self.password = password
        self.timeout = timeout
        self.session = requests.Session()

    def _keep_cookies(self):
        # Production cookies are Secure; this client talks plain HTTP to 127.0.0.1, as the
        # TLS proxy in front of the site would, so it unmarks them to send them back.
        for cookie in self.session.cookies:
            cookie.secure = False

    def _csrf(self):
        return self.session.cookies.get("csrftoken", "")

    def log_in(self):
        self.session.get(f"{self.base_url}/users/login", timeout=self.timeout)
        self._keep_cookies()
        response = self.session.post(
            f"{self.base_url}/users/login",
            {
                "user[login]": self.username,
                "user[password]": self.password,
                "csrfmiddlewaretoken": self._csrf(),
            },
            allow_redirects=False,
            timeout=self.timeout,
        )
        self._keep_cookies()
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")
        return self

    def post_upload(self, upload, *, title, fandom, label="", expected=None):
        """POST `upload` (filename, bytes) to /works/new with the other required fields."""
        name, data = upload
        posted = Posted(label or name, title, expected)
        fields = {**FORM, "title": title, "fandoms": fandom, "csrfmiddlewaretoken": self._csrf()}
        posted.started = time.monotonic()
        try:
            response = self.session.post(
                f"{self.base_url}/works/new",
                data=fields,
                files={"upload": (name, data)},
                allow_redirects=False,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            posted.error = f"{type(error).__name__}: {error}"
        else:
            posted.status = response.status_code
            posted.location = response.headers.get("Location", "")
            posted.error = upload_error(response.content)
        posted.finished = time.monotonic()
        posted.seconds = posted.finished - posted.started
        self._keep_cookies()
        return posted


def upload_error(page):
    """The text of the upload field's error on a re-shown form, or ""."""
    if not page:
        return ""
    found = html.fromstring(page).xpath('//*[@id="id_upload_error"]')
    return " ".join(found[0].text_content().split()) if found else ""


def post_all(site, uploads, *, authors=3, prefix):
    """Log `authors` sessions in (the site's accounts in turn) and post each of `uploads`
    ((label, (filename, bytes), expected error or None)) from them at once: a Posted each."""
    accounts = itertools.cycle(site.targets["authors"])
    sessions = [
        Author(site.base_url, next(accounts), site.targets["password"]) for _ in range(authors)
    ]
    fandom = site.targets["fandoms"][0]
    free = list(sessions)
    lock = threading.Lock()

    def post(numbered):
        number, (label, upload, expected) = numbered
        with lock:
            author = free.pop()
        try:
            if not author.session.cookies.get("sessionid"):
                try:
                    author.log_in()
                except (RuntimeError, requests.RequestException) as error:
                    # Not logged in, the upload is not sent: recorded as its answer.
                    return Posted(label, f"{prefix} {number}", expected, error=str(error))
            return author.post_upload(
                upload, title=f"{prefix} {number}", fandom=fandom, label=label, expected=expected
            )
        finally:
            with lock:
                free.append(author)

    with ThreadPoolExecutor(authors) as pool:
        return list(pool.map(post, enumerate(uploads, 1)))


def stored_titles(site, prefix):
    """Titles of the site's works whose title starts with `prefix`."""
    code = (
        "import json; from works.models import Work; print(json.dumps(list("
        f"Work.objects.filter(title__startswith={prefix!r}).values_list('title', flat=True))))"
    )
    return json.loads(site.shell(code))


@dataclass
class Read:
    path: str
    status: int
    seconds: float
    started: float
    error: str = ""


def read_works(site, reads, stop, *, pause=0.1, timeout=30):
    """GET work pages (a whole work, a chapter) on fresh connections until `stop` is set."""
    works = site.targets["works"][:50]
    for number in itertools.count():
        if stop.is_set():
            return
        work = works[number % len(works)]
        if number % 2:
            path = f"/works/{work['id']}/chapters/{work['chapters'][0]}?view_adult=true"
        else:
            path = f"/works/{work['id']}?view_adult=true"
        started = time.monotonic()
        try:
            response = requests.get(site.base_url + path, timeout=timeout)
            reads.append(Read(path, response.status_code, time.monotonic() - started, started))
        except requests.RequestException as error:
            reads.append(Read(path, 0, time.monotonic() - started, started, type(error).__name__))
        stop.wait(pause)


def run(site, *, seconds=25, authors=3, readers=4, slow_headers=50, slow_bodies=50,
        reconnect=True):  # fmt: skip
    """Slow clients for `seconds` (each reconnecting once the server cut it off, when
    `reconnect`), the worst uploads posted meanwhile round after round, readers reading
    throughout: the figures."""
    uploads = hostile.worst_uploads()
    prefix = f"Hostile {secrets.token_hex(4)}"
    reads = []
    results = {}

    def during():
        stop = threading.Event()
        threads = [
            threading.Thread(target=read_works, args=(site, reads, stop), daemon=True)
            for _ in range(readers)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            # Slow clients are let in 2 s before this starts; uploads go on as long as they do.
            posted = results["posted"] = []
            for number in itertools.count(1):
                round_prefix = f"{prefix} round {number}"
                posted += post_all(site, uploads, authors=authors, prefix=round_prefix)
                if time.monotonic() - started > seconds - 2:
                    break
        finally:
            stop.set()
            for thread in threads:
                thread.join(35)

    began = time.monotonic()
    report = slow_clients.run(
        HOST, site.port, slow_headers=slow_headers, slow_bodies=slow_bodies, read_path="/",
        seconds=seconds, readers=2, during=during, reconnect=reconnect,
    )  # fmt: skip
    elapsed = time.monotonic() - began
    posted = results.get("posted", [])
    titles = stored_titles(site, prefix)
    figures = {
        "seconds": round(elapsed, 1),
        "posted": posted,
        "reads": reads,
        "slow": report,
        "created": {p.title: p.title in titles for p in posted},
        "settings": {"authors": authors, "readers": readers, "slow_headers": slow_headers,
                     "slow_bodies": slow_bodies, "reconnect": reconnect},
    }  # fmt: skip
    if problems(figures):
        print(f"gunicorn's log ends:\n{site.log_tail(80)}", file=sys.stderr)
    return figures


def _ms(values, share):
    value = percentile(values, share)
    return "" if value is None else f"{value * 1000:.0f}"


def reader_rows(figures):
    """Per reader kind: (name, answered, not 200, socket errors, p50, p95, max ms)."""
    posted = figures["posted"]
    first = min((p.started for p in posted), default=0)
    last = max((p.finished for p in posted), default=0)
    reads = figures["reads"]
    slow = figures["slow"]
    front = [
        Read("/", status, secs, 0.0)
        for status, secs in zip(slow.reader_statuses, slow.reader_seconds, strict=True)
    ]
    rows = []
    for name, chosen, errors in (
        ("work pages, whole run", reads, sum(1 for r in reads if r.error)),
        (
            "work pages, while uploads were in flight",
            [r for r in reads if first <= r.started <= last],
            sum(1 for r in reads if r.error and first <= r.started <= last),
        ),
        ("front page (/)", front, len(figures["slow"].reader_errors)),
    ):
        answered = [r for r in chosen if not r.error]
        times = [r.seconds for r in answered]
        rows.append(
            (name, len(answered), sum(1 for r in answered if r.status != 200), errors,
             _ms(times, 50), _ms(times, 95), _ms(times, 100))
        )  # fmt: skip
    return rows


def slow_rows(figures):
    """Per slow kind: (kind, connections, closed by the server, answers, after s, ours)."""
    rows = []
    for kind, name in (("headers", "slow headers"), ("body", "slow bodies")):
        mine = [r for r in figures["slow"].slow if r.kind == kind]
        closed = sorted(r.seconds for r in mine if r.closed_by_server)
        answers = sorted({r.answer or "closed without a word" for r in mine if r.closed_by_server})
        after = (
            f"{closed[0]:.1f} / {percentile(closed, 50):.1f} / {closed[-1]:.1f}" if closed else ""
        )
        cut = sum(1 for r in mine if not r.closed_by_server)
        rows.append((name, len(mine), len(closed), ", ".join(answers), after, cut))
    return rows


def summary_lines(figures):
    lines = [
        "| upload | expected | sent | answers | seconds, p50 / max | the form said |"
        " works created |",
        "| --- | --- | ---: | --- | --- | --- | ---: |",
    ]
    labels = dict.fromkeys(p.label for p in figures["posted"])
    for label in labels:
        mine = [p for p in figures["posted"] if p.label == label]
        expected = "posted" if mine[0].expected is None else "refused"
        answers = Counter(p.status for p in mine)
        statuses = ", ".join(f"{status} x{count}" for status, count in sorted(answers.items()))
        times = [p.seconds for p in mine]
        said = sorted({p.error or ("a redirect to the work" if p.location else "") for p in mine})
        created = sum(1 for p in mine if figures["created"].get(p.title))
        lines.append(
            f"| {label} | {expected} | {len(mine)} | {statuses} |"
            f" {percentile(times, 50):.1f} / {max(times):.1f} | {'; '.join(said)} | {created} |"
        )
    lines += [
        "",
        "| readers | answered | not 200 | socket errors | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in reader_rows(figures)]
    lines += [
        "",
        "| slow clients | connections | closed by the server | its answer | after s, min / p50"
        " / max | still open at our deadline |",
        "| --- | ---: | ---: | --- | --- | ---: |",
    ]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in slow_rows(figures)]
    return lines


def problems(figures):
    """What went wrong, in words: an upload not answered as expected, a reader not answered."""
    found = [
        f"upload {p.label}: {p.status} {p.error or p.location!r}, expected"
        f" {'a redirect to the work' if p.expected is None else repr(p.expected)}"
        for p in figures["posted"]
        if not p.as_expected
    ]
    found += [
        f"upload {p.label} made a work although it was refused"
        for p in figures["posted"]
        if p.expected is not None and figures["created"].get(p.title)
    ]
    for name, _, not_ok, errors, *_ in reader_rows(figures):
        if not_ok or errors:
            found.append(f"readers of {name}: {not_ok} answered other than 200, {errors} failed")
    return found


def section(figures, *, version, workers, works, note=""):
    """A dated section for bench/RESULTS.md."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = figures["slow"]
    kinds = {kind: sum(1 for r in report.slow if r.kind == kind) for kind in ("headers", "body")}
    given = figures["settings"]
    return [
        f"## {when}: slow clients and hostile uploads (`make load`)",
        "",
        *machine_lines(),
        f"- Server: gunicorn (archive.serving), {workers} workers, DJANGO_DEBUG=0, on {HOST};"
        f" PostgreSQL {version}, a throwaway cluster; {works} generated works plus the seeds",
        f"- For {figures['seconds']:.0f} s: slow-header and slow-body clients"
        f" (bench/slow_clients.py, {kinds['headers']} and {kinds['body']} connections,"
        f" {given['slow_headers']} and {given['slow_bodies']} at a time"
        + (", each reconnecting once the server cut it off" if given["reconnect"] else "")
        + "); bench.hostile.worst_uploads() posted through /works/new, round after round, by"
        f" {given['authors']} logged-in author sessions at once; {given['readers']} readers of"
        " work pages (a whole work, a chapter) and 2 of the front page, each request on a fresh"
        " connection",
        *([f"- Note: {note}"] if note else []),
        "",
        *summary_lines(figures),
    ]


def append_section(lines):
    with open(RESULTS, "a") as results:
        results.write("\n" + "\n".join(lines) + "\n")


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 25
    with Site(works=200, authors=3, workers=3) as site:
        print(f"PostgreSQL {site.cluster.version}, {site.base_url}")
        figures = run(site, seconds=seconds)
        version = site.cluster.version
    print("\n".join(summary_lines(figures)))
    note = os.environ.get("LOAD_NOTE", "")
    append_section(section(figures, version=version, workers=3, works=200, note=note))
    failures = problems(figures)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
