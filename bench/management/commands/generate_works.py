"""`manage.py generate_works --works N [--seed S]`: append synthetic works for load tests."""

import random
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from bench.generating import create_full_text_work, full_text_chapters_for, generate_works
from bench.wrangling import wrangle_generated

CHAPTERED_WORK_CHAPTER_WORDS = 3000


class Command(BaseCommand):
    help = (
        "Append N synthetic works (Zipf-popular tags, realistic sizes and dates) loaded with"
        " COPY; the same --seed and --works give the same works again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--works", type=int, required=True, help="how many works to add")
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed (default: a new one, printed)"
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="works per COPY transaction"
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=2,
            help="connections writing batches at once (default 2; 1 writes in order)",
        )
        parser.add_argument(
            "--fandoms",
            type=int,
            default=None,
            help="fandoms in the tag vocabulary (default: a tenth of --works, 10 to 2,000)",
        )
        parser.add_argument(
            "--chapters-work",
            type=int,
            default=0,
            metavar="CHAPTERS",
            help=f"also add a work of CHAPTERS chapters of ~{CHAPTERED_WORK_CHAPTER_WORDS:,}"
            " real words each",
        )
        parser.add_argument(
            "--long-work-words",
            type=int,
            default=0,
            metavar="WORDS",
            help="also add a multi-chapter work holding WORDS real words",
        )
        parser.add_argument(
            "--synonyms",
            type=float,
            default=None,
            metavar="PERCENT",
            help="then wrangle the generated tags: canonical, with fandoms as parents, except"
            " PERCENT%% of them made synonyms (default: leave them unwrangled)",
        )

    def handle(self, *args, works, seed, batch_size, writers, fandoms, chapters_work,
               long_work_words, synonyms, verbosity, **options):  # fmt: skip
        if min(works, chapters_work, long_work_words) < 0:
            raise CommandError("--works, --chapters-work and --long-work-words must be >= 0")
        # At 100% no canonical tag would be left for the synonyms to point at.
        if synonyms is not None and not 0 <= synonyms < 100:
            raise CommandError("--synonyms must be at least 0 and under 100")
        if min(batch_size, writers) < 1:
            raise CommandError("--batch-size and --writers must be >= 1")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        self.stdout.write(f"Generating {works:,} works with seed {seed}")
        started = time.perf_counter()
        with tqdm(
            total=works, unit="work", disable=verbosity == 0 or works == 0, file=sys.stderr
        ) as progress:
            result = generate_works(
                count=works, seed=seed, batch_size=batch_size, writers=writers,
                fandoms=fandoms, on_batch=progress.update,
            )  # fmt: skip
        elapsed = time.perf_counter() - started
        if chapters_work:
            work = create_full_text_work(
                tag_ids=result.tag_ids, seed=seed, title=f"The {chapters_work}-Chapter Benchmark",
                chapters=chapters_work, words=chapters_work * CHAPTERED_WORK_CHAPTER_WORDS,
            )  # fmt: skip
            middle = work.chapters.all()[(work.chapter_count - 1) // 2]
            self.stdout.write(
                f"chaptered work: {work.get_absolute_url()} ({work.chapter_count} chapters,"
                f" {work.word_count:,} words), middle chapter {middle.get_absolute_url()}"
            )
        if long_work_words:
            work = create_full_text_work(
                tag_ids=result.tag_ids, seed=seed, title=f"The {long_work_words:,}-Word Benchmark",
                chapters=full_text_chapters_for(long_work_words), words=long_work_words,
            )  # fmt: skip
            self.stdout.write(
                f"long work: {work.get_absolute_url()}?view_full_work=true"
                f" ({work.chapter_count} chapters, {work.word_count:,} words)"
            )
        # After the extra works, so their tags are wrangled and counted too.
        if synonyms is not None:
            wrangled = wrangle_generated(result.tag_ids, percent=synonyms, seed=seed)
            self.stdout.write(
                f"Wrangled {wrangled.canonical + wrangled.synonyms:,} tags in"
                f" {wrangled.seconds:.1f} s: {wrangled.synonyms:,} synonyms ({synonyms:g}%),"
                f" {wrangled.canonical:,} canonical, {wrangled.parent_links:,} parent links,"
                f" {wrangled.filter_rows:,} filter rows"
            )
        writing = elapsed - result.setup_seconds
        self.stdout.write(
            f"Generated {result.works:,} works, {result.chapters:,} chapters and"
            f" {result.taggings:,} taggings ({result.tags_created:,} new of {result.tags:,}"
            f" tags) in {elapsed:.1f} s, {result.setup_seconds:.1f} s of it setup:"
            f" {_rate(result.works, elapsed)} works/s overall,"
            f" {_rate(result.works, writing)} works/s writing"
        )


def _rate(works, seconds):
    return f"{works / seconds:,.0f}" if seconds > 0 else "-"
