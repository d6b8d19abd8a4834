"""Synthetic works for load tests and benchmarks, written in batches with PostgreSQL COPY.

Rows are what the ORM would write (sanitized HTML beside the raw text, counts that agree with
the chapters), except that a chapter's stored text is a few sentences while its word_count
stands for a full-length chapter: the listings see realistic sizes without gigabytes of text.
The tags come from bench/vocabulary.py, the texts from bench/texts.py, the search vectors
from bench/search_vectors.py, and bench/copying.py writes the rows.
"""

# Seeded, repeatable randomness is the point here; nothing drawn is a secret.
# ruff: noqa: S311

import math
import random
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import perf_counter

from django.db import connection
from django.utils import timezone

from bench.copying import (
    POSTED_INDEX,
    RESTRICTED_INDEX,
    add_to_tag_counts,
    check_columns,
    is_superuser,
    write_batch,
    write_batch_in_thread,
)
from bench.draws import Weighted, pick
from bench.search_vectors import compose_vector, text_vectors
from bench.texts import build_text_pool, full_text
from bench.vocabulary import TagIds, build_vocabulary, fandom_count_for, save_vocabulary
from tags.models import Tag
from works.services import ChapterText, work_create

YEARS = 15
MIN_WORDS = 100
MAX_WORDS = 200_000
MAX_CHAPTERS = 30
MULTI_CHAPTER_SHARE = 0.3
FULL_TEXT_CHAPTER_WORDS = 5000
MAX_HITS = 2**31 - 1
_NO_NOTES = ("",) * 6  # a chapter's summary, notes and end notes, raw and as HTML

# Shares roughly like AO3's.
RATING_WEIGHTS = {
    "General Audiences": 30,
    "Teen And Up Audiences": 30,
    "Mature": 14,
    "Explicit": 20,
    "Not Rated": 6,
}
WARNING_WEIGHTS = {
    "No Archive Warnings Apply": 50,
    "Creator Chose Not To Use Archive Warnings": 30,
    "Graphic Depictions Of Violence": 12,
    "Major Character Death": 5,
    "Rape/Non-Con": 2,
    "Underage Sex": 1,
}
CATEGORY_WEIGHTS = {"F/F": 12, "F/M": 22, "Gen": 22, "M/M": 34, "Multi": 6, "Other": 4}
LANGUAGE_WEIGHTS = {
    "en": 88, "zh-hans": 3, "es": 2, "ru": 2, "fr": 1, "de": 1, "pt-br": 1, "it": 1, "ja": 1,
}  # fmt: skip


@dataclass
class GenerationResult:
    works: int = 0
    chapters: int = 0
    taggings: int = 0
    tags: int = 0
    tags_created: int = 0
    tag_ids: TagIds | None = None
    setup_seconds: float = 0.0  # building and saving the vocabulary and texts


