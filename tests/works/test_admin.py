"""Edits made in the admin keep listings and tag totals as current as the author's forms do."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tags.models import Tag, TagKind
from tests.factories import make_tag, make_work
from works.models import Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "a long pass")
    client = Client()
    client.force_login(user)
    return client


def test_admin_retagging_updates_listing_columns_and_totals(admin_client):
    work = make_work(title="Admin Edited", tags={TagKind.FREEFORM: ["Old Tag"]})
    old, new = Tag.objects.get(name="Old Tag"), make_tag("New Tag")
    tagged = work.tagged.get(tag=old)
    data = {
        "title": "Admin Edited", "summary": "", "notes": "", "end_notes": "",
        "language": "en", "complete": "on", "published": "2026-01-01",
        "updated_at_0": "2026-01-01", "updated_at_1": "00:00:00", "posted": "on",
        "tagged-TOTAL_FORMS": "1", "tagged-INITIAL_FORMS": "1",
        "tagged-0-id": tagged.pk, "tagged-0-content_object": work.pk, "tagged-0-tag": new.pk,
        "chapters-TOTAL_FORMS": "0", "chapters-INITIAL_FORMS": "0",
    }  # fmt: skip
    # Keep the work's other tags (rating, warning) as they were.
    others = list(work.tagged.exclude(pk=tagged.pk))
    data["tagged-TOTAL_FORMS"] = str(1 + len(others))
    data["tagged-INITIAL_FORMS"] = str(1 + len(others))
    for number, row in enumerate(others, start=1):
        data[f"tagged-{number}-id"] = row.pk
        data[f"tagged-{number}-content_object"] = work.pk
        data[f"tagged-{number}-tag"] = row.tag_id
    response = admin_client.post(f"/admin/works/work/{work.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    work.refresh_from_db()
    assert new.pk in work.tag_ids and old.pk not in work.tag_ids
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.work_count, new.work_count) == (0, 1)


def test_admin_delete_moves_tag_totals(admin_client):
    work = make_work(tags={TagKind.FANDOM: ["Counted"]})
    tag = Tag.objects.get(name="Counted")
    assert tag.work_count == 1
    response = admin_client.post(f"/admin/works/work/{work.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Work.objects.exists()
    tag.refresh_from_db()
    assert tag.work_count == 0
