"""EPUB and HTML downloads: their contents, their caching, and who may fetch them."""

import io
import zipfile
from datetime import timedelta

import ebooklib
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from ebooklib import epub

from tags.models import TagKind
from tests.factories import make_work
from works.downloads import safe_title
from works.models import Work

pytestmark = pytest.mark.django_db

XSS = "<p>hi<script>alert(1)</script><img src=x onerror=alert(1)></p>"


@pytest.fixture(autouse=True)
def downloads_dir(settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    return settings.DOWNLOADS_DIR


@pytest.fixture
def lantern():
    return make_work(
        title="The Lantern!",
        language="en",
        summary="<p>A light in the dark.</p>",
        chapters=[
            ("Arrival", "<p>They came by night.</p>"),
            ("The Long Hall", "<p>Doors on either side.</p>"),
            ("", "<p>Morning at last.</p>"),
        ],
        tags={
            TagKind.FANDOM: ["Marvel"],
            TagKind.CHARACTER: ["Natasha Romanov"],
            TagKind.FREEFORM: ["Fluff"],
        },
    )


def download(client, work, extension):
    response = client.get(f"/downloads/{work.pk}/{safe_title(work.title)}.{extension}")
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def read_epub(content, tmp_path):
    path = tmp_path / "read.epub"
    path.write_bytes(content)
    return epub.read_epub(str(path))


def text_of(item):
    return BeautifulSoup(item.get_content(), "html.parser").get_text(" ", strip=True)


def epub_pages(book):
    """The book's content documents in reading order, without the contents page."""
    pages = [book.get_item_with_id(item_id) for item_id, _ in book.spine]
    return [page for page in pages if not isinstance(page, epub.EpubNav)]


def test_epub_has_a_title_page_and_one_page_per_chapter(client, lantern, tmp_path):
    response, content = download(client, lantern, "epub")
    assert response["Content-Type"] == "application/epub+zip"
    assert response["Content-Disposition"] == 'attachment; filename="The_Lantern.epub"'

    book = read_epub(content, tmp_path)
    preface, *chapters = epub_pages(book)
    assert len(chapters) == 3
    assert [link.title for link in book.toc] == [
        "Preface",
        "Chapter 1: Arrival",
        "Chapter 2: The Long Hall",
        "Chapter 3",
    ]
    assert "Chapter 1: Arrival" in text_of(chapters[0])
    assert "They came by night." in text_of(chapters[0])
    assert "Doors on either side." in text_of(chapters[1])
    assert "Morning at last." in text_of(chapters[2])
    assert "They came by night." not in text_of(chapters[1])

    title_page = text_of(preface)
    for expected in ["The Lantern!", "by Anonymous", "Fandom: Marvel", "Language:", "Words:"]:
        assert expected in title_page
    assert "A light in the dark." in title_page
    assert list(book.get_items_of_type(ebooklib.ITEM_NAVIGATION))


def test_epub_metadata_has_title_author_language_and_tags_as_subjects(client, lantern, tmp_path):
    book = read_epub(download(client, lantern, "epub")[1], tmp_path)
    assert book.get_metadata("DC", "title")[0][0] == "The Lantern!"
    assert book.get_metadata("DC", "creator")[0][0] == "Anonymous"
    assert book.get_metadata("DC", "language")[0][0] == "en"
    subjects = {value for value, _ in book.get_metadata("DC", "subject")}
    assert subjects == {tag.name for tag in lantern.tags.all()}
    assert {"Marvel", "Natasha Romanov", "Fluff", "General Audiences"} <= subjects


def test_epub_zip_starts_with_an_uncompressed_mimetype(client, lantern):
    content = download(client, lantern, "epub")[1]
    archive = zipfile.ZipFile(io.BytesIO(content))
    first = archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/epub+zip"
    assert "META-INF/container.xml" in archive.namelist()


def test_html_download_is_one_self_contained_file(client, lantern):
    response, content = download(client, lantern, "html")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="The_Lantern.html"'
    page = BeautifulSoup(content, "html.parser")
    text = page.get_text(" ", strip=True)
    for expected in [
        "The Lantern!",
        "Chapter 1: Arrival",
        "They came by night.",
        "Chapter 2: The Long Hall",
        "Doors on either side.",
        "Morning at last.",
        "Fandom: Marvel",
    ]:
        assert expected in text
    assert page.find("script") is None
    assert page.find("link") is None
    assert page.find("style") is not None


def test_single_chapter_heading_is_the_work_title(client, tmp_path):
    work = make_work(title="Only One", chapters=[("", "<p>All of it, here.</p>")])
    book = read_epub(download(client, work, "epub")[1], tmp_path)
    assert [link.title for link in book.toc] == ["Preface", "Only One"]
    assert "All of it, here." in text_of(epub_pages(book)[1])


def test_files_carry_no_script_from_chapter_text_or_title(client, tmp_path):
    work = make_work(title="<script>alert(2)</script>", chapters=[("<b>x</b>", XSS)])
    assert "<script" not in work.chapters.get().text_html

    html = download(client, work, "html")[1]
    assert b"<script" not in html
    assert b"onerror" not in html
    assert "hi" in BeautifulSoup(html, "html.parser").find("div", class_="userstuff").get_text()

    content = download(client, work, "epub")[1]
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        member = archive.read(name)
        assert b"<script" not in member, name
        assert b"onerror" not in member, name
    chapter = epub_pages(read_epub(content, tmp_path))[1]
    assert "hi" in text_of(chapter)


def test_epub_points_at_web_images_instead_of_embedding_them(client, tmp_path):
    work = make_work(
        chapters=[
            ("", '<center>Map</center><p><img src="https://example.com/map.png" alt="a map"></p>')
        ]
    )
    chapter = epub_pages(read_epub(download(client, work, "epub")[1], tmp_path))[1]
    page = BeautifulSoup(chapter.get_content(), "html.parser")
    assert page.find("img") is None
    assert page.find("center") is None
    assert page.find("a", href="https://example.com/map.png").get_text() == "a map"

    html = BeautifulSoup(download(client, work, "html")[1], "html.parser")
    assert html.find("img")["src"] == "https://example.com/map.png"


def test_second_request_serves_the_cached_file(client, lantern, downloads_dir):
    first = download(client, lantern, "epub")[1]
    [cached] = (downloads_dir / str(lantern.pk)).glob("*.epub")
    built_at = cached.stat().st_mtime_ns

    second = download(client, lantern, "epub")[1]
    assert list((downloads_dir / str(lantern.pk)).glob("*.epub")) == [cached]
    assert cached.stat().st_mtime_ns == built_at
    assert second == first


def test_changed_work_gets_a_new_file(client, lantern, downloads_dir, tmp_path):
    download(client, lantern, "epub")
    download(client, lantern, "html")
    [old_epub] = (downloads_dir / str(lantern.pk)).glob("*.epub")

    Work.objects.filter(pk=lantern.pk).update(
        title="The Lantern Relit", updated_at=lantern.updated_at + timedelta(minutes=5)
    )
    book = read_epub(download(client, lantern, "epub")[1], tmp_path)
    assert book.get_metadata("DC", "title")[0][0] == "The Lantern Relit"
    [new_epub] = (downloads_dir / str(lantern.pk)).glob("*.epub")
    assert new_epub != old_epub
    assert not old_epub.exists()
    assert b"The Lantern Relit" in download(client, lantern, "html")[1]
    assert len(list((downloads_dir / str(lantern.pk)).glob("*.html"))) == 1
    assert not list((downloads_dir / str(lantern.pk)).glob(".*.part"))


def test_any_title_in_the_url_serves_the_work(client, lantern):
    response = client.get(f"/downloads/{lantern.pk}/Something_Else.epub?updated_at=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="The_Lantern.epub"'


@pytest.mark.parametrize(
    "url",
    [
        "/downloads/424242/Missing.epub",
        "/downloads/424242/Missing.html",
        "/downloads/{pk}/The_Lantern.pdf",
        "/downloads/{pk}/The_Lantern.EPUB",
        "/downloads/{pk}/The_Lantern",
    ],
)
def test_unknown_work_or_format_is_a_404(client, lantern, url):
    assert client.get(url.format(pk=lantern.pk)).status_code == 404


def test_unposted_work_is_a_404(client):
    draft = make_work(posted=False)
    assert client.get(f"/downloads/{draft.pk}/Draft.epub").status_code == 404


def test_restricted_work_sends_anonymous_readers_to_log_in(client):
    work = make_work(title="Members Only", restricted=True)
    response = client.get(f"/downloads/{work.pk}/Members_Only.epub?updated_at=1")
    assert response.status_code == 302
    assert response["Location"] == f"/users/login?restricted=true&return_to=/works/{work.pk}"

    client.force_login(get_user_model().objects.create_user("reader_1", password="x"))
    assert download(client, work, "epub")[0]["Content-Type"] == "application/epub+zip"


def test_adult_works_download_without_the_gate(client):
    work = make_work(title="After Dark", rating="Explicit", chapters=[("", "<p>Late.</p>")])
    content = download(client, work, "html")[1]
    assert "Late." in BeautifulSoup(content, "html.parser").get_text()


def download_menu(page):
    actions = page.find("ul", class_="work navigation actions")
    return actions.select("li.download > ul > li > a")


def test_single_chapter_work_page_links_its_downloads(get_page):
    work = make_work(title="The Lantern!", chapters=1)
    response, page = get_page(f"/works/{work.pk}")
    assert response.status_code == 200
    updated_at = int(work.updated_at.timestamp())
    assert [(a.get_text(), a["href"]) for a in download_menu(page)] == [
        ("EPUB", f"/downloads/{work.pk}/The_Lantern.epub?updated_at={updated_at}"),
        ("HTML", f"/downloads/{work.pk}/The_Lantern.html?updated_at={updated_at}"),
    ]


def test_chapter_page_links_its_downloads_beside_the_chapter_links(get_page, client):
    work = make_work(title="Three Parts", chapters=3)
    chapter = work.chapters.get(position=2)
    _, page = get_page(chapter.get_absolute_url())
    actions = page.find("ul", class_="work navigation actions")
    assert actions.find("li", class_="chapter entire") is not None
    links = download_menu(page)
    assert [a.get_text() for a in links] == ["EPUB", "HTML"]
    for link in links:
        assert client.get(link["href"]).status_code == 200


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("The Lantern!", "The_Lantern"),
        ("Don't Look Back", "Dont_Look_Back"),
        ("Café Society", "Cafe_Society"),
        ("Spider-Man: Homecoming", "Spider_Man_Homecoming"),
        ("The Quiet Hours Before the Storm", "The_Quiet_Hours_Before"),
        ("Supercalifragilisticexpialidocious", "Supercalifragilisticexpi"),
        ("東京", "Untitled"),
        ("!!!", "Untitled"),
    ],
)
def test_safe_title(title, name):
    assert safe_title(title) == name
    assert len(name) <= 24
