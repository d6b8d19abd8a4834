"""Parsing the plain-text seed export format into a work's title, text, chapters and tags."""

import re
from dataclasses import dataclass, field

from archive.errors import ServiceError
from tags.models import (
    ARCHIVE_WARNINGS,
    CATEGORIES,
    DEFAULT_RATING,
    DEFAULT_WARNING,
    RATINGS,
    TagKind,
)
from tags.names import clean_tag_name
from works.limits import TAG_NAME_MAX, TITLE_MAX

TAG_SECTIONS = {
    "rating": TagKind.RATING,
    "archive_warning": TagKind.ARCHIVE_WARNING,
    "category": TagKind.CATEGORY,
    "fandom": TagKind.FANDOM,
    "relationship": TagKind.RELATIONSHIP,
    "character": TagKind.CHARACTER,
    "freeform": TagKind.FREEFORM,
}
TEXT_SECTIONS = {"title", "summary", "language"}
FIXED_CHOICES = {
    TagKind.RATING: RATINGS,
    TagKind.ARCHIVE_WARNING: ARCHIVE_WARNINGS,
    TagKind.CATEGORY: CATEGORIES,
}
LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "français": "fr", "german": "de", "deutsch": "de",
    "spanish": "es", "español": "es", "italian": "it", "italiano": "it", "portuguese": "pt",
    "português": "pt", "russian": "ru", "русский": "ru", "japanese": "ja", "日本語": "ja",
    "chinese": "zh", "中文": "zh", "korean": "ko", "한국어": "ko", "polish": "pl", "polski": "pl",
    "dutch": "nl", "nederlands": "nl",
}  # fmt: skip
MAX_TAG_LENGTH = TAG_NAME_MAX
MAX_TITLE_LENGTH = TITLE_MAX
# A generated title is at most this long, its ellipsis included.
GENERATED_TITLE_LENGTH = 60

_WORK_TEXT = re.compile(r"^work text:\s*(.*)$", re.IGNORECASE)
# Exports of truncated texts can glue the marker to the last, cut-off word.
_STARTING_TAGS = re.compile(r"^(.*?)\[starting tags\]\s*$", re.IGNORECASE)
# Anything shaped like a header ("Archive Warning:") is read as one, so a misspelt
# section name is reported instead of quietly becoming a tag of the section above.
# Words separated by single spaces or _/-, then the colon: a class holding the space as well
# as a following \s* would backtrack for seconds on a long line of spaces with no colon.
_SECTION = re.compile(r"^([A-Za-z][A-Za-z_-]*(?:[ \t]+[A-Za-z_-]+)*)\s*:\s*(.*)$")
_SECTION_SEPARATORS = re.compile(r"[\s_-]+")
_CHAPTER_HEADING = re.compile(r"^chapter\s+(\d+)\s*(?:[:.\-–—]\s*(.*))?$", re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# str.strip() already removes U+00A0 and the other Unicode spaces.
_SPACES = re.compile(r"\s+")


class SeedError(ServiceError):
    """A seed file that cannot be imported; the message says what and where."""


@dataclass
class SeedChapter:
    title: str
    text: str


@dataclass
class SeedWork:
    title: str
    summary: str = ""
    language: str = "en"
    chapters: list[SeedChapter] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)


def decode_seed(data):
    """Bytes of a seed file as text with "\\n" line ends and no BOM; non-UTF-8 is a SeedError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SeedError("UTF-16 text, not UTF-8; save it as UTF-8")
    if b"\x00" in data:
        # PostgreSQL cannot store NUL in text, and no text file has one.
        raise SeedError("not a text file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(f"not UTF-8 text (bad byte at offset {error.start})") from None
    return _normalize(text)


def _normalize(text):
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_seed(text):
    """Parse one seed file's text into a SeedWork."""
    lines = _normalize(text).split("\n")
    start = next((i for i, line in enumerate(lines) if _WORK_TEXT.match(line.strip())), None)
    if start is None:
        raise SeedError("no 'Work Text:' line, so this is not a seed export")
    end = next(
        (i for i in range(start + 1, len(lines)) if _STARTING_TAGS.match(lines[i].strip())),
        len(lines),
    )
    sections = _parse_sections(lines[:start], first_line=1)
    for name, values in _parse_sections(lines[end + 1 :], first_line=end + 2).items():
        sections.setdefault(name, []).extend(values)

    text_lines = [_WORK_TEXT.match(lines[start].strip()).group(1), *lines[start + 1 : end]]
    if end < len(lines):
        text_lines.append(_STARTING_TAGS.match(lines[end].strip()).group(1))
    chapters = _split_chapters(text_lines, first_line=start + 1)
    if not any(chapter.text for chapter in chapters):
        raise SeedError(f"line {start + 1}: 'Work Text:' is followed by no text")

    work = SeedWork(title=_title(sections, chapters), chapters=chapters)
    work.summary = "\n".join(line for line, _ in sections.get("summary", [])).strip()
    if "language" in sections:
        work.language = _language(*sections["language"][0])
    for name, kind in TAG_SECTIONS.items():
        names = _tag_names(kind, sections.get(name, []))
        if names:
            work.tags[kind] = names
    work.tags.setdefault(TagKind.RATING, [DEFAULT_RATING])
    work.tags.setdefault(TagKind.ARCHIVE_WARNING, [DEFAULT_WARNING])
    return work


