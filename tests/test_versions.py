"""Cache versions that key fragments never repeat, even when the cache drops them."""

import pytest
from django.core.cache import cache
from django.db import transaction

from archive import versions

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_version_the_cache_lost_comes_back_as_one_never_used():
    seen = {versions.current("test:version")}
    for _ in range(3):
        cache.delete("test:version")  # culled or evicted
        version = versions.current("test:version")
        assert version not in seen
        assert versions.current("test:version") == version  # and stays, for every worker
        seen.add(version)


def test_a_change_shows_once_its_transaction_commits():
    before = versions.current("test:version")
    with transaction.atomic():
        versions.change_on_commit("test:version")
        assert versions.current("test:version") == before
    assert versions.current("test:version") != before
