"""Typed tags: the seven kinds AO3 uses, each name unique within its kind regardless of case,
wrangled into canonical tags, their synonyms and their parents."""

from collections.abc import Collection, Iterable, Mapping
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from taggit.models import TagBase

from archive import caching
from tags.escaping import escape_tag

# The characters Django's reverse() leaves unquoted in a path segment (RFC 3986 sub-delims).
URL_SAFE = "!$&'()*+,;=~:@"


class TagKind(models.TextChoices):
    RATING = "rating", "Rating"
    ARCHIVE_WARNING = "archive_warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"


class Medium(models.TextChoices):
    """AO3's media, in its order; a fandom belongs to one (wranglers set it)."""

    ANIME = "anime", "Anime & Manga"
    BOOKS = "books", "Books & Literature"
    COMICS = "comics", "Cartoons & Comics & Graphic Novels"
    CELEBRITIES = "celebrities", "Celebrities & Real People"
    MOVIES = "movies", "Movies"
    MUSIC = "music", "Music & Bands"
    OTHER = "other", "Other Media"
    THEATER = "theater", "Theater"
    TV = "tv", "TV Shows"
    VIDEO_GAMES = "video_games", "Video Games"
    UNCATEGORIZED = "uncategorized", "Uncategorized Fandoms"


def medium_url(medium: str) -> str:
    """/media/NAME/fandoms, the medium's name escaped as tag names are in AO3's URLs."""
    return f"/media/{quote(escape_tag(Medium(medium).label), safe=URL_SAFE)}/fandoms"


# The class AO3 gives each kind in meta blocks (dt/dd) and blurbs (li), and its labels.
KIND_CLASSES = {
    TagKind.RATING: ("rating", "", "Rating", "Ratings"),
    TagKind.ARCHIVE_WARNING: ("warning", "warnings", "Archive Warning", "Archive Warnings"),
    TagKind.CATEGORY: ("category", "", "Category", "Categories"),
    TagKind.FANDOM: ("fandom", "", "Fandom", "Fandoms"),
    TagKind.RELATIONSHIP: ("relationship", "relationships", "Relationship", "Relationships"),
    TagKind.CHARACTER: ("character", "characters", "Character", "Characters"),
    TagKind.FREEFORM: ("freeform", "freeforms", "Additional Tags", "Additional Tags"),
}

RATINGS = [
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
]
ADULT_RATINGS = {"Mature", "Explicit", "Not Rated"}
ARCHIVE_WARNINGS = [
    "Creator Chose Not To Use Archive Warnings",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "No Archive Warnings Apply",
    "Rape/Non-Con",
    "Underage Sex",
]
CATEGORIES = ["F/F", "F/M", "Gen", "M/M", "Multi", "Other"]
DEFAULT_RATING = "Not Rated"
DEFAULT_WARNING = "Creator Chose Not To Use Archive Warnings"
# AO3's fixed lists: canonical from the start, never wrangled.
FIXED_KINDS = {TagKind.RATING, TagKind.ARCHIVE_WARNING, TagKind.CATEGORY}


def parent_kinds(kind: str) -> list[str]:
    """The kinds a tag of `kind` may have as parents: a metatag of its own kind, and the
    fandoms of a character, relationship or freeform."""
    if kind in FIXED_KINDS:
        return []
    if kind == TagKind.FANDOM:
        return [TagKind.FANDOM]
    return [TagKind.FANDOM, kind]


def work_model() -> type[models.Model]:
    """The model of the works tags are on, which settings.TAGS_WORK_MODEL names ("works.Work")
    the way AUTH_USER_MODEL names the users, so that this app imports none above it. Tags
    rely on it for `objects.public()` and `objects.posted()`, the `tag_ids` array of each
    work's tag ids, and the `tagged_works` taggings (TaggedWork: `content_object`, `tag`)."""
    return apps.get_model(settings.TAGS_WORK_MODEL)


class TagQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser | None) -> "TagQuerySet":
        """Tags whose names and pages `user` may see: those on a public work (its total
        counts public works, see Tag.work_count), the fixed kinds and canonical tags; a
        wrangler sees every tag, a member also those on restricted works and an author those
        of their own drafts. A tag typed only on drafts stays its authors' until a work with it
        is posted, and one only on restricted works stays the members' until a public one has it."""
        from tags.wrangling import is_wrangler  # it imports this module

        if is_wrangler(user):
            return self
        public = Q(work_count__gt=0) | Q(canonical=True) | Q(kind__in=FIXED_KINDS)
        if user and user.is_authenticated:
            # Members read restricted works, so the tags on those are theirs to see too.
            tagged = Tag.objects.filter(pk=OuterRef("pk"))
            posted = tagged.filter(tagged_works__content_object__posted=True)
            own = tagged.filter(tagged_works__content_object__pseuds__user=user)
            public |= Q(Exists(posted)) | Q(Exists(own))
        return self.filter(public)

    def listed_fandoms(self) -> "TagQuerySet":
        """The fandoms the fandom and media indexes list: those with public works, but not
        synonyms, whose works are counted under their canonical fandom."""
        return self.filter(kind=TagKind.FANDOM, work_count__gt=0, merger__isnull=True)

    def with_status(self, status: str) -> "TagQuerySet":
        """Tags in one wrangling status: "unwrangled", "canonical", "synonymous" or "all"."""
        if status == "unwrangled":
            # A fandom is wrangled once canonical; other kinds also need a parent.
            has_parent = Exists(TagParent.objects.filter(child=OuterRef("pk")))
            placed = Q(canonical=True) & (Q(kind=TagKind.FANDOM) | Q(has_parent=True))
            return self.alias(has_parent=has_parent).filter(merger__isnull=True).exclude(placed)
        if status == "canonical":
            return self.filter(canonical=True)
        if status == "synonymous":
            return self.filter(merger__isnull=False)
        return self

    def in_queue_of(self, fandom: "Tag") -> "TagQuerySet":
        """A fandom's wrangling queue: the tags on posted works that filtering by the fandom
        finds (a draft's tags are its author's until it is posted)."""
        found = id_array(filter_ids([fandom]))
        posted = work_model().objects.posted().filter(tag_ids__overlap=found)
        used = posted.annotate(used_id=Func(F("tag_ids"), function="unnest"))
        return self.filter(pk__in=used.values("used_id"))

    def find_or_create(self, names_by_kind: Mapping[str, Iterable[str]]) -> list["Tag"]:
        """Tags for {kind: [name, …]}, matching existing names case-insensitively within a kind."""
        wanted = [(kind, name) for kind, names in names_by_kind.items() for name in names]
        if not wanted:
            return []
        condition = Q()
        for kind, name in wanted:
            condition |= Q(kind=kind, lower_name=name.lower())
        existing = {
            (tag.kind, tag.lower_name): tag
            for tag in self.annotate(lower_name=Lower("name")).filter(condition)
        }
        # Missing tags are created in one order everywhere: two posts creating the same two
        # new tags in opposite orders would each wait on the other's uncommitted insert.
        for kind, name in sorted(wanted, key=lambda pair: (pair[0], pair[1].lower())):
            if (kind, name.lower()) not in existing:
                existing[(kind, name.lower())], _ = self.get_or_create(
                    kind=kind, name__iexact=name, defaults={"name": name, "kind": kind}
                )
        tags = [existing[(kind, name.lower())] for kind, name in wanted]
        # Two names can find the same tag when Python's and PostgreSQL's case folding differ.
        return list({tag.pk: tag for tag in tags}.values())

    def adjust_work_counts(
        self, *, added: Collection[int] = (), removed: Collection[int] = ()
    ) -> None:
        """Count a work in (or out of) these tags' totals."""
        # Every writer locks tag rows in id order, so two that move overlapping totals wait
        # for each other instead of deadlocking.
        lock_in_order(set(added) | set(removed))
        for ids, step in [(added, 1), (removed, -1)]:
            if ids:
                self.filter(pk__in=list(ids)).update(work_count=models.F("work_count") + step)


