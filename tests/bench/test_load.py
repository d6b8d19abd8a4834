"""A short run of the mixed load (bench/locustfile.py) answers no request with a 5xx."""

import time

from bench.faults import verify_posts
from bench.load import KINDS, measured_records, summarize


def test_mixed_load_has_no_server_errors_and_keeps_every_post(site):
    started = time.time()
    records = site.run_locust(seconds=8, read_rps=8, post_rps=1, readers=4, authors=2, run="short")
    rows = summarize(measured_records(records, since=started), 8)

    assert rows["total"]["5xx"] == 0, site.log_tail()
    assert rows["total"]["errors"] == 0
    assert rows["total"]["4xx"] == 0
    # Every kind of request ran and was answered with the page itself.
    assert {kind for kind in KINDS if kind in rows} == set(KINDS)
    assert all(r["status"] == 200 for r in records if r["kind"] in KINDS[:-1])
    posts = verify_posts(site, run="short")
    assert posts["acknowledged"] >= 1
    assert posts["acknowledged"] == posts["attempted"] == posts["whole"]
    assert posts["lost"] == posts["partial"] == posts["duplicates"] == 0
