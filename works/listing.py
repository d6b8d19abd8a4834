"""Pages of work listings, 20 to a page as on AO3."""

from django.core.paginator import Paginator
from django.http import Http404

PER_PAGE = 20


def paginate(request, works, per_page=PER_PAGE):
    """The page `?page=N` asks for; a page that is not a number or past the end is a 404."""
    number = request.GET.get("page", "1")
    if not number.isdigit() or int(number) < 1:
        raise Http404(f"'{number[:20]}' is not a page number.")
    paginator = Paginator(works, per_page)
    if int(number) > paginator.num_pages:
        raise Http404(f"Page {number} is past the last page, {paginator.num_pages}.")
    page = paginator.page(int(number))
    page.elided_range = list(paginator.get_elided_page_range(page.number))
    return page
