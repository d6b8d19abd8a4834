"""Tag pages: what a tag is, the tag index with its search, the fandom and media indexes,
and suggestions while typing."""

import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import F
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from archive import caching
from archive.pagination import paginate
from tags.counting import works_tagged_directly
from tags.escaping import unescape_tag
from tags.models import KIND_CLASSES, Medium, Tag, TagKind, TagQuerySet, medium_url
from tags.wrangling import is_wrangler


def tag_or_404(
    name: str, kind: str | None = None, *, user: AbstractBaseUser | AnonymousUser | None
) -> Tag:
    """The tag a URL names, if `user` may see it: of `kind` when that is one; else, since
    names are unique only within a kind, one that is not a synonym when there is one, so
    that a synonym of one kind does not send its name's other tags' pages to its canonical
    tag. A tag hidden from `user` is missing, in the same words as one never typed."""
    name = unescape_tag(name)
    tags = Tag.objects.visible_to(user).filter(name__iexact=name).select_related("merger")
    if kind in TagKind.values:
        tags = tags.filter(kind=kind)
    tag = tags.order_by(F("merger").asc(nulls_first=True), "id").first()
    if tag is None:
        raise Http404(f"There is no tag named '{name}'.")
    return tag


def to_canonical(request, tag, suffix):
    """A synonym's pages are its canonical tag's, with the same query."""
    url = tag.merger.page_url(suffix)
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def tag_show(request, name):
    """What a tag is: its kind, canonical status, synonyms, parents, subtags and totals."""
    tag = tag_or_404(name, request.GET.get("kind"), user=request.user)
    if tag.merger:
        return to_canonical(request, tag, "")
    context = {
        "tag": tag,
        # A synonym or subtag typed only on drafts is as hidden here as on its own page.
        "synonyms": tag.synonyms.visible_to(request.user).order_by(Lower("name")),
        "parents": _by_kind(tag.parents.visible_to(request.user)),
        "children": _by_kind(tag.children.visible_to(request.user)),
        "direct_count": works_tagged_directly(tag),
        "can_wrangle": is_wrangler(request.user),
        "medium_url": medium_url(tag.medium) if tag.kind == TagKind.FANDOM else "",
    }
    return render(request, "tags/show.html", context)


def _by_kind(tags):
    """[(kind label, [tag, …]), …] in AO3's order of kinds, each list by name."""
    groups = {}
    for tag in tags.order_by(Lower("name")):
        groups.setdefault(tag.kind, []).append(tag)
    return [(KIND_CLASSES[kind][3], groups[kind]) for kind in TagKind if kind in groups]


SUGGESTIONS = 10


def tag_autocomplete(request):
    """Existing tags of one kind that start with (or else contain) what the author typed."""
    kind = request.GET.get("kind", "")
    term = request.GET.get("term", "").strip()[:150]
    if kind not in TagKind.values or len(term) < 2:
        return JsonResponse({"tags": []})
    # Canonical tags first: they are the names wranglers chose for everyone to use.
    tags = Tag.objects.visible_to(request.user).filter(kind=kind)
    tags = tags.order_by("-canonical", Lower("name"))
    names = list(tags.filter(name__istartswith=term).values_list("name", flat=True)[:SUGGESTIONS])
    if len(names) < SUGGESTIONS:
        more = tags.filter(name__icontains=term).exclude(name__in=names)
        names += list(more.values_list("name", flat=True)[: SUGGESTIONS - len(names)])
    return JsonResponse({"tags": names})


FANDOM_LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]


def fandom_index(request):
    """Every fandom A to Z with its number of works."""
    # The list (2,000 fandoms at a million works) is cached per tag graph and version of the
    # works listed (archive.caching): a fandom's count moves when a work is posted, restricted
    # or deleted.
    key = caching.fandom_index_key()
    fandoms = cache.get(key)
    if fandoms is None:
        fandoms = render_to_string("tags/fandom_list.html", {"groups": _fandom_groups()})
        cache.set(key, fandoms, caching.FANDOM_INDEX_SECONDS)
    # Rendered from the fandom list template, escaped as it rendered.
    return render(request, "tags/fandoms.html", {"fandoms": mark_safe(fandoms)})  # noqa: S308


def _fandom_groups(fandoms=None):
    """[(letter, [fandom, …]), …] of `fandoms` (all listed ones by default), A to Z then #."""
    fandoms = Tag.objects.listed_fandoms() if fandoms is None else fandoms
    fandoms = fandoms.order_by(Lower("name"))
    letters = {letter: [] for letter in FANDOM_LETTERS}
    for fandom in fandoms.only("id", "name", "kind", "work_count"):
        first = unicodedata.normalize("NFKD", fandom.name[:1])[:1].upper()
        letters[first if first in letters else "#"].append(fandom)
    return [(letter, tags) for letter, tags in letters.items() if tags]


def searched_tags(request: HttpRequest, tags: TagQuerySet) -> tuple[TagQuerySet, str, str]:
    """`tags` narrowed to ?query= (in the name) and ?kind=, most used first, with the query
    and kind as understood."""
    query = request.GET.get("query", "").strip()[:150]
    kind = request.GET.get("kind", "")
    if query:
        tags = tags.filter(name__icontains=query)
    if kind in TagKind.values:
        tags = tags.filter(kind=kind)
    else:
        kind = ""
    return tags.order_by("-work_count", Lower("name"), "id"), query, kind


def tag_index(request):
    """Tags by name, with a search box: /tags?query=…&kind=…"""
    tags, query, kind = searched_tags(request, Tag.objects.visible_to(request.user))
    page = paginate(request, tags, per_page=50)
    context = {"page": page, "query": query, "kind": kind, "kinds": TagKind.choices}
    return render(request, "tags/index.html", context)


# The most used fandoms the media index shows under each medium, as AO3 does.
MEDIA_INDEX_FANDOMS = 5


def media_index(request):
    """Every medium with its most used fandoms and a link to all of them."""
    key = caching.media_key()
    html = cache.get(key)
    if html is None:
        media = []
        for medium in Medium:
            fandoms = Tag.objects.listed_fandoms().filter(medium=medium)
            top = fandoms.order_by("-work_count", Lower("name"))[:MEDIA_INDEX_FANDOMS]
            media.append({"medium": medium, "url": medium_url(medium), "fandoms": list(top)})
        html = render_to_string("tags/media_list.html", {"media": media})
        cache.set(key, html, caching.FANDOM_INDEX_SECONDS)
    # Rendered from the media list template, escaped as it rendered.
    return render(request, "tags/media.html", {"media": mark_safe(html)})  # noqa: S308


def medium_fandoms(request, name):
    """One medium's fandoms A to Z with their numbers of works: /media/NAME/fandoms."""
    label = unescape_tag(name)
    medium = next((medium for medium in Medium if medium.label == label), None)
    if medium is None:
        raise Http404(f"There is no medium named '{label}'.")
    key = caching.media_key(medium)
    html = cache.get(key)
    if html is None:
        groups = _fandom_groups(Tag.objects.listed_fandoms().filter(medium=medium))
        html = render_to_string("tags/medium_fandom_list.html", {"groups": groups})
        cache.set(key, html, caching.FANDOM_INDEX_SECONDS)
    # Rendered from the medium's fandom list template, escaped as it rendered.
    context = {"medium": medium, "fandoms": mark_safe(html)}  # noqa: S308
    return render(request, "tags/medium_fandoms.html", context)
