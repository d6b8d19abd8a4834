"""Whole numbers from query strings and forms: ASCII digits only and bounded, or None."""

import re

# str.isdigit() takes "²" and int() takes "٣" and "５", and int() refuses over 4,300 digits:
# only ASCII digits, few enough for any bound below, are read as a number.
_DIGITS = re.compile(r"[0-9]{1,12}")
# Ids are PostgreSQL integers.
ID_MAX = 2**31 - 1


def whole_number(raw: str | None, *, low: int = 0, high: int) -> int | None:
    """`raw` (a parameter's text) as an int from `low` to `high`, else None."""
    raw = (raw or "").strip()
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if low <= number <= high else None


def object_id(raw: str | None) -> int | None:
    """`raw` as a row id (1 to ID_MAX), else None."""
    return whole_number(raw, low=1, high=ID_MAX)
