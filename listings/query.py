"""The one listing engine: AO3's filter parameters in, a page of visible works out.

Every listing (all works, a tag's works, an author's works, search) parses the same
parameters, so a filter URL built for AO3 works here unchanged. Tag filters use the
`tag_ids` array on each work (GIN, intarray); free text uses `search_vector`. A filter by
a tag matches the ids of every tag below it in the wrangled graph (`tags.models.filter_ids`):
its synonyms and subtags, or, for a synonym, its canonical tag's.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from archive import caching
from listings.parameters import (
    INDEX_LOOKUP_MAX,
    KIND_PARAMS,
    NAME_PARAMS,
    RANGE_PARAMS,
    SORTS,
    WorkSearch,
)
from listings.ranges import holds
from tags.models import Tag, TagKind, canonical_ids, filter_id_sets
from works.models import Work, WorkQuerySet


@dataclass
class Results:
    search: WorkSearch
    works: WorkQuerySet  # ordered
    unknown_tags: list[str]
    hidden_by_preferences: int = 0
    # What the tag ids asked for could not find: a listing of a tag that is not there is
    # empty, an exclusion of one changes nothing.
    id_notices: list[str] = field(default_factory=list)
    # Works matching the included tags at most (None without tag filters), and whether
    # that is the listing's exact count: one tag, nothing else, read by a visitor.
    upper_bound: int | None = None
    upper_bound_exact: bool = False
    # The tags chosen by id that exist, as (side, kind parameter, tag), side "include" or
    # "exclude": the sidebar keeps each checked even when no result carries it any more.
    chosen: list[tuple[str, str, Tag]] = field(default_factory=list)


def tags_named(
    names: Collection[str], *, user: AbstractBaseUser | AnonymousUser | None = None
) -> dict[str, list[Tag]]:
    """{lowercased name: [Tag, …]} for names given that `user` may see (see
    Tag.objects.visible_to); one name may be several kinds' tags."""
    if not names:
        return {}
    found: dict[str, list[Tag]] = {}
    tags = Tag.objects.visible_to(user).annotate(lower_name=Lower("name"))
    for tag in tags.filter(lower_name__in=[name.lower() for name in names]):
        found.setdefault(tag.lower_name, []).append(tag)
    return found


def run_search(
    search: WorkSearch,
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    base: WorkQuerySet | None = None,
    hidden_tag_ids: Sequence[int] = (),
) -> Results:
    """The works `search` selects among `base` (default: all works `user` may see), ordered."""
    works = base if base is not None else Work.objects.listable_by(user)
    names = [search.tag_name, *search.include_names, *search.exclude_names]
    kind_names = [(NAME_PARAMS[p], name) for p, group in search.named.items() for name in group]
    if search.rating_name:
        kind_names.append((TagKind.RATING, search.rating_name))
    found = tags_named([*(name for name in names if name), *(n for _, n in kind_names)], user=user)
    unknown = [name for name in names if name and name.lower() not in found]
    # AO3's fandom_names and the like name tags of their kind only.
    of_kind = {}
    for kind, name in kind_names:
        tags = [tag for tag in found.get(name.lower(), []) if tag.kind == kind]
        if tags:
            of_kind[(kind, name.lower())] = tags
        elif name != search.rating_name:
            unknown.append(name)

    # Each included tag matches any of the ids below it (one name may also be tags of
    # several kinds: a work with any of them matches); all are looked up in one query.
    # A tag this visitor may not see reads as one that does not exist.
    include_ids = sorted(set(search.include_ids))
    by_id = (
        Tag.objects.visible_to(user)
        .only("id", "name", "kind", "merger_id")
        .in_bulk([*include_ids, *search.exclude_ids, *hidden_tag_ids])
    )
    missing = [pk for pk in include_ids if pk not in by_id]
    if missing:
        works = works.none()  # no work carries a tag that does not exist
    id_notices = [f"There is no tag with ID {pk}." for pk in missing]
    id_notices += [
        f"There is no tag with ID {pk} to exclude; it was ignored."
        for pk in sorted(set(search.exclude_ids))
        if pk not in by_id
    ]
    include_groups = [
        found[name.lower()]
        for name in [search.tag_name, *search.include_names]
        if name and name.lower() in found
    ] + [[by_id[pk]] for pk in include_ids if pk in by_id]
    include_groups += list(of_kind.values())
    if search.rating_name and (TagKind.RATING, search.rating_name.lower()) not in of_kind:
        works = works.none()  # a rating no work has yet
    excluded_tags = [by_id[pk] for pk in search.exclude_ids if pk in by_id]
    excluded_tags += [tag for name in search.exclude_names for tag in found.get(name.lower(), [])]
    hidden_tags = [by_id[pk] for pk in hidden_tag_ids if pk in by_id]
    *included, excluded, hidden_ids = filter_id_sets([*include_groups, excluded_tags, hidden_tags])
    works = _tagged_with_each(works, included)
    if excluded:
        works = works.tagged_with_none(excluded)
    if search.complete:
        works = works.filter(complete=search.complete == "T")
    if search.crossover == "T":
        works = works.filter(fandom_count__gt=1)
    elif search.crossover == "F":
        works = works.filter(fandom_count__lte=1)
    if search.words_from is not None:
        works = works.filter(word_count__gte=search.words_from)
    if search.words_to is not None:
        works = works.filter(word_count__lte=search.words_to)
    if search.date_from:
        works = works.filter(updated_at__gte=_start_of(search.date_from))
    # Nothing is updated after the last day there is, whose next day Python cannot make.
    if search.date_to and search.date_to < date.max:
        works = works.filter(updated_at__lt=_start_of(search.date_to + timedelta(days=1)))
    if search.language:
        works = works.filter(language=search.language)
    works = _matching_terms(works, search)
    query = None
    if search.query:
        query = SearchQuery(search.query, search_type="websearch", config="english")
        works = works.filter(search_vector=query)

    hidden = 0
    if hidden_ids:
        before = works
        works = works.tagged_with_none(hidden_ids)
        hidden = before.count() - works.count()

    works = _order(works, search, query)
    # Tag totals count public works: a bound for every listing of posted works (an own
    # listing holds drafts), raised for members by the restricted works they also see.
    bound, exact = None, False
    if base is None and include_groups:
        bound = _public_upper_bound(include_groups)
        if user and user.is_authenticated:
            bound += _restricted_total()
        else:
            exact = (
                len(canonical_ids(include_groups[0])) == 1
                and len(include_groups) == 1
                and not (hidden_ids or search.narrows_beyond_tags() or works.query.is_empty())
            )
    param_of = {kind: param for param, kind in KIND_PARAMS.items()}
    chosen = [("include", param_of[by_id[pk].kind], by_id[pk]) for pk in include_ids if pk in by_id]
    chosen += [
        ("exclude", param_of[by_id[pk].kind], by_id[pk])
        for pk in dict.fromkeys(search.exclude_ids)
        if pk in by_id
    ]
    return Results(
        search, works, unknown, hidden_by_preferences=hidden, upper_bound=bound,
        upper_bound_exact=exact, id_notices=id_notices, chosen=chosen,
    )  # fmt: skip


