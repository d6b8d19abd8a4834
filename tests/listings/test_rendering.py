"""Cached filter sidebars follow the works their listing shows: a work restricted, deleted or
unposted leaves the facet counts at once, not after the fragment's timeout."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from tags.models import TagKind
from tests.factories import make_work
from tests.works.test_admin import form_data
from works import services

pytestmark = pytest.mark.django_db

TAGS = {TagKind.FREEFORM: ["Slow Burn"]}


def facet_counts(client, url="/works"):
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    labels = [label.get_text(" ", strip=True) for label in page.select("ul.facets label")]
    return [label for label in labels if label.startswith("Slow Burn")]


@pytest.fixture
def works():
    return [make_work(title=f"Burn {number}", tags=TAGS) for number in range(3)]


def tag_names(work):
    names = {}
    for tagged in work.tagged.select_related("tag"):
        names.setdefault(tagged.tag.kind, []).append(tagged.tag.name)
    return names


def edit(work, **changes):
    """What an edit form (the author's or the admin's) sends: the work as it is, but for
    `changes`."""
    fields = {
        "title": work.title, "summary": work.summary, "notes": work.notes,
        "end_notes": work.end_notes, "language": work.language, "complete": work.complete,
        "expected_chapters": work.expected_chapters, "restricted": work.restricted,
        "tag_names": tag_names(work),
    }  # fmt: skip
    services.work_update(work, **{**fields, **changes})


@pytest.mark.parametrize("url", ["/works", "/tags/Slow%20Burn/works", "/works/search"])
def test_restricting_a_work_leaves_the_cached_sidebar(
    works, url, django_capture_on_commit_callbacks
):
    client = Client()
    assert facet_counts(client, url) == ["Slow Burn (3)"]
    with django_capture_on_commit_callbacks(execute=True):
        edit(works[0], restricted=True)
    assert facet_counts(client, url) == ["Slow Burn (2)"]


def test_deleting_a_work_leaves_the_cached_sidebar(works, django_capture_on_commit_callbacks):
    client = Client()
    assert facet_counts(client) == ["Slow Burn (3)"]
    with django_capture_on_commit_callbacks(execute=True):
        services.work_delete(works[0])
    assert facet_counts(client) == ["Slow Burn (2)"]


def test_unposting_a_work_in_the_admin_leaves_the_cached_sidebar(
    works, django_capture_on_commit_callbacks
):
    client = Client()
    assert facet_counts(client) == ["Slow Burn (3)"]
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "a long pass")
    admin_client = Client()
    admin_client.force_login(admin)
    url = f"/admin/works/work/{works[0].pk}/change/"
    data = form_data(admin_client.get(url))
    data.pop("posted")  # unticked
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == 302
    assert facet_counts(client) == ["Slow Burn (2)"]


def test_posting_a_work_joins_the_cached_sidebar(works, django_capture_on_commit_callbacks):
    client = Client()
    draft = make_work(title="Draft burn", posted=False, tags=TAGS)
    assert facet_counts(client) == ["Slow Burn (3)"]
    with django_capture_on_commit_callbacks(execute=True):
        services.work_post(draft)
    assert facet_counts(client) == ["Slow Burn (4)"]


def test_the_fandom_index_drops_a_fandom_whose_work_was_restricted(
    django_capture_on_commit_callbacks,
):
    work = make_work(title="Lone", tags={TagKind.FANDOM: ["Lone Fandom"]})
    client = Client()
    assert "Lone Fandom" in client.get("/fandoms").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        edit(work, restricted=True)
    assert "Lone Fandom" not in client.get("/fandoms").content.decode()
