"""Writes to works and chapters: each validates, runs in one transaction, keeps counts current."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tags.models import Tag
from works.models import Chapter, TaggedWork, Work


class ServiceError(ValueError):
    """A write that cannot be done; the message is for the author."""


def set_work_tags(work, names_by_kind):
    """Replace a work's tags with {kind: [name, …]}, reusing tags case-insensitively."""
    tags = Tag.objects.find_or_create(names_by_kind)
    TaggedWork.objects.filter(content_object=work).exclude(tag__in=tags).delete()
    have = set(TaggedWork.objects.filter(content_object=work).values_list("tag_id", flat=True))
    TaggedWork.objects.bulk_create(
        TaggedWork(content_object=work, tag=tag) for tag in tags if tag.pk not in have
    )


@transaction.atomic
def work_create(*, pseud, fields, tag_names, chapters, posted):
    """A new work by `pseud` with its tags and chapters [(title, html), …]."""
    if not chapters:
        raise ServiceError("A work needs at least one chapter.")
    now = timezone.now()
    work = Work(**fields, posted=posted, updated_at=now, published=timezone.localdate())
    work.full_clean(exclude=["tags", "pseuds"])
    work.save()
    work.pseuds.add(pseud)
    set_work_tags(work, tag_names)
    for position, (title, text) in enumerate(chapters, start=1):
        _save_chapter(Chapter(work=work, position=position, title=title, text=text))
    return work


@transaction.atomic
def work_update(work, *, fields, tag_names):
    for name, value in fields.items():
        setattr(work, name, value)
    work.updated_at = timezone.now()
    work.full_clean(exclude=["tags", "pseuds"])
    work.save()
    set_work_tags(work, tag_names)
    return work


@transaction.atomic
def work_post(work):
    """Publish a draft: it becomes visible to readers from today."""
    if work.posted:
        return work
    work.posted = True
    work.published = timezone.localdate()
    work.updated_at = timezone.now()
    work.save(update_fields=["posted", "published", "updated_at"])
    Chapter.objects.filter(work=work).update(published=work.published)
    return work


@transaction.atomic
def work_delete(work):
    work.delete()


def _save_chapter(chapter):
    chapter.full_clean(exclude=["work"])
    chapter.save()
    return chapter


def _touch(work):
    Work.objects.filter(pk=work.pk).update(updated_at=timezone.now())


@transaction.atomic
def chapter_add(work, *, chapters):
    """Append chapters [(fields dict), …] after the work's last chapter."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    last = work.chapters.order_by("-position").values_list("position", flat=True).first() or 0
    created = []
    for offset, fields in enumerate(chapters, start=1):
        created.append(_save_chapter(Chapter(work=work, position=last + offset, **fields)))
    _touch(work)
    return created


@transaction.atomic
def chapter_update(chapter, *, fields):
    for name, value in fields.items():
        setattr(chapter, name, value)
    _save_chapter(chapter)
    _touch(chapter.work)
    return chapter


@transaction.atomic
def chapter_delete(chapter):
    work = Work.objects.select_for_update().get(pk=chapter.work_id)
    if work.chapters.count() <= 1:
        raise ServiceError("This is the work's only chapter: delete the work instead.")
    position = chapter.position
    chapter.delete()
    work.chapters.filter(position__gt=position).update(position=F("position") - 1)
    _touch(work)


@transaction.atomic
def chapters_reorder(work, ordered_ids):
    """Put the work's chapters in the order of `ordered_ids`, which must name each once."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    current = set(work.chapters.values_list("id", flat=True))
    if sorted(ordered_ids) != sorted(current):
        raise ServiceError("The new order must list each of the work's chapters exactly once.")
    # The position constraint is deferred, so positions may collide until the commit.
    for position, chapter_id in enumerate(ordered_ids, start=1):
        Chapter.objects.filter(pk=chapter_id).update(position=position)
    _touch(work)
