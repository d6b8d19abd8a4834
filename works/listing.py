"""Rendering work listings: the filter engine's results, paginated 20 to a page, with facets."""

import json

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from tags.models import KIND_CLASSES, TagKind
from tags.wrangling import graph_version
from works import caching
from works.models import Work
from works.parameters import whole_number
from works.preferences import hidden_tag_ids
from works.search import FACETS_SHOWN, KIND_PARAMS, SORTS, WorkSearch, facets, run_search

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

    def __init__(self, *args, upper_bound=None, upper_bound_exact=False, **kwargs):
        super().__init__(*args, **kwargs)
        # What the listing knows the count cannot exceed (see search._public_upper_bound),
        # and whether it is the count itself (a tag's stored total, for a visitor).
        self.upper_bound = upper_bound
        self.upper_bound_exact = upper_bound_exact

    @cached_property
    def count(self):
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

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(
            self.object_list.prefetch_related(None).values_list("pk", flat=True)[
                bottom : bottom + self.per_page
            ]
        )
        rows = self.object_list.filter(pk__in=ids) if ids else self.object_list.none()
        return self._get_page(list(rows), number, self)


def _planner_rows(queryset):
    """How many rows PostgreSQL expects `queryset` to return (EXPLAIN, nothing run)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _rounded(number):
    """`number` to two significant figures: an estimate should not look exact."""
    return round(number, 2 - len(str(number))) if number >= 100 else number


def paginate(request, works, per_page=PER_PAGE, *, upper_bound=None, upper_bound_exact=False):
    """The page `?page=N` asks for; a page that is not a number from 1 to MAX_PAGE, or is
    past the end, is a 404 saying so."""
    raw = request.GET.get("page", "1")
    number = whole_number(raw, low=1, high=MAX_PAGE)
    if number is None:
        raise Http404(
            f"'{raw[:20]}' is not a page here. Page numbers are whole numbers from 1 to"
            f" {MAX_PAGE:,}: past that, narrow the filters."
        )
    paginator = ListingPaginator(
        works, per_page, upper_bound=upper_bound, upper_bound_exact=upper_bound_exact
    )
    if number > max(paginator.num_pages, 1):
        raise Http404(f"Page {number} is past the last page, {paginator.num_pages}.")
    page = paginator.page(number)
    page.elided_range = list(paginator.get_elided_page_range(page.number))
    return page


def render_listing(request, *, title, subject="", tag=None, base=None, **extra):
    """A filtered, sorted, paginated page of works; `subject` ends the heading ("in Fluff")."""
    search = WorkSearch.from_query(request.GET, tag_name=tag.name if tag else "")
    hidden = hidden_tag_ids(request)
    results = run_search(search, user=request.user, base=base, hidden_tag_ids=hidden)
    own = extra.get("own", False)
    # A creator's own listing shows their drafts' actions: rendered afresh, never cached.
    works = results.works.with_tags() if own else results.works
    page = paginate(
        request,
        works,
        upper_bound=results.upper_bound,
        upper_bound_exact=results.upper_bound_exact,
    )
    if not own:
        _cached_blurbs(page.object_list)
    context = {
        "title": title,
        "subject": subject,
        "tag": tag,
        "page": page,
        "results": results,
        "search": search,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        **extra,
    }
    context["filters_html"] = _cached_filters(request, hidden, results, page, context, own)
    return render(request, "works/index.html", context)


def _cached_blurbs(works):
    """Give each work its rendered blurb (`blurb_html`), from the cache when this version of
    the work was rendered before; only the others are read with their tags and bylines.
    The hit count is the listed row's, filled in afresh (works.caching.fill_hits)."""
    keys = {work.pk: caching.blurb_key(work) for work in works}
    found = cache.get_many(keys.values())
    missing = [work.pk for work in works if keys[work.pk] not in found]
    if missing:
        fresh = Work.objects.filter(pk__in=missing).with_tags().in_bulk()
        rendered = {
            keys[pk]: caching.render_with_hits_slot("includes/blurb.html", {"work": fresh[pk]})
            for pk in missing
            if pk in fresh
        }
        cache.set_many(rendered, caching.FRAGMENT_SECONDS)
        found.update(rendered)
    for work in works:
        if keys[work.pk] in found:
            work.blurb_html = caching.fill_hits(found[keys[work.pk]], work.hits)


def _cached_filters(request, hidden, results, page, context, own):
    """The sort and filter sidebar with its facets, cached per listing, query, visitor kind,
    tag graph and version of the works listed (works.caching): the facets read a thousand
    works' tags, the same for every page of a listing.
    A creator's own listing counts their drafts too, so it is kept for them alone; it may
    offer their drafts' tags, which other listings leave out until a public work has them."""
    query = sorted((name, value) for name, value in request.GET.lists() if name != "page")
    visitor = request.user.pk if own else request.user.is_authenticated
    key = caching.filters_key(request.path, query, visitor, hidden, graph_version())
    html = cache.get(key)
    if html is None:
        by_kind, sampled = facets(
            results.works, page.paginator.count, user=request.user if own else None
        )
        fragment = {
            **context,
            "facet_groups": _facet_groups(by_kind, results.search),
            "facets_sampled": sampled,
        }
        html = render_to_string("includes/filters.html", fragment, request)
        cache.set(key, html, caching.FRAGMENT_SECONDS)
    # Rendered from the filters template, escaped as it rendered.
    return mark_safe(html)  # noqa: S308


def _facet_groups(by_kind, search):
    param_of = {kind: param for param, kind in KIND_PARAMS.items()}
    included, excluded = set(search.include_ids), set(search.exclude_ids)
    groups = []
    for kind in TagKind:
        facets_of_kind = by_kind.get(kind, [])
        if not facets_of_kind:
            continue
        for facet in facets_of_kind:
            facet.included = facet.tag.pk in included
            facet.excluded = facet.tag.pk in excluded
        groups.append(
            {
                "kind": kind,
                "label": KIND_CLASSES[kind][3],
                "param": param_of[kind],
                "shown": facets_of_kind[:FACETS_SHOWN],
                "more": facets_of_kind[FACETS_SHOWN:],
            }
        )
    return groups
