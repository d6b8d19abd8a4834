"""Rendering work listings: the filter engine's results, paginated 20 to a page, with facets."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from tags.models import KIND_CLASSES, TagKind
from works.preferences import hidden_tag_ids
from works.search import FACETS_SHOWN, KIND_PARAMS, SORTS, WorkSearch, facets, run_search

PER_PAGE = 20
# Deep pages cost an OFFSET scan; past this many results a listing asks for a narrower filter.
MAX_PAGE = 5000


def paginate(request, works, per_page=PER_PAGE):
    """The page `?page=N` asks for; a page that is not a number or past the end is a 404."""
    number = request.GET.get("page", "1")
    if not number.isdigit() or int(number) < 1:
        raise Http404(f"'{number[:20]}' is not a page number.")
    if int(number) > MAX_PAGE:
        raise Http404(f"Listings stop at page {MAX_PAGE:,}: narrow the filters to see more.")
    paginator = Paginator(works, per_page)
    if int(number) > max(paginator.num_pages, 1):
        raise Http404(f"Page {number} is past the last page, {paginator.num_pages}.")
    page = paginator.page(int(number))
    page.elided_range = list(paginator.get_elided_page_range(page.number))
    return page


def render_listing(request, *, title, subject="", tag=None, base=None, **extra):
    """A filtered, sorted, paginated page of works; `subject` ends the heading ("in Fluff")."""
    search = WorkSearch.from_query(request.GET, tag_name=tag.name if tag else "")
    results = run_search(
        search, user=request.user, base=base, hidden_tag_ids=hidden_tag_ids(request)
    )
    page = paginate(request, results.works.with_tags())
    by_kind, sampled = facets(results.works, page.paginator.count)
    context = {
        "title": title,
        "subject": subject,
        "tag": tag,
        "page": page,
        "results": results,
        "search": search,
        "facet_groups": _facet_groups(by_kind, search),
        "facets_sampled": sampled,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        **extra,
    }
    return render(request, "works/index.html", context)


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
