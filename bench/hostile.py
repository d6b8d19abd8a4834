"""Hostile uploads built in memory as (filename, bytes), for the upload tests and load runs."""

import io
import struct
import zipfile
import zlib

MIB = 1 << 20

_CONTAINER = (
    '<?xml version="1.0"?>'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_NCX = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
    '<head><meta name="dtb:uid" content="hostile"/></head>'
    "<docTitle><text>Hostile</text></docTitle>{nav_map}</ncx>"
)
_NAV_POINT = (
    '<navPoint id="p{number}" playOrder="{number}"><navLabel><text>Chapter {number}</text>'
    '</navLabel><content src="chapter_{number}.xhtml"/></navPoint>'
)
_CHAPTER = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter {number}</title></head>'
    "<body><h1>Chapter {number}</h1><p>The lantern guttered in the wind.</p></body></html>"
)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/{main}"'
    ' ContentType="application/vnd.openxmlformats-officedocument'
    '.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/{main}"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_DOCUMENT_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p>"
)
_DOCUMENT_END = "</w:p></w:body></w:document>"
_RUN = "<w:r><w:t>word </w:t></w:r>"


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # An EPUB's mimetype comes first and is stored, as readers expect.
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def _epub_files(chapters, nav_map=None):
    numbers = range(1, chapters + 1)
    manifest = "".join(
        f'<item id="c{n}" href="chapter_{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in numbers
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in numbers)
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:identifier id="id">hostile</dc:identifier><dc:title>Hostile</dc:title>'
        "<dc:language>en</dc:language></metadata>"
        f'<manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        f'{manifest}</manifest><spine toc="ncx">{spine}</spine></package>'
    )
    if nav_map is None:
        nav_map = "<navMap>" + "".join(_NAV_POINT.format(number=n) for n in numbers) + "</navMap>"
    files = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": _CONTAINER,
        "content.opf": opf,
        "toc.ncx": _NCX.format(nav_map=nav_map),
    }
    files.update({f"chapter_{n}.xhtml": _CHAPTER.format(number=n) for n in numbers})
    return files


def _docx_files(document, main="document.xml"):
    return {
        "[Content_Types].xml": _CONTENT_TYPES.format(main=main),
        "_rels/.rels": _RELS.format(main=main),
        f"word/{main}": document,
    }


