"""generate_works: synthetic works written with COPY are the rows the ORM would write."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum

from bench.generating import MAX_CHAPTERS, MAX_WORDS, MIN_WORDS, generate_works
from bench.wrangling import wrangle_generated
from tags.models import (
    ARCHIVE_WARNINGS,
    CATEGORIES,
    FIXED_KINDS,
    RATINGS,
    Tag,
    TagFilter,
    TagKind,
    TagParent,
)
from tests.factories import make_tag, make_work
from works.models import Chapter, TaggedWork, Work
from works.rendering import count_words, render_user_html

pytestmark = pytest.mark.django_db

WORKS = 300
UNTIL = datetime.date(2026, 6, 30)


def generate(count=WORKS, seed=7, **options):
    options = {"batch_size": 120, "writers": 1, "until": UNTIL, **options}
    return generate_works(count=count, seed=seed, **options)


@pytest.fixture
def generated():
    return generate()


def _content(works):
    """What a reader sees of works, without their ids."""
    return [
        (w.title, w.summary, w.word_count, w.chapter_count, w.published, w.hits, w.language)
        for w in works
    ]


def test_it_writes_the_works_chapters_and_taggings_it_reports(generated):
    assert generated.works == WORKS
    assert Work.objects.count() == WORKS
    assert Chapter.objects.count() == generated.chapters
    assert TaggedWork.objects.count() == generated.taggings
    assert generated.taggings / WORKS == pytest.approx(20, abs=4)


def test_every_work_has_one_rating_one_or_two_warnings_and_at_most_two_categories(generated):
    def of_kind(kind):
        return Count("tagged", filter=Q(tagged__tag__kind=kind))

    works = Work.objects.annotate(
        ratings=of_kind(TagKind.RATING),
        warnings=of_kind(TagKind.ARCHIVE_WARNING),
        categories=of_kind(TagKind.CATEGORY),
        fandom_tags=of_kind(TagKind.FANDOM),
    )
    for work in works:
        assert work.ratings == 1
        assert 1 <= work.warnings <= 2
        assert 0 <= work.categories <= 2
        assert 1 <= work.fandom_tags <= 3
        assert work.fandom_count == work.fandom_tags
    fixed = Tag.objects.filter(
        kind__in=[TagKind.RATING, TagKind.ARCHIVE_WARNING, TagKind.CATEGORY]
    ).values_list("name", flat=True)
    assert set(fixed) <= {*RATINGS, *ARCHIVE_WARNINGS, *CATEGORIES}


def test_tag_ids_list_each_works_tags(generated):
    for work in Work.objects.prefetch_related("tagged"):
        assert work.tag_ids == sorted(tagging.tag_id for tagging in work.tagged.all())


def test_popular_tags_are_much_more_popular_than_the_rest(generated):
    fandoms = list(
        Tag.objects.filter(kind=TagKind.FANDOM)
        .annotate(works=Count("tagged_works"))
        .order_by("-works")
        .values_list("works", flat=True)
    )
    assert fandoms[0] >= 5 * fandoms[len(fandoms) // 2]


def test_chapter_and_word_counts_agree_with_the_chapters(generated):
    works = Work.objects.annotate(
        chapters_found=Count("chapters"), words_found=Sum("chapters__word_count")
    )
    multi = 0
    for work in works:
        assert work.chapter_count == work.chapters_found
        assert work.word_count == work.words_found
        assert MIN_WORDS <= work.word_count <= MAX_WORDS
        assert 1 <= work.chapter_count <= MAX_CHAPTERS
        if work.complete:
            assert work.expected_chapters == work.chapter_count
        else:
            assert work.expected_chapters is None or work.expected_chapters > work.chapter_count
        assert work.published <= work.updated_at.date() <= UNTIL
        multi += work.chapter_count > 1
    assert 0.15 < multi / WORKS < 0.45
    for work_id, positions in _positions_by_work().items():
        assert positions == list(range(1, len(positions) + 1)), work_id


def _positions_by_work():
    positions = {}
    for work_id, position in Chapter.objects.order_by("work_id", "position").values_list(
        "work_id", "position"
    ):
        positions.setdefault(work_id, []).append(position)
    return positions


def test_html_is_what_the_sanitizer_makes_of_the_text(generated):
    for chapter in Chapter.objects.all():
        assert chapter.text_html == render_user_html(chapter.text)
        assert chapter.text_html.startswith("<p>")
        for field in ("summary", "notes", "end_notes"):
            assert getattr(chapter, f"{field}_html") == render_user_html(getattr(chapter, field))
    for work in Work.objects.all():
        for field in ("summary", "notes", "end_notes"):
            assert getattr(work, f"{field}_html") == render_user_html(getattr(work, field))


def test_search_vectors_are_the_ones_reindex_makes(generated):
    # Lexemes and their weights: Work.reindex() joins a work's tag names in whatever order
    # the query plan gives, so the positions of the names' words are not fixed.
    def vectors():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w.id, v.lexeme, v.weights FROM works_work w,"
                " unnest(w.search_vector) v ORDER BY w.id, v.lexeme"
            )
            found = {}
            for work_id, lexeme, weights in cursor:
                found.setdefault(work_id, []).append((lexeme, sorted(weights)))
            return found

    stored = vectors()
    assert len(stored) == WORKS
    for work in Work.objects.all():
        work.reindex()
    assert vectors() == stored


def test_search_vectors_hold_every_position_postgresql_gives(generated):
    # Work.reindex()'s formula, with the tag names in id order (the order they were written).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w.id FROM works_work w,
            LATERAL (
                SELECT coalesce(string_agg(tag.name, ' ' ORDER BY tag.id), '') AS names
                FROM works_taggedwork tw JOIN tags_tag tag ON tag.id = tw.tag_id
                WHERE tw.content_object_id = w.id
            ) t,
            LATERAL (
                SELECT coalesce(string_agg(regexp_replace(text_html, '<[^>]*>', ' ', 'g'), ' '
                                           ORDER BY position), '') AS body
                FROM works_chapter WHERE work_id = w.id
            ) c
            WHERE w.search_vector IS DISTINCT FROM
                setweight(to_tsvector('english', w.title), 'A')
                || setweight(to_tsvector('english', t.names), 'B')
                || setweight(to_tsvector('english',
                                         regexp_replace(w.summary_html, '<[^>]*>', ' ', 'g')), 'C')
                || setweight(to_tsvector('english', c.body), 'D')
            """
        )
        assert cursor.fetchall() == []


