"""The listing columns a work keeps from its tags and chapters (Work.reindex): its tag ids,
its number of fandoms, and the full-text vector of its title, tags, summary and posted text;
and the tag totals and crossover counts that move with them."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from archive.caching import listings_changed
from tags.models import Tag, counted_tag_ids, lock_tag_graph

if TYPE_CHECKING:  # works.models imports this module
    from works.models import Work

# Chapter text beyond this many characters is left out of the search vector, whose size
# PostgreSQL caps at 1 MB.
SEARCH_TEXT_LIMIT = 400_000
REINDEX_SQL = """
UPDATE works_work w SET
    tag_ids = t.ids,
    fandom_count = t.fandoms,
    search_vector =
        setweight(to_tsvector('english', w.title), 'A')
        || setweight(to_tsvector('english', t.names), 'B')
        || setweight(
            to_tsvector('english', regexp_replace(w.summary_html, '<[^>]*>', ' ', 'g')), 'C')
        || setweight(to_tsvector('english', left(c.body, %(text_limit)s)), 'D')
FROM (
    SELECT coalesce(array_agg(tw.tag_id ORDER BY tw.tag_id), '{}') AS ids,
           -- Two synonyms of one fandom make no crossover.
           count(DISTINCT coalesce(tag.merger_id, tag.id)) FILTER (WHERE tag.kind = 'fandom')
               AS fandoms,
           coalesce(string_agg(tag.name, ' ' ORDER BY tw.id), '') AS names
    FROM works_taggedwork tw JOIN tags_tag tag ON tag.id = tw.tag_id
    WHERE tw.content_object_id = %(id)s
) t, (
    SELECT coalesce(string_agg(regexp_replace(text_html, '<[^>]*>', ' ', 'g'), ' '
                               ORDER BY position), '') AS body
    FROM works_chapter WHERE work_id = %(id)s AND posted
) c
WHERE w.id = %(id)s
RETURNING w.tag_ids, w.fandom_count
"""


def public_tag_ids(work: "Work") -> set[int]:
    """The tags whose totals count this work while it is public (its own and every filter
    above them), else none."""
    return counted_tag_ids(work.tag_ids) if work.public else set()


def reindex(work: "Work", *, counted_before: set[int]) -> None:
    """After a write: refresh the work's listing columns and move its tag totals."""
    # The filters counted_tag_ids reads must stay as they are until this commits.
    lock_tag_graph()
    work.reindex()
    counted_now = public_tag_ids(work)
    Tag.objects.adjust_work_counts(
        added=counted_now - counted_before, removed=counted_before - counted_now
    )
    listings_changed()


def fandoms_merged(sender: object, *, fandom_ids: Iterable[int], **kwargs: object) -> None:
    """A wrangle changed these fandoms' canonical tag (tags.signals.fandom_mergers_changed)."""
    recount_fandoms(fandom_ids)


def recount_fandoms(fandom_ids: Iterable[int]) -> None:
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
