"""Request plumbing shared by every page."""

from django.conf import settings


class AuthenticityTokenMiddleware:
    """Accept AO3's `authenticity_token` form field as Django's CSRF token.

    Readers' tools log in by POSTing the token they read from `/token_dispenser.json`
    under AO3's field name; Django looks for `csrfmiddlewaretoken` or the CSRF header.
    The token is checked by Django's CsrfViewMiddleware exactly as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and settings.CSRF_HEADER_NAME not in request.META:
            token = request.POST.get("authenticity_token")
            if token and "csrfmiddlewaretoken" not in request.POST:
                request.META[settings.CSRF_HEADER_NAME] = token
        return self.get_response(request)
