"""Works' search vectors put together from texts PostgreSQL stemmed once, as reindex would."""

from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction

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
