"""Synthetic works for load tests and benchmarks, written in batches with PostgreSQL COPY.

Rows are what the ORM would write (sanitized HTML beside the raw text, counts that agree with
the chapters), except that a chapter's stored text is a few sentences while its word_count
stands for a full-length chapter: the listings see realistic sizes without gigabytes of text.
"""

# Seeded, repeatable randomness is the point here; nothing drawn is a secret.
# ruff: noqa: S311

import math
import random
import re
from bisect import bisect
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import accumulate
from time import perf_counter

from django.db import connection, models, transaction
from django.utils import timezone

from tags.models import (
    ARCHIVE_WARNINGS,
    CATEGORIES,
    FIXED_KINDS,
    RATINGS,
    Tag,
    TagFilter,
    TagKind,
    refresh_filters,
)
from tags.wrangling import graph_changed
from works.models import Chapter, TaggedWork, Work
from works.rendering import count_words, render_user_html
from works.services import recount_all_tags, recount_fandoms, reindex

MAX_FANDOMS = 2000
MIN_FANDOMS = 10
WORKS_PER_FANDOM = 10
YEARS = 15
MIN_WORDS = 100
MAX_WORDS = 200_000
MAX_CHAPTERS = 30
MULTI_CHAPTER_SHARE = 0.3
FULL_TEXT_CHAPTER_WORDS = 5000
MAX_HITS = 2**31 - 1

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
_NO_NOTES = ("",) * 6  # a chapter's summary, notes and end notes, raw and as HTML
_POSTED = WORK_COLUMNS.index("posted") - 1  # positions in a row drawn before its id is known
_RESTRICTED = WORK_COLUMNS.index("restricted") - 1
_SEARCH_VECTOR = WORK_COLUMNS.index("search_vector") - 1
_TAG = re.compile(r"<[^>]*>")

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

