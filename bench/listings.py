"""The listing scenarios bench/run.sh measures, and the database time of each page's SQL."""

import json
import math
import shlex
import statistics
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tags.models import Tag, TagKind, filter_ids

# Page 500 of 20 works a page needs this many results.
DEEP_PAGE = 500
DEEP_PAGE_RESULTS = DEEP_PAGE * 20
# A word of the generator's titles (bench/texts.py NOUNS), so the search finds works.
SEARCH_WORD = "lantern"
# Enough of the tag's works to rank its common tags without reading all of them.
TAG_SAMPLE = 20_000


def _common_tags(fandom, kind, count):
    """The `count` tags of `kind` most often on a sample of `fandom`'s works (its synonyms'
    included; no commas, since other_tag_names is a comma-separated list; no synonyms, so a
    filter names the tags readers pick from the facets)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.id FROM (
                SELECT unnest(tag_ids) AS id FROM works_work
                WHERE tag_ids && %s::int[] AND posted AND NOT restricted LIMIT %s
            ) w JOIN tags_tag t ON t.id = w.id
            WHERE t.kind = %s AND t.id <> %s AND t.name NOT LIKE '%%,%%'
                AND t.merger_id IS NULL
            GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT %s
            """,
            [filter_ids([fandom]), TAG_SAMPLE, kind, fandom.pk, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
    tags = Tag.objects.in_bulk(ids)
    return [tags[tag_id] for tag_id in ids]


def scenarios():
    """Print `name=value` lines for bash: the listing scenarios' paths for this data.

    The tag is the most popular fandom that has synonyms, when it has enough works for the
    deep page, so its pages and filter match several tags' works; else the most popular.
    """
    fandoms = Tag.objects.filter(kind=TagKind.FANDOM).order_by("-work_count", "id")
    fandom = fandoms.filter(synonyms__isnull=False).distinct().first()
    if fandom is None or fandom.work_count < DEEP_PAGE_RESULTS:
        fandom = fandoms.first()
    if fandom is None or fandom.work_count < DEEP_PAGE_RESULTS:
        raise SystemExit(
            f"The most popular fandom has {fandom.work_count if fandom else 0:,} works;"
            f" page {DEEP_PAGE} needs {DEEP_PAGE_RESULTS:,}: generate more works."
        )
    character, *_ = _common_tags(fandom, TagKind.CHARACTER, 1)
    freeform, *excluded = _common_tags(fandom, TagKind.FREEFORM, 3)
    rating, *_ = _common_tags(fandom, TagKind.RATING, 1)
    tag_page = fandom.get_absolute_url()
    query = urlencode(
        {
            "tag_id": fandom.name,
            "work_search[other_tag_names]": f"{character.name},{freeform.name}",
            "work_search[excluded_tag_names]": ",".join(tag.name for tag in excluded),
            "include_work_search[rating_ids][]": rating.pk,
            "work_search[complete]": "T",
        }
    )
    lines = {
        "tag_name": f"{fandom.name} ({fandom.work_count:,} works,"
        f" {fandom.synonyms.count()} synonyms)",
        "tag_page_path": tag_page,
        "tag_deep_path": f"{tag_page}?page={DEEP_PAGE}",
        "filter_path": f"/works?{query}",
        "filter_description": (
            f"{fandom.name} + {character.name} + {freeform.name},"
            f" minus {' and '.join(tag.name for tag in excluded)}, {rating.name}, complete"
        ),
        "search_path": "/works/search?" + urlencode({"work_search[query]": SEARCH_WORD}),
        "search_word": SEARCH_WORD,
    }
    for name, value in lines.items():
        print(f"{name}={shlex.quote(value)}")


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def database_time(paths, *, repeat=20, plans=None):
    """Print one `DBTIME` line per path: the EXPLAIN ANALYZE execution time of its SELECTs
    (with nothing cached) summed, p50 and p95 over `repeat` runs, with planning time and
    the slowest query's p50.

    `plans`, a file path, also receives each page's slowest query and its plan.
    """
    client = Client(headers={"host": "127.0.0.1"})
    out = open(plans, "w") if plans else None  # noqa: SIM115
    for index, path in enumerate(paths):
        # The page as a cache miss would run it: its fragments are cached after.
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = [
            query["sql"]
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        totals, planning = [], []
        per_query = [[] for _ in queries]
        last_plans = [None for _ in queries]
        for _ in range(repeat):
            total = plan_total = 0.0
            for number, sql in enumerate(queries):
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                    result = cursor.fetchone()[0]
                plan = (json.loads(result) if isinstance(result, str) else result)[0]
                total += plan["Execution Time"]
                plan_total += plan["Planning Time"]
                per_query[number].append(plan["Execution Time"])
                last_plans[number] = plan
            totals.append(total)
            planning.append(plan_total)
        medians = [statistics.median(times) for times in per_query]
        slowest = max(range(len(queries)), key=medians.__getitem__)
        print(
            f"DBTIME {index} queries={len(queries)}"
            f" p50_ms={statistics.median(totals):.2f} p95_ms={_percentile(totals, 0.95):.2f}"
            f" plan_ms={statistics.median(planning):.2f} slowest_ms={medians[slowest]:.2f}"
        )
        if out:
            out.write(f"## {path}\n\n{len(queries)} queries; the slowest")
            out.write(f" ({medians[slowest]:.2f} ms):\n")
            out.write(f"{queries[slowest]}\n\n")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {queries[slowest]}")
                out.write("\n".join(row[0] for row in cursor.fetchall()) + "\n\n")
    if out:
        out.close()
