"""Turning a file given on the Post New Work form into chapters of (not yet sanitized) HTML."""

import codecs
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

import ebooklib
import mammoth
import nh3
from ebooklib import epub
from markdown_it import MarkdownIt

from works.rendering import ALLOWED_TAGS, plain_text_to_html
from works.seeds import MAX_TITLE_LENGTH, SeedError, SeedWork, parse_seed

MAX_TEXT_BYTES = 1_000_000
MAX_BINARY_BYTES = 10_000_000
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
BINARY_EXTENSIONS = (".docx", ".epub")
ACCEPTED_EXTENSIONS = TEXT_EXTENSIONS + BINARY_EXTENSIONS

# A .docx or .epub is a zip: these bound what a small upload may unpack to (a "zip bomb").
_MAX_UNZIPPED_BYTES = 100_000_000
_MAX_ZIP_ENTRIES = 5_000
# Of which the markup that gets parsed (XML, XHTML), which costs far more than its size.
_MAX_UNZIPPED_MARKUP_BYTES = 20_000_000
_MARKUP_SUFFIXES = (".xml", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".rels")
# html5ever, under both nh3 passes, slows with the square of nesting depth, and with a text
# node's length times the character references in it ("&amp;"). Stories stay far below
# these bounds; a file past them is built to stall the server.
_MAX_NESTING = 256
_MAX_REFERENCE_COST = 10_000_000_000

_NOT_DOCX = "This file isn't a Word document (.docx) we can read."
_NOT_EPUB = "This file isn't an EPUB e-book (.epub) we can read."
_SAVE_AS_UTF8 = "Save it as UTF-8 text and upload it again."

# Leading bytes of the files most often renamed to something they are not.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Word document (.doc)"),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
)

_SEED_MARKER = re.compile(r"^[ \t]*work text:", re.IGNORECASE | re.MULTILINE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)")
# A tag, for counting nesting: [^<>] keeps each try to the text before the next "<".
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
# What browsers ignore around and inside a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
# Where a text node may end: a "<" that starts a tag, an end tag or a comment.
_TEXT_BREAK = re.compile(r"<[A-Za-z/!?]")
_BODY_START = re.compile(r"<body\b[^<>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")

# Tags that do not nest: void elements, and those a parser closes when the next one opens.
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
    "tfoot", "colgroup", "option", "optgroup", "rb", "rt", "rtc", "rp", "html", "head", "body",
}  # fmt: skip
# Never text of a story: removed with their content. Head elements (title, meta) are
# dropped too, since the normalizing pass reads a document as the content of a <body>.
_DROPPED_WITH_CONTENT = {
    "script", "style", "title", "template", "noscript", "iframe", "object", "noembed",
    "noframes", "canvas", "video", "audio", "svg", "button", "select", "textarea",
}  # fmt: skip
# What the normalizing pass keeps: the sanitizer's allowlist and a little more markup a
# later allowlist (workskins) might want; the sanitizer has the last word either way.
_KEPT_TAGS = ALLOWED_TAGS | {
    "acronym", "address", "article", "aside", "bdi", "bdo", "details", "dfn", "figcaption",
    "figure", "footer", "header", "kbd", "mark", "q", "rp", "rt", "ruby", "samp", "section",
    "strike", "summary", "tt", "var",
}  # fmt: skip
_KEPT_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
}

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class UploadError(ValueError):
    """An upload we cannot turn into chapters; the message tells the user what was wrong."""


@dataclass
class ConvertedChapter:
    title: str
    html: str


@dataclass
class Converted:
    chapters: list[ConvertedChapter]
    # Only for a seed export, so that the form can fill in the title, summary and tags.
    seed: SeedWork | None = None


def convert_upload(uploaded_file):
    """The chapters in an uploaded file, chosen by its extension and checked against its bytes."""
    extension = _extension(uploaded_file.name or "")
    converter = _CONVERTERS.get(extension)
    if converter is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        found = f"{extension} files" if extension else "files without an extension"
        raise UploadError(f"We can't read {found}. Upload one of: {accepted}.")
    data = _read(uploaded_file, extension)
    if not data.strip():
        raise UploadError("This file is empty.")
    return converter(data)


def _extension(name):
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base else ""