_ADJECTIVES = [
    "quiet", "broken", "golden", "hollow", "bright", "silver", "distant", "bitter", "patient",
    "crooked", "gentle", "restless", "burning", "frozen", "secret", "little", "heavy", "wild",
    "soft", "forgotten", "crimson", "tender", "lonely", "lucky", "careful", "wicked",
    "borrowed", "sleepless", "salt-stained", "unfinished", "luminous", "stubborn", "faded",
    "hungry", "open",
]  # fmt: skip
_NOUNS = [
    "river", "lantern", "promise", "winter", "garden", "letter", "crown", "harbor", "mirror",
    "storm", "window", "ghost", "road", "orchard", "compass", "kingdom", "feather", "tide",
    "bridge", "song", "ember", "map", "city", "key", "forest", "moon", "engine", "lighthouse",
    "archive", "violin", "ship", "station", "meadow", "shadow", "thread", "cathedral",
    "hourglass", "island",
]  # fmt: skip
_VERBS = [
    "watched", "remembered", "carried", "folded", "opened", "ignored", "counted", "followed",
    "mended", "burned", "found", "traded", "painted", "studied", "buried", "held", "kept",
    "broke", "noticed", "answered",
]  # fmt: skip
_ENDINGS = [
    "before the rain came",
    "without a word",
    "as if it mattered",
    "until the light went out",
    "for the third time that week",
    "in the quiet after midnight",
    "while the kettle boiled",
    "and did not look back",
    "because someone had to",
    "long after the others had gone",
    "with hands that would not stop shaking",
    "the way their mother used to",
]
_SUBJECTS = [
    "She", "He", "They", "The captain", "Nobody", "Her sister", "His oldest friend",
    "The stranger", "Everyone in the room", "The old woman", "The boy from the harbor",
]  # fmt: skip
_SPEAKERS = ["she said", "he said", "they said", "someone whispered", "the captain said"]
_LINES = [
    "I told you so",
    "We should go before it gets dark",
    "Not yet",
    "It isn't yours to keep",
    "You came back",
    "Tell me the truth, just once",
    "I don't know how to fix this",
    "Stay",
    "That was never the plan",
    "Do you trust me?",
]
_NAME_STARTS = [
    "A", "Bel", "Cal", "Da", "E", "Fen", "Ga", "Hal", "I", "Jo", "Ka", "Li", "Ma", "Ne", "O",
    "Pe", "Ro", "Sa", "Ta", "Vi", "Wen", "Ya", "Zo", "Bri", "Cor", "Dre", "El", "Fio", "Gwen",
    "Is", "Ju", "Kie", "Lu", "Mi", "Nor", "Ri", "Se", "Tho", "U", "Ve",
]  # fmt: skip
_NAME_ENDS = [
    "ra", "n", "lia", "x", "ric", "na", "son", "ly", "th", "ya", "mir", "dan", "lle", "ko",
    "ren", "sha", "vin", "ro", "ta", "el",
]  # fmt: skip
_SURNAME_STARTS = [
    "Ash", "Black", "Cald", "Dun", "Ever", "Fair", "Gold", "Hart", "Iron", "Kings", "Lock",
    "Marr", "North", "Oak", "Pen", "Quill", "Raven", "Stone", "Thorn", "Vale", "West", "Win",
    "Bram", "Crow", "Frost", "Grey", "Holl", "Lang", "Moss", "Red",
]  # fmt: skip
_SURNAME_ENDS = [
    "wood", "ford", "ley", "ton", "well", "more", "wick", "by", "shaw", "cott", "field",
    "hurst", "ridge", "worth", "brook", "dale", "gate", "holm", "mere", "stead",
]  # fmt: skip
_MEDIA = [
    "", "", "", " (TV)", " (Video Game)", " (Anime & Manga)", " (Comics)", " (Movies)",
    " (Web Series)", " (Podcast)",
]  # fmt: skip
_COMMON_FREEFORMS = [
    "Fluff", "Angst", "Hurt/Comfort", "Romance", "Friendship", "Slow Burn", "Humor",
    "Happy Ending", "Canon Compliant", "Alternate Universe - Canon Divergence",
    "Alternate Universe - Modern Setting", "Alternate Universe - Coffee Shops & Cafés",
    "Friends to Lovers", "Enemies to Lovers", "Found Family", "Established Relationship",
    "First Kiss", "Pining", "Mutual Pining", "Fix-It", "Whump", "Character Study",
    "Introspection", "Domestic Fluff", "Angst with a Happy Ending", "Emotional Hurt/Comfort",
    "Post-Canon", "Pre-Canon", "Missing Scene", "Time Travel", "Getting Together",
    "Misunderstandings", "Banter", "Sharing a Bed", "Fake/Pretend Relationship",
    "Grief/Mourning", "Nightmares", "Road Trips", "Holidays", "Drabble", "Crack",
    "Crack Treated Seriously", "Soulmates", "Identity Reveal", "Protective Siblings",
    "Worldbuilding", "Poetry", "Dialogue-Only", "Unreliable Narrator", "Open Ending",
]  # fmt: skip


def _title_case(text):
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def _zipf_cum_weights(size, exponent=1.0):
    """Cumulative weights where the item of rank r is drawn in proportion to 1 / r**exponent."""
    return list(accumulate(1 / rank**exponent for rank in range(1, size + 1)))


def _pick(rng, items):
    """rng.choice for the hot loop: same uniform pick, a fraction of the cost."""
    return items[int(rng.random() * len(items))]


class _Weighted:
    """Items drawn in proportion to their weights (random.choices, without its per-call cost)."""

    __slots__ = ("items", "last", "total", "totals")

    def __init__(self, items, cum_weights):
        self.items = list(items)
        self.totals = cum_weights
        self.total = cum_weights[-1] if cum_weights else 0
        self.last = len(cum_weights) - 1

    @classmethod
    def of(cls, weights):
        return cls(weights, list(accumulate(weights.values())))

    @classmethod
    def zipf(cls, items):
        """The first item the most popular, the r-th drawn 1/r as often."""
        return cls(items, _zipf_cum_weights(len(items)))

    def draw(self, rng):
        return self.items[bisect(self.totals, rng.random() * self.total, 0, self.last)]

    def draws(self, rng, count):
        items, totals, total, last, random_ = (
            self.items, self.totals, self.total, self.last, rng.random,
        )  # fmt: skip
        if not items:
            return []
        return [items[bisect(totals, random_() * total, 0, last)] for _ in range(count)]


