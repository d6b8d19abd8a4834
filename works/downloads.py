"""Work downloads: EPUB and single-file HTML of sanitized markup, cached per work version."""

import html
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from ebooklib import epub
from lxml import html as lxml_html

AUTHOR = "Anonymous"  # works have no accounts behind them yet
SAFE_TITLE_LENGTH = 24
# Part of every cached file's name: bump it when the files' layout changes, so that files
# built by older code are not served again.
LAYOUT = 1

_TITLE_WORD = re.compile(r"[A-Za-z0-9]+")
_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Section:
    """A chapter as a download shows it: its number, its heading and the chapter itself."""

    number: int
    heading: str
    chapter: object


def safe_title(title):
    """The title as a file name, as AO3 makes it: "The Lantern!" -> "The_Lantern"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    # Apostrophes join their word ("Don't" -> "Dont"); other punctuation separates words.
    words = _TITLE_WORD.findall(ascii_title.replace("'", ""))
    name = ""
    for word in words:
        longer = f"{name}_{word}" if name else word
        if len(longer) > SAFE_TITLE_LENGTH:
            break
        name = longer
    return name or "".join(words)[:SAFE_TITLE_LENGTH] or "Untitled"


def file_name(work, extension):
    return f"{safe_title(work.title)}.{extension}"


def download_links(work):
    """(label, href) for each format; `updated_at` tells readers' tools when the file changed."""
    updated_at = int(work.updated_at.timestamp())
    return [
        (
            download.label,
            reverse("works:download", args=[work.pk, safe_title(work.title), extension])
            + f"?updated_at={updated_at}",
        )
        for extension, download in FORMATS.items()
    ]


def open_download(work, extension):
    """The work's file in this format, open for reading; built on the first request for it.

    Files live under DOWNLOADS_DIR/<work id>/, named for the work's updated_at, so a changed
    work gets a new file; older versions are deleted once the new one is in place.
    """
    directory = Path(settings.DOWNLOADS_DIR) / str(work.pk)
    version = work.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"{version}-{LAYOUT}.{extension}"
    try:
        return path.open("rb")
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as temp:
            FORMATS[extension].write(work, temp)
        # Opened before the rename, so a newer version replacing this one cannot take it away.
        opened = open(temp_name, "rb")  # noqa: SIM115 - the response closes it
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    for older in directory.glob(f"*.{extension}"):
        if older.name < path.name:
            older.unlink(missing_ok=True)
    return opened


def _context(work):
    # A download is one file for every reader: the posted chapters, not a creator's drafts.
    chapters = list(work.chapters.posted())
    sections = [
        Section(
            number=chapter.position,
            heading=str(chapter) if len(chapters) > 1 else (chapter.title or work.title),
            chapter=chapter,
        )
        for chapter in chapters
    ]
    return {"work": work, "author": AUTHOR, "sections": sections}


def write_html(work, file):
    """One self-contained HTML file: preface, every chapter, afterword."""
    file.write(render_to_string("downloads/work.html", _context(work)).encode())


def write_epub(work, file):
    """An EPUB 3: a title page with the meta block, the contents, then one page per chapter."""
    context = _context(work)
    book = epub.EpubBook()
    book.set_identifier(f"archive-work-{work.pk}")
    book.set_title(work.title)
    book.set_language(work.language)
    book.add_author(AUTHOR)
    book.add_metadata("DC", "date", work.published.isoformat())
    if work.summary_html:
        summary = html.unescape(strip_tags(work.summary_html)).strip()
        book.add_metadata("DC", "description", summary)
    for group in work.tag_groups():
        for tag in group.tags:
            book.add_metadata("DC", "subject", tag.name)

    style = epub.EpubItem(
        uid="style",
        file_name="style.css",
        media_type="text/css",
        content=render_to_string("downloads/style.css"),
    )
    book.add_item(style)

    def page(uid, title, partial, **extra):
        item = epub.EpubHtml(uid=uid, file_name=f"{uid}.xhtml", title=title, lang=work.language)
        markup = render_to_string(f"downloads/parts.html#{partial}", {**context, **extra})
        item.content = _epub_markup(markup)
        item.add_item(style)
        book.add_item(item)
        return item

    preface = page("preface", "Preface", "preface")
    chapters = [
        page(f"chapter{section.number}", section.heading, "chapter", section=section)
        for section in context["sections"]
    ]
    afterword = [page("afterword", "Afterword", "afterword")] if work.end_notes_html else []

    book.toc = [preface, *chapters, *afterword]
    book.add_item(epub.EpubNcx())
    contents = epub.EpubNav(title="Contents")
    book.add_item(contents)
    book.spine = [preface, contents, *chapters, *afterword]
    options = {"mtime": work.updated_at.astimezone(UTC), "raise_exceptions": True}
    epub.write_epub(file, book, options)


def _epub_markup(markup):
    """Sanitized HTML made fit for an EPUB 3 content document.

    An EPUB must hold the images it shows, and its links must resolve: pictures on the web
    become links to them (others their alt text), links to pages of the site become plain
    text, and the obsolete `center` and `big` that AO3's allowlist keeps become a styled div
    and span.
    """
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    for image in list(root.iter("img")):
        source, alt = image.get("src", ""), image.get("alt", "")
        if not (alt or source.startswith(_LINK_SCHEMES)):
            image.drop_tree()  # keeps the text after it
            continue
        image.clear(keep_tail=True)
        if source.startswith(_LINK_SCHEMES):
            image.tag = "a"
            image.set("href", source)
        else:
            image.tag = "span"
        image.text = alt or "Image"
    for link in list(root.iter("a")):
        if not link.get("href", "").startswith(_LINK_SCHEMES):
            link.tag = "span"
            link.attrib.clear()
    for old, new in (("center", "div"), ("big", "span")):
        for element in list(root.iter(old)):
            element.tag = new
            element.set("class", old)
    return lxml_html.tostring(root, encoding="unicode")


@dataclass(frozen=True)
class Format:
    label: str
    content_type: str
    write: Callable


FORMATS = {
    "epub": Format("EPUB", "application/epub+zip", write_epub),
    "html": Format("HTML", "text/html; charset=utf-8", write_html),
}
