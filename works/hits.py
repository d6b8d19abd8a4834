"""Counting hits: once per visitor per work per day, written to the database in batches.

Each gunicorn worker buffers the visits it serves and writes them in one statement every
FLUSH_EVERY visits or FLUSH_SECONDS seconds. The `Hit` rows of today and yesterday make the
count once-per-day across workers; older rows are deleted on the way. A work's creators
reading it are not counted (works.views).
"""

import atexit
import contextlib
import hashlib
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

FLUSH_EVERY = 50
FLUSH_SECONDS = 10.0


def visitor_key(request):
    """Who is visiting, as far as hit counting goes; no address is stored.

    A visitor is the address alone: the User-Agent is the client's to change, and a new one
    per request must not count a new hit each time.
    """
    if request.user.is_authenticated:
        source = f"user:{request.user.pk}"
    else:
        source = f"anon:{request.META.get('REMOTE_ADDR', '')}"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{source}".encode()).hexdigest()[:32]


class HitCounter:
    def __init__(self):
        self._pending = set()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, request, work_id):
        with self._lock:
            self._pending.add((work_id, visitor_key(request), timezone.localdate()))
            due = (
                len(self._pending) >= FLUSH_EVERY
                or time.monotonic() - self._last_flush >= FLUSH_SECONDS
            )
        if due:
            self.flush()

    def flush(self):
        """Write the buffered visits; a visit already counted today adds nothing."""
        with self._lock:
            pending, self._pending = self._pending, set()
            self._last_flush = time.monotonic()
        if not pending:
            return
        rows = sorted(pending)
        values = ", ".join(["(%s, %s, %s::date)"] * len(rows))
        params = [value for row in rows for value in row]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH new AS (
                    INSERT INTO works_hit (work_id, visitor, day)
                    SELECT v.work_id, v.visitor, v.day
                    FROM (VALUES {values}) AS v(work_id, visitor, day)
                    JOIN works_work w ON w.id = v.work_id
                    ON CONFLICT DO NOTHING
                    RETURNING work_id
                )
                UPDATE works_work SET hits = works_work.hits + counted.n
                FROM (SELECT work_id, count(*) AS n FROM new GROUP BY work_id) AS counted
                WHERE works_work.id = counted.work_id
                """,  # noqa: S608 - only placeholders are interpolated
                params,
            )
            cursor.execute(
                "DELETE FROM works_hit WHERE day < %s",
                [timezone.localdate() - timedelta(days=1)],
            )


counter = HitCounter()


@atexit.register
def _flush_at_exit():
    # When the database is already gone, a few uncounted hits are not worth a traceback.
    with contextlib.suppress(DatabaseError):
        counter.flush()