def fandom_count_for(works):
    """About one fandom per ten works, between MIN_FANDOMS and AO3-like MAX_FANDOMS."""
    return max(MIN_FANDOMS, min(MAX_FANDOMS, works // WORKS_PER_FANDOM))


@dataclass
class Vocabulary:
    """Tag names by kind; lists run from most to least popular."""

    fandoms: list
    characters: list  # per fandom
    relationships: list  # per fandom
    freeforms: list


class _UniqueNames:
    """Names unique ignoring case, as the tag table requires within a kind."""

    def __init__(self):
        self.seen = set()

    def add(self, name):
        key = name.lower()
        if key in self.seen or len(name) > 150:
            return False
        self.seen.add(key)
        return True


def _random_title(rng):
    adjective, noun, other = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_NOUNS)
    pattern = rng.randrange(6)
    if pattern == 0:
        return _title_case(f"the {adjective} {noun}")
    if pattern == 1:
        return _title_case(f"{noun} and {other}")
    if pattern == 2:
        return _title_case(f"what the {noun} {rng.choice(_VERBS)}")
    if pattern == 3:
        return _title_case(f"{adjective} {noun}")
    if pattern == 4:
        return _title_case(f"{_article(noun)} {noun} for the {adjective}")
    return _title_case(f"the {noun} of {other}s")


def _random_person(rng):
    first = rng.choice(_NAME_STARTS) + rng.choice(_NAME_ENDS)
    return f"{first} {rng.choice(_SURNAME_STARTS)}{rng.choice(_SURNAME_ENDS)}"


def build_vocabulary(fandom_count):
    """The same names for the same index whatever the count, so later runs reuse earlier tags."""
    fandoms, characters, relationships = [], [], []
    fandom_names, character_names, relationship_names = (_UniqueNames() for _ in range(3))
    for index in range(fandom_count):
        rng = random.Random(f"fandom:{index}")
        name = _random_title(rng) + rng.choice(_MEDIA)
        if rng.random() < 0.3:
            name += f" - {rng.choice(_NAME_STARTS)[0]}. {rng.choice(_SURNAME_STARTS)}"
        while not fandom_names.add(name):
            name = f"{name} {rng.randint(2, 9)}"
        fandoms.append(name)
        # Popular fandoms have more characters to write about.
        cast_size = rng.randint(6, 12) + int(60 / math.sqrt(index + 1))
        cast = []
        for _ in range(cast_size):
            person = _random_person(rng)
            if not character_names.add(person):
                person = f"{person} ({name})"
                if not character_names.add(person):
                    continue
            cast.append(person)
        characters.append(cast)
        cast_weights = _zipf_cum_weights(len(cast))
        pairings = []
        for _ in range(len(cast)):
            first, second = rng.choices(cast, cum_weights=cast_weights, k=2)
            if first == second:
                continue
            pairing = f"{first}/{second}" if rng.random() < 0.7 else f"{first} & {second}"
            if relationship_names.add(pairing):
                pairings.append(pairing)
        relationships.append(pairings)

    freeform_count = max(len(_COMMON_FREEFORMS), fandom_count * 3)
    freeform_names = _UniqueNames()
    freeforms = [name for name in _COMMON_FREEFORMS if freeform_names.add(name)]
    rng = random.Random("freeforms")
    attempts = 0
    while len(freeforms) < freeform_count and attempts < freeform_count * 10:
        attempts += 1
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        name = rng.choice(
            [
                f"Alternate Universe - {_title_case(noun)}",
                _title_case(f"{adjective} {noun}"),
                f"{_title_case(noun)} Feelings",
                f"Post-{_title_case(noun)}",
                f"{_title_case(adjective)} {_title_case(noun)} - {rng.randint(1, 99)}",
            ]
        )
        if freeform_names.add(name):
            freeforms.append(name)
    return Vocabulary(fandoms, characters, relationships, freeforms)


@dataclass
class TagIds:
    """The database ids of a vocabulary's tags, in the vocabulary's order."""

    ratings: dict
    warnings: dict
    categories: dict
    fandoms: list
    characters: list
    relationships: list
    freeforms: list
    names: dict  # id: name, as the tag table spells it
    created: int = 0


def save_vocabulary(vocabulary):
    """Insert the tags that are missing (same kind, name ignoring case) and return every id."""
    wanted = [
        *((TagKind.RATING, name) for name in RATINGS),
        *((TagKind.ARCHIVE_WARNING, name) for name in ARCHIVE_WARNINGS),
        *((TagKind.CATEGORY, name) for name in CATEGORIES),
        *((TagKind.FANDOM, name) for name in vocabulary.fandoms),
        *((TagKind.CHARACTER, name) for cast in vocabulary.characters for name in cast),
        *((TagKind.RELATIONSHIP, name) for ps in vocabulary.relationships for name in ps),
        *((TagKind.FREEFORM, name) for name in vocabulary.freeforms),
    ]
    table = Tag._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE generated_tag (kind varchar(20), name varchar(150))"
            " ON COMMIT DROP"
        )
        with cursor.copy("COPY generated_tag (kind, name) FROM STDIN") as copy:
            for kind, name in wanted:
                copy.write_row((kind.value, name))
        # Any unique violation, the per-kind name index included, means the tag is there.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(TAG_COLUMNS)})"  # noqa: S608
            " SELECT kind, name, 0, kind = ANY(%s), NULL FROM generated_tag"
            " ON CONFLICT DO NOTHING",
            [sorted(kind.value for kind in FIXED_KINDS)],
        )
        created = cursor.rowcount
        cursor.execute(
            f"SELECT g.kind, g.name, t.id, t.name FROM {table} t"  # noqa: S608
            " JOIN generated_tag g ON g.kind = t.kind AND lower(g.name) = lower(t.name)"
        )
        found = {(kind, wanted_name): (tag_id, name) for kind, wanted_name, tag_id, name in cursor}
        # ON COMMIT is too late when a caller's transaction holds this one.
        cursor.execute("DROP TABLE generated_tag")
    # An existing tag keeps its own spelling; the search text uses that one.
    names = dict(found.values())

    def id_of(kind, name):
        return found[(kind.value, name)][0]

    def ids_of(kind, names):
        return [id_of(kind, name) for name in names]

    return TagIds(
        ratings={name: id_of(TagKind.RATING, name) for name in RATINGS},
        warnings={name: id_of(TagKind.ARCHIVE_WARNING, name) for name in ARCHIVE_WARNINGS},
        categories={name: id_of(TagKind.CATEGORY, name) for name in CATEGORIES},
        fandoms=ids_of(TagKind.FANDOM, vocabulary.fandoms),
        characters=[ids_of(TagKind.CHARACTER, cast) for cast in vocabulary.characters],
        relationships=[ids_of(TagKind.RELATIONSHIP, ps) for ps in vocabulary.relationships],
        freeforms=ids_of(TagKind.FREEFORM, vocabulary.freeforms),
        names=names,
        created=created,
    )