def test_tag_totals_count_the_public_works(generated):
    tags = Tag.objects.annotate(
        public=Count(
            "tagged_works",
            filter=Q(tagged_works__content_object__posted=True)
            & Q(tagged_works__content_object__restricted=False),
        )
    )
    for tag in tags:
        assert tag.work_count == tag.public, tag.name


def test_the_orm_can_add_works_tags_and_chapters_afterwards(generated):
    newest = Work.objects.order_by("-id").first().pk
    work = make_work(chapters=2, tags={TagKind.FREEFORM: ["Written After Generating"]})
    assert work.pk > newest
    assert work.chapter_count == 2
    Tag.objects.create(kind=TagKind.FANDOM, name="A Fandom Nobody Generated")
    TaggedWork.objects.create(content_object=work, tag=make_tag("Also Added", TagKind.CHARACTER))


def test_running_again_with_the_same_seed_appends_the_same_works_and_reuses_tags(generated):
    first = _content(Work.objects.order_by("id"))
    tags = Tag.objects.count()
    again = generate()
    assert again.tags_created == 0
    assert Tag.objects.count() == tags
    assert Work.objects.count() == 2 * WORKS
    assert _content(Work.objects.order_by("id")[WORKS:]) == first


def test_another_seed_gives_other_works(generated):
    first = _content(Work.objects.order_by("id"))
    generate(seed=8)
    assert _content(Work.objects.order_by("id")[WORKS:]) != first