def _matching_terms(works: WorkQuerySet, search: WorkSearch) -> WorkQuerySet:
    """Works matching AO3's search form fields beyond the tags."""
    for word in search.title_words:
        works = works.filter(title__icontains=word)
    for name in search.creators:
        # Each name given is one of the work's creators: a pseud's name or its account's.
        pseuds = Work.pseuds.through.objects.filter(
            Q(pseud__name__iexact=name) | Q(pseud__user__username__iexact=name)
        )
        works = works.filter(pk__in=pseuds.values("work_id"))
    if search.single_chapter:
        works = works.filter(chapter_count=1)
    if search.revised:
        earliest, latest = search.revised
        if earliest:
            works = works.filter(updated_at__gte=earliest)
        if latest:
            works = works.filter(updated_at__lt=latest)
    for name, bounds in search.ranges.items():
        column = RANGE_PARAMS[name][1]
        if column is None:
            if not holds(bounds, 0):
                works = works.none()
            continue
        low, high = bounds
        if low is not None:
            works = works.filter(**{f"{column}__gte": low})
        if high is not None:
            works = works.filter(**{f"{column}__lte": high})
    return works


def _tagged_with_each(works: WorkQuerySet, id_sets: Collection[Sequence[int]]) -> WorkQuerySet:
    """Works matching every set of ids. Sets of one id become a single `@>`, which the GIN
    index answers in one scan; a wider set (a tag with synonyms or subtags) joins that
    scan while it is small, and is otherwise checked on the rows the index found: the
    index reads one entry list per id, and a fandom's set can hold hundreds. With nothing
    else in the index, the narrowest set is."""
    single = sorted({ids[0] for ids in id_sets if len(ids) == 1})
    if single:
        works = works.filter(tag_ids__contains=single)
    indexed = bool(single)
    for ids in sorted((ids for ids in id_sets if len(ids) > 1), key=len):
        works = works.tagged_with_any(ids, indexed=len(ids) <= INDEX_LOOKUP_MAX or not indexed)
        indexed = True
    return works


def _public_upper_bound(include_groups: Iterable[Iterable[Tag]]) -> int:
    """At most how many public works match every included group: the smallest of their
    totals (a canonical tag's counts its synonyms' and subtags' works). PostgreSQL's
    guess for a wide `&&` can be four times the truth, and a count built on it offers
    pages that are empty."""
    targets = [canonical_ids(group) for group in include_groups]
    totals = dict(Tag.objects.filter(pk__in=set().union(*targets)).values_list("pk", "work_count"))
    return min(sum(totals.get(pk, 0) for pk in group) for group in targets)


def _restricted_total() -> int:
    """Posted works only members may read, counted at most every caching.RESTRICTED_SECONDS.

    The total bounds members' listings; it may be that old, so a bound may miss works
    restricted since: it only ever caps an estimate."""
    total = cache.get(caching.RESTRICTED_TOTAL_KEY)
    if total is None:
        total = Work.objects.posted().filter(restricted=True).count()
        cache.set(caching.RESTRICTED_TOTAL_KEY, total, caching.RESTRICTED_SECONDS)
    return total


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _order(works: WorkQuerySet, search: WorkSearch, query: SearchQuery | None) -> WorkQuerySet:
    label, expression = SORTS[search.sort_column]
    if search.sort_column == "_score":
        works = works.annotate(rank=SearchRank(F("search_vector"), query))
        expression = F("rank")
    descending = search.sort_direction == "desc"
    key = expression.desc() if descending else expression.asc()
    tiebreak = F("id").desc() if descending else F("id").asc()
    return works.order_by(key, tiebreak)
