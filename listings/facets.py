"""Facets: the sidebar's most frequent tags among a listing's results, counted as filtering
by each would find them."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from listings.parameters import KIND_PARAMS, WorkSearch
from tags.models import KIND_CLASSES, Tag, TagFilter, TagKind, id_in
from works.models import WorkQuerySet

FACET_SAMPLE = 1000
FACET_CANDIDATES = 300
FACETS_SHOWN = 10
FACETS_MORE = 20


@dataclass
class Facet:
    tag: Tag
    count: int | None  # None for a chosen tag no result carries (an exclusion's)
    included: bool = False
    excluded: bool = False


def facets(
    works: WorkQuerySet, total: int, *, user: AbstractBaseUser | AnonymousUser | None = None
) -> tuple[dict[str, list[Facet]], bool]:
    """Each kind's most frequent tags among the results (the first FACET_SAMPLE when more)
    that `user` may see (see Tag.objects.visible_to).

    A work counts for its tags and every filter above them (a synonym's canonical tag, the
    parents of that), once each, as filtering by the facet would find it; synonyms are
    left out, since their canonical tag stands for them.
    Returns ({kind: [Facet, …]}, sampled) with at most FACETS_MORE per kind.
    """
    rows = [
        set(tag_ids or ()) for tag_ids in works.values_list("tag_ids", flat=True)[:FACET_SAMPLE]
    ]
    links = TagFilter.objects.filter(id_in("tag_id", set().union(*rows)))
    above: dict[int, set[int]] = {}
    for tag_id, filter_id in links.values_list("tag_id", "filter_id"):
        above.setdefault(tag_id, set()).add(filter_id)
    counts: Counter[int] = Counter()
    for tag_ids in rows:
        counts.update(tag_ids.union(*(above.get(tag_id, ()) for tag_id in tag_ids)))
    top = counts.most_common(FACET_CANDIDATES)
    visible = Tag.objects.visible_to(user).only("id", "name", "kind", "merger_id")
    tags = visible.in_bulk([tag_id for tag_id, _ in top])
    by_kind: dict[str, list[Facet]] = {}
    for tag_id, count in top:
        tag = tags.get(tag_id)
        if tag is None or tag.merger_id:
            continue
        bucket = by_kind.setdefault(tag.kind, [])
        if len(bucket) < FACETS_MORE:
            bucket.append(Facet(tag, count))
    return by_kind, total > FACET_SAMPLE


def facet_groups(
    by_kind: Mapping[str, list[Facet]],
    search: WorkSearch,
    chosen: Iterable[tuple[str, str, Tag]] = (),
) -> list[dict[str, Any]]:
    """The sidebar's groups of facets, one per kind in AO3's order, as its template reads them.

    Every `chosen` tag (Results.chosen) is among them, so the form sends each choice again:
    an excluded tag's works are gone from the results, and with them its facet."""
    param_of = {kind: param for param, kind in KIND_PARAMS.items()}
    included, excluded = set(search.include_ids), set(search.exclude_ids)
    by_kind = {kind: list(found) for kind, found in by_kind.items()}
    for _, _, tag in chosen:
        found = by_kind.setdefault(tag.kind, [])
        if all(facet.tag.pk != tag.pk for facet in found):
            # Shown, not folded under "Show more", where a choice would be out of sight.
            found.insert(min(len(found), FACETS_SHOWN - 1), Facet(tag, None))
    groups = []
    for kind in TagKind:
        facets_of_kind = by_kind.get(kind, [])
        if not facets_of_kind:
            continue
        for facet in facets_of_kind:
            facet.included = facet.tag.pk in included
            facet.excluded = facet.tag.pk in excluded
        groups.append(
            {
                "kind": kind,
                "label": KIND_CLASSES[kind][3],
                "param": param_of[kind],
                "shown": facets_of_kind[:FACETS_SHOWN],
                "more": facets_of_kind[FACETS_SHOWN:],
            }
        )
    return groups
