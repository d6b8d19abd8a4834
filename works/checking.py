"""Every chapter held to the same limits, however it arrives: typed, uploaded, seeded or added."""

from archive.errors import ServiceError
from works.limits import (
    MAX_CHAPTERS,
    POST_CHAPTERS_MAX,
    POST_TEXT_MAX,
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
)
from works.uploads import UploadError, check_parsing_cost


class LimitError(ServiceError):
    """A chapter or a post past one of the limits; the message says which, for the author."""


def check_chapter(title, text, *, name="The chapter"):
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
        raise LimitError(f"{name} must have at least {TEXT_MIN} characters of text.")
    if len(text) > TEXT_MAX:
        raise LimitError(
            f"{name} is {len(text):,} characters long; a chapter can be at most {TEXT_MAX:,}."
            " Split it into chapters."
        )
    try:
        check_parsing_cost(text, what="chapter")
    except UploadError as error:
        raise LimitError(f"{name}: {error}") from None


def check_chapters(chapters, *, existing=0):
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
