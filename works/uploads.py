"""Turning a file given on the Post New Work form into chapters of (not yet sanitized) HTML."""

import codecs
import copy
import html
import io
import json
import logging
import posixpath
import re
import signal
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import ebooklib
import mammoth
import nh3
from ebooklib import epub
from markdown_it import MarkdownIt

from archive.errors import ServiceError
from works import limits
from works.rendering import ALLOWED_TAGS, plain_text_to_html

# works.seeds needs Django's models (for the tag kinds), which the sandboxed child that runs
# the converters does not load: it is imported where a seed export is read, in the server.

MAX_TEXT_BYTES = 1_000_000
MAX_BINARY_BYTES = 10_000_000
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
BINARY_EXTENSIONS = (".docx", ".epub")
ACCEPTED_EXTENSIONS = TEXT_EXTENSIONS + BINARY_EXTENSIONS

# A .docx or .epub is a zip: these bound what a small upload may unpack to (a "zip bomb"),
# counted on the bytes its entries really inflate to, never on the sizes it declares.
_MAX_UNZIPPED_BYTES = 50_000_000
_MAX_ZIP_ENTRIES = 10_000
# Of which everything but images and fonts, whatever its name: the parts a parser may read.
# mammoth reads a megabyte of Word XML in one to four seconds on this machine; a 510,000
# character novel is 2-4 MB of it. The sandbox's time limit is what bounds the rest.
_MAX_UNZIPPED_MARKUP_BYTES = 10_000_000
# Leading bytes of the parts no converter reads: they reach the parsers empty.
_MEDIA_SIGNATURES = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"wOFF", b"wOF2", b"OTTO", b"\x00\x01\x00\x00",
)  # fmt: skip
_INFLATE_CHUNK = 1 << 20
# Every converter but the plain-text one runs in a child process (works/sandbox.py) with
# these limits, so that a file built to stall or swell a parser costs the site one child.
# Starting it costs about 0.2 s. The largest files the limits above let through convert in
# under 3 s here; the time limit leaves room for a machine under load.
SANDBOX_SECONDS = 6
# Of CPU time, which is what a costly file uses up; on a busy machine the same work takes
# longer by the clock, so the child is given more of that before it is stopped.
SANDBOX_WALL_SECONDS = 15
SANDBOX_MEMORY_BYTES = 1_000_000_000
_SANDBOX_COMMAND = [sys.executable, "-m", "works.sandbox"]
_PROJECT_DIR = Path(__file__).resolve().parent.parent
_TOO_SLOW = (
    "This file took too long to read (more than {seconds} seconds). Save it as a smaller file,"
    " or paste its text, and try again."
)
UNREADABLE = "We couldn't read this file. Check that it opens, and try again."
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

logger = logging.getLogger(__name__)

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class UploadError(ServiceError):
    """An upload we cannot turn into chapters; the message tells the user what was wrong."""


@dataclass
class ConvertedChapter:
    title: str
    html: str


@dataclass
class Converted:
    chapters: list[ConvertedChapter]
    # Only for a seed export (a works.seeds.SeedWork), so that the form can fill in the
    # title, summary and tags.
    seed: object = None


def convert_upload(uploaded_file, *, sandboxed=True):
    """The chapters in an uploaded file, chosen by its extension and checked against its bytes.

    sandboxed=False converts in this process, for tests that want a converter's own
    exception rather than the message the sandbox turns it into.
    """
    extension = _extension(uploaded_file.name or "")
    converter = _CONVERTERS.get(extension)
    if converter is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        found = f"{extension} files" if extension else "files without an extension"
        raise UploadError(f"We can't read {found}. Upload one of: {accepted}.")
    data = _read(uploaded_file, extension)
    if not data.strip():
        raise UploadError("This file is empty.")
    if converter is _convert_text:
        converted = converter(data)
    else:
        if extension in BINARY_EXTENSIONS:
            data = _unpack(data, extension)
        if sandboxed:
            chapters = _convert_in_sandbox(extension, data)
        else:
            chapters = convert_unpacked(extension, data, limits.MAX_CHAPTERS)
        converted = Converted(chapters=chapters)
    _check_chapter_count(len(converted.chapters))
    return converted


def convert_unpacked(extension, data, max_chapters):
    """The chapters of an upload that is not plain text (a .docx or .epub as _unpack
    rebuilt it): what the sandboxed child (works/sandbox.py) runs."""
    if extension == ".epub":
        return _convert_epub(data, max_chapters).chapters
    return _CONVERTERS[extension](data).chapters


