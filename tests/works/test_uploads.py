"""The upload converters: what each kind of file becomes, and the files they refuse."""

import io
import re
import struct
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ebooklib import epub

from archive.errors import ServiceError
from tags.models import TagKind
from works import unzipping
from works.rendering import sanitize_html
from works.seeds import SeedError, SeedWork, parse_seed
from works.uploads import (
    MAX_BINARY_BYTES,
    MAX_TEXT_BYTES,
    Converted,
    UploadError,
    convert_upload,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
UPLOADS = CORPUS / "uploads"
needs_corpus = pytest.mark.skipif(
    not UPLOADS.is_dir(), reason=f"the shared corpus is not beside the checkout ({UPLOADS})"
)


def convert(name, data):
    return convert_upload(SimpleUploadedFile(name, data))


def only_html(converted):
    assert len(converted.chapters) == 1
    return converted.chapters[0].html


def tiny_png():
    """A valid 1×1 greyscale PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def word_document(build=None):
    """A .docx with a heading and two paragraphs, one with bold and italic runs."""
    document = docx.Document()
    document.add_heading("The Lantern", level=1)
    paragraph = document.add_paragraph("It was ")
    paragraph.add_run("bold").bold = True
    paragraph.add_run(" and ")
    paragraph.add_run("italic").italic = True
    paragraph.add_run(".")
    document.add_paragraph("A second paragraph.")
    if build:
        build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ebook(chapters, extra=()):
    """An EPUB 3 with a nav document and one spine document per (title, XHTML body)."""
    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title("A Test Book")
    book.set_language("en")
    items = []
    for number, (title, body) in enumerate(chapters, start=1):
        item = epub.EpubHtml(title=title, file_name=f"chapter_{number}.xhtml", lang="en")
        item.content = body
        book.add_item(item)
        items.append(item)
    for item in extra:
        book.add_item(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *extra, *items]
    buffer = io.BytesIO()
    epub.write_epub(buffer, book)
    return buffer.getvalue()


class Danger(HTMLParser):
    """What in sanitized HTML could run script: script elements, on* attributes, javascript:."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(name)
            if value and re.sub(r"[\x00-\x20]+", "", value).lower().startswith("javascript:"):
                self.found.append(f"{name}={value}")

    handle_startendtag = handle_starttag


# Plain text


def test_text_paragraphs_split_at_blank_lines_and_lines_at_newlines():
    converted = convert("story.txt", b"First line\nsecond line\n\nA new paragraph.\n")
    assert converted.seed is None
    assert converted.chapters[0].title == ""
    assert only_html(converted) == "<p>First line<br />\nsecond line</p>\n<p>A new paragraph.</p>"


def test_text_tolerates_a_byte_order_mark_and_windows_line_ends():
    converted = convert("story.TXT", "\ufeffOne\r\ntwo\r\n\r\nthree".encode())
    assert only_html(converted) == "<p>One<br />\ntwo</p>\n<p>three</p>"


def test_text_that_looks_like_markup_is_shown_as_text():
    html = only_html(convert("story.txt", b"<script>alert(1)</script> & <b>so on</b>"))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;so on&lt;/b&gt;</p>"


def test_png_renamed_to_txt_is_refused_as_an_image_not_text():
    with pytest.raises(UploadError, match=r"PNG image, not text"):
        convert("story.txt", tiny_png())


def test_text_with_nul_bytes_is_refused_as_binary():
    with pytest.raises(UploadError, match=r"binary content"):
        convert("story.txt", b"Once upon\x00 a time")


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(UploadError, match=r"isn't UTF-8 text .*offset 3.*Save it as UTF-8"):
        convert("story.txt", "café".encode("latin-1"))


def test_utf16_text_is_refused_with_a_hint():
    with pytest.raises(UploadError, match=r"UTF-16 text, not UTF-8"):
        convert("story.txt", "Hello".encode("utf-16"))


@pytest.mark.parametrize("data", [b"", b"  \n\n\t "], ids=["empty", "blank"])
def test_empty_file_is_refused(data):
    with pytest.raises(UploadError, match=r"^This file is empty\.$"):
        convert("story.txt", data)


# Seed exports


SEED = """title: The Lantern
summary:
A short tale.
Work Text:
Chapter 1: Dark
It was dark.

Still dark.
Chapter 2: Light
Then light.
[starting tags]
fandom:
Original Work
freeform:
Lanterns
"""


def test_text_with_a_work_text_line_is_read_as_a_seed_export():
    converted = convert("export.txt", SEED.encode())
    assert isinstance(converted.seed, SeedWork)
    assert converted.seed.title == "The Lantern"
    assert converted.seed.summary == "A short tale."
    assert converted.seed.tags[TagKind.FANDOM] == ["Original Work"]
    assert converted.seed.tags[TagKind.FREEFORM] == ["Lanterns"]
    assert [(chapter.title, chapter.html) for chapter in converted.chapters] == [
        ("Dark", "<p>It was dark.</p>\n<p>Still dark.</p>"),
        ("Light", "<p>Then light.</p>"),
    ]


def test_broken_seed_export_is_an_upload_error_with_the_seed_parsers_message():
    text = "Work Text:\nSome words.\n[starting tags]\nshoe size:\n42\n"
    with pytest.raises(SeedError) as expected:
        parse_seed(text)
    with pytest.raises(UploadError) as error:
        convert("export.txt", text.encode())
    assert str(error.value) == str(expected.value)
    assert "unknown section 'shoe size:'" in str(error.value)


# Markdown


def test_markdown_becomes_html():
    text = "# The Lantern\n\nIt was *dark* and **cold**.\n\n- one\n- two\n\n> quoted\n"
    html = only_html(convert("story.md", text.encode()))
    assert "<h1>The Lantern</h1>" in html
    assert "<p>It was <em>dark</em> and <strong>cold</strong>.</p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html


def test_markdown_tables_and_strikethrough():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n"
    html = only_html(convert("story.markdown", text.encode()))
    assert "<td>1</td>" in html
    assert "<s>gone</s>" in html


def test_raw_html_in_markdown_passes_on_but_scripts_do_not():
    text = '<div class="note">A <em>raw</em> note.</div>\n\n<script>alert(1)</script>\n\nText.\n'
    html = only_html(convert("story.md", text.encode()))
    assert '<div class="note">A <em>raw</em> note.</div>' in html
    assert "alert" not in html
    assert '<div class="note">' in sanitize_html(html)


# HTML


def test_html_document_gives_its_body_without_head_scripts_or_styles():
    page = (
        b"<!DOCTYPE html><html><head><title>Page title</title><style>p { color: red }</style>"
        b"<script>alert(1)</script><meta charset='utf-8'></head>"
        b"<body class='x'><!-- a comment --><p>Hello <em>there</em>.</p>"
        b"<script>evil()</script><p>Bye.</p></body></html>"
    )
    assert only_html(convert("page.html", page)) == "<p>Hello <em>there</em>.</p><p>Bye.</p>"


def test_xhtml_self_closed_title_does_not_swallow_the_body():
    page = b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title/></head><body><p>Text.</p>'
    assert only_html(convert("page.html", page + b"</body></html>")) == "<p>Text.</p>"


def test_html_fragment_is_kept_as_it_is():
    html = only_html(convert("page.htm", b'<p class="a">One &amp; <b>two</b></p>\n<hr>'))
    assert html == '<p class="a">One &amp; <b>two</b></p>\n<hr>'


def test_html_links_and_images_that_cannot_work_here_are_unwrapped_or_dropped():
    page = (
        b'<p><a href="https://example.com/">web</a> <a href="chapter2.html">next</a>'
        b' <a href="javascript:alert(1)">click</a> <a href="/works/1">here</a>'
        b' <img src="https://example.com/a.png" alt="web"><img src="pic.png" alt="local">'
        b' <img src="data:image/png;base64,AAAA"></p>'
    )
    html = only_html(convert("page.html", page))
    assert html == (
        '<p><a href="https://example.com/">web</a> next click <a href="/works/1">here</a>'
        ' <img src="https://example.com/a.png" alt="web"> </p>'
    )


def test_html_in_a_declared_single_byte_charset_is_decoded():
    page = b'<html><head><meta charset="windows-1252"></head><body><p>caf\xe9</p></body></html>'
    assert only_html(convert("page.html", page)) == "<p>café</p>"


def test_html_with_only_a_head_has_no_text():
    with pytest.raises(UploadError, match=r"no text"):
        convert("page.html", b"<html><head><title>Only this</title></head><body></body></html>")


# Word documents


def test_word_document_keeps_headings_paragraphs_bold_and_italic():
    html = only_html(convert("story.docx", word_document()))
    assert html == (
        "<h1>The Lantern</h1>"
        "<p>It was <strong>bold</strong> and <em>italic</em>.</p>"
        "<p>A second paragraph.</p>"
    )


def test_word_document_images_are_dropped_not_inlined():
    data = word_document(lambda document: document.add_picture(io.BytesIO(tiny_png())))
    html = only_html(convert("story.docx", data))
    assert "<img" not in html
    assert "data:" not in html
    assert "<p>A second paragraph.</p>" in html


def test_word_comments_do_not_leak_into_the_text():
    def comment(document):
        if not hasattr(document, "add_comment"):
            pytest.skip("this python-docx cannot write comments")
        run = document.paragraphs[-1].runs[0]
        document.add_comment(run, text="A secret reviewer remark", author="Ed", initials="E")

    html = only_html(convert("story.docx", word_document(comment)))
    assert "secret reviewer" not in html
    assert "<p>A second paragraph.</p>" in html


def test_zip_renamed_to_docx_is_refused():
    with pytest.raises(UploadError) as error:
        convert("story.docx", zip_bytes({"notes.txt": "hello"}))
    message = str(error.value)
    assert message.startswith("This file isn't a Word document (.docx) we can read.")
    assert "zip archive" in message


def test_text_renamed_to_docx_is_refused():
    with pytest.raises(UploadError, match=r"^This file isn't a Word document .*isn't a zip"):
        convert("story.docx", b"Just some text, typed in a text editor.")


def test_png_renamed_to_docx_is_refused_naming_what_it_is():
    with pytest.raises(UploadError, match=r"Word document .*PNG image"):
        convert("story.docx", tiny_png())


def test_epub_renamed_to_docx_is_refused_naming_what_it_is():
    data = ebook([("One", "<h1>One</h1><p>Text.</p>")])
    with pytest.raises(UploadError, match=r"Word document .*EPUB e-book"):
        convert("story.docx", data)


def test_word_document_with_damaged_contents_is_refused():
    data = zip_bytes({"[Content_Types].xml": "<nope", "word/document.xml": "<not xml"})
    with pytest.raises(UploadError, match=r"Word document .*damaged"):
        convert("story.docx", data)


# EPUB e-books


def test_epub_gives_one_chapter_per_spine_document_titled_by_heading_or_toc():
    data = ebook(
        [
            ("Toc One", "<h2>The Beginning</h2><p>First text.</p>"),
            ("Toc Two", "<h1>The Middle</h1><p>Second <em>text</em>.</p>"),
            ("Toc Three", "<p>Third text, with no heading.</p>"),
        ]
    )
    converted = convert("book.epub", data)
    assert converted.seed is None
    assert [chapter.title for chapter in converted.chapters] == [
        "The Beginning",
        "The Middle",
        "Toc Three",
    ]
    assert "<p>First text.</p>" in converted.chapters[0].html
    assert "<p>Second <em>text</em>.</p>" in converted.chapters[1].html
    assert "<p>Third text, with no heading.</p>" in converted.chapters[2].html
    # The nav document, which lists the chapters, is not a chapter.
    assert not any("Toc One" in chapter.html for chapter in converted.chapters)


def test_epub_chapters_lose_scripts_and_links_into_the_book():
    body = (
        "<h1>One</h1><p>Text.</p><script>alert(1)</script>"
        '<p><a href="chapter_1.xhtml#top">back</a> <img src="images/pic.png" alt="Illo1"/></p>'
    )
    html = convert("book.epub", ebook([("One", body)])).chapters[0].html
    assert "script" not in html
    assert "alert" not in html
    assert "<a" not in html
    assert "<img" not in html
    assert "back" in html


def test_epub_documents_without_text_are_skipped():
    cover = epub.EpubHtml(title="Cover", file_name="cover.xhtml")
    cover.content = '<div><img src="cover.jpg" alt="Cover"/></div>'
    data = ebook([("One", "<h1>One</h1><p>Text.</p>")], extra=[cover])
    assert [chapter.title for chapter in convert("book.epub", data).chapters] == ["One"]


def test_epub_with_no_text_at_all_is_refused():
    with pytest.raises(UploadError, match=r"no chapters with text"):
        convert("book.epub", ebook([("One", "<p> </p>")]))


def test_random_bytes_renamed_to_epub_are_refused():
    data = bytes(range(256)) * 8
    with pytest.raises(
        UploadError, match=r"^This file isn't an EPUB e-book \(\.epub\) we can read"
    ):
        convert("book.epub", data)


def test_zip_without_an_epub_container_is_refused():
    with pytest.raises(UploadError, match=r"EPUB .*zip archive"):
        convert("book.epub", zip_bytes({"mimetype": "application/epub+zip"}))


def test_epub_with_a_damaged_package_is_refused():
    data = zip_bytes(
        {"mimetype": "application/epub+zip", "META-INF/container.xml": "<container>broken"}
    )
    with pytest.raises(UploadError, match=r"EPUB .*damaged"):
        convert("book.epub", data)


def test_truncated_epub_is_refused():
    data = ebook([("One", "<h1>One</h1><p>Text.</p>")])
    with pytest.raises(UploadError, match=r"EPUB"):
        convert("book.epub", data[: len(data) // 2])


@pytest.mark.parametrize("limit", ["_MAX_UNZIPPED_BYTES", "_MAX_UNZIPPED_MARKUP_BYTES"])
def test_archive_that_unpacks_to_too_much_is_refused(monkeypatch, limit):
    monkeypatch.setattr(unzipping, limit, 10_000)
    data = word_document(lambda document: document.add_paragraph("word " * 5_000))
    with pytest.raises(UploadError, match=r"unpacks to more than 0.01 MB"):
        convert("story.docx", data)


# Markup built to stall the parsers


def test_deeply_nested_markup_is_refused():
    page = "<div>" * 300 + "Deep." + "</div>" * 300
    with pytest.raises(UploadError, match=r"nest more than 256 deep"):
        convert("page.html", page.encode())


def test_nesting_that_closes_as_it_goes_is_fine():
    page = ("<div>" * 200 + "Deep." + "</div>" * 200) * 50 + '<p><a id="x"/>' * 1000
    assert "Deep." in only_html(convert("page.html", page.encode()))


@pytest.mark.parametrize(
    "name, data",
    [
        ("page.html", b"&" * 300_000),
        ("page.html", b"<" * 300_000),
        ("story.md", b"&" * 300_000),
        ("story.txt", b"&" * 300_000),
    ],
    ids=["html-ampersands", "html-less-thans", "markdown-ampersands", "text-ampersands"],
)
def test_one_huge_text_full_of_character_references_is_refused(name, data):
    with pytest.raises(UploadError, match=r"too full of & or < characters"):
        convert(name, data)


def test_long_text_with_ordinary_ampersands_is_fine():
    paragraph = "<p>" + "Tom &amp; Jerry ran home. " * 400 + "</p>\n"
    html = only_html(convert("page.html", (paragraph * 90).encode()))
    assert html.count("&amp;") == 400 * 90


# Names and sizes


@pytest.mark.parametrize("name", ["story.pdf", "story.doc", "story.txt.exe"])
def test_unknown_extension_is_refused_listing_the_accepted_ones(name):
    with pytest.raises(UploadError) as error:
        convert(name, b"Some text.")
    message = str(error.value)
    assert f"We can't read .{name.rsplit('.', 1)[1]} files." in message
    for extension in (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".epub"):
        assert extension in message


def test_file_without_an_extension_is_refused():
    with pytest.raises(UploadError, match=r"files without an extension.*\.txt"):
        convert("story", b"Some text.")


def test_text_over_the_limit_is_refused_saying_the_limit():
    with pytest.raises(UploadError, match=r"too large: text files .* at most 1 MB"):
        convert("story.txt", b"a" * (MAX_TEXT_BYTES + 1))


def test_text_at_the_limit_is_read():
    converted = convert("story.txt", b"a" * MAX_TEXT_BYTES)
    assert len(only_html(converted)) == MAX_TEXT_BYTES + len("<p></p>")


def test_binary_over_the_limit_is_refused_saying_the_limit():
    with pytest.raises(UploadError, match=r"too large: \.docx and \.epub files .* at most 10 MB"):
        convert("story.docx", b"\0" * (MAX_BINARY_BYTES + 1))


class UnderstatedUpload:
    """An upload whose reported size is smaller than what it holds."""

    name = "story.md"
    size = 10

    def __init__(self, data):
        self.file = io.BytesIO(data)

    def seek(self, offset):
        self.file.seek(offset)

    def read(self, size=-1):
        return self.file.read(size)


def test_size_is_checked_on_the_bytes_not_only_on_the_reported_size():
    with pytest.raises(UploadError, match=r"too large"):
        convert_upload(UnderstatedUpload(b"a" * (MAX_TEXT_BYTES + 1)))


def test_converted_is_what_the_form_codes_against():
    converted = convert("story.txt", b"Hello.")
    assert isinstance(converted, Converted)
    assert issubclass(UploadError, ServiceError)
    chapter = converted.chapters[0]
    assert (chapter.title, chapter.html) == ("", "<p>Hello.</p>")


# Files written by others


def corpus_files():
    if not UPLOADS.is_dir():
        return [pytest.param(None, id="corpus-absent", marks=needs_corpus)]
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.name}")
        for folder in ("docx", "epub", "html", "md")
        for path in sorted((UPLOADS / folder).glob("*"))
        if path.is_file()
    ]


@pytest.mark.parametrize("path", corpus_files())
def test_corpus_file_converts_to_chapters_that_sanitize_to_nothing_that_runs(path):
    converted = convert(path.name, path.read_bytes())
    assert converted.chapters
    for chapter in converted.chapters:
        assert chapter.html.strip()
        assert Danger(sanitize_html(chapter.html)).found == [], chapter.title


@needs_corpus
def test_corpus_word_comments_do_not_leak():
    data = (UPLOADS / "docx" / "mammoth-comments.docx").read_bytes()
    html = only_html(convert("mammoth-comments.docx", data))
    assert "Ouch." in html
    assert "tachyon" not in html
    assert "Fin." not in html


@needs_corpus
def test_corpus_word_image_is_dropped():
    data = (UPLOADS / "docx" / "pandoc-image.docx").read_bytes()
    html = only_html(convert("pandoc-image.docx", data))
    assert "An image:" in html
    assert "<img" not in html


@needs_corpus
def test_corpus_scripted_epub_gives_its_chapters_without_scripts():
    data = (UPLOADS / "epub" / "idpf-trees-scripted.epub").read_bytes()
    converted = convert("idpf-trees-scripted.epub", data)
    assert [chapter.title for chapter in converted.chapters] == ["Classification", "Morphology"]
    for chapter in converted.chapters:
        assert "<script" not in chapter.html
        assert "jQuery" not in chapter.html
        # Fallback text for readers without canvas is not part of the story.
        assert "does not support canvas" not in chapter.html


@needs_corpus
def test_corpus_epub2_takes_titles_from_headings_and_skips_the_cover():
    data = (UPLOADS / "epub" / "calibre-quick-start-eng.epub").read_bytes()
    titles = [chapter.title for chapter in convert("quick-start.epub", data).chapters]
    assert len(titles) == 13
    assert titles[2:4] == ["Introduction", "Installing calibre"]
    assert titles[-1] == "Where to get help"


@needs_corpus
def test_corpus_epub3_skips_its_cover_and_nav():
    data = (UPLOADS / "epub" / "epubjs-alice.epub").read_bytes()
    chapters = convert("alice.epub", data).chapters
    assert len(chapters) == 11
    assert chapters[1].title == "Down The Rabbit-Hole"
    assert "Alice was beginning to get very tired" in chapters[1].html
    assert not any("<img" in chapter.html for chapter in chapters)


@needs_corpus
def test_corpus_wordpress_page_loses_scripts_frames_and_handlers_before_sanitizing():
    data = (UPLOADS / "html" / "readability-wordpress.html").read_bytes()
    html = only_html(convert("wordpress.html", data))
    assert "<script" not in html
    assert "<iframe" not in html
    assert "javascript:" not in html.lower()


@needs_corpus
def test_corpus_markdown_raw_script_block_is_gone():
    data = (UPLOADS / "md" / "pandoc-testsuite.md").read_bytes()
    html = only_html(convert("pandoc-testsuite.md", data))
    assert "<script" not in html
    assert "<h1>Headers</h1>" in html
