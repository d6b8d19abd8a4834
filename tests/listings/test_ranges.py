"""AO3's number ranges and relative dates read as the bounds AO3 gives them."""

from datetime import UTC, datetime, timedelta

import pytest

from listings.ranges import date_range, holds, number_range

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "bounds"),
    [
        ("<1000", (None, 999)),
        (">5000", (5001, None)),
        ("1000-5000", (1000, 5000)),
        ("5000-1000", (1000, 5000)),
        ("1,000 - 5,000", (1000, 5000)),
        ("12", (12, 12)),
    ],
)
def test_number_ranges(raw, bounds):
    assert number_range(raw) == bounds


@pytest.mark.parametrize("raw", ["", "ten", "<", "1-", "-5", "1.5", "<>3", "²"])
def test_what_is_no_number_range(raw):
    assert number_range(raw) is None


def test_a_count_nothing_keeps_is_zero_for_every_work():
    assert holds(number_range("<5"), 0)
    assert holds(number_range("0"), 0)
    assert not holds(number_range(">0"), 0)


@pytest.mark.parametrize(
    ("raw", "bounds"),
    [
        ("< 2 weeks", (NOW - timedelta(weeks=2), None)),
        ("<2 weeks", (NOW - timedelta(weeks=2), None)),
        ("> 3 days", (None, NOW - timedelta(days=3))),
        ("2 weeks", (NOW - timedelta(weeks=3), NOW - timedelta(weeks=2))),
        ("1-2 weeks ago", (NOW - timedelta(weeks=3), NOW - timedelta(weeks=1))),
        ("< 1 month", (datetime(2026, 2, 28, 12, 0, tzinfo=UTC), None)),
        ("> 1 year", (None, datetime(2025, 3, 28, 12, 0, tzinfo=UTC))),
    ],
)
def test_relative_dates(raw, bounds):
    assert date_range(raw, now=NOW) == bounds


def test_dates_count_whole_days():
    first, last = date_range("2019-06-01 - 2019-06-30", now=NOW)
    assert (first.date().isoformat(), last.date().isoformat()) == ("2019-06-01", "2019-07-01")
    assert date_range("< 2019-06-02", now=NOW)[0] is None
    assert date_range("9999-12-31", now=NOW)[1] is None  # no day after the last


@pytest.mark.parametrize("raw", ["soon", "2 fortnights", "99999 years", "2019-02-30", "<"])
def test_what_is_no_date_range(raw):
    assert date_range(raw, now=NOW) is None
