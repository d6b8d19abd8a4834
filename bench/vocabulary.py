"""The generated tags: fandom, character, relationship and freeform names, saved in bulk."""

# Seeded, repeatable randomness is the point here; nothing drawn is a secret.
# ruff: noqa: S311

import math
import random
from dataclasses import dataclass

from django.db import connection, transaction

from bench.copying import TAG_COLUMNS
from bench.draws import zipf_cum_weights
from bench.texts import ADJECTIVES, NOUNS, random_title, title_case
from tags.models import ARCHIVE_WARNINGS, CATEGORIES, FIXED_KINDS, RATINGS, Tag, TagKind

MAX_FANDOMS = 2000
MIN_FANDOMS = 10
WORKS_PER_FANDOM = 10

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


def _random_person(rng):
    first = rng.choice(_NAME_STARTS) + rng.choice(_NAME_ENDS)
    return f"{first} {rng.choice(_SURNAME_STARTS)}{rng.choice(_SURNAME_ENDS)}"


def build_vocabulary(fandom_count):
    """The same names for the same index whatever the count, so later runs reuse earlier tags."""
    fandoms, characters, relationships = [], [], []
    fandom_names, character_names, relationship_names = (_UniqueNames() for _ in range(3))
    for index in range(fandom_count):
        rng = random.Random(f"fandom:{index}")
        name = random_title(rng) + rng.choice(_MEDIA)
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
        cast_weights = zipf_cum_weights(len(cast))
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
        adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
        name = rng.choice(
            [
                f"Alternate Universe - {title_case(noun)}",
                title_case(f"{adjective} {noun}"),
                f"{title_case(noun)} Feelings",
                f"Post-{title_case(noun)}",
                f"{title_case(adjective)} {title_case(noun)} - {rng.randint(1, 99)}",
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
