"""Re-running a write transaction that PostgreSQL aborted to break a deadlock or a
serialization conflict, and telling such an abort from a database outage."""

import logging
import random
import time
from collections.abc import Callable
from functools import wraps

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

# deadlock_detected and serialization_failure: the server chose this transaction to abort so
# another could go on; run again, it meets the other's committed state.
CONFLICT_SQLSTATES = {"40P01", "40001"}
ATTEMPTS = 4
# Up to this many seconds (times the attempt number) of random wait before a new attempt,
# so two writers that collided do not start again in step.
BACKOFF = 0.05


def write_conflict(exception: BaseException | None) -> bool:
    """True when a database error is a deadlock or serialization abort."""
    if not isinstance(exception, OperationalError):
        return False
    return getattr(exception.__cause__, "sqlstate", None) in CONFLICT_SQLSTATES


def retry_on_conflict[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` (a whole atomic write) again when it is aborted by a deadlock or a
    serialization conflict, up to ATTEMPTS times in all; other errors pass at once.

    Inside an outer transaction nothing is retried: the abort has spoiled the outer one too,
    so the outermost call retries instead.
    """

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = 1 if connection.in_atomic_block else ATTEMPTS
        for attempt in range(1, attempts):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if not write_conflict(error):
                    raise
                logger.info("%s: attempt %d aborted (%s)", function.__name__, attempt, error)
            time.sleep(random.uniform(0, BACKOFF * attempt))  # noqa: S311
        return function(*args, **kwargs)

    return wrapper