def _convert_in_sandbox(extension, data):
    """The chapters a child process makes of an upload, under the SANDBOX_ limits."""
    header = {
        "extension": extension,
        "max_chapters": limits.MAX_CHAPTERS,
        "cpu_seconds": SANDBOX_SECONDS,
        "memory_bytes": SANDBOX_MEMORY_BYTES,
    }
    too_slow = UploadError(_TOO_SLOW.format(seconds=SANDBOX_SECONDS))
    try:
        child = subprocess.run(
            _SANDBOX_COMMAND,
            input=json.dumps(header).encode() + b"\n" + data,
            capture_output=True,
            timeout=SANDBOX_WALL_SECONDS,
            cwd=_PROJECT_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise too_slow from None
    if child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise too_slow
    try:
        reply = json.loads(child.stdout)
    except ValueError:
        reply = {}
    if reply.get("error"):
        raise UploadError(reply["error"])
    if child.returncode != 0 or "chapters" not in reply:
        logger.error(
            "The upload converter failed (exit status %s): %s",
            child.returncode,
            child.stderr.decode("utf-8", "replace")[-4000:],
        )
        raise UploadError(UNREADABLE)
    logger.info("Converted a %s upload; the converter peaked at %s KB", extension, reply["peak_kb"])
    return [ConvertedChapter(title=title, html=markup) for title, markup in reply["chapters"]]


def _check_chapter_count(count):
    if count > limits.MAX_CHAPTERS:
        raise UploadError(
            f"This file has {count:,} chapters; a work can have at most {limits.MAX_CHAPTERS:,}."
        )


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
    from works.seeds import SeedError, parse_seed

    try:
        work = parse_seed(text)
    except SeedError as error:
        raise UploadError(str(error)) from None
    # Before any chapter is made into HTML: an export of thousands of chapters is refused
    # in the time it takes to parse it (0.3 s for 15,000).
    _check_chapter_count(len(work.chapters))
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
    if len(entries) > _MAX_ZIP_ENTRIES:
        archive.close()
        raise UploadError(f"{not_what} It holds more than {_MAX_ZIP_ENTRIES:,} files.")
    # The declared sizes refuse an honest big archive before anything is inflated.
    if sum(entry.file_size for entry in entries) > _MAX_UNZIPPED_BYTES:
        archive.close()
        raise UploadError(_unpacks_to_more(not_what, _MAX_UNZIPPED_BYTES))
    return archive


def _unpacks_to_more(not_what, limit, what=""):
    return f"{not_what} It unpacks to more than {limit / 1_000_000:g} MB{what}."


def _unpack(data, extension):
    """A .docx or .epub rebuilt, uncompressed, from what its entries really inflate to.

    Images and fonts are left empty (no converter reads them); the rest, which the parsers
    read whatever its name, is bounded by _MAX_UNZIPPED_MARKUP_BYTES.
    """
    not_what = _NOT_DOCX if extension == ".docx" else _NOT_EPUB
    with _open_zip(data, not_what) as archive:
        names = set(archive.namelist())
        if extension == ".docx":
            is_kind = "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
        else:
            is_kind = "META-INF/container.xml" in names
        if not is_kind:
            raise UploadError(f"{not_what} It looks like {_describe_zip(data)}.")
        parts = {}
        room = {"all": _MAX_UNZIPPED_BYTES, "markup": _MAX_UNZIPPED_MARKUP_BYTES}
        for entry in archive.infolist():
            if not entry.is_dir():
                parts[entry.filename] = _inflate(archive, entry, room, not_what)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as unpacked:
        for name, content in parts.items():
            unpacked.writestr(name, content)
    return buffer.getvalue()


def _inflate(archive, entry, room, not_what):
    """An entry's bytes (none for an image or font), counted as they really inflate.

    zipfile stops an entry at the size its headers claim, but inflates each chunk it reads
    in one go: a forged small size does not stop a gigabyte from being inflated. Here the
    entry is read a megabyte at a time with no claimed end, and what counts is what came out.
    """
    if entry.flag_bits & 0x1:
        raise UploadError(f"{not_what} It is password-protected.")
    # Other methods (bzip2, LZMA) inflate a read's whole input at once, however large.
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UploadError(f"{not_what} It is compressed in a way we don't read.")
    unbounded = copy.copy(entry)
    unbounded.file_size = 1 << 62
    chunks, size, media = [], 0, None
    try:
        with archive.open(unbounded) as stream:
            while chunk := stream.read(_INFLATE_CHUNK):
                if media is None:
                    media = chunk.startswith(_MEDIA_SIGNATURES)
                size += len(chunk)
                if size > room["all"]:
                    raise UploadError(_unpacks_to_more(not_what, _MAX_UNZIPPED_BYTES))
                if not media:
                    if size > room["markup"]:
                        raise UploadError(
                            _unpacks_to_more(
                                not_what, _MAX_UNZIPPED_MARKUP_BYTES, " of text and markup"
                            )
                        )
                    chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise UploadError(f"{not_what} The file is damaged.") from None
    if size != entry.file_size:
        raise UploadError(f"{not_what} The file is damaged: its parts are not the size it says.")
    room["all"] -= size
    if not media:
        room["markup"] -= size
    return b"".join(chunks)


def _damaged(not_what, error):
    """The error to raise for a parser's failure: libxml2 (under mammoth and ebooklib)
    reports running out of memory, the sandbox's limit, as a parse error."""
    if "memory" in str(error).lower():
        return MemoryError(str(error))
    return UploadError(f"{not_what} Its contents are damaged.")


def _convert_docx(data):
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            # An <img> without a src, which _extract_body drops: no image bytes are inlined.
            convert_image=mammoth.images.img_element(lambda image: {}),
            # A style map inside the file could map Word comments into the text.
            include_embedded_style_map=False,
            external_file_access=False,
        )
    except MemoryError:
        raise
    except Exception as error:  # mammoth raises many kinds of error on a damaged document
        raise _damaged(_NOT_DOCX, error) from None
    markup, _ = _extract_body(result.value)
    return _single_chapter(markup)


def _convert_epub(data, max_chapters):
    try:
        # ebooklib reads only the archive and parses XML without resolving entities.
        book = epub.read_epub(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as error:  # ebooklib raises many kinds of error on a damaged book
        raise _damaged(_NOT_EPUB, error) from None
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
    for encoding in ("utf-8-sig", _encoding(declared and declared.group(1))):
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


_CONVERTERS = {
    ".txt": _convert_text,
    ".md": _convert_markdown,
    ".markdown": _convert_markdown,
    ".html": _convert_html,
    ".htm": _convert_html,
    ".docx": _convert_docx,
    ".epub": _convert_epub,
}
