"""One converter per kind of upload (.txt or seed export, .md, .html, .docx, .epub) to chapters."""

import io
import posixpath
import re
from urllib.parse import unquote

import ebooklib
import mammoth
from ebooklib import epub
from markdown_it import MarkdownIt

from works import limits, rendering
from works.converted import Converted, ConvertedChapter, UploadError
from works.decoding import codec_for, decode_text
from works.extracting import check_cost, extract_body, has_content
from works.rendering import plain_text_to_html
from works.unzipping import NOT_DOCX, NOT_EPUB

# works.seeds needs Django's models (for the tag kinds), which the sandboxed child that runs
# the converters does not load: it is imported where a seed export is read, in the server.

_SEED_MARKER = re.compile(r"^[ \t]*work text:", re.IGNORECASE | re.MULTILINE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)")
_SPACES = re.compile(r"\s+")

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def check_chapter_count(count):
    if count > limits.MAX_CHAPTERS:
        raise UploadError(
            f"This file has {count:,} chapters; a work can have at most {limits.MAX_CHAPTERS:,}."
        )


def _chapter(title, markup):
    # The HTML is sanitized again on save: it must be as cheap to parse as what came in.
    check_cost(markup)
    return ConvertedChapter(title=title, html=markup)


def _single_chapter(markup):
    if not has_content(markup):
        raise UploadError("This file has no text in it.")
    return Converted(chapters=[_chapter("", markup)])


# Plain text and seed exports


def convert_text(data):
    text = decode_text(data)
    if _SEED_MARKER.search(text):
        return _convert_seed(text)
    return _single_chapter(plain_text_to_html(text))


def _convert_seed(text):
    from works.seeds import SeedError, parse_seed

    try:
        work = parse_seed(text)
    except SeedError as error:
        raise UploadError(str(error)) from None
    # Before any chapter is made into HTML: an export of thousands of chapters is refused
    # in the time it takes to parse it (0.3 s for 15,000).
    check_chapter_count(len(work.chapters))
    chapters = [
        _chapter(chapter.title, plain_text_to_html(chapter.text)) for chapter in work.chapters
    ]
    return Converted(chapters=chapters, seed=work)


# Markdown and HTML


def _convert_markdown(data):
    markup, _ = extract_body(_MARKDOWN.render(decode_text(data)))
    return _single_chapter(markup)


def _convert_html(data):
    declared = _META_CHARSET.search(data[:4096])
    markup, _ = extract_body(decode_text(data, codec_for(declared and declared.group(1))))
    return _single_chapter(markup)


# Word documents and EPUB e-books, as works.unzipping rebuilt them


def _damaged(not_what, error):
    """The error to raise for a parser's failure: libxml2 (under mammoth and ebooklib)
    reports running out of memory, the sandbox's limit, as a parse error."""
    if "memory" in str(error).lower():
        return MemoryError(str(error))
    return UploadError(f"{not_what} Its contents are damaged.")


# Word keeps a paragraph's alignment apart from its style, and mammoth's style map matches
# only styles: a centred paragraph gets a style of ours for the map to find. Headings keep
# their own style (and lose the centring), as a style map can give an element one mapping.
_CENTRED_STYLE = "archive centred paragraph"
_DOCX_STYLE_MAP = f"p[style-name='{_CENTRED_STYLE}'] => p.{rendering.CENTRED_CLASS}:fresh"


def _mark_centred(paragraph):
    if paragraph.alignment != "center" or (paragraph.style_name or "Normal") != "Normal":
        return paragraph
    return paragraph.copy(style_id=None, style_name=_CENTRED_STYLE)


def _convert_docx(data):
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_DOCX_STYLE_MAP,
            transform_document=mammoth.transforms.paragraph(_mark_centred),
            # An <img> without a src, which extract_body drops: no image bytes are inlined.
            convert_image=mammoth.images.img_element(lambda image: {}),
            # A style map inside the file could map Word comments into the text.
            include_embedded_style_map=False,
            external_file_access=False,
        )
    except MemoryError:
        raise
    except Exception as error:  # mammoth raises many kinds of error on a damaged document
        raise _damaged(NOT_DOCX, error) from None
    markup, _ = extract_body(result.value)
    return _single_chapter(markup)


def convert_epub(data, max_chapters):
    try:
        # ebooklib reads only the archive and parses XML without resolving entities.
        book = epub.read_epub(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as error:  # ebooklib raises many kinds of error on a damaged book
        raise _damaged(NOT_EPUB, error) from None
    # Counted on the spine before any chapter is parsed: a cover page may be among them.
    if len(book.spine) > max_chapters:
        raise UploadError(
            f"This file has {len(book.spine):,} chapters; a work can have at most {max_chapters:,}."
        )

    toc_titles = {}
    for name, title in _toc_entries(book.toc):
        toc_titles.setdefault(name, title)  # a document's first entry, not its subsections'
    front_matter = {
        _document_name(entry.get("href"))
        for entry in book.guide
        if (entry.get("type") or "").lower() in ("cover", "toc")
    }
    chapters = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref) if idref else None
        if (
            item is None
            or item.get_type() != ebooklib.ITEM_DOCUMENT
            or isinstance(item, (epub.EpubNav, epub.EpubCoverHtml))
            or _document_name(item.get_name()) in front_matter
        ):
            continue
        markup, heading = extract_body(_decode_document(item.get_content()))
        if not has_content(markup):
            continue  # a cover or title page that is only an image
        title = heading or toc_titles.get(_document_name(item.get_name()), "")
        chapters.append(_chapter(_clip_title(title), markup))
    if not chapters:
        raise UploadError("This EPUB e-book has no chapters with text in them.")
    return Converted(chapters=chapters)


def _toc_entries(toc):
    """(document name, title) for each entry of an ebooklib table of contents, in order."""
    # An empty <navMap/> leaves ebooklib's toc a single Link, not a list of them.
    if not isinstance(toc, (list, tuple)):
        toc = [toc]
    for entry in toc:
        if isinstance(entry, tuple) and len(entry) == 2:
            section, children = entry
            yield from _toc_entries([section])
            yield from _toc_entries(children)
        else:
            href, title = getattr(entry, "href", None), getattr(entry, "title", None)
            if href and title and isinstance(href, str) and isinstance(title, str):
                yield _document_name(href), _SPACES.sub(" ", title).strip()


def _document_name(href):
    return posixpath.normpath(unquote((href or "").split("#", 1)[0]))


def _decode_document(content):
    if isinstance(content, str):
        return content
    declared = _XML_ENCODING.match(content)
    for encoding in ("utf-8-sig", codec_for(declared and declared.group(1))):
        if encoding:
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                pass
    return content.decode("utf-8", errors="replace")


def _clip_title(title):
    if len(title) <= limits.TITLE_MAX:
        return title
    return title[: limits.TITLE_MAX - 1].rstrip() + "…"


# By extension. The .epub converter also takes the most chapters it may make, so that a
# book of thousands is refused before any is parsed.
CONVERTERS = {
    ".txt": convert_text,
    ".md": _convert_markdown,
    ".markdown": _convert_markdown,
    ".html": _convert_html,
    ".htm": _convert_html,
    ".docx": _convert_docx,
    ".epub": convert_epub,
}
