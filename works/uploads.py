"""Turning a file given on the Post New Work form into chapters of (not yet sanitized) HTML."""

import json
import logging
import signal
import subprocess
import sys
from pathlib import Path

from works import limits

# Callers take UploadError and Converted from here, with convert_upload: the converters'
# modules hold them only so that they need not import this one.
from works.converted import Converted, ConvertedChapter, UploadError
from works.converters import CONVERTERS, check_chapter_count, convert_epub, convert_text
from works.unzipping import unpack

MAX_TEXT_BYTES = 1_000_000
MAX_BINARY_BYTES = 10_000_000
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
BINARY_EXTENSIONS = (".docx", ".epub")
ACCEPTED_EXTENSIONS = TEXT_EXTENSIONS + BINARY_EXTENSIONS

# Every converter but the plain-text one runs in a child process (works/sandbox.py) with
# these limits, so that a file built to stall or swell a parser costs the site one child.
# Starting it costs about 0.2 s. The largest files works.unzipping lets through convert in
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

logger = logging.getLogger(__name__)


def convert_upload(uploaded_file, *, sandboxed=True):
    """The chapters in an uploaded file, chosen by its extension and checked against its bytes.

    sandboxed=False converts in this process, for tests that want a converter's own
    exception rather than the message the sandbox turns it into.
    """
    extension = _extension(uploaded_file.name or "")
    converter = CONVERTERS.get(extension)
    if converter is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        found = f"{extension} files" if extension else "files without an extension"
        raise UploadError(f"We can't read {found}. Upload one of: {accepted}.")
    data = _read(uploaded_file, extension)
    if not data.strip():
        raise UploadError("This file is empty.")
    if converter is convert_text:
        converted = converter(data)
    else:
        if extension in BINARY_EXTENSIONS:
            data = unpack(data, extension)
        if sandboxed:
            chapters = _convert_in_sandbox(extension, data)
        else:
            chapters = convert_unpacked(extension, data, limits.MAX_CHAPTERS)
        converted = Converted(chapters=chapters)
    check_chapter_count(len(converted.chapters))
    return converted


def convert_unpacked(extension, data, max_chapters):
    """The chapters of an upload that is not plain text (a .docx or .epub as
    works.unzipping.unpack rebuilt it): what the sandboxed child (works/sandbox.py) runs."""
    if extension == ".epub":
        return convert_epub(data, max_chapters).chapters
    return CONVERTERS[extension](data).chapters


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
