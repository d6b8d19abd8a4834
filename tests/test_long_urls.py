"""Served as `make run` serves it, long filter URLs reach their page up to the limit
archive/serving.py sets, a longer one gets a page that says what happened, and a login's
query string (ao3-api's password) stays out of the access log."""

import socket
import time

import pytest

from archive import serving
from tags.models import TagKind
from tests.factories import PASSWORD, make_author, make_work
from tests.gunicorn import HOST, Gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

# gunicorn's default limit on one header line, name included, which archive/serving.py keeps.
HEADER_LINE_LIMIT = 8190


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), Gunicorn(tmp_path_factory.mktemp("long")) as running:
        yield running


def exchange(port, request_line, *headers):
    """The raw answer to one request sent as given."""
    lines = [request_line, f"Host: {HOST}:{port}", *headers, "Connection: close", "", ""]
    with socket.create_connection((HOST, port), timeout=30) as connection:
        connection.sendall("\r\n".join(lines).encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (f.partition(": ") for f in fields)}
    return status, headers, body.decode()


def filter_line(length):
    """`GET /works?…excluded_tag_names=… HTTP/1.1`, exactly `length` bytes, excluding as many
    tags as fit, as a reader excluding tag after tag builds it."""
    start, end = "GET /works?work_search[excluded_tag_names]=", " HTTP/1.1"
    names = ",".join(f"Excluded Tag {n}" for n in range(length)).replace(" ", "%20")
    return start + names[: length - len(start) - len(end)] + end


def test_a_filter_url_as_long_as_the_limit_reaches_its_listing(server):
    work = make_work(title="Still Listed", tags={TagKind.FREEFORM: ["Kept"]})
    line = filter_line(serving.limit_request_line)
    assert len(line) == 16384

    status, _, body = exchange(server.port, line)

    assert status == "HTTP/1.1 200 OK"
    assert f'id="work_{work.pk}"' in body


def test_a_longer_url_gets_a_page_saying_what_happened(server):
    status, headers, body = exchange(server.port, filter_line(serving.limit_request_line + 1))

    assert status == "HTTP/1.1 414 URI Too Long"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert '<h2 class="heading">Address too long</h2>' in body
    assert "(about 16,384 characters)" in body
    assert "remove some of the\nincluded or excluded tags" in body


def test_an_oversized_header_gets_a_page_too(server):
    referer = "http://127.0.0.1/works?q=" + "a" * HEADER_LINE_LIMIT
    fits = "Referer: " + referer[: HEADER_LINE_LIMIT - len("Referer: ") - 2]

    assert exchange(server.port, "GET /works HTTP/1.1", fits)[0] == "HTTP/1.1 200 OK"
    status, headers, body = exchange(server.port, "GET /works HTTP/1.1", "Referer: " + referer)

    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert '<h2 class="heading">Request too large</h2>' in body


def test_a_logins_query_string_stays_out_of_the_access_log(server):
    make_author("keeper")
    secret = PASSWORD.replace(" ", "%20")
    line = f"POST /users/login?user[login]=keeper&user[password]={secret} HTTP/1.1"

    status, _, _ = exchange(server.port, line, "Content-Length: 0")
    exchange(server.port, "GET /works?page=1 HTTP/1.1")
    time.sleep(0.5)

    assert status == "HTTP/1.1 403 Forbidden"
    log = server.log_path.read_text()
    assert '"POST /users/login?[hidden] HTTP/1.1" 403' in log
    assert secret not in log and "keeper" not in log
    # Other addresses are logged whole.
    assert '"GET /works?page=1 HTTP/1.1" 200' in log
