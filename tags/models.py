"""Typed tags: the seven kinds AO3 uses, each name unique within its kind regardless of case."""

from urllib.parse import quote

from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from taggit.models import TagBase

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


class TagQuerySet(models.QuerySet):
    def named(self, kind, name):
        """The tag of this kind whose name matches, ignoring case."""
        return self.filter(kind=kind, name__iexact=name)

    def find_or_create(self, names_by_kind):
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
        tags = []
        for kind, name in wanted:
            tag = existing.get((kind, name.lower()))
            if tag is None:
                tag, _ = self.get_or_create(
                    kind=kind, name__iexact=name, defaults={"name": name, "kind": kind}
                )
                existing[(kind, name.lower())] = tag
            tags.append(tag)
        # Two names can find the same tag when Python's and PostgreSQL's case folding differ.
        return list({tag.pk: tag for tag in tags}.values())

    def adjust_work_counts(self, *, added=(), removed=()):
        """Count a work in (or out of) these tags' totals."""
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

    objects = TagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("kind", Lower("name"), name="tag_name_unique_per_kind"),
        ]
        indexes = [models.Index(Lower("name"), name="tag_lower_name")]
        ordering = ["name"]

    def save(self, *args, **kwargs):
        # Skip TagBase.save: it fills and de-duplicates the slug this model does not have.
        models.Model.save(self, *args, **kwargs)

    def get_absolute_url(self):
        # What reverse("tags:works", args=[escape_tag(name)]) gives, without its cost: a
        # listing links hundreds of tags.
        return f"/tags/{quote(escape_tag(self.name), safe=URL_SAFE)}/works"


RATING_IDS_CACHE_KEY = "tags:rating-ids"


def rating_ids():
    """{rating name: tag id} for the ratings that exist, cached once all five do."""
    found = cache.get(RATING_IDS_CACHE_KEY)
    if found is None:
        found = dict(
            Tag.objects.filter(kind=TagKind.RATING, name__in=RATINGS).values_list("name", "id")
        )
        if len(found) == len(RATINGS):
            cache.set(RATING_IDS_CACHE_KEY, found, timeout=None)
    return found