class _WorkFactory:
    """Draws works from a seeded random stream, a batch at a time.

    Rows name their work by its index in the batch; ids are only known once reserved.
    """

    def __init__(self, rng, tag_ids, text, until):
        self.rng = rng
        self.text = text
        self.until = until
        self.ratings = Weighted.of({tag_ids.ratings[k]: w for k, w in RATING_WEIGHTS.items()})
        self.warnings = Weighted.of({tag_ids.warnings[k]: w for k, w in WARNING_WEIGHTS.items()})
        self.no_warnings = tag_ids.warnings["No Archive Warnings Apply"]
        # A second warning is a real one: "No Archive Warnings Apply" stands alone.
        self.second_warnings = Weighted.of(
            {
                tag_ids.warnings[k]: w
                for k, w in WARNING_WEIGHTS.items()
                if k != "No Archive Warnings Apply"
            }
        )
        self.categories = Weighted.of(
            {tag_ids.categories[k]: w for k, w in CATEGORY_WEIGHTS.items()}
        )
        self.category_counts = Weighted.of({0: 20, 1: 65, 2: 15})
        self.fandom_counts = Weighted.of({1: 80, 2: 15, 3: 5})
        self.languages = Weighted.of(LANGUAGE_WEIGHTS)
        self.fandoms = Weighted.zipf(range(len(tag_ids.fandoms)))
        self.fandom_ids = tag_ids.fandoms
        self.casts = [Weighted.zipf(ids) for ids in tag_ids.characters]
        self.pairings = [Weighted.zipf(ids) for ids in tag_ids.relationships]
        self.freeforms = Weighted.zipf(tag_ids.freeforms)
        self.span_days = YEARS * 365
        vectors = text_vectors(
            [
                *text.titles,
                *(searched for _, _, searched in text.summaries),
                *(searched for _, _, searched in text.chapter_texts),
                *tag_ids.names.values(),
            ]
        )
        self.tag_vectors = {tag_id: vectors[name] for tag_id, name in tag_ids.names.items()}
        # Pool entries with their vectors: (raw, html, vector).
        self.titles = [(title, vectors[title]) for title in text.titles]
        self.summaries = [(raw, html, vectors[searched]) for raw, html, searched in text.summaries]
        self.chapter_texts = [
            (raw, html, vectors[searched]) for raw, html, searched in text.chapter_texts
        ]

    def tag_ids(self):
        """The work's tag ids in order, and how many fandoms they hold."""
        rng = self.rng
        chosen = {self.ratings.draw(rng)}
        warning = self.warnings.draw(rng)
        chosen.add(warning)
        if warning != self.no_warnings and rng.random() < 0.2:
            chosen.add(self.second_warnings.draw(rng))
        chosen.update(self.categories.draws(rng, self.category_counts.draw(rng)))
        fandoms = dict.fromkeys(self.fandoms.draws(rng, self.fandom_counts.draw(rng)))
        primary = True
        for fandom in fandoms:
            chosen.add(self.fandom_ids[fandom])
            # The work's main fandom gets most of its relationships and characters.
            pairings = 1 + int(rng.random() * 3) if primary else 1
            characters = 2 + int(rng.random() * 5) if primary else 1
            chosen.update(self.pairings[fandom].draws(rng, pairings))
            chosen.update(self.casts[fandom].draws(rng, characters))
            primary = False
        wanted = max(8, min(40, int(rng.gauss(20, 6))))
        chosen.update(self.freeforms.draws(rng, max(1, wanted - len(chosen))))
        return sorted(chosen), len(fandoms)

    def work(self, index):
        """One work's row without its id, its chapters' rows (by `index`) and its tag ids."""
        rng, text = self.rng, self.text
        multi = rng.random() < MULTI_CHAPTER_SHARE
        if multi:
            chapter_count = int(math.exp(rng.uniform(math.log(2), math.log(MAX_CHAPTERS + 1))))
            chapter_count = min(chapter_count, MAX_CHAPTERS)
            per_chapter = math.exp(rng.uniform(math.log(500), math.log(8000)))
            word_count = int(per_chapter * chapter_count)
            complete = rng.random() < 0.6
        else:
            chapter_count = 1
            word_count = int(math.exp(rng.uniform(math.log(MIN_WORDS), math.log(60_000))))
            complete = rng.random() < 0.95
        word_count = max(MIN_WORDS, min(MAX_WORDS, word_count))
        if complete:
            expected = chapter_count
        else:
            expected = None if rng.random() < 0.4 else chapter_count + rng.randint(1, 10)

        # More works in recent years, as on a growing archive.
        published = self.until - timedelta(days=int(self.span_days * rng.random() ** 1.5))
        if multi:
            spread = rng.randint(chapter_count * 3, chapter_count * 60)
        else:
            spread = 0 if rng.random() < 0.9 else rng.randint(1, 30)
        updated = min(self.until, published + timedelta(days=spread))
        updated_at = datetime.combine(updated, time(), tzinfo=UTC) + timedelta(
            seconds=int(rng.random() * 86400)
        )

        title, title_vector = pick(rng, self.titles)
        summary, summary_html, summary_vector = pick(rng, self.summaries)
        notes, notes_html, _ = pick(rng, text.notes) if rng.random() < 0.25 else ("", "", "")
        end_notes, end_notes_html, _ = (
            pick(rng, text.notes) if rng.random() < 0.15 else ("", "", "")
        )
        hits = int(math.exp(rng.gauss(5.5, 1.6)) * (1 + chapter_count / 5))
        tag_ids, fandom_count = self.tag_ids()

        # Chapter sizes vary by up to a third around the mean and add up to the work's count.
        weights = [rng.uniform(0.7, 1.3) for _ in range(chapter_count)]
        total_weight = sum(weights)
        sizes = [int(word_count * weight / total_weight) for weight in weights]
        for extra in range(word_count - sum(sizes)):
            sizes[extra % chapter_count] += 1
        titled = multi and rng.random() < 0.5
        span = (updated - published).days
        chapters, chapter_vectors = [], []
        for position, size in enumerate(sizes, start=1):
            raw, html, vector = pick(rng, self.chapter_texts)
            offset = 0 if chapter_count == 1 else span * (position - 1) // (chapter_count - 1)
            chapter_title = pick(rng, text.chapter_titles) if titled else ""
            chapter_date = published + timedelta(days=offset)
            chapters.append(
                (index, position, chapter_title, *_NO_NOTES, raw, html, size, chapter_date)
            )
            chapter_vectors.append(vector)

        # Work.reindex() joins the tag names in the order the work's taggings were written.
        search_vector = compose_vector(
            (
                ("A", (title_vector,)),
                ("B", [self.tag_vectors[tag_id] for tag_id in tag_ids]),
                ("C", (summary_vector,)),
                ("", chapter_vectors),
            )
        )
        work = (
            title, summary, summary_html, notes, notes_html, end_notes, end_notes_html,
            self.languages.draw(rng), complete, expected, published, updated_at, word_count,
            chapter_count, min(hits, MAX_HITS), rng.random() < 0.03, True, None, tag_ids,
            fandom_count, search_vector,
        )  # fmt: skip
        return work, chapters, tag_ids

    def batch(self, size):
        """`size` works' rows, and the count each tag gains from the public ones."""
        works, chapters, taggings = [], [], []
        counts = Counter()
        for index in range(size):
            work, work_chapters, tag_ids = self.work(index)
            works.append(work)
            chapters.extend(work_chapters)
            taggings.extend((index, tag_id) for tag_id in tag_ids)
            if work[POSTED_INDEX] and not work[RESTRICTED_INDEX]:
                counts.update(tag_ids)
        return works, chapters, taggings, counts


