"""Test data: authors, wranglers, tags, and works with chapters, made through the services;
and test clients logged in as one of them."""

import itertools

from django.contrib.auth.models import Group
from django.test import Client

from accounts.services import account_create
from tags.models import DEFAULT_WARNING, Tag, TagKind
from tags.wrangling import WRANGLERS_GROUP
from works.services import ChapterText, work_create

_numbers = itertools.count(1)
PASSWORD = "a long passphrase"


def make_tag(name, kind=TagKind.FREEFORM):
    tag, _ = Tag.objects.get_or_create(kind=kind, name__iexact=name, defaults={"name": name})
    return tag


def make_author(name="author_1", *, staff=False):
    """A user with a default pseud of the same name, as signing up makes."""
    user = account_create(username=name, password=PASSWORD)
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def make_wrangler(name="wrangler", *, staff=True):
    """An account in the Wranglers group; the wrangling pages let it in only if it is staff."""
    user = make_author(name, staff=staff)
    user.groups.add(Group.objects.get(name=WRANGLERS_GROUP))
    return user


def make_work(
    *,
    title=None,
    chapters=1,
    rating="General Audiences",
    warnings=(DEFAULT_WARNING,),
    tags=None,
    pseud=None,
    complete=True,
    **fields,
):
    """A work, posted unless posted=False, by `pseud` or by nobody. `chapters` is a count or
    a list of (title, html text) pairs; `fields` are the rest of work_create's arguments."""
    number = next(_numbers)
    if isinstance(chapters, int):
        chapters = [
            ("", f"<p>Text of chapter {position} of work {number}, told in words.</p>")
            for position in range(1, chapters + 1)
        ]
    names = {TagKind.RATING: [rating], TagKind.ARCHIVE_WARNING: list(warnings)}
    for kind, more in (tags or {}).items():
        names.setdefault(kind, []).extend(more)
    return work_create(
        title=title or f"Work {number}",
        chapters=[ChapterText(chapter_title, text) for chapter_title, text in chapters],
        pseud=pseud,
        tag_names=names,
        complete=complete,
        **fields,
    )


def logged_in(user):
    """A test client with `user` logged in."""
    client = Client()
    client.force_login(user)
    return client
