"""Parsing the plain-text seed export format into a work's title, text, chapters and tags."""

import re
from dataclasses import dataclass, field

from tags.models import (
    ARCHIVE_WARNINGS,
    CATEGORIES,
    DEFAULT_RATING,
    DEFAULT_WARNING,
    RATINGS,
    TagKind,
)

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
MAX_TAG_LENGTH = 150
MAX_TITLE_LENGTH = 255
GENERATED_TITLE_LENGTH = 60

_WORK_TEXT = re.compile(r"^work text:\s*$", re.IGNORECASE)
_STARTING_TAGS = re.compile(r"^\[starting tags\]\s*$", re.IGNORECASE)
_SECTION = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_CHAPTER_HEADING = re.compile(r"^chapter\s+(\d+)\s*(?:[:.\-–—]\s*(.*))?$", re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# str.strip() already removes U+00A0 and the other Unicode spaces.
_SPACES = re.compile(r"\s+")


class SeedError(ValueError):
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
    """Bytes of a seed file as text, without a BOM; non-UTF-8 input is a SeedError."""
    if b"\x00" in data:
        raise SeedError("not a text file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SeedError(f"not UTF-8 text (bad byte at offset {error.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_seed(text):
    """Parse one seed file's text into a SeedWork."""
    lines = text.split("\n")
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

    chapters = _split_chapters(lines[start + 1 : end])
    if not chapters:
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
        match = _SECTION.match(line)
        if match:
            name, rest = match.group(1).lower(), match.group(2).strip()
            if name in TAG_SECTIONS or name in TEXT_SECTIONS:
                current = sections.setdefault(name, [])
                if rest:
                    current.append((rest, number))
                continue
            if not rest:
                known = ", ".join(sorted([*TAG_SECTIONS, *TEXT_SECTIONS]))
                raise SeedError(
                    f"line {number}: unknown section '{match.group(1)}:' (known sections: {known})"
                )
        if not line:
            if current is not None and current is sections.get("summary"):
                current.append(("", number))  # keeps the summary's paragraph breaks
            continue
        if current is None:
            raise SeedError(f"line {number}: '{_clip(line)}' is outside any section")
        current.append((line, number))
    return sections


def _split_chapters(lines):
    """The work text split at lines such as 'Chapter 2: The Lantern' standing alone."""
    chapters = []
    title, body = "", []
    seen_heading = False
    for line in lines:
        match = _CHAPTER_HEADING.match(line.strip())
        if match:
            if seen_heading or _has_text(body):
                chapters.append(SeedChapter(title=title, text=_text(body)))
            title, body, seen_heading = (match.group(2) or "").strip(), [], True
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
    given = " ".join(line for line, _ in sections.get("title", [])).strip()
    if given:
        if len(given) > MAX_TITLE_LENGTH:
            line = sections["title"][0][1]
            raise SeedError(
                f"line {line}: the title has {len(given)} characters; at most {MAX_TITLE_LENGTH}"
            )
        return given
    words = _SPACES.sub(" ", " ".join(chapter.text for chapter in chapters)).strip()
    if not words:
        return "Untitled"
    if len(words) <= GENERATED_TITLE_LENGTH:
        return words
    cut = words[: GENERATED_TITLE_LENGTH + 1].rsplit(" ", 1)[0] or words[:GENERATED_TITLE_LENGTH]
    return cut.rstrip(" ,;:.-–—") + "…"


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
        name = _SPACES.sub(" ", value).strip()
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
            seen.add(name.lower())
            names.append(name)
    return names


def _clip(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"
