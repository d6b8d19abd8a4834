"""Writes to works and chapters: each validates, runs in one transaction, keeps counts current."""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tags.models import Tag, counted_tag_ids
from works.models import Chapter, TaggedWork, Work


class ServiceError(ValueError):
    """A write that cannot be done; the message is for the author."""


def public_tag_ids(work):
    """The tags whose totals count this work while it is public (its own and every filter
    above them), else none."""
    return counted_tag_ids(work.tag_ids) if work.public else set()


def reindex(work, *, counted_before):
    """After a write: refresh the work's listing columns and move its tag totals."""
    work.reindex()
    counted_now = public_tag_ids(work)
    Tag.objects.adjust_work_counts(
        added=counted_now - counted_before, removed=counted_before - counted_now
    )


def recount_all_tags():
    """Every tag's total recounted from scratch, for after bulk loads."""
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_SQL)


def recount_fandoms(fandom_ids):
    """Works carrying any of these fandom tags get their fandom_count recounted, a fandom
    and its synonyms once (as Work.reindex counts them): after their mergers changed."""
    with connection.cursor() as cursor:
        cursor.execute(FANDOM_COUNT_SQL, [sorted(fandom_ids)])


FANDOM_COUNT_SQL = """
UPDATE works_work w SET fandom_count = c.n
FROM (
    SELECT w2.id, count(DISTINCT coalesce(t.merger_id, t.id)) AS n
    FROM works_work w2 JOIN tags_tag t ON t.id = ANY(w2.tag_ids)
    WHERE w2.tag_ids && %s::int[] AND t.kind = 'fandom'
    GROUP BY w2.id
) c
WHERE w.id = c.id AND w.fandom_count <> c.n
"""


def recount_tags(tag_ids):
    """These tags' totals recounted: the public works that filtering by each one finds."""
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_SOME_SQL, [sorted(tag_ids)])


# A work counts once for a tag, however many of its tags lie below that tag.
RECOUNT_SQL = """
UPDATE tags_tag t SET work_count = coalesce(c.n, 0)
FROM tags_tag t2 LEFT JOIN (
    SELECT counted.tag_id, count(*) AS n
    FROM (
        SELECT tw.content_object_id AS work_id, tw.tag_id FROM works_taggedwork tw
        UNION
        SELECT tw.content_object_id, f.filter_id
        FROM works_taggedwork tw JOIN tags_tagfilter f ON f.tag_id = tw.tag_id
    ) counted JOIN works_work w ON w.id = counted.work_id
    WHERE w.posted AND NOT w.restricted
    GROUP BY counted.tag_id
) c ON c.tag_id = t2.id
WHERE t.id = t2.id AND t.work_count IS DISTINCT FROM coalesce(c.n, 0)
"""
RECOUNT_SOME_SQL = """
UPDATE tags_tag t SET work_count = (
    SELECT count(*) FROM works_work w
    WHERE w.posted AND NOT w.restricted AND w.tag_ids && ARRAY(
        SELECT t.id::int UNION SELECT f.tag_id::int FROM tags_tagfilter f WHERE f.filter_id = t.id
    )
)
WHERE t.id = ANY(%s)
"""


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
    reindex(work, counted_before=set())
    return work


@transaction.atomic
def work_update(work, *, fields, tag_names):
    counted_before = public_tag_ids(work)
    for name, value in fields.items():
        setattr(work, name, value)
    work.updated_at = timezone.now()
    work.full_clean(exclude=["tags", "pseuds"])
    work.save()
    set_work_tags(work, tag_names)
    reindex(work, counted_before=counted_before)
    return work


@transaction.atomic
def work_post(work):
    """Publish a draft: it becomes visible to readers from today."""
    if work.posted:
        return work
    counted_before = public_tag_ids(work)
    work.posted = True
    work.published = timezone.localdate()
    work.updated_at = timezone.now()
    work.save(update_fields=["posted", "published", "updated_at"])
    Chapter.objects.filter(work=work).update(published=work.published)
    reindex(work, counted_before=counted_before)
    return work


@transaction.atomic
def work_delete(work):
    Tag.objects.adjust_work_counts(removed=public_tag_ids(work))
    work.delete()


def _save_chapter(chapter):
    chapter.full_clean(exclude=["work"])
    chapter.save()
    return chapter


def _touch(work):
    """A chapter changed: the work is updated now, and its text is searched anew."""
    Work.objects.filter(pk=work.pk).update(updated_at=timezone.now())
    work.reindex()


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
