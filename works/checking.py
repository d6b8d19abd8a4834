"""Every chapter held to the same limits, however it arrives: typed, uploaded, seeded or added."""

import re
from collections.abc import Sequence

from archive.errors import ServiceError
from works.limits import (
    MAX_CHAPTERS,
    POST_CHAPTERS_MAX,
    POST_TEXT_MAX,
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
)

# html5ever, under both nh3 passes, slows with the square of nesting depth, and with a text
# node's length times the character references in it ("&amp;"). Stories stay far below
# these bounds; markup past them is built to stall the server.
_MAX_NESTING = 256
_MAX_REFERENCE_COST = 10_000_000_000
# A tag, for counting nesting: [^<>] keeps each try to the text before the next "<".
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
# Where a text node may end: a "<" that starts a tag, an end tag or a comment.
_TEXT_BREAK = re.compile(r"<[A-Za-z/!?]")
# Tags that do not nest: void elements, and those a parser closes when the next one opens.
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
    "tfoot", "colgroup", "option", "optgroup", "rb", "rt", "rtc", "rp", "html", "head", "body",
}  # fmt: skip


class LimitError(ServiceError):
    """A chapter or a post past one of the limits; the message says which, for the author,
    and `limit` names the limit ("text_min", "text_max", "parsing", ...) for a form that words
    it for its own field."""

    def __init__(self, message: str, *, limit: str = "") -> None:
        super().__init__(message)
        self.limit = limit


def check_chapter(title: str, text: str, *, name: str = "The chapter") -> None:
    """Refuse a chapter whose title or text is past a limit or too costly to sanitize."""
    if "\x00" in title or "\x00" in text:
        # PostgreSQL cannot store NUL in text, and no story needs one.
        raise LimitError(f"{name} contains a NUL character (\\0), which text cannot hold.")
    if not (title.isascii() and text.isascii()):
        try:
            title.encode()
            text.encode()
        except UnicodeEncodeError:
            # A lone surrogate (from a JSON \ud800 escape, say) has no UTF-8 to store.
            raise LimitError(f"{name} contains a character that is not valid Unicode.") from None
    if len(title) > TITLE_MAX:
        raise LimitError(
            f"{name} has a title of {len(title):,} characters;"
            f" a chapter title can be at most {TITLE_MAX}."
        )
    if len(text.strip()) < TEXT_MIN:
        message = f"{name} must have at least {TEXT_MIN} characters of text."
        raise LimitError(message, limit="text_min")
    if len(text) > TEXT_MAX:
        raise LimitError(
            f"{name} is {len(text):,} characters long; a chapter can be at most {TEXT_MAX:,}."
            " Split it into chapters.",
            limit="text_max",
        )
    try:
        check_parsing_cost(text, what="chapter")
    except LimitError as error:
        raise LimitError(f"{name}: {error}", limit="parsing") from None


def check_chapters(chapters: Sequence[tuple[str, str]], *, existing: int = 0) -> None:
    """Refuse [(title, text), …] sent in one post to a work that has `existing` chapters:
    too many chapters for the work, too much text for one post, or one bad chapter."""
    if existing + len(chapters) > MAX_CHAPTERS:
        raise LimitError(
            f"A work can have at most {MAX_CHAPTERS:,} chapters; this would make"
            f" {existing + len(chapters):,}."
        )
    if len(chapters) > POST_CHAPTERS_MAX:
        raise LimitError(
            f"One post can carry at most {POST_CHAPTERS_MAX:,} chapters, and this has"
            f" {len(chapters):,}. Post the rest as new chapters afterwards."
        )
    total = sum(len(text) for _, text in chapters)
    if total > POST_TEXT_MAX:
        raise LimitError(
            f"These chapters hold {total:,} characters of text in all; one post can carry at"
            f" most {POST_TEXT_MAX:,}. Post the rest as new chapters afterwards."
        )
    for number, (title, text) in enumerate(chapters, start=existing + 1):
        check_chapter(title, text, name=f"Chapter {number}")


def check_parsing_cost(markup: str, what: str = "file") -> None:
    """Refuse markup that would take the sanitizer (nh3) or html.parser minutes to read."""
    if _nesting_depth(markup) > _MAX_NESTING:
        raise LimitError(
            f"This {what}'s elements nest more than {_MAX_NESTING} deep, which no story needs."
        )
    cost = sum(run.count("&") * len(run) for run in _TEXT_BREAK.split(markup))
    if cost > _MAX_REFERENCE_COST:
        raise LimitError(
            f"This {what} has a stretch of text too long, and too full of & or < characters,"
            " for us to read."
        )


def _nesting_depth(markup: str) -> int:
    """How deeply the elements of some markup nest, counted on its tags alone (linear time)."""
    depth = deepest = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closing = match.groups()
        name = name.lower()
        if name in _NOT_NESTING:
            continue
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing:  # XHTML's <a id="x"/> is closed
            depth += 1
            deepest = max(deepest, depth)
    return deepest
