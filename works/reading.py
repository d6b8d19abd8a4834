"""Rules a reader meets before a work's text: restricted works and the adult-content gate."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from works.models import Work

ADULT_SESSION_KEY = "view_adult"


def restricted_redirect(request: HttpRequest, work: Work) -> HttpResponseRedirect | None:
    """For a restricted work and an anonymous visitor, the redirect to the login page."""
    if not work.restricted or request.user.is_authenticated:
        return None
    query = urlencode({"restricted": "true", "return_to": work.get_absolute_url()}, safe="/")
    return redirect(f"/users/login?{query}")


def needs_adult_gate(request: HttpRequest, work: Work) -> bool:
    """True when the visitor must confirm before reading; `?view_adult=true` confirms for good."""
    if not work.is_adult:
        return False
    if request.GET.get("view_adult") == "true":
        request.session[ADULT_SESSION_KEY] = True
        return False
    return not request.session.get(ADULT_SESSION_KEY, False)


def adult_query(request: HttpRequest) -> str:
    """The query string that carries a reader's consent along a redirect."""
    return "?view_adult=true" if request.GET.get("view_adult") == "true" else ""
