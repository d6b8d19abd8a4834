"""The words, titles and sentences generated works are made of, each text sanitized once."""

# Seeded, repeatable randomness is the point here; nothing drawn is a secret.
# ruff: noqa: S311

import random
import re
from dataclasses import dataclass

from bench.draws import pick
from works.rendering import count_words, render_user_html

_TAG = re.compile(r"<[^>]*>")

ADJECTIVES = [
    "quiet", "broken", "golden", "hollow", "bright", "silver", "distant", "bitter", "patient",
    "crooked", "gentle", "restless", "burning", "frozen", "secret", "little", "heavy", "wild",
    "soft", "forgotten", "crimson", "tender", "lonely", "lucky", "careful", "wicked",
    "borrowed", "sleepless", "salt-stained", "unfinished", "luminous", "stubborn", "faded",
    "hungry", "open",
]  # fmt: skip
NOUNS = [
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


def title_case(text):
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def random_title(rng):
    adjective, noun, other = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    pattern = rng.randrange(6)
    if pattern == 0:
        return title_case(f"the {adjective} {noun}")
    if pattern == 1:
        return title_case(f"{noun} and {other}")
    if pattern == 2:
        return title_case(f"what the {noun} {rng.choice(_VERBS)}")
    if pattern == 3:
        return title_case(f"{adjective} {noun}")
    if pattern == 4:
        return title_case(f"{_article(noun)} {noun} for the {adjective}")
    return title_case(f"the {noun} of {other}s")


def _sentence(rng):
    adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
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
            f"There was {_article(adjective)} {adjective} {noun} by the {rng.choice(NOUNS)},"
            f" {rng.choice(_ENDINGS)}."
        )
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {_article(noun)} {noun},"
        f" and it was {rng.choice(ADJECTIVES)} and {rng.choice(ADJECTIVES)}."
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
        titles=[random_title(rng) for _ in range(titles)],
        chapter_titles=[random_title(rng) for _ in range(chapter_titles)],
    )


def full_text(rng, pool, words):
    """Real chapter text of at least `words` words, built from the paragraph pool."""
    pieces, total = [], 0
    while total < words:
        raw, html, _ = pick(rng, pool.paragraphs)
        pieces.append(raw)
        total += count_words(html)
    return "\n".join(pieces)
