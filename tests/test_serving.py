"""Served as `make run` serves it, slow clients cannot hold the site and are cut off."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from bs4 import BeautifulSoup

from archive.workers import BODY_GRACE, BODY_MAX_BYTES, SEND_STALL
from bench import slow_clients
from tests.factories import make_work
from tests.gunicorn import HOST, Gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

# archive/serving.py's keepalive: the time a connection has to send a whole request head.
HEAD_TIMEOUT = 5


@pytest.fixture
def server(tmp_path):
    """The port of a gunicorn as `make run` starts it."""
    # A hundred slow clients and the readers share one address.
    with Gunicorn(tmp_path, RATE_LIMIT_REQUESTS="0") as running:
        yield running.port


def test_slow_clients_neither_stop_readers_nor_stay_connected(server):
    # 50 connections dripping their headers, 50 POSTs dripping their bodies a byte a second;
    # a sync worker serves one connection at a time, so two of them stopped the site.
    report = slow_clients.run(
        HOST, server, slow_headers=50, slow_bodies=50, read_path="/", seconds=40, readers=2
    )

    assert not report.reader_errors, report.summary()
    assert report.reader_statuses and set(report.reader_statuses) == {200}, report.summary()
    # Other readers are answered as usual meanwhile, each within a couple of seconds.
    assert max(report.reader_seconds) < 2, report.summary()
    assert len(report.reader_seconds) >= 10, report.summary()
    headers, bodies = report.closed("headers"), report.closed("body")
    assert len(headers) == 50 and len(bodies) == 50, report.summary()
    # The server closes a head that has not arrived in time, and answers a body too slow
    # with 408, each soon after its deadline (the margins cover a loaded machine).
    assert all(r.seconds < HEAD_TIMEOUT + 5 for r in headers), report.summary()
    assert all(r.seconds < BODY_GRACE + 8 for r in bodies), report.summary()
    assert {r.answer for r in bodies} == {"HTTP/1.1 408 Request Timeout"}, report.summary()


def test_bodies_arriving_at_once_reach_the_pages_and_oversized_ones_are_refused(server):
    session = requests.Session()
    form = session.get(f"http://{HOST}:{server}/users/login", timeout=10)
    token = BeautifulSoup(form.text, "html.parser").find("input", {"name": "authenticity_token"})
    # A whole form sent at once is read and handled by the page: a wrong password is said so.
    answer = session.post(
        f"http://{HOST}:{server}/users/login",
        data={
            "authenticity_token": token["value"],
            "user[login]": "nobody",
            "user[password]": "not a password",
        },
        headers={"Referer": f"http://{HOST}:{server}/users/login"},
        timeout=10,
    )
    assert answer.status_code == 200
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.find("input", {"name": "user[login]"})["value"] == "nobody"
    assert page.select_one("div.error[role=alert]")

    # A body larger than any the site takes is refused from its Content-Length alone.
    with socket.create_connection((HOST, server), timeout=10) as sock:
        sock.sendall(
            f"POST /works/new HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Content-Length: {BODY_MAX_BYTES + 1}\r\n\r\n".encode()
        )
        reply = sock.recv(65536).decode("latin-1")
    assert reply.startswith("HTTP/1.1 413")
    assert "larger than this archive accepts" in reply


def test_clients_not_reading_a_large_page_are_cut_off_while_slow_readers_get_it(tmp_path):
    # 500 chapters of nearly 10,000 characters, shown on one page: any author can post it.
    work = make_work(chapters=[("", "<p>" + "words " * 1665 + "</p>")] * 500)
    path = f"/works/{work.pk}?view_full_work=true"
    with Gunicorn(tmp_path, RATE_LIMIT_REQUESTS="0") as running:
        page = requests.get(running.url + path, timeout=30)
        assert page.status_code == 200 and len(page.content) > 5_000_000
        before = slow_clients.worker_rss(running.process.pid)
        readers, waves = [], []

        def wave():
            """30 non-readers: when the server had closed them all, the workers' peak RSS,
            and how much of the response each had been sent."""
            opened = time.monotonic()
            sockets = slow_clients.open_non_readers(HOST, running.port, path, 30)
            peak, closed_after = {}, None
            try:
                while closed_after is None and time.monotonic() - opened < 90:
                    for pid, size in slow_clients.worker_rss(running.process.pid).items():
                        peak[pid] = max(peak.get(pid, 0), size)
                    started = time.monotonic()
                    status = requests.get(running.url + "/", timeout=30).status_code
                    readers.append((status, time.monotonic() - started))
                    if not slow_clients.still_connected(running.port, sockets):
                        closed_after = time.monotonic() - opened
                    time.sleep(1)
                taken = [slow_clients.received_until_closed(sock) for sock in sockets]
            finally:
                for sock in sockets:
                    sock.close()
            waves.append((closed_after, peak, max(taken)))

        with ThreadPoolExecutor(1) as pool:
            # A reader on a 100 kB/s line meanwhile: 50 s for the page.
            slow = pool.submit(
                slow_clients.read_slowly, HOST, running.port, path, rate=100_000, timeout=30
            )
            wave()
            wave()
            declared, received = slow.result(timeout=120)
    report = f"RSS MB before {before}; (closed after s, peak RSS MB, most sent) {waves}"
    print(report)
    for closed_after, _, most_sent in waves:
        # Cut off within the stall limit, with a loaded machine's margin for rendering 30
        # pages, and before the whole page was sent.
        assert closed_after is not None and closed_after < SEND_STALL + 40, report
        assert most_sent < len(page.content), report
    # What the workers held is reported, not compared between waves: the two waves may land
    # on different workers, and freed memory stays with the allocator's arenas anyway. A
    # page left buffered for every wave would add some 500 MB a wave.
    for _, peak, _ in waves:
        assert all(size < 1500 for size in peak.values()), report
    # Other readers were answered meanwhile, each within seconds.
    assert {status for status, _ in readers} == {200}, report
    assert max(seconds for _, seconds in readers) < 5, report
    # The honest slow reader got all of it.
    assert declared == received == len(page.content), report
