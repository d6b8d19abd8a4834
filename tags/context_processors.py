"""What every page's header needs to know about tags: whether to offer Tag Wrangling."""

from django.utils.functional import SimpleLazyObject

from tags.wrangling import is_wrangler


def wrangling(request):
    # Lazy: only the header asks, and only a staff account costs a query.
    return {"is_wrangler": SimpleLazyObject(lambda: is_wrangler(request.user))}
