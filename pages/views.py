"""A site page, as its admin wrote it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pages.models import Page


def page(request: HttpRequest, slug: str) -> HttpResponse:
    found = Page.objects.filter(slug=slug).first()
    if found is None:
        raise Http404(f"There is no page '{slug}': an admin may write it in /admin/.")
    return render(request, "pages/page.html", {"page": found})
