"""Readers are answered while hostile clients (bench/slow_clients.py) and hostile uploads
(bench/hostile.py, posted by logged-in authors) are in flight."""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

from bench import hostile, hostile_run, slow_clients
from works import uploads

READERS = 4
# "Within a couple of seconds" for a page of this small site, with a loaded machine's margin.
READ_SECONDS = 3
# Refused "within seconds": the sandbox's limit by the clock, and a loaded machine's margin.
UPLOAD_SECONDS = uploads.SANDBOX_WALL_SECONDS + 5


def test_readers_are_answered_while_slow_clients_and_hostile_uploads_are_in_flight(site):
    works = [work["id"] for work in site.targets["works"][:20]]
    worst = hostile.worst_uploads()
    prefix = f"Hostile {secrets.token_hex(4)}"
    pages = []
    posted = []

    def read(number, posting):
        # Each reader reads until the uploads are all answered, and at least 10 pages.
        for page in range(number, 10_000, READERS):
            if page >= 40 and posting.done():
                return
            started = time.monotonic()
            url = f"{site.base_url}/works/{works[page % len(works)]}"
            with urlopen(url, timeout=30) as response:  # noqa: S310
                response.read()
                pages.append((response.status, time.monotonic() - started, started))
            time.sleep(0.1)

    def during():
        with ThreadPoolExecutor(1) as uploader:
            posting = uploader.submit(hostile_run.post_all, site, worst, authors=3, prefix=prefix)
            with ThreadPoolExecutor(READERS) as pool:
                list(pool.map(read, range(READERS), [posting] * READERS))
            posted.extend(posting.result())

    report = slow_clients.run(
        "127.0.0.1", site.port, slow_headers=50, slow_bodies=50, read_path="/", seconds=40,
        readers=2, during=during,
    )  # fmt: skip

    assert not report.reader_errors, report.summary()
    assert len(pages) >= 40
    assert {status for status, _, _ in pages} == {200}
    assert max(seconds for _, seconds, _ in pages) < READ_SECONDS, report.summary()
    # The readers read throughout: while the slowest upload was still being converted too.
    slowest = max(posted, key=lambda p: p.seconds)
    assert any(slowest.started < started < slowest.finished for _, _, started in pages)
    outcomes = {p.label: (p.status, p.error or p.location) for p in posted}
    assert len(posted) == len(worst), outcomes
    for p in posted:
        assert p.as_expected, f"{p.label}: {outcomes[p.label]}, expected {p.expected!r}"
        assert p.seconds < UPLOAD_SECONDS, f"{p.label} took {p.seconds:.1f} s"
    # Only the one upload that is a readable file (an EPUB with an empty table of contents)
    # made a work; the refused ones made none.
    readable = [p.title for p in posted if p.expected is None]
    assert hostile_run.stored_titles(site, prefix) == readable, outcomes
    assert max(report.reader_seconds) < READ_SECONDS, report.summary()
    # Every slow client was cut off by the server's own deadlines, none by ours.
    assert len(report.closed("headers")) == 50, report.summary()
    assert len(report.closed("body")) == 50, report.summary()
