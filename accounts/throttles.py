"""Attempt counters every gunicorn worker shares (rate limit, login throttling), in the database.

Django's cache `incr` is a get then a set for the database and file caches, so two workers
can both read 4 and both write 5; here each count is one UPSERT ... RETURNING, which
PostgreSQL runs atomically, so a budget of N lets exactly N attempts through.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest

# Failed password checks allowed per account and per address within the window.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60
THROTTLED_MESSAGE = "Too many failed attempts to log in. Please wait 15 minutes and try again."

# Expired counters are deleted by every this-many-th count a process makes.
CLEAN_EVERY = 1000
_counts_since_clean = 0


def increment(keys: Iterable[str], window: int) -> dict[str, tuple[int, float]]:
    """Count one attempt for each key; {key: (count, seconds until its window ends)}.

    A key's window opens with its first attempt and lasts `window` seconds; the first
    attempt after it opens a new one.
    """
    global _counts_since_clean
    # Rows are locked in key order, so two statements sharing keys cannot deadlock.
    keys = sorted(set(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_throttle AS t (key, count, expires)
            SELECT key, 1, now() + make_interval(secs => %s)
            FROM unnest(%s::text[]) AS key
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN t.expires > now() THEN t.count + 1 ELSE 1 END,
                expires = CASE WHEN t.expires > now() THEN t.expires ELSE excluded.expires END
            RETURNING key, count, extract(epoch FROM expires - now())
            """,
            [window, keys],
        )
        counts = {key: (count, float(left)) for key, count, left in cursor.fetchall()}
        _counts_since_clean += 1
        if _counts_since_clean >= CLEAN_EVERY:
            _counts_since_clean = 0
            cursor.execute("DELETE FROM accounts_throttle WHERE expires <= now()")
    return counts


def give_back(keys: Iterable[str]) -> None:
    """Take back one attempt counted for each key in its current window."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_throttle SET count = count - 1"
            " WHERE key = ANY(%s) AND expires > now() AND count > 0",
            [sorted(set(keys))],
        )


def _login_limits(request: HttpRequest | None, username: str) -> dict[str, int]:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return {
        f"login-failures:account:{username.lower()}": MAX_FAILURES_PER_ACCOUNT,
        f"login-failures:address:{address}": MAX_FAILURES_PER_ADDRESS,
    }


def check_password(request: HttpRequest | None, username: str, check: Callable[[], bool]) -> bool:
    """Whether the password is right, by `check()`, counted against the account's and the
    address's attempts.

    Every form that checks a password goes through here (our login, the admin's, password
    change). The attempt is counted before the check and given back when it succeeds or is
    refused unchecked, so concurrent guesses cannot slip past the limit between a check and
    its count, and only wrong passwords that were checked stay counted. Raises a
    ValidationError with code "throttled", without checking, once either limit is used up.
    """
    limits = _login_limits(request, username)
    counts = increment(limits, FAILURE_WINDOW)
    if any(counts[key][0] > limit for key, limit in limits.items()):
        # Refused unchecked, it guessed nothing: counting it would let a burst of right
        # passwords sent at once lock the account for the whole window.
        give_back(limits)
        raise ValidationError(THROTTLED_MESSAGE, code="throttled")
    right = check()
    if right:
        give_back(limits)
    return right
