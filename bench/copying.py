"""The COPY writer: a batch of generated works, chapters and taggings in one transaction.

This is the one exception to "one writer per model" (works/services.py): a million works
through the ORM would take hours. It names the models' own tables and columns, and
check_columns() compares its column lists with the models' concrete fields before every run,
so a field added to a model stops the load instead of being left out of the rows.
"""

from django.db import connection, models, transaction

from tags.models import Tag
from works.models import Chapter, TaggedWork, Work

# The columns COPY writes, in order; checked against the models so a new field is not missed.
WORK_COLUMNS = (
    "id", "title", "summary", "summary_html", "notes", "notes_html", "end_notes",
    "end_notes_html", "language", "complete", "expected_chapters", "published", "updated_at",
    "word_count", "chapter_count", "hits", "restricted", "posted", "source_hash", "tag_ids",
    "fandom_count", "search_vector",
)  # fmt: skip
CHAPTER_COLUMNS = (
    "work_id", "position", "title", "summary", "summary_html", "notes", "notes_html",
    "end_notes", "end_notes_html", "text", "text_html", "word_count", "published",
)  # fmt: skip
TAGGED_WORK_COLUMNS = ("content_object_id", "tag_id")
TAG_COLUMNS = ("kind", "name", "work_count", "canonical", "merger_id")
# Positions in a work's row, which is drawn before its id is known.
POSTED_INDEX = WORK_COLUMNS.index("posted") - 1
RESTRICTED_INDEX = WORK_COLUMNS.index("restricted") - 1
_SEARCH_VECTOR = WORK_COLUMNS.index("search_vector") - 1


def check_columns():
    """COPY names its columns; refuse to run if the models have moved on from them."""
    for model, columns in (
        (Work, WORK_COLUMNS),
        (Chapter, ("id", *CHAPTER_COLUMNS)),
        (TaggedWork, ("id", *TAGGED_WORK_COLUMNS)),
        (Tag, ("id", *TAG_COLUMNS)),
    ):
        # COPY leaves columns with a database default (lock_version) to that default.
        fields = model._meta.concrete_fields
        actual = {f.column for f in fields if f.db_default is models.NOT_PROVIDED}
        if actual != set(columns):
            raise RuntimeError(
                f"{model.__name__} columns changed: {sorted(actual ^ set(columns))};"
                " update bench/copying.py"
            )


def _reserve_ids(cursor, model, count):
    """Take `count` ids from the table's own sequence, so later ORM inserts never collide."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, model, columns):
    return cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN")


def is_superuser(cursor):
    cursor.execute("SELECT current_setting('is_superuser')")
    return cursor.fetchone()[0] == "on"


def write_batch(batch, *, skip_row_checks):
    """Store one batch in one transaction; returns it once committed."""
    works, chapters, taggings, _ = batch
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside a caller's transaction these would outlive the batch: put them back after.
        cursor.execute(
            "SELECT current_setting('synchronous_commit'),"
            " current_setting('session_replication_role')"
        )
        before = cursor.fetchone()
        # Generated data can be made again; losing the last batch to a crash is fine.
        settings = ["off", before[1]]
        if skip_row_checks:
            # The rows point at ids this transaction reserved and tags just read or made, so
            # the foreign keys and chapter positions hold by construction; PostgreSQL's
            # row-by-row checks of them would otherwise take most of the load's time.
            settings[1] = "replica"
        cursor.execute(_SET_LOCAL, settings)
        ids = _reserve_ids(cursor, Work, len(works))
        with _copy(cursor, Work, WORK_COLUMNS) as copy:
            for work_id, row in zip(ids, works, strict=True):
                copy.write_row((work_id, *row))
        with _copy(cursor, Chapter, CHAPTER_COLUMNS) as copy:
            for row in chapters:
                copy.write_row((ids[row[0]], *row[1:]))
        with _copy(cursor, TaggedWork, TAGGED_WORK_COLUMNS) as copy:
            for index, tag_id in taggings:
                copy.write_row((ids[index], tag_id))
        cursor.execute(_SET_LOCAL, list(before))
        for work_id, row in zip(ids, works, strict=True):
            if row[_SEARCH_VECTOR] is None:
                Work(pk=work_id).reindex()
    return batch


_SET_LOCAL = (
    "SELECT set_config('synchronous_commit', %s, true),"
    " set_config('session_replication_role', %s, true)"
)


def add_to_tag_counts(counts):
    if not counts:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Tag._meta.db_table} t SET work_count = t.work_count + c.n"  # noqa: S608
            " FROM unnest(%s::bigint[], %s::integer[]) AS c(id, n) WHERE t.id = c.id",
            [list(counts), list(counts.values())],
        )


def write_batch_in_thread(batch, *, skip_row_checks):
    try:
        return write_batch(batch, skip_row_checks=skip_row_checks)
    finally:
        connection.close()  # this thread's own connection