def generate_works(*, count, seed, batch_size=5000, writers=2, until=None, fandoms=None,
                   on_batch=None):  # fmt: skip
    """Append `count` synthetic works; the same seed and count give the same works' content.

    With more than one writer, batches are written on that many connections at once (each
    batch still one transaction), so ids interleave between batches; writers=1 writes on the
    caller's connection, inside its transaction. `on_batch(works)` is called as each commits.
    """
    check_columns()
    started = perf_counter()
    until = until or timezone.localdate()
    vocabulary = build_vocabulary(fandoms or fandom_count_for(count))
    tag_ids = save_vocabulary(vocabulary)
    result = GenerationResult(
        tags=len(tag_ids.names), tags_created=tag_ids.created, tag_ids=tag_ids
    )
    if not count:
        return result
    factory = _WorkFactory(random.Random(seed), tag_ids, build_text_pool(seed), until)
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    with connection.cursor() as cursor:
        skip_row_checks = is_superuser(cursor)
    result.setup_seconds = perf_counter() - started
    counts = Counter()

    def written(batch):
        counts.update(batch[3])
        result.works += len(batch[0])
        result.chapters += len(batch[1])
        result.taggings += len(batch[2])
        if on_batch:
            on_batch(len(batch[0]))

    try:
        # One thread draws batches while PostgreSQL stores earlier ones: keeping the indexes
        # on works and taggings current is most of the time.
        with (
            ThreadPoolExecutor(max_workers=1) as drawer,
            ThreadPoolExecutor(max_workers=writers) as writing,
        ):
            drawn = deque(drawer.submit(factory.batch, size) for size in sizes[: writers + 1])
            waiting = sizes[writers + 1 :]
            in_flight = deque()
            while drawn:
                batch = drawn.popleft().result()
                if waiting:
                    drawn.append(drawer.submit(factory.batch, waiting.pop(0)))
                if writers == 1:
                    write_batch(batch, skip_row_checks=skip_row_checks)
                    written(batch)
                    continue
                if len(in_flight) == writers:
                    written(in_flight.popleft().result())
                in_flight.append(
                    writing.submit(write_batch_in_thread, batch, skip_row_checks=skip_row_checks)
                )
            while in_flight:
                written(in_flight.popleft().result())
    finally:
        # Tags' work totals, once for the whole run: per batch it costs more than the rest.
        add_to_tag_counts(counts)
    return result


def create_full_text_work(*, tag_ids, seed, title, chapters, words):
    """A General Audiences work whose chapters hold all their words, written by work_create."""
    rng = random.Random(f"full-text:{seed}:{title}")
    pool = build_text_pool(seed)
    summary = pick(rng, pool.summaries)[0]
    per_chapter = math.ceil(words / chapters)
    texts = [
        ChapterText(pick(rng, pool.chapter_titles), full_text(rng, pool, per_chapter))
        for _ in range(chapters)
    ]
    fandom = 0
    ids = dict.fromkeys([
        tag_ids.ratings["General Audiences"],
        tag_ids.warnings["No Archive Warnings Apply"],
        tag_ids.categories["Gen"],
        tag_ids.fandoms[fandom],
        *tag_ids.relationships[fandom][:2],
        *tag_ids.characters[fandom][:4],
        *tag_ids.freeforms[:8],
    ])  # fmt: skip
    tags = Tag.objects.in_bulk(ids)
    tag_names = {}
    for tag_id in ids:
        tag_names.setdefault(tags[tag_id].kind, []).append(tags[tag_id].name)
    work = work_create(
        title=title, summary=summary, complete=True, expected_chapters=chapters,
        chapters=texts, tag_names=tag_names,
    )  # fmt: skip
    work.refresh_from_db()
    return work


def full_text_chapters_for(words):
    """Chapters for a long full-text work: about FULL_TEXT_CHAPTER_WORDS words each."""
    return max(2, math.ceil(words / FULL_TEXT_CHAPTER_WORDS))