def _sentence(rng):
    adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
    pattern = rng.randrange(4)
    if pattern == 0:
        return (
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} the {adjective} {noun}"
            f" {rng.choice(_ENDINGS)}."
        )
    if pattern == 1:
        return f'"{rng.choice(_LINES)}," {rng.choice(_SPEAKERS)}.'
    if pattern == 2:
        return (
            f"There was {_article(adjective)} {adjective} {noun} by the {rng.choice(_NOUNS)},"
            f" {rng.choice(_ENDINGS)}."
        )
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {_article(noun)} {noun},"
        f" and it was {rng.choice(_ADJECTIVES)} and {rng.choice(_ADJECTIVES)}."
    )


def _paragraph(rng, sentences):
    return "<p>" + " ".join(_sentence(rng) for _ in range(sentences)) + "</p>"


@dataclass
class TextPool:
    """Distinct texts to draw from, each sanitized once: entries are (raw, html, searched).

    `searched` is the text Work.reindex() makes its search vector of: the HTML with its tags
    blanked out.
    """

    paragraphs: list
    chapter_texts: list  # a paragraph of a few sentences: generated chapters' stand-in text
    summaries: list
    notes: list
    titles: list
    chapter_titles: list


def _entry(raw):
    html = render_user_html(raw)
    return raw, html, _TAG.sub(" ", html)


