"""Works and their chapters; user text is kept raw beside its sanitized HTML."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language_info
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from accounts.models import Pseud
from tags.models import (
    ADULT_RATINGS,
    DEFAULT_RATING,
    DEFAULT_WARNING,
    KIND_CLASSES,
    Tag,
    TagKind,
    id_array,
    rating_ids,
)
from works import indexing
from works.invitations import CoCreatorInvitation  # noqa: F401 (registers the model)
from works.languages import LANGUAGES
from works.rendering import count_words, render_user_html


@dataclass
class TagGroup:
    kind: str
    meta_class: str
    blurb_class: str
    label: str
    tags: list


def _today():
    return timezone.localdate()


class WorkQuerySet(models.QuerySet):
    def posted(self) -> "WorkQuerySet":
        return self.filter(posted=True)

    def public(self) -> "WorkQuerySet":
        """Works anyone may read, logged in or not: what tag totals count (tags.counting)."""
        return self.filter(posted=True, restricted=False)

    def by(self, user: AbstractBaseUser) -> "WorkQuerySet":
        """Works one account is a creator of, drafts included."""
        creatorships = Work.pseuds.through.objects.filter(pseud__user=user)
        return self.filter(pk__in=creatorships.values("work_id"))

    def readable_by(self, user: AbstractBaseUser | AnonymousUser | None) -> "WorkQuerySet":
        """Works whose page a visitor may open: posted ones, and their own drafts."""
        if user and user.is_authenticated:
            return self.filter(Q(posted=True) | Q(pk__in=Work.objects.by(user).values("pk")))
        return self.posted()

    def with_viewer_is_creator(
        self, user: AbstractBaseUser | AnonymousUser | None
    ) -> "WorkQuerySet":
        """Each work with `viewer_is_creator`: whether `user` is one of its creators, read in
        the same query as the work (an anonymous visitor is none, for no query)."""
        if not (user and user.is_authenticated):
            return self.annotate(viewer_is_creator=models.Value(False))
        creatorships = Work.pseuds.through.objects.filter(work=OuterRef("pk"), pseud__user=user)
        return self.annotate(viewer_is_creator=Exists(creatorships))

    def listable_by(
        self,
        viewer: AbstractBaseUser | AnonymousUser | None,
        *,
        owner: AbstractBaseUser | None = None,
        pseud: Pseud | None = None,
    ) -> "WorkQuerySet":
        """Works `viewer` may find in a listing: posted ones, restricted ones only when logged
        in. With `owner` (an account) or `pseud`, only the works by them; an account listing
        its own works finds its drafts too."""
        works = self
        if pseud is not None:
            works = works.filter(
                pk__in=Work.pseuds.through.objects.filter(pseud=pseud).values("work_id")
            )
        if owner is not None:
            works = works.by(owner)
            if viewer == owner:
                return works
        works = works.posted()
        if not (viewer and viewer.is_authenticated):
            works = works.filter(restricted=False)
        return works

    def recently_updated(self) -> "WorkQuerySet":
        return self.order_by("-updated_at", "-id")

    def tagged_with_any(self, tag_ids: Iterable[int], *, indexed: bool = True) -> "WorkQuerySet":
        """Works carrying at least one of these tags, found through the GIN index on tag_ids,
        or (indexed=False) checked row by row among what other conditions found: the index
        reads one entry list per id, and a fandom's filter can hold hundreds."""
        if indexed:
            return self.filter(tag_ids__overlap=id_array(tag_ids))
        # intarray's function behind &&, which no index matches.
        overlap = Func(
            F("tag_ids"), id_array(tag_ids), function="_int_overlap",
            output_field=models.BooleanField(),
        )  # fmt: skip
        return self.filter(overlap)

    def tagged_with_none(self, tag_ids: Iterable[int]) -> "WorkQuerySet":
        return self.exclude(tag_ids__overlap=id_array(tag_ids))

    def with_tags(self) -> "WorkQuerySet":
        """Prefetch what blurbs and meta blocks show: tags (two queries) and bylines."""
        return self.prefetch_related(*display_prefetches())


def display_prefetches() -> list[str | models.Prefetch]:
    # Taggings, then their tags by id: joined in one query, PostgreSQL hashes the whole
    # tag table (30 ms at 47,000 tags) for a page of 20 works.
    return ["tagged__tag", models.Prefetch("pseuds", queryset=Pseud.objects.select_related("user"))]


