"""The listing columns a work keeps from its tags and chapters (Work.reindex): its tag ids,
its number of fandoms, and the full-text vector of its title, tags, summary and posted text."""

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
