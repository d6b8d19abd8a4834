"""Rendering work listings: the filter engine's results, paginated 20 to a page, with facets."""

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from accounts.preferences import hidden_tag_ids
from archive import caching
from archive.pagination import paginate
from archive.parameters import ID_MAX, whole_number
from listings.facets import facet_groups, facets
from listings.parameters import NAME_PARAMS, SORTS, WorkSearch
from listings.query import Results, run_search
from tags.models import Tag
from tags.names import parse_tag_names
from works.models import Work, WorkQuerySet


def render_listing(
    request: HttpRequest,
    *,
    title: str,
    subject: str = "",
    tag: Tag | None = None,
    base: WorkQuerySet | None = None,
    template: str = "works/index.html",
    search: WorkSearch | None = None,
    **extra: Any,
) -> HttpResponse:
    """A filtered, sorted, paginated page of works; `subject` ends the heading ("in Fluff").
    `search` is the request's, when the view parsed it already."""
    search = search or WorkSearch.from_query(request.GET, tag_name=tag.name if tag else "")
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
        "in_effect": filters_in_effect(request, results),
        # The search form's fields the sidebar has none of, sent again with it.
        "carried": sorted(search.terms.items()),
        **extra,
    }
    context["filters_html"] = _cached_filters(request, hidden, results, page, context, own)
    return render(request, template, context)


def filters_in_effect(request: HttpRequest, results: Results) -> list[tuple[str, str, str]]:
    """(how the filter reads, the tag's name, the URL without it) for each chosen tag: by id,
    and by name in the sidebar's and the search form's lists of names."""
    found = []
    for side, param, tag in results.chosen:
        name = f"{side}_work_search[{param}][]"
        kept = [raw for raw in request.GET.getlist(name) if _id_of(raw) != tag.pk]
        found.append((side, tag.name, _without(request, name, kept)))
    lists = [("include", "other_tag_names"), ("exclude", "excluded_tag_names")]
    lists += [("include", param) for param in NAME_PARAMS]
    for side, param in lists:
        name = f"work_search[{param}]"
        names = parse_tag_names(request.GET.get(name, ""))
        for one in names:
            rest = ", ".join(other for other in names if other != one)
            found.append((side, one, _without(request, name, [rest] if rest else [])))
    return found


def _id_of(raw: str) -> int | None:
    return whole_number(raw, high=ID_MAX)


def _without(request: HttpRequest, name: str, kept: list[str]) -> str:
    params = request.GET.copy()
    params.setlist(name, kept)
    params.pop("page", None)
    query = params.urlencode(safe="[]")
    return f"{request.path}?{query}" if query else request.path


def _cached_blurbs(works):
    """Give each work its rendered blurb (`blurb_html`), from the cache when this version of
    the work was rendered before; only the others are read with their tags and bylines.
    The hit count is the listed row's, filled in afresh (archive.caching.fill_hits)."""
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
    tag graph and version of the works listed (archive.caching): the facets read a thousand
    works' tags, the same for every page of a listing.
    A creator's own listing counts their drafts too, so it is kept for them alone; it may
    offer their drafts' tags, which other listings leave out until a public work has them."""
    query = sorted((name, value) for name, value in request.GET.lists() if name != "page")
    visitor = request.user.pk if own else request.user.is_authenticated
    key = caching.filters_key(request.path, query, visitor, hidden)
    html = cache.get(key)
    if html is None:
        by_kind, sampled = facets(
            results.works, page.paginator.count, user=request.user if own else None
        )
        fragment = {
            **context,
            "facet_groups": facet_groups(by_kind, results.search, results.chosen),
            "facets_sampled": sampled,
        }
        html = render_to_string("includes/filters.html", fragment, request)
        cache.set(key, html, caching.FRAGMENT_SECONDS)
    # Rendered from the filters template, escaped as it rendered.
    return mark_safe(html)  # noqa: S308
