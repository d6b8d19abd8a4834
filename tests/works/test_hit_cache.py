"""A new hit count shows at once without re-rendering the cached chapter body or blurb."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_work
from works import hits

pytestmark = pytest.mark.django_db


def visit(url, address):
    response = Client(REMOTE_ADDR=address).get(url)
    assert response.status_code == 200
    rendered = [template.name for template in response.templates]
    page = BeautifulSoup(response.content, "html.parser")
    return rendered, [dd.get_text(strip=True) for dd in page.select("dd.hits")]


@pytest.fixture
def work(monkeypatch):
    hits.counter.flush()
    # Visits are buffered until the test flushes them.
    monkeypatch.setattr(hits, "FLUSH_SECONDS", 3600.0)
    return make_work(title="Counted", chapters=2)


@pytest.mark.parametrize("full", [False, True])
def test_a_hit_flush_does_not_re_render_the_cached_body(work, full):
    chapter = work.chapters.order_by("position").first()
    url = work.get_absolute_url() + "?view_full_work=true" if full else chapter.get_absolute_url()
    rendered, shown = visit(url, "10.0.0.1")
    assert "includes/work_body.html" in rendered
    assert shown == ["0"]
    visit(url, "10.0.0.2")
    hits.counter.flush()
    work.refresh_from_db()
    assert work.hits == 2
    rendered, shown = visit(url, "10.0.0.3")
    assert "includes/work_body.html" not in rendered
    assert shown == ["2"]


def test_a_hit_flush_does_not_re_render_the_cached_blurb(work):
    rendered, shown = visit("/works", "10.0.0.1")
    assert "includes/blurb.html" in rendered
    assert shown == ["0"]
    visit(work.get_absolute_url() + "?view_full_work=true", "10.0.0.2")
    hits.counter.flush()
    rendered, shown = visit("/works", "10.0.0.3")
    assert "includes/blurb.html" not in rendered
    assert shown == ["1"]