class WorkManager(models.Manager.from_queryset(WorkQuerySet)):
    def get_queryset(self):
        # The search vector can be as large as the text: only full-text queries read it.
        return super().get_queryset().defer("search_vector")


class AuthorNotes(models.Model):
    """A summary and notes before and after, each kept raw beside its sanitized HTML."""

    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True, editable=False)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True, editable=False)
    end_notes = models.TextField(blank=True)
    end_notes_html = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def render_notes(self):
        self.summary_html = render_user_html(self.summary)
        self.notes_html = render_user_html(self.notes)
        self.end_notes_html = render_user_html(self.end_notes)


class Work(AuthorNotes):
    title = models.CharField(max_length=255)
    language = models.CharField(max_length=12, default="en")
    complete = models.BooleanField(default=False)
    expected_chapters = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty when the author does not know yet."
    )
    published = models.DateField(default=_today)
    updated_at = models.DateTimeField(default=timezone.now)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    chapter_count = models.PositiveIntegerField(default=0, editable=False)
    hits = models.PositiveIntegerField(default=0, editable=False)
    restricted = models.BooleanField(default=False, help_text="Only logged-in users may read it.")
    posted = models.BooleanField(default=True, help_text="Unposted works are drafts.")
    source_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text="SHA-256 of the seed file this work was imported from.",
    )  # fmt: skip
    # Bumped by every write of the work's own fields: an edit form carries the value it was
    # opened with, and one opened before another save is refused instead of overwriting it.
    # The database default serves bulk loads (bench/copying.py's COPY) that leave it out.
    lock_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    tags = TaggableManager(through="works.TaggedWork", blank=True)
    pseuds = models.ManyToManyField(Pseud, related_name="works", blank=True)

    # Kept by Work.reindex() from the rows above, for listings at a million works:
    # the ids of the work's tags (GIN-indexed with intarray), its number of fandoms
    # (crossovers), and the full-text vector of its title, tags, summary and text.
    tag_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    fandom_count = models.PositiveSmallIntegerField(default=0, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    # The search vector can be as large as the text: only full-text queries read it.
    objects = WorkManager()

    class Meta:
        indexes = [
            # Covers the listings' default order with what their filters read, so finding a
            # page's ids (deep pages too) and the facets' tag ids never visits the table.
            models.Index(
                fields=["-updated_at", "-id"],
                include=["posted", "restricted", "complete", "tag_ids"],
                name="work_recent_listing",
            ),
            models.Index(fields=["-published", "-id"], name="work_posted"),
            models.Index(fields=["-word_count", "-id"], name="work_words"),
            models.Index(fields=["-hits", "-id"], name="work_hits"),
            models.Index(Lower("title"), "id", name="work_title"),
            GinIndex(fields=["tag_ids"], opclasses=["gin__int_ops"], name="work_tag_ids"),
            GinIndex(fields=["search_vector"], name="work_search_vector"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_notes()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # The contract fixes these URLs; formatting them is far cheaper than reverse() in
        # listings that link hundreds of times.
        return f"/works/{self.pk}"

    @property
    def public(self) -> bool:
        """Counted in tag totals: posted and readable without logging in."""
        return self.posted and not self.restricted

    def reindex(self) -> None:
        """Recompute tag_ids, fandom_count and search_vector from the tags and chapters."""
        with connection.cursor() as cursor:
            cursor.execute(
                indexing.REINDEX_SQL, {"id": self.pk, "text_limit": indexing.SEARCH_TEXT_LIMIT}
            )
            self.tag_ids, self.fandom_count = cursor.fetchone()

    def refresh_counts(self) -> None:
        """Keep the stored word and chapter counts equal to the posted chapters' own."""
        counts = self.chapters.posted().aggregate(words=Sum("word_count"), chapters=Count("id"))
        self.word_count = counts["words"] or 0
        self.chapter_count = counts["chapters"]
        Work.objects.filter(pk=self.pk).update(
            word_count=self.word_count, chapter_count=self.chapter_count
        )

    @cached_property
    def _tags_by_kind(self) -> dict[str, list[Tag]]:
        by_kind = {}
        for tagged in self.tagged.all():
            by_kind.setdefault(tagged.tag.kind, []).append(tagged.tag)
        for tags in by_kind.values():
            tags.sort(key=lambda tag: tag.name.lower())
        return by_kind

    def tags_of(self, kind: str) -> list[Tag]:
        """This work's tags of one kind, by name (prefetched by `with_tags()`)."""
        return self._tags_by_kind.get(kind, [])

    @property
    def all_tags(self) -> list[Tag]:
        return [tag for kind in TagKind for tag in self.tags_of(kind)]

    def tag_groups(self) -> list[TagGroup]:
        """Each kind of tag this work has, in AO3's order, with the markup's class and label."""
        groups = []
        for kind in TagKind:
            tags = self.tags_of(kind)
            if tags:
                meta_class, blurb_class, singular, plural = KIND_CLASSES[kind]
                label = singular if len(tags) == 1 else plural
                groups.append(TagGroup(kind, meta_class, blurb_class, label, tags))
        return groups

    @property
    def language_name(self):
        # The form's names first: they are AO3's ("Français", "中文"), which readers' tools map
        # back to codes; Django's are lower-case for some languages and lack "zh".
        if name := dict(LANGUAGES).get(self.language):
            return name
        try:
            return get_language_info(self.language)["name_local"]
        except KeyError:
            return self.language

    @property
    def chapters_label(self) -> str:
        """Chapters posted over chapters planned: 3/5, 3/3 once complete, 3/? while unknown."""
        total = self.expected_chapters or (self.chapter_count if self.complete else "?")
        return f"{self.chapter_count}/{total}"

    def prefetch_for_display(self) -> None:
        """Load what the meta block and byline show, for a work fetched without them."""
        models.prefetch_related_objects([self], *display_prefetches())

    @property
    def is_adult(self) -> bool:
        """Behind the adult gate: rated Mature, Explicit or Not Rated, or with no rating.

        Read from tag_ids, so the gate costs no query beyond the work's own row.
        """
        ratings = rating_ids()
        mine = set(self.tag_ids) & set(ratings.values())
        adult = {ratings[name] for name in ADULT_RATINGS if name in ratings}
        return not mine or bool(mine & adult)

    @property
    def rating(self) -> str:
        ratings = self.tags_of(TagKind.RATING)
        return ratings[0].name if ratings else DEFAULT_RATING

    @property
    def fandoms(self) -> list[Tag]:
        return self.tags_of(TagKind.FANDOM)

    @property
    def warning_names(self) -> list[str]:
        return [tag.name for tag in self.tags_of(TagKind.ARCHIVE_WARNING)] or [DEFAULT_WARNING]

    @property
    def category_names(self) -> list[str]:
        return [tag.name for tag in self.tags_of(TagKind.CATEGORY)]


class TaggedWork(ItemBase):
    """A tag on a work, with real foreign keys at both ends."""

    content_object = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="tagged")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_works")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="work_tag_once"),
        ]


class Hit(models.Model):
    """A visitor's first visit to a work on a day; see works.hits."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=32)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "visitor", "day"], name="hit_once_a_day"),
        ]
        indexes = [models.Index(fields=["day"], name="hit_day")]

    def __str__(self):
        return f"{self.visitor} read work {self.work_id} on {self.day}"


class ChapterQuerySet(models.QuerySet):
    def posted(self) -> "ChapterQuerySet":
        return self.filter(posted=True)

    def shown_to(self, *, creator: bool) -> "ChapterQuerySet":
        """The chapters a reading page shows: a work's creators see its drafts too."""
        return self if creator else self.posted()


class Chapter(AuthorNotes):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=255, blank=True)
    text = models.TextField(help_text="The chapter's HTML as the author gave it.")
    text_html = models.TextField(editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    published = models.DateField(default=_today)
    # As Work.lock_version: bumped by every write of the chapter.
    lock_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # A draft chapter is its work's creators' alone until posted: readers' pages, downloads,
    # counts and the search vector leave it out.
    posted = models.BooleanField(
        default=True, db_default=True, help_text="Unposted chapters are drafts."
    )

    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "position"], name="chapter_position_once",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="chapter_position_positive"),
        ]  # fmt: skip

    def __str__(self):
        return f"Chapter {self.position}" + (f": {self.title}" if self.title else "")

    def save(self, *args, refresh_work=True, **kwargs):
        self.text_html = render_user_html(self.text)
        self.render_notes()
        self.word_count = count_words(self.text_html)
        super().save(*args, **kwargs)
        # A service saving many chapters at once refreshes the work's counts once, after all.
        if refresh_work:
            self.work.refresh_counts()

    def get_absolute_url(self):
        return f"/works/{self.work_id}/chapters/{self.pk}"

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.work.refresh_counts()
        return result


class Submission(models.Model):
    """The token of a form that made a work or chapter: the same form sent again (a second
    click, a resent POST) is sent to what the first one made instead of making another."""

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, null=True)
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Form {self.token} by user {self.user_id}"