def _read(uploaded_file, extension):
    if extension in BINARY_EXTENSIONS:
        limit, what = MAX_BINARY_BYTES, ".docx and .epub files"
    else:
        limit, what = MAX_TEXT_BYTES, "text files (" + ", ".join(TEXT_EXTENSIONS) + ")"
    too_large = UploadError(
        f"This file is too large: {what} can be at most {limit // 1_000_000} MB."
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    # The size a client reports is not trusted: never hold more than the limit and a byte.
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


# Plain text and seed exports


def _convert_text(data):
    text = _decode_text(data)
    if _SEED_MARKER.search(text):
        return _convert_seed(text)
    return _single_chapter(plain_text_to_html(text))


def _convert_seed(text):
    try:
        work = parse_seed(text)
    except SeedError as error:
        raise UploadError(str(error)) from None
    chapters = [
        _chapter(chapter.title, plain_text_to_html(chapter.text)) for chapter in work.chapters
    ]
    return Converted(chapters=chapters, seed=work)


def _decode_text(data, declared_encoding=None):
    """UTF-8 bytes (a BOM is fine) as text with "\\n" line ends; anything else is an UploadError."""
    described = _describe(data)
    if described:
        raise UploadError(f"This file looks like {described}, not text.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UploadError(f"This file is UTF-16 text, not UTF-8. {_SAVE_AS_UTF8}")
    if b"\x00" in data:
        raise UploadError("This file has binary content (NUL bytes), so it isn't a text file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        try:
            text = data.decode(declared_encoding or "utf-8")
        except UnicodeDecodeError:
            raise UploadError(
                f"This file isn't UTF-8 text (the byte at offset {error.start} is not UTF-8)."
                f" {_SAVE_AS_UTF8}"
            ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _describe(data):
    """What kind of binary file these bytes start like, as a phrase, or None."""
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            if description == "a zip archive":
                return _describe_zip(data)
            return description
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    return None


def _describe_zip(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return "a damaged zip archive"
    if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
        return "a Word document (.docx)"
    if "META-INF/container.xml" in names:
        return "an EPUB e-book (.epub)"
    return "a zip archive"


# Markdown and HTML


def _convert_markdown(data):
    markup, _ = _extract_body(_MARKDOWN.render(_decode_text(data)))
    return _single_chapter(markup)


def _convert_html(data):
    declared = _META_CHARSET.search(data[:4096])
    markup, _ = _extract_body(_decode_text(data, _encoding(declared and declared.group(1))))
    return _single_chapter(markup)


def _encoding(label):
    """The Python codec for a charset label found in a file, if it is one we may trust."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # A page that says UTF-16 in ASCII bytes is not UTF-16; browsers ignore such a label too.
    return None if name.startswith(("utf-16", "utf-32")) else name


class _BodyExtractor(HTMLParser):
    """Re-emits normalized HTML without what cannot work on our pages, noting its first heading.

    Images that are not on the web go (nothing inside an upload is served, and e-books' alt
    texts are mostly "Cover" or "Illo1"); links relative to the uploaded file, or whose
    href the normalizing pass removed, are unwrapped to their text. The first h1-h3 names
    an e-book's chapter.
    """

    VOID = {"area", "br", "col", "hr", "img", "wbr"}
    TITLE_HEADINGS = {"h1", "h2", "h3"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.heading = None
        self._links = []  # for each open <a>: whether its tags are kept
        self._heading_tag = None
        self._heading_text = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and not _is_web_url(attributes.get("src")):
            return
        if tag == "a":
            keep = _is_followable(attributes.get("href"))
            self._links.append(keep)
            if not keep:
                return
        if tag in self.TITLE_HEADINGS and self.heading is None and self._heading_tag is None:
            self._heading_tag = tag
        rendered = "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value)}"'
            for name, value in attrs
        )
        self.parts.append(f"<{tag}{rendered}>")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "a" and not (self._links and self._links.pop()):
            return
        if tag == self._heading_tag:
            self.heading = _SPACES.sub(" ", "".join(self._heading_text)).strip() or None
            self._heading_tag = None  # an empty heading names nothing: the next one may
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self._heading_tag:
            self._heading_text.append(data)
        self.parts.append(html.escape(data, quote=False))


def _scheme_free(url):
    return _URL_NOISE.sub("", url or "").lower()


def _is_web_url(url):
    return _scheme_free(url).startswith(("http://", "https://"))


def _is_followable(href):
    """Whether a link in an upload still leads somewhere once its text is on our pages."""
    url = _scheme_free(href)
    if url.startswith(("http://", "https://", "mailto:")):
        return True
    # A root-relative link points into this archive; "//host" is another site's.
    return url.startswith("/") and not url.startswith("//")


def _nesting_depth(markup):
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


def check_parsing_cost(markup, what="file"):
    """Refuse markup that would take the sanitizer (nh3) or html.parser minutes to read."""
    if _nesting_depth(markup) > _MAX_NESTING:
        raise UploadError(
            f"This {what}'s elements nest more than {_MAX_NESTING} deep, which no story needs."
        )
    cost = sum(run.count("&") * len(run) for run in _TEXT_BREAK.split(markup))
    if cost > _MAX_REFERENCE_COST:
        raise UploadError(
            f"This {what} has a stretch of text too long, and too full of & or < characters,"
            " for us to read."
        )


def _extract_body(markup):
    """(what a reader of this HTML would see, as HTML; the text of its first h1-h3 or None).

    html5ever (through nh3) first turns whatever was given into well-formed HTML without
    head, scripts, styles, frames and the like, in linear time; html.parser, which can take
    quadratic time on malformed markup, then only reads that.
    """
    check_parsing_cost(markup)
    # Only the body is read: an XHTML head's <title/> would swallow all that follows it.
    body = _BODY_START.search(markup)
    normalized = nh3.clean(
        markup[body.end() :] if body else markup,
        tags=_KEPT_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_KEPT_ATTRIBUTES,
        strip_comments=True,
        link_rel=None,
    )
    parser = _BodyExtractor()
    parser.feed(normalized)
    parser.close()
    return "".join(parser.parts).strip(), parser.heading


def _has_content(markup):
    return bool(html.unescape(_MARKUP.sub("", markup)).strip()) or "<img" in markup


def _chapter(title, markup):
    # The HTML is sanitized again on save: it must be as cheap to parse as what came in.
    check_parsing_cost(markup)
    return ConvertedChapter(title=title, html=markup)


def _single_chapter(markup):
    if not _has_content(markup):
        raise UploadError("This file has no text in it.")
    return Converted(chapters=[_chapter("", markup)])


# Word documents and EPUB e-books


def _open_zip(data, not_what):
    """The upload as an open zip archive, if it is a sound one of a sane size."""
    if not data.startswith(b"PK"):
        described = _describe(data)
        detail = f"It looks like {described}." if described else "It isn't a zip archive."
        raise UploadError(f"{not_what} {detail}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise UploadError(f"{not_what} The file is damaged.") from None
    unpacked = sum(entry.file_size for entry in entries)
    markup = sum(
        entry.file_size for entry in entries if entry.filename.lower().endswith(_MARKUP_SUFFIXES)
    )
    if (
        len(entries) > _MAX_ZIP_ENTRIES
        or unpacked > _MAX_UNZIPPED_BYTES
        or markup > _MAX_UNZIPPED_MARKUP_BYTES
    ):
        archive.close()
        raise UploadError(f"{not_what} It unpacks to more than we accept.")
    return archive


def _convert_docx(data):
    with _open_zip(data, _NOT_DOCX) as archive:
        names = set(archive.namelist())
    if "[Content_Types].xml" not in names or not any(name.startswith("word/") for name in names):
        raise UploadError(f"{_NOT_DOCX} It looks like {_describe_zip(data)}.")
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            # An <img> without a src, which _extract_body drops: no image bytes are inlined.
            convert_image=mammoth.images.img_element(lambda image: {}),
            # A style map inside the file could map Word comments into the text.
            include_embedded_style_map=False,
            external_file_access=False,
        )
    except Exception:  # mammoth raises many kinds of error on a damaged document
        raise UploadError(f"{_NOT_DOCX} Its contents are damaged.") from None
    markup, _ = _extract_body(result.value)
    return _single_chapter(markup)


def _convert_epub(data):
    with _open_zip(data, _NOT_EPUB) as archive:
        names = set(archive.namelist())
    if "META-INF/container.xml" not in names:
        raise UploadError(f"{_NOT_EPUB} It looks like {_describe_zip(data)}.")
    try:
        # ebooklib reads only the archive and parses XML without resolving entities.
        book = epub.read_epub(io.BytesIO(data))
    except Exception:  # ebooklib raises many kinds of error on a damaged book
        raise UploadError(f"{_NOT_EPUB} Its contents are damaged.") from None

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
        markup, heading = _extract_body(_decode_document(item.get_content()))
        if not _has_content(markup):
            continue  # a cover or title page that is only an image
        title = heading or toc_titles.get(_document_name(item.get_name()), "")
        chapters.append(_chapter(_clip_title(title), markup))
    if not chapters:
        raise UploadError("This EPUB e-book has no chapters with text in them.")
    return Converted(chapters=chapters)


def _toc_entries(toc):
    """(document name, title) for each entry of an ebooklib table of contents, in order."""
    for entry in toc:
        if isinstance(entry, tuple):
            section, children = entry
            yield from _toc_entries([section])
            yield from _toc_entries(children)
        elif getattr(entry, "href", None) and entry.title:
            yield _document_name(entry.href), _SPACES.sub(" ", entry.title).strip()


def _document_name(href):
    return posixpath.normpath(unquote((href or "").split("#", 1)[0]))


def _decode_document(content):
    if isinstance(content, str):
        return content
    declared = _XML_ENCODING.match(content)
    for encoding in ("utf-8-sig", _encoding(declared and declared.group(1))):
        if encoding:
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                pass
    return content.decode("utf-8", errors="replace")


def _clip_title(title):
    if len(title) <= MAX_TITLE_LENGTH:
        return title
    return title[: MAX_TITLE_LENGTH - 1].rstrip() + "…"


_CONVERTERS = {
    ".txt": _convert_text,
    ".md": _convert_markdown,
    ".markdown": _convert_markdown,
    ".html": _convert_html,
    ".htm": _convert_html,
    ".docx": _convert_docx,
    ".epub": _convert_epub,
}
