"""A reader's saved exclusion list: tags every listing hides, kept on the account or in a cookie."""

import re
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse

from accounts.models import ReaderPreference

COOKIE = "hidden_tags"
COOKIE_AGE = 60 * 60 * 24 * 365
MAX_HIDDEN = 200
_IDS = re.compile(r"^\d{1,12}(?:\.\d{1,12})*$")


def hidden_tag_ids(request: HttpRequest) -> list[int]:
    """The ids of tags this reader hides everywhere."""
    if request.user.is_authenticated:
        preference = ReaderPreference.objects.filter(user=request.user).first()
        return list(preference.hidden_tag_ids) if preference else []
    raw = request.COOKIES.get(COOKIE, "")
    if not _IDS.match(raw):
        return []
    ids = [int(part) for part in raw.split(".")]
    # Tag ids are PostgreSQL integers: a forged larger one would fail every listing.
    return [tag_id for tag_id in ids if tag_id < 2**31][:MAX_HIDDEN]


def save_hidden_tag_ids(
    request: HttpRequest, response: HttpResponse, tag_ids: Iterable[int]
) -> HttpResponse:
    tag_ids = sorted(set(tag_ids))[:MAX_HIDDEN]
    if request.user.is_authenticated:
        ReaderPreference.objects.update_or_create(
            user=request.user, defaults={"hidden_tag_ids": tag_ids}
        )
    elif tag_ids:
        response.set_cookie(
            COOKIE, ".".join(map(str, tag_ids)), max_age=COOKIE_AGE, samesite="Lax",
            httponly=True,
        )  # fmt: skip
    else:
        response.delete_cookie(COOKIE)
    return response
