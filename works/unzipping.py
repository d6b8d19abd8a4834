"""A .docx or .epub (a zip) unpacked within bounds, so that a small upload cannot swell."""

import copy
import io
import zipfile
import zlib

from works.converted import UploadError
from works.decoding import describe, describe_zip

NOT_DOCX = "This file isn't a Word document (.docx) we can read."
NOT_EPUB = "This file isn't an EPUB e-book (.epub) we can read."

# These bound what a small upload may unpack to (a "zip bomb"), counted on the bytes its
# entries really inflate to, never on the sizes it declares.
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


def unpack(data, extension):
    """A .docx or .epub rebuilt, uncompressed, from what its entries really inflate to.

    Images and fonts are left empty (no converter reads them); the rest, which the parsers
    read whatever its name, is bounded by _MAX_UNZIPPED_MARKUP_BYTES.
    """
    not_what = NOT_DOCX if extension == ".docx" else NOT_EPUB
    with _open_zip(data, not_what) as archive:
        names = set(archive.namelist())
        if extension == ".docx":
            is_kind = "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
        else:
            is_kind = "META-INF/container.xml" in names
        if not is_kind:
            raise UploadError(f"{not_what} It looks like {describe_zip(data)}.")
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


def _open_zip(data, not_what):
    """The upload as an open zip archive, if it is a sound one of a sane size."""
    if not data.startswith(b"PK"):
        described = describe(data)
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
