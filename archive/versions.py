"""Versions that key cached fragments: each change sets a value never used before.

A version lives in the cache, which may drop it (the database cache culls old rows, Redis
evicts). Falling back to a fixed default would bring back fragments cached under that
default before the first change; a version found missing is set to a new value instead, so
nothing cached under an older one is ever read again.
"""

import time

from django.core.cache import cache
from django.db import transaction


def current(key: str) -> int:
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        # Another worker may have set it first: every worker must use the same value.
        version = cache.get(key, 0)
    return version


def change_on_commit(key: str) -> None:
    """Once this transaction commits, fragments cached under the old version go stale."""
    # After the commit, not before: a fragment rendered meanwhile from the old rows would
    # otherwise be cached under the new version.
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), None))
