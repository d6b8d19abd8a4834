"""Test data: authors, and works with chapters and tags, built through the real models."""

import itertools

from django.contrib.auth import get_user_model

from tags.models import DEFAULT_WARNING, Tag, TagKind
from works.models import Chapter, Pseud, TaggedWork, Work
from works.services import reindex

_numbers = itertools.count(1)


def make_tag(name, kind=TagKind.FREEFORM):
    tag, _ = Tag.objects.get_or_create(kind=kind, name__iexact=name, defaults={"name": name})
    return tag


def make_author(name="author_1"):
    """A user with a default pseud of the same name, as signing up makes."""
    user = get_user_model().objects.create_user(name, password="a long passphrase")
    Pseud.objects.create(user=user, name=name, is_default=True)
    return user


def make_work(
    *,
    title=None,
    chapters=1,
    rating="General Audiences",
    warnings=(DEFAULT_WARNING,),
    tags=None,
    **fields,
):
    """A posted work. `chapters` is a count or a list of (title, html text) pairs."""
    number = next(_numbers)
    fields.setdefault("complete", True)
    work = Work.objects.create(title=title or f"Work {number}", **fields)
    if isinstance(chapters, int):
        chapters = [
            ("", f"<p>Text of chapter {position} of work {number}, told in words.</p>")
            for position in range(1, chapters + 1)
        ]
    for position, (chapter_title, text) in enumerate(chapters, start=1):
        Chapter.objects.create(work=work, position=position, title=chapter_title, text=text)
    kinds = {TagKind.RATING: [rating], TagKind.ARCHIVE_WARNING: list(warnings)}
    for kind, names in (tags or {}).items():
        kinds.setdefault(kind, []).extend(names)
    for kind, names in kinds.items():
        for name in names:
            TaggedWork.objects.create(content_object=work, tag=make_tag(name, kind))
    work.refresh_from_db()
    reindex(work, counted_before=set())
    return work
