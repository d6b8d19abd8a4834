"""AO3's Work Search form: the choices it offers and the line saying what was searched for."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from listings.parameters import AO3_RATING_IDS, SORTS, WorkSearch
from tags.models import Tag, TagKind
from works.languages import LANGUAGES
from works.models import Work

# Parameters that make the page a search's results rather than the empty form.
SEARCH_PREFIXES = ("work_search[", "include_work_search[", "exclude_work_search[")
TERM_LABELS = {
    "title": "Title",
    "creators": "Creators",
    "revised_at": "Date updated",
    "word_count": "Word count",
    "hits": "Hits",
    "kudos_count": "Kudos",
    "comments_count": "Comments",
    "bookmarks_count": "Bookmarks",
    "fandom_names": "Fandoms",
    "character_names": "Characters",
    "relationship_names": "Relationships",
    "freeform_names": "Additional tags",
}


# The sidebar's own fields, which the search form sends again as they are.
SIDEBAR_FIELDS = {
    "tag_id", *(f"work_search[{name}]" for name in [
        "other_tag_names", "excluded_tag_names", "words_from", "words_to", "date_from", "date_to",
    ]),
}  # fmt: skip
# The search form's own boxes for these; the sidebar's choices of the other kinds are sent again.
FORM_KINDS = {"include_work_search[archive_warning_ids][]", "include_work_search[category_ids][]"}


def sidebar_fields(params: QueryDict) -> list[tuple[str, str]]:
    """(name, value) of what the sidebar chose that the search form has no field for."""
    return [
        (name, value)
        for name, values in params.lists()
        if name in SIDEBAR_FIELDS
        or (name.startswith(SEARCH_PREFIXES[1:]) and name not in FORM_KINDS)
        for value in values
        if value
    ]


def searched(params: QueryDict) -> bool:
    return any(name.startswith(SEARCH_PREFIXES) for name in params)


def languages_present(user: AbstractBaseUser | AnonymousUser | None) -> list[tuple[str, str]]:
    """(code, name) of each language a work `user` may list is written in, by name."""
    codes = set(
        Work.objects.listable_by(user).order_by().values_list("language", flat=True).distinct()
    )
    names = dict(LANGUAGES)
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: pair[1])


def search_choices(user: AbstractBaseUser | AnonymousUser | None) -> dict:
    """What the form's selects and boxes offer: languages present, AO3's ratings, the fixed
    warnings and categories (their tag ids, as the sidebar sends them)."""
    fixed = Tag.objects.filter(
        kind__in=[TagKind.ARCHIVE_WARNING, TagKind.CATEGORY], merger__isnull=True
    ).order_by("name")
    return {
        "languages": languages_present(user),
        "ratings": list(AO3_RATING_IDS.items()),
        "warnings": [tag for tag in fixed if tag.kind == TagKind.ARCHIVE_WARNING],
        "categories": [tag for tag in fixed if tag.kind == TagKind.CATEGORY],
    }


def searched_for(search: WorkSearch) -> str:
    """AO3's "You searched for:" line: the text query, each field given, and the sort."""
    parts = [search.query] if search.query else []
    parts += [f"{TERM_LABELS[name]}: {value}" for name, value in search.terms.items()
              if name in TERM_LABELS]  # fmt: skip
    if search.rating_name:
        parts.append(f"Rating: {search.rating_name}")
    if search.single_chapter:
        parts.append("Single chapter")
    if search.complete:
        parts.append("Complete" if search.complete == "T" else "In progress")
    if search.crossover:
        parts.append("Crossovers only" if search.crossover == "T" else "No crossovers")
    if search.language:
        parts.append(f"Language: {dict(LANGUAGES).get(search.language, search.language)}")
    if search.exclude_names:
        parts.append(f"Excluding: {', '.join(search.exclude_names)}")
    direction = "ascending" if search.sort_direction == "asc" else "descending"
    parts.append(f"sort by: {SORTS[search.sort_column][0].lower()} {direction}")
    return " · ".join(parts)