def build_text_pool(seed, *, paragraphs=400, chapter_texts=2000, summaries=300, notes=60,
                    titles=5000, chapter_titles=200):  # fmt: skip
    rng = random.Random(f"text:{seed}")
    return TextPool(
        paragraphs=[_entry(_paragraph(rng, rng.randint(3, 6))) for _ in range(paragraphs)],
        chapter_texts=[_entry(_paragraph(rng, rng.randint(2, 4))) for _ in range(chapter_texts)],
        summaries=[_entry(_paragraph(rng, rng.randint(1, 3))) for _ in range(summaries)],
        notes=[_entry(_paragraph(rng, rng.randint(1, 2))) for _ in range(notes)],
        titles=[_random_title(rng) for _ in range(titles)],
        chapter_titles=[_random_title(rng) for _ in range(chapter_titles)],
    )


# Search vectors. Work.reindex() has PostgreSQL stem every work's title, tags, summary and
# text; done per work that is most of a load's time. Generated works are made of a few
# thousand distinct texts, so each is stemmed once and a work's vector is put together here
# the way PostgreSQL would: within one to_tsvector() a text joined after another has its
# positions moved on by the positions the first took up (stop words included), and `||`
# moves the right-hand vector on by the left one's highest position. Tests compare the
# result with Work.reindex().
SEARCH_CONFIG = "english"
_MARKER = "xqjz"  # a word no generated text holds, and which stems to itself
MAX_POSITION = 16383  # PostgreSQL's cap on a lexeme's position
MAX_POSITIONS = 255  # and on how many positions one lexeme keeps


@dataclass
class _TextVector:
    entries: list  # ("'lexeme':", position)
    positions: int  # positions the text takes up, stop words included
    last: int  # its highest position, 0 when no word of it is indexed
    densest: int  # the most positions one of its lexemes has


def _quote_lexeme(lexeme):
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':"


def text_vectors(texts):
    """{text: _TextVector} for each text, as to_tsvector() sees it."""
    texts = list(dict.fromkeys(texts))
    entries = [[] for _ in texts]
    positions = [0] * len(texts)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE generated_text (i integer, body text) ON COMMIT DROP"
        )
        with cursor.copy("COPY generated_text (i, body) FROM STDIN") as copy:
            for index, text in enumerate(texts):
                copy.write_row((index, text))
        # The marker after each text lands on the first position past it.
        cursor.execute(
            "SELECT g.i, v.lexeme, v.positions FROM generated_text g,"
            " unnest(to_tsvector(%s, g.body || ' ' || %s)) v",
            [SEARCH_CONFIG, _MARKER],
        )
        for index, lexeme, spots in cursor:
            if lexeme == _MARKER:
                positions[index] = spots[-1] - 1
            else:
                prefix = _quote_lexeme(lexeme)
                entries[index].extend((prefix, spot) for spot in spots)
        cursor.execute("DROP TABLE generated_text")
    vectors = {}
    for text, text_entries, taken in zip(texts, entries, positions, strict=True):
        counts = Counter(prefix for prefix, _ in text_entries)
        vectors[text] = _TextVector(
            entries=text_entries,
            positions=taken,
            last=max((spot for _, spot in text_entries), default=0),
            densest=max(counts.values(), default=0),
        )
    return vectors


