"""An upload's bytes read as UTF-8 text, or named as the kind of binary file they are."""

import codecs
import io
import zipfile

from works.converted import UploadError

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


def decode_text(data, declared_encoding=None):
    """UTF-8 bytes (a BOM is fine) as text with "\\n" line ends; anything else is an UploadError."""
    described = describe(data)
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


def codec_for(label):
    """The Python codec for a charset label found in a file, if it is one we may trust."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # A page that says UTF-16 in ASCII bytes is not UTF-16; browsers ignore such a label too.
    return None if name.startswith(("utf-16", "utf-32")) else name


def describe(data):
    """What kind of binary file these bytes start like, as a phrase, or None."""
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            if description == "a zip archive":
                return describe_zip(data)
            return description
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    return None


def describe_zip(data):
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
