"""Uploads built to exhaust the server (bench/hostile.py), posted as an author would post them:
each is refused in seconds with a message naming the problem, and the server stays small."""

import resource
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bench import hostile
from tests.works.test_posting import errors, form_data
from works import limits, uploads
from works.models import Work

pytestmark = pytest.mark.django_db

MB = 1 << 20
# Generous: the sandbox's own time limit is 6 s, and the machine is shared.
# Refused in seconds: the sandbox's limit by the clock, and a little more.
SECONDS = uploads.SANDBOX_WALL_SECONDS + 3
# What the server process may grow by while refusing a file (it holds at most the 10 MB
# of markup an upload may unpack to, and its copy); the old code grew by 1-2 GB.
GROWTH = 200 * MB
CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def post_upload(client, upload):
    """POST a file to /works/new: (response, seconds taken, how far this process's RSS peaked
    above what it was before)."""
    name, data = upload
    rss = _status_kb("VmRSS")
    CLEAR_REFS.write_text("5")  # resets VmHWM, the peak RSS, to the current RSS
    start = time.monotonic()
    response = client.post(
        "/works/new", {**form_data(chapter_text=""), "upload": SimpleUploadedFile(name, data)}
    )
    seconds = time.monotonic() - start
    return response, seconds, (_status_kb("VmHWM") - rss) * 1024


def assert_refused(client, upload, message):
    response, seconds, growth = post_upload(client, upload)
    assert response.status_code == 400
    assert message in errors(response)["id_upload"]
    assert not Work.objects.exists()
    assert seconds < SECONDS
    assert growth < GROWTH, f"the server grew by {growth // MB} MB"


def test_epub_bomb_with_forged_sizes_is_refused_on_its_real_size(author_client):
    upload = hostile.zip_bomb_epub()
    assert len(upload[1]) < uploads.MAX_BINARY_BYTES
    assert_refused(author_client, upload, "unpacks to more than 10 MB of text and markup")


def test_one_entry_epub_bomb_is_refused(author_client):
    assert_refused(
        author_client,
        hostile.zip_bomb_epub(entries=1),
        "unpacks to more than 10 MB of text and markup",
    )


def test_docx_bomb_with_forged_sizes_is_refused(author_client):
    assert_refused(
        author_client, hostile.zip_bomb_docx(), "unpacks to more than 10 MB of text and markup"
    )


def test_docx_of_millions_of_runs_is_refused(author_client):
    upload = hostile.costly_docx()
    assert len(upload[1]) < 100_000
    assert_refused(author_client, upload, "unpacks to more than 10 MB of text and markup")


def test_big_main_part_not_named_xml_is_refused(author_client):
    assert_refused(author_client, hostile.big_dat_part_docx(), "unpacks to more than 50 MB")


def test_main_part_not_named_xml_counts_as_markup(author_client):
    upload = hostile.big_dat_part_docx(size=15 * MB)
    assert_refused(author_client, upload, "unpacks to more than 10 MB of text and markup")


def test_docx_within_the_limits_that_takes_too_long_is_stopped(author_client):
    # 9.5 MB of runs: under the size limit, and half a minute of mammoth's time.
    upload = hostile.costly_docx(runs=350_000)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert_refused(author_client, upload, "took too long to read")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The converting was done, and stopped, in a child process.
    assert after.ru_utime - before.ru_utime > 1


def test_converter_out_of_memory_is_a_message(author_client, monkeypatch):
    # The parsers load in 42 MB; reading a 1 MB document takes mammoth some 60 MB more.
    monkeypatch.setattr(uploads, "SANDBOX_MEMORY_BYTES", 60 * MB)
    upload = hostile.costly_docx(runs=40_000)
    assert_refused(author_client, upload, "needs more memory to read")


def test_epub_with_an_empty_table_of_contents_is_read(author_client):
    name, data = hostile.empty_nav_map_epub()
    fields = form_data(chapter_text="", chapter_title="")
    response = author_client.post(
        "/works/new", {**fields, "upload": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302
    work = Work.objects.get()
    assert [chapter.title for chapter in work.chapters.order_by("position")] == [
        "Chapter 1",
        "Chapter 2",
    ]


def test_seed_with_too_many_chapters_is_refused_saying_how_many(author_client):
    assert_refused(
        author_client,
        hostile.many_chapters_seed(),
        f"This file has 15,000 chapters; a work can have at most {limits.MAX_CHAPTERS:,}.",
    )


def test_chapter_limit_is_read_from_works_limits(author_client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHAPTERS", 3)
    assert_refused(
        author_client,
        hostile.many_chapters_seed(chapters=4),
        "This file has 4 chapters; a work can have at most 3.",
    )
    assert_refused(
        author_client,
        hostile.many_chapters_epub(4),
        "This file has 4 chapters; a work can have at most 3.",
    )
