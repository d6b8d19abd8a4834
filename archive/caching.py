"""Every cache the site keeps (keys, versions, timeouts) and what invalidates each.

Work page bodies: `work_body_key` (work id, last update, chapter or all, creator style),
    WORK_BODY_SECONDS. Any edit moves the work's `updated_at` and so the key; what else a
    body shows (a renamed tag or pseud) is stale for at most the timeout.
Blurbs in listings: `blurb_key` (work id, last update), FRAGMENT_SECONDS; as for bodies.
Hit counts are in neither key: a body or blurb is cached with a slot where its hits go
    (`render_with_hits_slot`), filled from the work's row on every request (`fill_hits`),
    so a flush of buffered hits (works.hits) shows at once and re-renders nothing.
Filter sidebars: `filters_key` (path, query but its page, visitor kind, hidden tags, tag
    graph version, listing version), FRAGMENT_SECONDS. Stale at once when a write changes
    which works a listing shows (`listings_changed`) or the tag graph changes.
Listing count estimates: `estimate_key` (the count's SQL), FRAGMENT_SECONDS; nothing
    invalidates them: an estimate says "about" anyway.
The fandom index (tags.views.fandom_index): `fandom_index_key` (tag graph and listing
    versions), FANDOM_INDEX_SECONDS; stale when either version moves. The same for the media
    index and each medium's fandoms (tags.views): `media_key`, whose graph version also
    moves when a wrangler sets a fandom's medium.
The language index (listings.views.language_index): `languages_key` (listing version),
    FANDOM_INDEX_SECONDS; stale when a write changes which works a listing shows.
The number of restricted works (listings.query): RESTRICTED_TOTAL_KEY, RESTRICTED_SECONDS;
    nothing invalidates it.
Versions (archive.versions, kept with no timeout): LISTING_VERSION_KEY, moved by
    `listings_changed` on every write that changes which works a listing shows; the tag
    graph's, GRAPH_VERSION_KEY, moved by `graph_changed` on every wrangling change.
The rating tags' ids (tags.models.rating_ids): RATING_IDS_KEY, kept with no timeout once
    all five ratings exist; nothing invalidates it.
Not here: sessions, and the throttles' counters (accounts.throttles), which have their own
table.
"""

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from archive import versions

WORK_BODY_SECONDS = 600
# Rendered blurbs, filter sidebars and estimates: a renamed tag or pseud, or new facet
# counts where no version moved, show within this many seconds.
FRAGMENT_SECONDS = 300
FANDOM_INDEX_SECONDS = 300
RESTRICTED_TOTAL_KEY = "works:restricted-total"
RESTRICTED_SECONDS = 300

# A listing's sidebar counts its works' tags and is cached (FRAGMENT_SECONDS):
# every write that changes which works a listing shows (posting, editing, restricting,
# deleting, importing) moves this version, so no sidebar counts a work its listing has lost.
# The tag graph's version keys them too.
LISTING_VERSION_KEY = "works:listing-version"
GRAPH_VERSION_KEY = "tags:graph-version"
RATING_IDS_KEY = "tags:rating-ids"


class CachedWork(Protocol):
    """What the keys read of a work: archive imports no app, so not works.models.Work."""

    pk: int
    updated_at: datetime


def listing_version() -> int:
    return versions.current(LISTING_VERSION_KEY)


def listings_changed() -> None:
    """Once this transaction commits, sidebars and the fandom index cached for the old works
    go stale."""
    versions.change_on_commit(LISTING_VERSION_KEY)


def graph_version() -> int:
    return versions.current(GRAPH_VERSION_KEY)


def graph_changed() -> None:
    """Once this transaction commits, fragments cached for the old tag graph go stale."""
    versions.change_on_commit(GRAPH_VERSION_KEY)


def work_body_key(work: CachedWork, chapter_id: int | None, creator_style: bool) -> str:
    parts = ["work-body", work.pk, work.updated_at.timestamp(), chapter_id or "all"]
    return ":".join(map(str, [*parts, int(creator_style)]))


def blurb_key(work: CachedWork) -> str:
    return f"blurb:{work.pk}:{work.updated_at.timestamp()}"


def filters_key(
    path: str, query: list[tuple[str, list[str]]], visitor: int | bool, hidden: Iterable[int]
) -> str:
    listing = [path, query, visitor, sorted(hidden), graph_version(), listing_version()]
    return "filters:" + hashlib.sha256(json.dumps(listing).encode()).hexdigest()


def estimate_key(sql: str) -> str:
    return "listing-estimate:" + hashlib.sha256(sql.encode()).hexdigest()


def fandom_index_key() -> str:
    return f"fandom-index:{graph_version()}:{listing_version()}"


def media_key(medium: str = "") -> str:
    return f"media:{medium or 'index'}:{graph_version()}:{listing_version()}"


def languages_key() -> str:
    return f"languages:{listing_version()}"


def render_with_hits_slot(
    template_name: str, context: Mapping[str, Any], request: HttpRequest | None = None
) -> list[str]:
    """`template_name` rendered with `hits_slot` where its hit count goes: the parts around
    it, to cache and give to fill_hits."""
    # A token new to each render: no work's text can hold it and be mistaken for the slot.
    slot = secrets.token_hex(16)
    return render_to_string(template_name, {**context, "hits_slot": slot}, request).split(slot)


def fill_hits(parts: Iterable[str], hits: int) -> SafeString:
    """The rendered parts joined by the current hit count."""
    # Each part is the template's own output, escaped as it rendered.
    return mark_safe(conditional_escape(intcomma(hits)).join(parts))  # noqa: S308