class Tag(TagBase):
    # TagBase makes name and slug unique across the table; here a name is unique per kind,
    # and tag pages are addressed by escaped name, so no slug.
    name = models.CharField(max_length=150)
    slug = None
    kind = models.CharField(max_length=20, choices=TagKind.choices)
    work_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Posted works anyone may read that carry this tag."
    )

    canonical = models.BooleanField(
        default=False, help_text="Filters find works by this tag, its synonyms and its subtags."
    )
    merger = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="synonyms",
        help_text="The canonical tag this one is a synonym of.",
    )  # fmt: skip
    medium = models.CharField(
        max_length=20, choices=Medium.choices, default=Medium.UNCATEGORIZED,
        # In the table too, so rows written by COPY (bench/copying.py) are uncategorized.
        db_default=Medium.UNCATEGORIZED,
        help_text="A fandom's medium; other kinds keep the default.",
    )  # fmt: skip
    parents = models.ManyToManyField(
        "self", through="TagParent", through_fields=("child", "parent"), symmetrical=False,
        related_name="children", blank=True,
    )  # fmt: skip

    objects = TagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("kind", Lower("name"), name="tag_name_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(merger__isnull=True) | Q(canonical=False),
                name="tag_synonym_not_canonical",
            ),
        ]
        indexes = [models.Index(Lower("name"), name="tag_lower_name")]
        ordering = ["name"]

    def save(self, *args, **kwargs):
        if self.kind in FIXED_KINDS:
            self.canonical = True
        # Skip TagBase.save: it fills and de-duplicates the slug this model does not have.
        models.Model.save(self, *args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.page_url("/works")

    def page_url(self, suffix: str = "") -> str:
        """/tags/NAME plus `suffix` ("/works", "/edit"): what reverse() gives with the name
        escaped, without its cost, since a listing links hundreds of tags."""
        return f"/tags/{quote(escape_tag(self.name), safe=URL_SAFE)}{suffix}"

    # One name may be tags of several kinds, and /tags/NAME shows one of them: the wrangling
    # pages name the kind, so each of those tags can be seen and edited.
    def show_url(self) -> str:
        return f"{self.page_url()}?kind={self.kind}"

    def edit_url(self) -> str:
        return f"{self.page_url('/edit')}?kind={self.kind}"


class TagParent(models.Model):
    """`parent` is above `child`: filtering by the parent finds the child's works too."""

    child = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="child_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="tag_parent_once"),
            models.CheckConstraint(
                condition=~Q(child=models.F("parent")), name="tag_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.parent} > {self.child}"


class TagFilter(models.Model):
    """Filtering by `filter` finds works tagged `tag`: its canonical tag (when `tag` is a
    synonym) and every parent above that, at any depth. Kept by `refresh_filters`; a tag
    always finds its own works, so no row pairs a tag with itself."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    filter = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "filter"], name="tag_filter_once"),
        ]
        indexes = [models.Index(fields=["filter", "tag"], name="tag_filter_down")]

    def __str__(self):
        return f"{self.filter} finds {self.tag}"


# Wrangles and the writes that count works into tag totals serialise on this lock: a
# wrangle holds it alone, every such write holds it shared, so a post counts itself into
# the filters as they are once it commits, and a wrangle's recount sees every committed post.
TAG_GRAPH_LOCK = 7_407_001


def lock_tag_graph(*, exclusive: bool = False) -> None:
    """Hold the tag graph still until this transaction ends (see TAG_GRAPH_LOCK)."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [TAG_GRAPH_LOCK])


def lock_in_order(tag_ids: Collection[int]) -> None:
    """Lock these tags' rows for an update of their totals, in id order (see
    adjust_work_counts); the lock lets foreign keys to them be written meanwhile."""
    if tag_ids:
        with connection.cursor() as cursor:
            cursor.execute(LOCK_IN_ORDER_SQL, [sorted(tag_ids)])


LOCK_IN_ORDER_SQL = """
SELECT id FROM tags_tag WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE
"""
REFRESH_FILTERS_SQL = """
WITH RECURSIVE up(tag_id, filter_id) AS (
        SELECT id, merger_id FROM tags_tag
        WHERE merger_id IS NOT NULL AND (%(all)s OR id = ANY(%(ids)s))
    UNION
        SELECT child_id, parent_id FROM tags_tagparent WHERE %(all)s OR child_id = ANY(%(ids)s)
    UNION
        SELECT up.tag_id, p.parent_id FROM up JOIN tags_tagparent p ON p.child_id = up.filter_id
)
INSERT INTO tags_tagfilter (tag_id, filter_id)
SELECT tag_id, filter_id FROM up WHERE tag_id <> filter_id
"""


def id_array(ids: Iterable[int]) -> Cast:
    """`ids` as one integer[] parameter, for `&&`, `@>` and `= ANY(…)`."""
    # Given a list, Django binds and prepares each element as a parameter of its own, and
    # for the thousand ids a fandom's filter can hold that took longer than the query.
    # The cast gives tag_ids' type, which intarray's operators need.
    literal = "{" + ",".join(str(int(pk)) for pk in sorted(ids)) + "}"
    return Cast(Value(literal), ArrayField(models.IntegerField()))


def id_in(field: str, ids: Iterable[int]) -> Func:
    """The condition `field = ANY(ids)`, with `ids` as one parameter (see id_array): an IN
    list of a few thousand ids takes longer to plan than to run."""
    return Func(
        F(field), id_array(ids), template="%(expressions)s)", arg_joiner=" = ANY(",
        output_field=models.BooleanField(),
    )  # fmt: skip


def refresh_filters(tag_ids: Iterable[int] | None = None) -> None:
    """Recompute TagFilter for these tags (all tags when None) from mergers and parents.

    Changing a tag's merger or parents changes the filters of that tag and of every tag
    below it, so callers pass the tag with its `tags_below`.
    """
    everything = tag_ids is None
    ids = [] if everything else sorted(tag_ids)
    rows = TagFilter.objects.all() if everything else TagFilter.objects.filter(tag_id__in=ids)
    rows.delete()
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_FILTERS_SQL, {"all": everything, "ids": ids})


def tags_below(tag_id: int) -> set[int]:
    """Ids of the tags whose works filtering by this tag finds, itself included."""
    return {tag_id, *TagFilter.objects.filter(filter_id=tag_id).values_list("tag_id", flat=True)}


def filter_ids(tags: Iterable[Tag]) -> list[int]:
    """Ids a filter by any of `tags` matches in works' tag_ids: a synonym filters as its
    canonical tag, and a canonical tag finds its synonyms' and subtags' works too."""
    return filter_id_sets([tags])[0]


def canonical_ids(tags: Iterable[Tag]) -> set[int]:
    """The tags a filter by `tags` stands for: a synonym's canonical tag, else the tag."""
    return {tag.merger_id or tag.pk for tag in tags}


def filter_id_sets(tag_groups: Iterable[Iterable[Tag]]) -> list[list[int]]:
    """`filter_ids` of each group of tags, all read in one query."""
    targets = [canonical_ids(tags) for tags in tag_groups]
    below: dict[int, set[int]] = {}
    if wanted := set().union(*targets):
        rows = TagFilter.objects.filter(filter_id__in=wanted).values_list("filter_id", "tag_id")
        for filter_id, tag_id in rows:
            below.setdefault(filter_id, set()).add(tag_id)
    return [sorted(ids.union(*(below.get(pk, ()) for pk in ids))) for ids in targets]


def counted_tag_ids(tag_ids: Iterable[int]) -> set[int]:
    """The tags whose totals count a work carrying `tag_ids`: those and every filter above."""
    tag_ids = list(tag_ids)
    if not tag_ids:
        return set()
    above = TagFilter.objects.filter(tag_id__in=tag_ids).values_list("filter_id", flat=True)
    return set(tag_ids).union(above)


class WranglingChange(models.Model):
    """One wrangler's change to one tag: its state before and after, so it can be undone.

    A state is {"canonical": bool, "merger": id or null, "parents": [id, …]}, and "medium"
    (a Medium value) when a fandom's is not Uncategorized: changes recorded before fandoms had
    media, and every change to other kinds, leave it out.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="wrangling_changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField()
    after = models.JSONField()
    undoes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tag", "-created_at"], name="wrangling_change_tag")]

    def __str__(self):
        return f"{self.user} wrangled {self.tag} at {self.created_at:%Y-%m-%d %H:%M}"


def rating_ids() -> dict[str, int]:
    """{rating name: tag id} for the ratings that exist, cached once all five do."""
    found = cache.get(caching.RATING_IDS_KEY)
    if found is None:
        found = dict(
            Tag.objects.filter(kind=TagKind.RATING, name__in=RATINGS).values_list("name", "id")
        )
        if len(found) == len(RATINGS):
            cache.set(caching.RATING_IDS_KEY, found, timeout=None)
    return found