def _parse_sections(lines, first_line):
    """Section name → [(value line, line number)] for `name:` headers followed by values."""
    sections = {}
    current = None
    for number, raw in enumerate(lines, start=first_line):
        line = raw.strip()
        in_summary = current is not None and current is sections.get("summary")
        match = _SECTION.match(line)
        if match:
            name = _SECTION_SEPARATORS.sub("_", match.group(1).strip().lower())
            rest = match.group(2).strip()
            if name in TAG_SECTIONS or name in TEXT_SECTIONS:
                current = sections.setdefault(name, [])
                if rest:
                    current.append((rest, number))
                continue
            # A summary is free text, where "Note:" is a line of it, not a section.
            if not rest and not in_summary:
                known = ", ".join(sorted([*TAG_SECTIONS, *TEXT_SECTIONS]))
                raise SeedError(
                    f"line {number}: unknown section '{match.group(1)}:' (known sections: {known})"
                )
        if not line:
            if in_summary:
                current.append(("", number))  # keeps the summary's paragraph breaks
            continue
        if current is None:
            raise SeedError(f"line {number}: '{_clip(line)}' is outside any section")
        current.append((line, number))
    return sections


def _split_chapters(lines, first_line):
    """The work text split at lines such as 'Chapter 2: The Lantern' standing alone."""
    chapters = []
    title, body = "", []
    seen_heading = False
    for number, line in enumerate(lines, start=first_line):
        match = _CHAPTER_HEADING.match(line.strip())
        if match:
            if seen_heading or _has_text(body):
                chapters.append(SeedChapter(title=title, text=_text(body)))
            title, body, seen_heading = (match.group(2) or "").strip(), [], True
            if len(title) > MAX_TITLE_LENGTH:
                raise SeedError(
                    f"line {number}: the chapter title has {len(title)} characters;"
                    f" at most {MAX_TITLE_LENGTH}"
                )
            continue
        body.append(line)
    if seen_heading or _has_text(body):
        chapters.append(SeedChapter(title=title, text=_text(body)))
    return chapters


def _has_text(lines):
    return any(line.strip() for line in lines)


def _text(lines):
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _title(sections, chapters):
    given = _SPACES.sub(" ", " ".join(line for line, _ in sections.get("title", []))).strip()
    if given:
        if len(given) > MAX_TITLE_LENGTH:
            line = sections["title"][0][1]
            raise SeedError(
                f"line {line}: the title has {len(given)} characters; at most {MAX_TITLE_LENGTH}"
            )
        return given
    words = _SPACES.sub(" ", " ".join(chapter.text for chapter in chapters)).strip()
    if len(words) <= GENERATED_TITLE_LENGTH:
        return words
    room = GENERATED_TITLE_LENGTH - 1  # one character for the ellipsis
    cut = words[: room + 1].rsplit(" ", 1)[0] if " " in words[1 : room + 1] else words[:room]
    return (cut.rstrip(" ,;:.-–—") or cut) + "…"


def _language(value, number):
    lowered = value.lower()
    if lowered in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[lowered]
    if _LANGUAGE_CODE.match(value.strip()) and len(value) <= 12:
        return value
    raise SeedError(f"line {number}: '{_clip(value)}' is not a language code such as 'en'")


def _tag_names(kind, values):
    names = []
    seen = set()
    choices = {choice.lower(): choice for choice in FIXED_CHOICES.get(kind, [])}
    for value, number in values:
        name = clean_tag_name(value)
        if len(name) > MAX_TAG_LENGTH:
            raise SeedError(
                f"line {number}: tag '{_clip(name)}' has {len(name)} characters;"
                f" at most {MAX_TAG_LENGTH}"
            )
        if choices:
            if name.lower() not in choices:
                allowed = ", ".join(choices.values())
                raise SeedError(f"line {number}: '{_clip(name)}' is not one of: {allowed}")
            name = choices[name.lower()]
        if name.lower() not in seen:
            if kind == TagKind.RATING and names:
                raise SeedError(f"line {number}: a work has one rating, and this is a second one")
            seen.add(name.lower())
            names.append(name)
    return names


def _clip(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"
