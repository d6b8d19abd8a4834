"""Tag pages: the works that carry a tag."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from tags.escaping import unescape_tag
from tags.models import Tag, TagKind
from works.listing import paginate
from works.models import Work


def tag_works(request, name):
    name = unescape_tag(name)
    # Names are unique within a kind, so one name may be, say, both a fandom and a relationship.
    tags = list(Tag.objects.filter(name__iexact=name))
    if not tags:
        raise Http404(f"There is no tag named '{name}'.")
    works = (
        Work.objects.visible_to(request.user)
        .filter(tagged__tag__in=tags)
        .distinct()
        .recently_updated()
        .with_tags()
    )
    page = paginate(request, works)
    return render(request, "tags/works.html", {"tag": tags[0], "tags": tags, "page": page})


SUGGESTIONS = 10


def tag_autocomplete(request):
    """Existing tags of one kind that start with (or else contain) what the author typed."""
    kind = request.GET.get("kind", "")
    term = request.GET.get("term", "").strip()[:150]
    if kind not in TagKind.values or len(term) < 2:
        return JsonResponse({"tags": []})
    tags = Tag.objects.filter(kind=kind)
    names = list(tags.filter(name__istartswith=term).values_list("name", flat=True)[:SUGGESTIONS])
    if len(names) < SUGGESTIONS:
        more = tags.filter(name__icontains=term).exclude(name__in=names)
        names += list(more.values_list("name", flat=True)[: SUGGESTIONS - len(names)])
    return JsonResponse({"tags": names})