def compose_vector(parts):
    """tsvector text for [(weight, [_TextVector, …]), …]: each part one to_tsvector() of its
    texts joined by spaces, set to its weight, the parts joined with `||`.

    None when PostgreSQL's caps on positions might apply; then Work.reindex() makes it.
    """
    out = []
    shift = 0
    densest = 0
    for weight, vectors in parts:
        spots = _SPOTS[weight]
        offset = shift
        for vector in vectors:
            if offset + vector.positions > MAX_POSITION:
                return None
            if vector.entries:
                out.extend([prefix + spots[spot + offset] for prefix, spot in vector.entries])
                shift = offset + vector.last
                densest += vector.densest
            offset += vector.positions
    if densest > MAX_POSITIONS:
        return None
    return " ".join(out)


# Every position as tsvector text with each weight ("" is D, the default): a lookup is
# cheaper than formatting the number for each of a work's hundreds of positions.
_SPOTS = {
    weight: [f"{n}{weight}" for n in range(MAX_POSITION + 1)] for weight in ("A", "B", "C", "")
}


@dataclass
class GenerationResult:
    works: int = 0
    chapters: int = 0
    taggings: int = 0
    tags: int = 0
    tags_created: int = 0
    tag_ids: TagIds | None = None
    setup_seconds: float = 0.0  # building and saving the vocabulary and texts


def _check_columns():
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
                " update works/generating.py"
            )


