"""Bulk wrangling of the generated tags (`generate_works --synonyms`): canonical or synonyms."""

# Seeded, repeatable randomness is the point here; nothing drawn is a secret.
# ruff: noqa: S311

import random
from dataclasses import dataclass
from time import perf_counter

from django.db import connection, transaction

from archive.caching import graph_changed
from bench.draws import Weighted
from tags.counting import recount_all_tags
from tags.models import TagFilter, refresh_filters
from works.indexing import recount_fandoms


@dataclass
class WranglingResult:
    canonical: int = 0
    synonyms: int = 0
    parent_links: int = 0
    filter_rows: int = 0
    seconds: float = 0.0


def wrangle_generated(tag_ids, *, percent, seed):
    """Wrangle the generated tags in bulk SQL: canonical, but `percent`% synonyms.

    Of each kind of fandom, character, relationship and freeform tags, `percent`% drawn
    from a seeded stream become synonyms of a canonical tag of their kind (a character or
    relationship one of its own fandom when there is one), popular tags drawing more
    synonyms, as on AO3; the rest are canonical, and canonical characters and relationships
    get their fandom (its canonical tag) as parent. Earlier wrangling of these tags is
    replaced. Filters and every tag's total are then rebuilt.
    """
    started = perf_counter()
    rng = random.Random(f"synonyms:{seed}")
    fandom_of = {
        tag_id: tag_ids.fandoms[index]
        for groups in (tag_ids.characters, tag_ids.relationships)
        for index, ids in enumerate(groups)
        for tag_id in ids
    }
    merger = {}
    merger.update(_synonyms(rng, tag_ids.fandoms, percent))
    merger.update(_synonyms(rng, tag_ids.freeforms, percent))
    for groups in (tag_ids.characters, tag_ids.relationships):
        merger.update(_synonyms(rng, [tag_id for ids in groups for tag_id in ids], percent,
                                groups=groups))  # fmt: skip
    wrangled = [*tag_ids.fandoms, *tag_ids.freeforms, *fandom_of]
    parents = [
        (tag_id, merger.get(fandom, fandom))
        for tag_id, fandom in fandom_of.items()
        if tag_id not in merger
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # Works whose fandoms were merged before or are now need their fandom_count redone.
        cursor.execute(
            "SELECT id FROM tags_tag WHERE id = ANY(%s) AND merger_id IS NOT NULL",
            [tag_ids.fandoms],
        )
        merged_fandoms = {row[0] for row in cursor} | (merger.keys() & set(tag_ids.fandoms))
        cursor.execute("DELETE FROM tags_tagparent WHERE child_id = ANY(%s)", [wrangled])
        cursor.execute(
            "UPDATE tags_tag SET canonical = true, merger_id = NULL WHERE id = ANY(%s)",
            [wrangled],
        )
        cursor.execute(
            "UPDATE tags_tag t SET canonical = false, merger_id = s.merger_id"
            " FROM unnest(%s::bigint[], %s::bigint[]) AS s(id, merger_id) WHERE t.id = s.id",
            [list(merger), list(merger.values())],
        )
        cursor.execute(
            "INSERT INTO tags_tagparent (child_id, parent_id)"
            " SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
            [[child for child, _ in parents], [parent for _, parent in parents]],
        )
        if merged_fandoms:
            recount_fandoms(merged_fandoms)
        refresh_filters(None)
        recount_all_tags()
        graph_changed()
    return WranglingResult(
        canonical=len(wrangled) - len(merger),
        synonyms=len(merger),
        parent_links=len(parents),
        filter_rows=TagFilter.objects.count(),
        seconds=perf_counter() - started,
    )


def _synonyms(rng, ids, percent, groups=None):
    """{synonym id: canonical id} for `percent`% of `ids` (in popularity order).

    With `groups` (ids per fandom), a synonym's canonical tag is of its own group when the
    group has one left; otherwise of all `ids`. The more popular a canonical tag, the more
    synonyms it draws.
    """
    synonyms = set(rng.sample(ids, int(len(ids) * percent / 100)))
    everywhere = Weighted.zipf([tag_id for tag_id in ids if tag_id not in synonyms])
    if groups is None:
        groups = [ids]
    merger = {}
    for group in groups:
        canonical = Weighted.zipf([tag_id for tag_id in group if tag_id not in synonyms])
        for tag_id in group:
            if tag_id in synonyms:
                merger[tag_id] = (canonical if canonical.items else everywhere).draw(rng)
    return merger
