"""AO3's search ranges as bounds: numbers (`<1000`, `1000-5000`) and dates (`< 2 weeks`)."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from archive.parameters import ID_MAX

_NUMBER_RANGE = re.compile(r"^(?:(?P<op>[<>])?(?P<low>\d{1,10})|(?P<a>\d{1,10})-(?P<b>\d{1,10}))$")
_RELATIVE = re.compile(
    r"^(?:(?P<op>[<>])?\s*(?P<n>\d{1,10})|(?P<a>\d{1,10})\s*-\s*(?P<b>\d{1,10}))\s*"
    r"(?P<unit>hour|day|week|month|year)s?(?:\s+ago)?$"
)
_DATES = re.compile(
    r"^(?P<op>[<>])?\s*(?P<a>\d{4}-\d{2}-\d{2})(?:\s*(?:-|to)\s*(?P<b>\d{4}-\d{2}-\d{2}))?$"
)
# Far enough back for any unit a reader types, and still a date Python can make.
UNIT_MAX = 2000

Bounds = tuple[int | None, int | None]
Moments = tuple[datetime | None, datetime | None]


def number_range(raw: str) -> Bounds | None:
    """(lowest, highest) inclusive, either None when open; None when `raw` is no range.
    `N` is exactly N, `<N` and `>N` are strict, `A-B` is inclusive either way round; a
    bound is below ID_MAX, the database's largest count."""
    match = _NUMBER_RANGE.match(raw.replace(",", "").replace(" ", ""))
    if match is None:
        return None
    if any(int(n) >= ID_MAX for n in (match["low"], match["a"], match["b"]) if n):
        return None
    if match["a"] is not None:
        low, high = sorted((int(match["a"]), int(match["b"])))
        return (low, high)
    number = int(match["low"])
    if match["op"] == "<":
        return (None, number - 1)
    if match["op"] == ">":
        return (number + 1, None)
    return (number, number)


def holds(bounds: Bounds, value: int) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def date_range(raw: str, *, now: datetime | None = None) -> Moments | None:
    """(earliest, latest) moments, either None when open; None when `raw` is no date range.

    As AO3 reads `work_search[revised_at]`: `< 2 weeks` is less than two weeks ago, `> 2
    weeks` more, `2 weeks` between two and three weeks ago, `1-2 weeks` between one and three;
    dates (`2019-06-02`, `2019-06-01 - 2019-06-30`, `< 2019-06-02`) count whole days."""
    text = re.sub(r"\s+", " ", raw.strip().lower())
    now = now or timezone.now()
    if match := _RELATIVE.match(text):
        unit = match["unit"]
        if match["a"] is not None:
            nearer, further = sorted((int(match["a"]), int(match["b"])))
        else:
            nearer = further = int(match["n"])
        if further > UNIT_MAX:
            return None
        if match["op"] == "<":
            return (_back(now, unit, nearer), None)
        if match["op"] == ">":
            return (None, _back(now, unit, nearer))
        return (_back(now, unit, further + 1), _back(now, unit, nearer))
    if match := _DATES.match(text):
        try:
            first = date.fromisoformat(match["a"])
            last = date.fromisoformat(match["b"]) if match["b"] else first
        except ValueError:
            return None
        first, last = sorted((first, last))
        if match["op"] == "<":
            return (None, _start_of(first))
        if match["op"] == ">":
            return (_day_after(last), None)
        return (_start_of(first), _day_after(last))
    return None


def _back(now: datetime, unit: str, count: int) -> datetime:
    if unit in {"hour", "day", "week"}:
        return now - timedelta(**{f"{unit}s": count})
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    year = max(year, 1)
    day = min(now.day, 28)  # every month has a 28th
    return now.replace(year=year, month=month + 1, day=day)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_after(day: date) -> datetime | None:
    return _start_of(day + timedelta(days=1)) if day < date.max else None