def _deflated_padding(size):
    """Raw deflate data of `size` spaces (a multiple of 1 MiB), built in milliseconds.

    After a full flush the compressor starts afresh, so one compressed MiB repeats as is.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(b" " * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * (size // MIB) + compressor.flush()


def _forge_bomb(files, victims, padding):
    """A zip of `files` where each victim really inflates to its text and `padding` spaces
    more, while its headers claim only the text's size and CRC, so zipfile hands back just
    the text after inflating it all."""
    padded = {}
    for name in victims:
        text = files[name].encode()
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        head = compressor.compress(text) + compressor.flush(zlib.Z_FULL_FLUSH)
        padded[name] = (head + _deflated_padding(padding), len(text), zlib.crc32(text))
    # The raw deflate data goes in as stored entries; the headers are then patched to say
    # deflated, with the small size and CRC.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if name in padded:
                archive.writestr(name, padded[name][0], compress_type=zipfile.ZIP_STORED)
            else:
                archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local_headers = {info.filename: info.header_offset for info in archive.infolist()}
    end = data.rfind(b"PK\x05\x06")
    entries, _, directory = struct.unpack_from("<HII", data, end + 10)
    for _ in range(entries):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, directory + 28)
        name = data[directory + 46 : directory + 46 + name_length].decode()
        if name in padded:
            _, size, crc = padded[name]
            struct.pack_into("<H", data, directory + 10, zipfile.ZIP_DEFLATED)
            struct.pack_into("<I", data, directory + 16, crc)
            struct.pack_into("<I", data, directory + 24, size)
            local = local_headers[name]
            struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
            struct.pack_into("<I", data, local + 14, crc)
            struct.pack_into("<I", data, local + 22, size)
        directory += 46 + name_length + extra_length + comment_length
    return bytes(data)


def zip_bomb_epub(entries=9, inflated=1024 * MIB):
    """An EPUB whose chapters each inflate to `inflated` bytes, their headers forged small."""
    files = _epub_files(entries)
    victims = [f"chapter_{n}.xhtml" for n in range(1, entries + 1)]
    return "bomb.epub", _forge_bomb(files, victims, inflated)


def zip_bomb_docx(inflated=1024 * MIB):
    """A .docx whose word/document.xml inflates to `inflated` bytes, its header forged small."""
    files = _docx_files(_DOCUMENT_START + _RUN + _DOCUMENT_END)
    return "bomb.docx", _forge_bomb(files, ["word/document.xml"], inflated)


def costly_docx(runs=700_000):
    """A .docx whose word/document.xml is `runs` runs of one word (19 MB), zipped to ~60 KB."""
    document = _DOCUMENT_START + _RUN * runs + _DOCUMENT_END
    return "costly.docx", _zip(_docx_files(document))


def big_dat_part_docx(size=90 * MIB):
    """A .docx whose main part, `size` bytes of runs, is named word/document.dat, not .xml."""
    document = _DOCUMENT_START + _RUN * (size // len(_RUN)) + _DOCUMENT_END
    return "dat.docx", _zip(_docx_files(document, main="document.dat"))


def empty_nav_map_epub():
    """An EPUB 2 with two chapters whose toc.ncx has an empty <navMap/>."""
    return "empty-toc.epub", _zip(_epub_files(2, nav_map="<navMap/>"))


def many_chapters_epub(chapters):
    """An EPUB 2 with `chapters` one-paragraph chapters in its spine."""
    return "chapters.epub", _zip(_epub_files(chapters))


def many_chapters_seed(chapters=15_000):
    """A seed export (.txt) whose text has `chapters` 'Chapter N' lines, each with one line."""
    text = "".join(f"Chapter {n}\nThe lantern guttered.\n\n" for n in range(1, chapters + 1))
    seed = f"Work Text:\n{text}[starting tags]\nfandom:\nHostile Uploads\ntitle:\nMany\n"
    return "chapters.txt", seed.encode()


def all_uploads():
    """Every hostile upload at the size the outside test used."""
    return [
        zip_bomb_epub(),
        zip_bomb_epub(entries=1),
        zip_bomb_docx(),
        costly_docx(),
        big_dat_part_docx(),
        empty_nav_map_epub(),
        many_chapters_seed(),
    ]


# What the Post New Work form says of each (tests/works/test_hostile_uploads.py).
TOO_MUCH_MARKUP = "unpacks to more than 10 MB of text and markup"
TOO_BIG_UNPACKED = "unpacks to more than 50 MB"


def worst_uploads():
    """all_uploads() as (label, (filename, bytes), what the form's refusal says): None for
    the EPUB with an empty table of contents, which is read and posted."""
    return [
        ("EPUB bomb, 9 chapters of 1 GiB", zip_bomb_epub(), TOO_MUCH_MARKUP),
        ("EPUB bomb, 1 chapter of 1 GiB", zip_bomb_epub(entries=1), TOO_MUCH_MARKUP),
        ("DOCX bomb, 1 GiB", zip_bomb_docx(), TOO_MUCH_MARKUP),
        ("DOCX of 700,000 runs", costly_docx(), TOO_MUCH_MARKUP),
        ("DOCX, 90 MB word/document.dat", big_dat_part_docx(), TOO_BIG_UNPACKED),
        ("EPUB, empty navMap", empty_nav_map_epub(), None),
        ("seed of 15,000 chapters", many_chapters_seed(), "This file has 15,000 chapters"),
    ]
