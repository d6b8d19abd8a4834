"""Pages of long lists (works, tags, changes) at a million rows: `?page=N` checked, counts
estimated when large, each page's ids read first."""

import json
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import cached_property

from archive import caching
from archive.parameters import ID_MAX, whole_number

PER_PAGE = 20
# Deep pages cost an OFFSET scan; past this many results a listing asks for a narrower filter.
MAX_PAGE = 5000
# Counting every match of a popular tag reads each matching row (over 100,000 at a million
# works): when PostgreSQL expects more than EXACT_COUNT_LIMIT results, a listing counts only
# to ESTIMATE_CHECK to confirm there are many, then says "about" and shows the estimate.
EXACT_COUNT_LIMIT = 10_000
ESTIMATE_CHECK = 1000


class ListingPaginator(Paginator):
    """A paginator for listings at a million works: an estimated count when it is large,
    and ids first.

    The count is exact unless PostgreSQL expects over EXACT_COUNT_LIMIT results and there
    are over ESTIMATE_CHECK; then it is the planner's estimate and `estimated` is true. A
    page reads its rows' ids first, which an index can answer without visiting the table,
    then only those rows.
    """

    estimated = False

    def __init__(
        self,
        *args: Any,
        upper_bound: int | None = None,
        upper_bound_exact: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # What the listing knows the count cannot exceed (see listings.query._public_upper_bound),
        # and whether it is the count itself (a tag's stored total, for a visitor).
        self.upper_bound = upper_bound
        self.upper_bound_exact = upper_bound_exact

    @cached_property
    def count(self) -> int:
        if self.upper_bound_exact:
            return self.upper_bound
        works = self.object_list.order_by().prefetch_related(None).values("pk")
        if works.query.is_empty():
            return 0  # a filter that can match nothing has no SQL to explain or count
        # An estimate is only "about" anyway: it is kept a while rather than asked again.
        key = caching.estimate_key(str(works.query))
        if (estimate := cache.get(key)) is not None:
            self.estimated = True
            return estimate
        expected = _planner_rows(works)
        if self.upper_bound is not None:
            expected = min(expected, self.upper_bound)
        if expected <= EXACT_COUNT_LIMIT:
            return works.count()
        if works[: ESTIMATE_CHECK + 1].count() <= ESTIMATE_CHECK:
            return works.count()
        self.estimated = True
        estimate = max(ESTIMATE_CHECK + 1, _rounded(expected))
        cache.set(key, estimate, caching.FRAGMENT_SECONDS)
        return estimate

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(
            self.object_list.prefetch_related(None).values_list("pk", flat=True)[
                bottom : bottom + self.per_page
            ]
        )
        rows = self.object_list.filter(pk__in=ids) if ids else self.object_list.none()
        return self._get_page(list(rows), number, self)


def _planner_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL expects `queryset` to return (EXPLAIN, nothing run)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _rounded(number: int) -> int:
    """`number` to two significant figures: an estimate should not look exact."""
    return round(number, 2 - len(str(number))) if number >= 100 else number


def paginate(
    request: HttpRequest,
    works: QuerySet,
    per_page: int = PER_PAGE,
    *,
    upper_bound: int | None = None,
    upper_bound_exact: bool = False,
) -> Page:
    """The page `?page=N` asks for; a page that is not a whole number from 1 on, is past
    the end, or is past MAX_PAGE is a 404 saying which."""
    raw = request.GET.get("page", "1")
    number = whole_number(raw, low=1, high=ID_MAX)
    if number is None:
        raise Http404(
            f"'{raw[:20]}' is not a page here. Page numbers are whole numbers from 1 to"
            f" {MAX_PAGE:,}: past that, narrow the filters."
        )
    paginator = ListingPaginator(
        works, per_page, upper_bound=upper_bound, upper_bound_exact=upper_bound_exact
    )
    # Past the end first: a short listing's reader needs its real last page, not the cap.
    last = max(paginator.num_pages, 1)
    if number > last:
        raise Http404(f"Page {number:,} is past the end: this listing's last page is {last:,}.")
    if number > MAX_PAGE:
        raise Http404(f"Listings stop at page {MAX_PAGE:,}: to see further, narrow the filters.")
    page = paginator.page(number)
    page.elided_range = list(paginator.get_elided_page_range(page.number))
    return page
