"""Writes to works and chapters: each validates, runs in one transaction, keeps counts current."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Pseud
from archive.caching import listings_changed
from archive.errors import ServiceError
from archive.transactions import retry_on_conflict
from tags.models import Tag, lock_tag_graph
from works.checking import LimitError, check_chapters
from works.indexing import public_tag_ids, reindex
from works.models import Chapter, Submission, TaggedWork, Work

# {tag kind: [name, …]}, as the forms and seed files give a work's tags.
TagNames = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ChapterText:
    """What an author writes of one chapter: its title and text, and the notes around them."""

    title: str
    text: str
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


class WorkError(ServiceError):
    """A write to a work or its chapters that cannot be done; the message is for the author."""


# Not ServiceErrors, which views answer on the page of the work: that page is gone too.
class WorkDeleted(LookupError):
    """The work was deleted before this write could take its row."""


class ChapterDeleted(LookupError):
    """The chapter was deleted before this write could take its row."""


class StaleEdit(WorkError):
    """The form was opened before someone else saved the same work or chapter."""


WORK_DELETED = "This work was deleted while this page was open, so nothing was saved."
CHAPTER_DELETED = "This chapter was deleted while this page was open, so nothing was saved."
STALE_EDIT = (
    "This {what} was changed since you opened this form (in another tab or window, or by a"
    " co-creator), so your changes were not saved. They are still in the form below: copy"
    " what you need, reload the page to see the current version, and make your changes there."
)


def _locked_work(work_id: int, *, deleting: bool = False) -> Work:
    """The work as stored now, its row locked until the transaction ends: a write lands on
    the current row, and one whose work was deleted meanwhile is refused instead of saving
    it back (Django's save() inserts when its UPDATE finds no row)."""
    # Before the row: a wrangle waits for this write, and this write for a wrangle.
    lock_tag_graph()
    works = Work.objects.select_for_update(no_key=not deleting)
    work = works.filter(pk=work_id).first()
    if work is None:
        raise WorkDeleted(WORK_DELETED)
    return work


def _locked_chapter(work: Work, chapter_id: int) -> Chapter:
    chapter = Chapter.objects.select_for_update(no_key=True).filter(pk=chapter_id, work=work)
    chapter = chapter.first()
    if chapter is None:
        raise ChapterDeleted(CHAPTER_DELETED)
    chapter.work = work
    return chapter


def _check_version(row: Work | Chapter, version: int | None, what: str) -> None:
    """Refuse a form opened at another version than the row's (None: no form to check)."""
    if version is not None and version != row.lock_version:
        raise StaleEdit(STALE_EDIT.format(what=what))


def set_work_tags(work: Work, names_by_kind: TagNames) -> None:
    """Replace a work's tags with {kind: [name, …]}, reusing tags case-insensitively."""
    tags = Tag.objects.find_or_create(names_by_kind)
    TaggedWork.objects.filter(content_object=work).exclude(tag__in=tags).delete()
    have = set(TaggedWork.objects.filter(content_object=work).values_list("tag_id", flat=True))
    TaggedWork.objects.bulk_create(
        TaggedWork(content_object=work, tag=tag) for tag in tags if tag.pk not in have
    )


def _checked(chapters: Sequence[ChapterText], *, existing: int = 0) -> None:
    """Refuse chapters past the limits, with a message for the author."""
    try:
        check_chapters([(chapter.title, chapter.text) for chapter in chapters], existing=existing)
    except LimitError as error:
        raise WorkError(str(error)) from None


SUBMISSIONS_KEPT = timedelta(days=1)
ALREADY_SENT = "This form was sent already: open the page again to post something new."


def claim_submission(token: UUID | None, user: AbstractBaseUser | None) -> Submission | None:
    """None when this request is the first to send the form with `token` (or it has none),
    else the Submission of the one that was. A second sender waits here, on the token's
    unique index, until the first one's transaction ends, then finds what that one made."""
    if token is None:
        return None
    try:
        with transaction.atomic():
            Submission.objects.create(token=token, user=user)
    except IntegrityError:
        earlier = Submission.objects.filter(token=token, user=user).first()
        if earlier is None:
            raise WorkError(ALREADY_SENT) from None
        return earlier
    # A form is sent again within seconds, not days: older tokens need no keeping.
    old = timezone.now() - SUBMISSIONS_KEPT
    Submission.objects.filter(user=user, created_at__lt=old).delete()
    return None


@retry_on_conflict
@transaction.atomic
def work_create(
    *,
    title: str,
    chapters: Sequence[ChapterText],
    pseud: Pseud | None = None,
    tag_names: TagNames | None = None,
    summary: str = "",
    notes: str = "",
    end_notes: str = "",
    language: str = "en",
    complete: bool = False,
    expected_chapters: int | None = None,
    restricted: bool = False,
    posted: bool = True,
    source_hash: str | None = None,
    token: UUID | None = None,
) -> Work:
    """A new work by `pseud` (None: by nobody, as seeds are) with its chapters and tags; when
    the form's `token` made a work already, that work instead."""
    if not chapters:
        raise WorkError("A work needs at least one chapter.")
    if token is not None and pseud is None:
        raise ValueError("A form's token belongs to the account that sent it: give its pseud.")
    _checked(chapters)
    if earlier := claim_submission(token, pseud.user if pseud else None):
        if earlier.work is None or earlier.chapter_id is not None:
            raise WorkError(ALREADY_SENT)
        return earlier.work
    work = Work(
        title=title, summary=summary, notes=notes, end_notes=end_notes, language=language,
        complete=complete, expected_chapters=expected_chapters, restricted=restricted,
        posted=posted, source_hash=source_hash, updated_at=timezone.now(),
        published=timezone.localdate(),
    )  # fmt: skip
    # The unique index checks source_hash: an import that lost a race to the same file
    # answers its IntegrityError with the work that won.
    work.full_clean(exclude=["tags", "pseuds", "source_hash"])
    work.save()
    if pseud is not None:
        work.pseuds.add(pseud)
    for position, chapter in enumerate(chapters, start=1):
        _save_chapter(Chapter(work=work, position=position, **asdict(chapter)), refresh_work=False)
    # After the chapters: a tag this creates stays locked until the commit, so it is made
    # last.
    set_work_tags(work, tag_names or {})
    work.refresh_counts()
    Submission.objects.filter(token=token).update(work=work)
    reindex(work, counted_before=set())
    return work


@retry_on_conflict
@transaction.atomic
def work_update(
    work: Work,
    *,
    title: str,
    summary: str,
    notes: str,
    end_notes: str,
    language: str,
    complete: bool,
    expected_chapters: int | None,
    restricted: bool,
    tag_names: TagNames,
    posted: bool | None = None,
    version: int | None = None,
    text: str | None = None,
    text_version: int | None = None,
) -> Work:
    """Replace the work's fields and tags; `posted` (None: as it is) posts a draft or takes a
    work back to draft. `version` is the lock_version its form was opened at, and the change
    is refused when the work was saved since. `text` (None: as it is) replaces the text of a
    work of one chapter, whose lock_version its form was opened at is `text_version`."""
    work = _locked_work(work.pk)
    _check_version(work, version, "work")
    if text is not None:
        _replace_only_text(work, text, text_version)
    counted_before = public_tag_ids(work)
    work.title, work.summary, work.notes, work.end_notes = title, summary, notes, end_notes
    work.language, work.complete, work.restricted = language, complete, restricted
    work.expected_chapters = expected_chapters
    if posted and not work.posted:
        _publish(work)
    elif posted is False:
        work.posted = False
    work.updated_at = timezone.now()
    work.lock_version += 1
    work.full_clean(exclude=["tags", "pseuds"])
    work.save(force_update=True)
    set_work_tags(work, tag_names)
    reindex(work, counted_before=counted_before)
    return work


def _replace_only_text(work: Work, text: str, version: int | None) -> None:
    chapters = list(Chapter.objects.select_for_update(no_key=True).filter(work=work)[:2])
    if len(chapters) != 1:
        raise StaleEdit(STALE_EDIT.format(what="work"))
    chapter = chapters[0]
    chapter.work = work
    _check_version(chapter, version, "work's text")
    _checked([ChapterText(chapter.title, text)])
    chapter.text = text
    chapter.lock_version += 1
    chapter.full_clean(exclude=["work"], validate_constraints=False)
    chapter.save(force_update=True)


@retry_on_conflict
@transaction.atomic
def work_post(work: Work) -> Work:
    """Publish a draft: it becomes visible to readers from today."""
    work = _locked_work(work.pk)
    if work.posted:
        return work
    counted_before = public_tag_ids(work)
    _publish(work)
    work.updated_at = timezone.now()
    work.lock_version += 1
    work.save(update_fields=["posted", "published", "updated_at", "lock_version"])
    reindex(work, counted_before=counted_before)
    return work


def _publish(work: Work) -> None:
    """A draft becomes posted: it and its chapters are published today."""
    work.posted = True
    work.published = timezone.localdate()
    Chapter.objects.filter(work=work).update(published=work.published)


@retry_on_conflict
@transaction.atomic
def work_delete(work: Work) -> None:
    work = _locked_work(work.pk, deleting=True)
    Tag.objects.adjust_work_counts(removed=public_tag_ids(work))
    work.delete()
    listings_changed()


def _save_chapter(chapter: Chapter, *, refresh_work: bool = True) -> Chapter:
    # The services number the positions themselves and the database holds both constraints,
    # which full_clean would check with a query per chapter.
    chapter.full_clean(exclude=["work"], validate_constraints=False)
    chapter.save(refresh_work=refresh_work)
    return chapter


def _touch(work: Work) -> None:
    """A chapter changed: the work is updated now, and its text is searched anew."""
    Work.objects.filter(pk=work.pk).update(updated_at=timezone.now())
    work.reindex()


@retry_on_conflict
@transaction.atomic
def chapter_add(
    work: Work,
    *,
    chapters: Sequence[ChapterText],
    token: UUID | None = None,
    user: AbstractBaseUser | None = None,
    posted: bool = True,
) -> list[Chapter]:
    """Append chapters after the work's last chapter, as drafts when not `posted`; when the
    form's `token` (sent by `user`) added chapters already, the first of those instead."""
    work = _locked_work(work.pk)
    _checked(chapters, existing=work.chapters.count())
    if earlier := claim_submission(token, user):
        if earlier.work_id != work.pk or earlier.chapter is None:
            raise WorkError(ALREADY_SENT)
        return [earlier.chapter]
    last = work.chapters.order_by("-position").values_list("position", flat=True).first() or 0
    created = []
    for offset, content in enumerate(chapters, start=1):
        chapter = Chapter(work=work, position=last + offset, posted=posted, **asdict(content))
        created.append(_save_chapter(chapter, refresh_work=False))
    work.refresh_counts()
    Submission.objects.filter(token=token).update(work=work, chapter=created[0])
    if posted:
        _touch(work)
    return created


@retry_on_conflict
@transaction.atomic
def chapter_post(chapter: Chapter) -> Chapter:
    """Post a draft chapter: readers see it from today, and the work is updated now."""
    work = _locked_work(chapter.work_id)
    chapter = _locked_chapter(work, chapter.pk)
    if chapter.posted:
        return chapter
    chapter.posted = True
    chapter.published = timezone.localdate()
    chapter.lock_version += 1
    chapter.save(update_fields=["posted", "published", "lock_version"])
    _touch(work)
    return chapter


@retry_on_conflict
@transaction.atomic
def chapter_update(
    chapter: Chapter, *, content: ChapterText, version: int | None = None
) -> Chapter:
    """Replace the chapter's title, text and notes; `version` as in work_update."""
    work = _locked_work(chapter.work_id)
    chapter = _locked_chapter(work, chapter.pk)
    _check_version(chapter, version, "chapter")
    for name, value in asdict(content).items():
        setattr(chapter, name, value)
    chapter.lock_version += 1
    chapter.full_clean(exclude=["work"], validate_constraints=False)
    chapter.save(force_update=True)
    # A draft's readers are its creators, whose pages are never cached (works.views).
    if chapter.posted:
        _touch(work)
    return chapter


@retry_on_conflict
@transaction.atomic
def chapter_delete(chapter: Chapter) -> None:
    work = _locked_work(chapter.work_id)
    # Re-read: a reorder since the page was loaded may have moved it.
    chapter = _locked_chapter(work, chapter.pk)
    if work.chapters.count() <= 1:
        raise WorkError("This is the work's only chapter: delete the work instead.")
    if chapter.posted and work.chapters.posted().count() <= 1:
        raise WorkError(
            "This is the work's only posted chapter: post a draft chapter first, or delete"
            " the work instead."
        )
    position = chapter.position
    chapter.delete()
    work.chapters.filter(position__gt=position).update(position=F("position") - 1)
    _touch(work)


@retry_on_conflict
@transaction.atomic
def chapters_reorder(work: Work, ordered_ids: Sequence[int]) -> None:
    """Put the work's chapters in the order of `ordered_ids`, which must name each once."""
    work = _locked_work(work.pk)
    current = set(work.chapters.values_list("id", flat=True))
    if sorted(ordered_ids) != sorted(current):
        raise WorkError("The new order must list each of the work's chapters exactly once.")
    # One statement for any number of chapters. The position constraint is deferred, so
    # positions may collide until the commit.
    with connection.cursor() as cursor:
        cursor.execute(REORDER_SQL, [list(ordered_ids), work.pk])
    _touch(work)


REORDER_SQL = """
UPDATE works_chapter c SET position = o.position
FROM unnest(%s::bigint[]) WITH ORDINALITY AS o(id, position)
WHERE c.id = o.id AND c.work_id = %s AND c.position <> o.position
"""
