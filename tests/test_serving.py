"""Served as `make run` serves it, slow clients cannot hold the site and are cut off."""

import socket

import pytest
import requests
from bs4 import BeautifulSoup

from archive.workers import BODY_GRACE, BODY_MAX_BYTES
from bench import slow_clients
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
