"""AO3's filter parameters, parsed: what a listing or search URL asks for (WorkSearch).

Every listing (all works, a tag's works, an author's works, search) parses the same
parameters, so a filter URL built for AO3 works here unchanged; listings.query runs them.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F
from django.db.models.functions import Lower
from django.http import QueryDict

from archive.parameters import ID_MAX, whole_number
from listings.ranges import Bounds, Moments, date_range, number_range
from tags.models import TagKind
from tags.names import parse_tag_names

QUERY_MAX = 200
KIND_PARAMS = {
    "rating_ids": TagKind.RATING,
    "archive_warning_ids": TagKind.ARCHIVE_WARNING,
    "category_ids": TagKind.CATEGORY,
    "fandom_ids": TagKind.FANDOM,
    "character_ids": TagKind.CHARACTER,
    "relationship_ids": TagKind.RELATIONSHIP,
    "freeform_ids": TagKind.FREEFORM,
}
SORTS = {
    "revised_at": ("Date Updated", F("updated_at")),
    "created_at": ("Date Posted", F("published")),
    "title_to_sort_on": ("Title", Lower("title")),
    "word_count": ("Word Count", F("word_count")),
    "hits": ("Hits", F("hits")),
    "_score": ("Best Match", None),
}

UNSUPPORTED_SORTS = {
    "authors_to_sort_on": "creator",
    "kudos_count": "kudos",
    "comments_count": "comments",
    "bookmarks_count": "bookmarks",
}
DEFAULT_SORT = "revised_at"
# AO3's search form names tags of one kind each, all required (work_search[fandom_names]).
NAME_PARAMS = {
    "fandom_names": TagKind.FANDOM,
    "character_names": TagKind.CHARACTER,
    "relationship_names": TagKind.RELATIONSHIP,
    "freeform_names": TagKind.FREEFORM,
}
# AO3's fixed ids for its ratings, which its clients send as work_search[rating_ids].
AO3_RATING_IDS = {
    "9": "Not Rated",
    "10": "General Audiences",
    "11": "Teen And Up Audiences",
    "12": "Mature",
    "13": "Explicit",
}
# Counted ranges: the works' own column, or None for what nothing counts yet (every work 0).
RANGE_PARAMS = {
    "word_count": ("word count", "word_count"),
    "hits": ("hits", "hits"),
    "kudos_count": ("kudos", None),
    "comments_count": ("comments", None),
    "bookmarks_count": ("bookmarks", None),
}
# The search form's own fields, kept as typed so the form and the sidebar send them again.
TERM_PARAMS = [
    "title", "creators", "revised_at", "single_chapter", *RANGE_PARAMS, *NAME_PARAMS,
    "rating_ids",
]  # fmt: skip
# A tag whose filter matches more ids than this is checked row by row rather than in the
# GIN index, when something else narrows the rows (see _tagged_with_each).
INDEX_LOOKUP_MAX = 64


@dataclass
class WorkSearch:
    """What a listing's query string asks for, with a note for each part that was ignored."""

    tag_name: str = ""
    include_names: list[str] = field(default_factory=list)
    exclude_names: list[str] = field(default_factory=list)
    include_ids: list[int] = field(default_factory=list)
    exclude_ids: list[int] = field(default_factory=list)
    complete: str = ""
    crossover: str = ""
    words_from: int | None = None
    words_to: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    language: str = ""
    sort_column: str = DEFAULT_SORT
    sort_direction: str = "desc"
    title_words: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    revised: Moments | None = None
    single_chapter: bool = False
    ranges: dict[str, Bounds] = field(default_factory=dict)
    named: dict[str, list[str]] = field(default_factory=dict)
    rating_name: str = ""
    # The search form's fields as given (TERM_PARAMS), for sending them on.
    terms: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @classmethod
    def from_query(
        cls, params: QueryDict, *, tag_name: str = "", best_match_first: bool = False
    ) -> "WorkSearch":
        """The search `params` ask for; with `best_match_first` (the search page), a text
        query sorts by best match unless a sort is given, as AO3's search does."""
        search = cls(tag_name=tag_name or params.get("tag_id", "").strip()[:150])

        def value(name: str) -> str:
            return params.get(f"work_search[{name}]", "").strip()

        search.include_names = _names(value("other_tag_names"))
        search.exclude_names = _names(value("excluded_tag_names"))
        for param in KIND_PARAMS:
            search.include_ids += search._ids(params, f"include_work_search[{param}][]")
            search.exclude_ids += search._ids(params, f"exclude_work_search[{param}][]")
        search.complete = value("complete") if value("complete") in {"T", "F"} else ""
        search.crossover = value("crossover") if value("crossover") in {"T", "F"} else ""
        search.words_from = search._count(value("words_from"), "words from")
        search.words_to = search._count(value("words_to"), "words to")
        low, high = search.words_from, search.words_to
        if low is not None and high is not None and low > high:
            search.words_from, search.words_to = high, low
            search.notices.append("The word count range was backwards; it has been swapped.")
        search.date_from = search._date(value("date_from"), "updated from")
        search.date_to = search._date(value("date_to"), "updated to")
        search.query = value("query")
        if len(search.query) > QUERY_MAX:
            search.query = search.query[:QUERY_MAX]
            search.notices.append(f"The search text was cut to its first {QUERY_MAX} characters.")
        search.language = value("language_id")[:12]
        search._terms(value)
        default = "_score" if best_match_first and search.query else DEFAULT_SORT
        search._sort(value("sort_column") or default, value("sort_direction"))
        return search

    def _terms(self, value) -> None:
        """AO3's search form fields (work_search[title], [word_count], …)."""
        self.terms = {name: value(name)[:QUERY_MAX] for name in TERM_PARAMS if value(name)}
        self.title_words = self.terms.get("title", "").split()[:20]
        self.creators = _names(self.terms.get("creators", ""))
        self.single_chapter = self.terms.get("single_chapter", "") in {"1", "T", "true"}
        if raw := self.terms.get("revised_at"):
            self.revised = date_range(raw)
            if self.revised is None:
                self.notices.append(
                    f"'{raw[:30]}' is not a date like '< 2 weeks', '1-2 months' or"
                    " '2019-06-01 - 2019-06-30' (date updated); ignored."
                )
        for name, (label, column) in RANGE_PARAMS.items():
            if not (raw := self.terms.get(name)):
                continue
            if (bounds := number_range(raw)) is None:
                self.notices.append(
                    f"'{raw[:30]}' is not a number or range like 10, <10, >10 or 10-20"
                    f" ({label}); ignored."
                )
                continue
            self.ranges[name] = bounds
            if column is None:
                self.notices.append(f"This archive has no {label} yet: every work counts 0.")
        for name in NAME_PARAMS:
            if names := _names(self.terms.get(name, "")):
                self.named[name] = names
        if raw := self.terms.get("rating_ids"):
            self.rating_name = AO3_RATING_IDS.get(raw, "")
            if not self.rating_name:
                self.notices.append(f"'{raw[:30]}' is not one of AO3's rating ids 9-13; ignored.")

    def narrows_beyond_tags(self) -> bool:
        """True when anything but included tags narrows the listing."""
        return bool(
            self.exclude_ids or self.exclude_names or self.complete or self.crossover
            or self.words_from is not None or self.words_to is not None
            or self.date_from or self.date_to or self.query or self.language
            or self.title_words or self.creators or self.revised or self.single_chapter
            or self.ranges or self.named or self.rating_name
        )  # fmt: skip

    def _ids(self, params: QueryDict, name: str) -> list[int]:
        ids = []
        for raw in params.getlist(name):
            if (number := whole_number(raw, high=ID_MAX)) is not None:
                ids.append(number)
            elif raw.strip():
                self.notices.append(f"'{raw[:30]}' is not a tag ID; it was ignored.")
        return ids

    def _count(self, raw: str, label: str) -> int | None:
        raw = raw.replace(",", "").replace(" ", "")
        if not raw:
            return None
        if (number := whole_number(raw, high=ID_MAX)) is not None:
            return number
        self.notices.append(f"'{raw[:30]}' is not a whole number of words ({label}); ignored.")
        return None

    def _date(self, raw: str, label: str) -> date | None:
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.notices.append(f"'{raw[:30]}' is not a date like 2019-06-02 ({label}); ignored.")
            return None

    def _sort(self, column: str, direction: str) -> None:
        if column in UNSUPPORTED_SORTS:
            self.notices.append(
                f"This archive has no {UNSUPPORTED_SORTS[column]} counts yet;"
                " sorted by date updated instead."
            )
            column = DEFAULT_SORT
        elif column not in SORTS or (column == "_score" and not self.query):
            column = DEFAULT_SORT
        self.sort_column = column
        self.sort_direction = "asc" if direction == "asc" else "desc"


def _names(raw: str) -> list[str]:
    return parse_tag_names(raw)[:50]