class _WorkFactory:
    """Draws works from a seeded random stream, a batch at a time.

    Rows name their work by its index in the batch; ids are only known once reserved.
    """

    def __init__(self, rng, tag_ids, text, until):
        self.rng = rng
        self.text = text
        self.until = until
        self.ratings = _Weighted.of({tag_ids.ratings[k]: w for k, w in RATING_WEIGHTS.items()})
        self.warnings = _Weighted.of({tag_ids.warnings[k]: w for k, w in WARNING_WEIGHTS.items()})
        self.no_warnings = tag_ids.warnings["No Archive Warnings Apply"]
        # A second warning is a real one: "No Archive Warnings Apply" stands alone.
        self.second_warnings = _Weighted.of(
            {
                tag_ids.warnings[k]: w
                for k, w in WARNING_WEIGHTS.items()
                if k != "No Archive Warnings Apply"
            }
        )
        self.categories = _Weighted.of(
            {tag_ids.categories[k]: w for k, w in CATEGORY_WEIGHTS.items()}
        )
        self.category_counts = _Weighted.of({0: 20, 1: 65, 2: 15})
        self.fandom_counts = _Weighted.of({1: 80, 2: 15, 3: 5})
        self.languages = _Weighted.of(LANGUAGE_WEIGHTS)
        self.fandoms = _Weighted.zipf(range(len(tag_ids.fandoms)))
        self.fandom_ids = tag_ids.fandoms
        self.casts = [_Weighted.zipf(ids) for ids in tag_ids.characters]
        self.pairings = [_Weighted.zipf(ids) for ids in tag_ids.relationships]
        self.freeforms = _Weighted.zipf(tag_ids.freeforms)
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

        title, title_vector = _pick(rng, self.titles)
        summary, summary_html, summary_vector = _pick(rng, self.summaries)
        notes, notes_html, _ = _pick(rng, text.notes) if rng.random() < 0.25 else ("", "", "")
        end_notes, end_notes_html, _ = (
            _pick(rng, text.notes) if rng.random() < 0.15 else ("", "", "")
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
            raw, html, vector = _pick(rng, self.chapter_texts)
            offset = 0 if chapter_count == 1 else span * (position - 1) // (chapter_count - 1)
            chapter_title = _pick(rng, text.chapter_titles) if titled else ""
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
            if work[_POSTED] and not work[_RESTRICTED]:
                counts.update(tag_ids)
        return works, chapters, taggings, counts


def _reserve_ids(cursor, model, count):
    """Take `count` ids from the table's own sequence, so later ORM inserts never collide."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, model, columns):
    return cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN")


def _is_superuser(cursor):
    cursor.execute("SELECT current_setting('is_superuser')")
    return cursor.fetchone()[0] == "on"


def _write_batch(batch, *, skip_row_checks):
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


def _add_to_tag_counts(counts):
    if not counts:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Tag._meta.db_table} t SET work_count = t.work_count + c.n"  # noqa: S608
            " FROM unnest(%s::bigint[], %s::integer[]) AS c(id, n) WHERE t.id = c.id",
            [list(counts), list(counts.values())],
        )


def _write_batch_in_thread(batch, *, skip_row_checks):
    try:
        return _write_batch(batch, skip_row_checks=skip_row_checks)
    finally:
        connection.close()  # this thread's own connection


def generate_works(*, count, seed, batch_size=5000, writers=2, until=None, fandoms=None,
                   on_batch=None):  # fmt: skip
    """Append `count` synthetic works; the same seed and count give the same works' content.

    With more than one writer, batches are written on that many connections at once (each
    batch still one transaction), so ids interleave between batches; writers=1 writes on the
    caller's connection, inside its transaction. `on_batch(works)` is called as each commits.
    """
    _check_columns()
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
        skip_row_checks = _is_superuser(cursor)
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
                    _write_batch(batch, skip_row_checks=skip_row_checks)
                    written(batch)
                    continue
                if len(in_flight) == writers:
                    written(in_flight.popleft().result())
                in_flight.append(
                    writing.submit(_write_batch_in_thread, batch, skip_row_checks=skip_row_checks)
                )
            while in_flight:
                written(in_flight.popleft().result())
    finally:
        # Tags' work totals, once for the whole run: per batch it costs more than the rest.
        _add_to_tag_counts(counts)
    return result


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
    everywhere = _Weighted.zipf([tag_id for tag_id in ids if tag_id not in synonyms])
    if groups is None:
        groups = [ids]
    merger = {}
    for group in groups:
        canonical = _Weighted.zipf([tag_id for tag_id in group if tag_id not in synonyms])
        for tag_id in group:
            if tag_id in synonyms:
                merger[tag_id] = (canonical if canonical.items else everywhere).draw(rng)
    return merger


def _full_text(rng, pool, words):
    """Real chapter text of at least `words` words, built from the paragraph pool."""
    pieces, total = [], 0
    while total < words:
        raw, html, _ = _pick(rng, pool.paragraphs)
        pieces.append(raw)
        total += count_words(html)
    return "\n".join(pieces)


@transaction.atomic
def create_full_text_work(*, tag_ids, seed, title, chapters, words):
    """A General Audiences work whose chapters hold all their words, saved through the ORM."""
    rng = random.Random(f"full-text:{seed}:{title}")
    pool = build_text_pool(seed)
    work = Work.objects.create(
        title=title,
        summary=_pick(rng, pool.summaries)[0],
        complete=True,
        expected_chapters=chapters,
    )
    per_chapter = math.ceil(words / chapters)
    for position in range(1, chapters + 1):
        Chapter.objects.create(
            work=work, position=position, title=_pick(rng, pool.chapter_titles),
            text=_full_text(rng, pool, per_chapter),
        )  # fmt: skip
    fandom = 0
    tags = [
        tag_ids.ratings["General Audiences"],
        tag_ids.warnings["No Archive Warnings Apply"],
        tag_ids.categories["Gen"],
        tag_ids.fandoms[fandom],
        *tag_ids.relationships[fandom][:2],
        *tag_ids.characters[fandom][:4],
        *tag_ids.freeforms[:8],
    ]
    TaggedWork.objects.bulk_create(
        TaggedWork(content_object=work, tag_id=tag_id) for tag_id in dict.fromkeys(tags)
    )
    reindex(work, counted_before=set())
    work.refresh_from_db()
    return work


def full_text_chapters_for(words):
    """Chapters for a long full-text work: about FULL_TEXT_CHAPTER_WORDS words each."""
    return max(2, math.ceil(words / FULL_TEXT_CHAPTER_WORDS))