def test_the_command_adds_full_text_works_and_reports_its_rate():
    out = io.StringIO()
    call_command(
        "generate_works", works=20, seed=3, writers=1, chapters_work=2, long_work_words=6000,
        stdout=out, verbosity=0,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("Generated 20 works")
    assert re.search(r"\d works/s overall, [\d,]+ works/s writing$", lines[-1])
    assert Work.objects.count() == 22
    chaptered = Work.objects.get(title="The 2-Chapter Benchmark")
    long_work = Work.objects.get(title="The 6,000-Word Benchmark")
    assert chaptered.chapter_count == 2
    assert long_work.chapter_count >= 2 and long_work.word_count >= 6000
    assert f"/works/{chaptered.pk}/chapters/" in lines[1]
    assert f"/works/{long_work.pk}?view_full_work=true" in lines[2]
    for chapter in Chapter.objects.filter(work__in=[chaptered, long_work]):
        assert chapter.word_count == count_words(chapter.text_html) >= 2500


@pytest.fixture
def wrangled(generated):
    return wrangle_generated(generated.tag_ids, percent=5, seed=7)


def test_wrangling_makes_a_few_percent_synonyms_of_canonical_tags_of_their_kind(
    generated, wrangled
):
    tags = Tag.objects.exclude(kind__in=FIXED_KINDS)
    synonyms = tags.filter(merger__isnull=False).select_related("merger")
    assert synonyms.count() == wrangled.synonyms
    assert 0.03 < wrangled.synonyms / tags.count() <= 0.05
    assert not tags.filter(merger__isnull=True, canonical=False).exists()
    group_of = {
        tag_id: (kind, index)
        for kind, groups in (
            ("character", generated.tag_ids.characters),
            ("relationship", generated.tag_ids.relationships),
        )
        for index, ids in enumerate(groups)
        for tag_id in ids
    }
    for synonym in synonyms:
        assert synonym.merger.canonical and synonym.merger.merger_id is None
        assert synonym.merger.kind == synonym.kind
        assert group_of.get(synonym.merger_id) == group_of.get(synonym.pk)  # same fandom
        assert not TagParent.objects.filter(child=synonym).exists()
        assert TagFilter.objects.filter(tag=synonym, filter=synonym.merger).exists()


def test_canonical_characters_and_relationships_have_their_canonical_fandom_as_parent(wrangled):
    canonical = Tag.objects.filter(kind__in=["character", "relationship"], canonical=True)
    links = TagParent.objects.filter(child__in=canonical).select_related("parent")
    assert links.count() == canonical.count() == wrangled.parent_links
    for link in links:
        assert link.parent.kind == TagKind.FANDOM and link.parent.canonical


def _found_by(tag_id, merger, parents):
    """The tags filtering by which finds a work tagged `tag_id`, by walking the graph."""
    found, waiting = set(), [tag_id]
    while waiting:
        current = waiting.pop()
        if current in found:
            continue
        found.add(current)
        waiting.extend(parents.get(current, ()))
        if merger.get(current):
            waiting.append(merger[current])
    return found


def test_wrangled_totals_and_tag_pages_count_synonyms_and_subtags_works(wrangled, get_page):
    merger = dict(Tag.objects.values_list("id", "merger_id"))
    parents = {}
    for child, parent in TagParent.objects.values_list("child_id", "parent_id"):
        parents.setdefault(child, set()).add(parent)
    public = set(Work.objects.filter(posted=True, restricted=False).values_list("id", flat=True))
    under = {}
    for work_id, tag_id in TaggedWork.objects.values_list("content_object_id", "tag_id"):
        for found in _found_by(tag_id, merger, parents):
            under.setdefault(found, set()).add(work_id)
    for tag in Tag.objects.all():
        assert tag.work_count == len(under.get(tag.pk, set()) & public), tag.name

    fandom = Tag.objects.get(synonyms__kind=TagKind.FANDOM)
    direct = TaggedWork.objects.filter(tag=fandom, content_object__in=public).count()
    expected = len(under[fandom.pk] & public)
    assert expected > direct  # its synonym's works are found too
    response, page = get_page(fandom.get_absolute_url())
    assert response.status_code == 200
    heading = page.find("h2", class_="heading").get_text(" ", strip=True)
    assert heading.startswith(f"1 - 20 of {expected:,} Works in {fandom.name}")


def test_a_work_with_a_fandom_and_its_synonym_is_no_crossover(wrangled):
    canonical = dict(Tag.objects.filter(kind=TagKind.FANDOM).values_list("id", "merger_id"))
    for work in Work.objects.all():
        fandoms = {canonical[t] or t for t in work.tag_ids if t in canonical}
        assert work.fandom_count == len(fandoms)


def test_the_command_wrangles_and_reports_it():
    out = io.StringIO()
    call_command(
        "generate_works", works=20, seed=3, writers=1, synonyms=10, stdout=out, verbosity=0
    )
    wrangle_line, last = out.getvalue().splitlines()[-2:]
    synonyms = Tag.objects.filter(merger__isnull=False).count()
    assert re.fullmatch(
        rf"Wrangled [\d,]+ tags in [\d.]+ s: {synonyms} synonyms \(10%\), .* filter rows",
        wrangle_line,
    )
    assert last.startswith("Generated 20 works")


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_store_every_batch():
    result = generate(count=200, batch_size=40, writers=2)
    assert Work.objects.count() == 200 == result.works
    assert Chapter.objects.count() == result.chapters
    totals = Work.objects.aggregate(words=Sum("word_count"), chapters=Sum("chapter_count"))
    assert totals["chapters"] == result.chapters
    assert totals["words"] == Chapter.objects.aggregate(words=Sum("word_count"))["words"]
