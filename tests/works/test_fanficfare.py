"""FanFicFare's AO3 adapter, pointed at a live test server, downloads works from this archive."""

import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ebooklib import ITEM_DOCUMENT, epub

from tags.models import TagKind
from tests.factories import make_work

fanficfare = pytest.importorskip("fanficfare")
ao3 = pytest.importorskip("fanficfare.adapters.adapter_archiveofourownorg")
ffadapters = pytest.importorskip("fanficfare.adapters")
configurable = pytest.importorskip("fanficfare.configurable")
ffexceptions = pytest.importorskip("fanficfare.exceptions")
writers = pytest.importorskip("fanficfare.writers")

pytestmark = [
    # The live server's thread sees committed rows only.
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Call to deprecated method:DeprecationWarning"),
]

AO3 = "https://archiveofourown.org"


@pytest.fixture
def requested(live_server, monkeypatch):
    """Point the AO3 adapter at the live server; the paths it asks for, in order.

    The adapter builds every URL as https:// plus its site domain and passes each through
    `mod_url_request` before fetching, so rewriting there moves the whole site in one place,
    while the adapter keeps its own URL pattern and [archiveofourown.org] settings.
    """
    paths = []

    def to_live_server(self, url):
        if url.startswith(AO3 + "/"):
            url = live_server.url + url.removeprefix(AO3)
            paths.append(url.removeprefix(live_server.url))
        if not url.startswith(live_server.url + "/"):
            raise AssertionError(f"FanFicFare tried to fetch {url} outside the test server")
        return url

    monkeypatch.setattr(ao3.ArchiveOfOurOwnOrgAdapter, "mod_url_request", to_live_server)
    # requests honours proxy variables, and the test server must be reached directly.
    monkeypatch.setenv("no_proxy", "*")
    # Importing fanficfare logs every request at DEBUG; keep failure reports readable.
    logger = logging.getLogger("fanficfare")
    level = logger.level
    logger.setLevel(logging.INFO)
    yield paths
    logger.setLevel(level)


def adapter_for(url, *, is_adult=False, **options):
    """FanFicFare's adapter for an AO3 URL, set up from its own defaults.ini and `options`."""
    config = configurable.Configuration(ffadapters.getConfigSectionsFor(url), "epub")
    config.read(str(Path(fanficfare.__file__).with_name("defaults.ini")))
    if not config.has_section("overrides"):
        config.add_section("overrides")
    overrides = {
        "slow_down_sleep_time": "0",
        "include_images": "false",
        "never_make_cover": "true",
        "is_adult": "true" if is_adult else "false",
        **options,
    }
    for option, value in overrides.items():
        config.set("overrides", option, value)
    return ffadapters.getAdapter(config, url)


def paragraphs(html):
    return [p.get_text() for p in BeautifulSoup(html, "html.parser").find_all("p")]


def three_chapter_work():
    return make_work(
        title="The Keeper's Log",
        summary="<p>A lighthouse, a storm, a landing.</p>",
        notes="<p>Written for the lighthouse week.</p>",
        end_notes="<p>Thanks for reading.</p>",
        chapters=[
            ("Arrival", "<p>The boat came in at dusk.</p>"),
            ("The Storm", "<p>Rain hammered the lamp room.</p><p>Nobody slept.</p>"),
            ("Landfall", "<p>Morning, and the sea was flat.</p>"),
        ],
        rating="Teen And Up Audiences",
        warnings=["No Archive Warnings Apply"],
        tags={
            TagKind.CATEGORY: ["F/M"],
            TagKind.FANDOM: ["Original Work"],
            TagKind.RELATIONSHIP: ["Keeper/Sailor"],
            TagKind.CHARACTER: ["The Keeper", "The Sailor"],
            TagKind.FREEFORM: ["Storms", "Found Family"],
        },
    )


def test_downloads_a_three_chapter_work(requested):
    work = three_chapter_work()
    chapter_ids = list(work.chapters.values_list("pk", flat=True))

    story = adapter_for(f"{AO3}/works/{work.pk}").getStory()

    assert story.getMetadata("title") == "The Keeper's Log"
    assert story.getMetadata("author") == "Anonymous"
    assert story.getMetadata("byline") == "Anonymous"
    assert story.getMetadata("description") == (
        '<div class="userstuff"><p>A lighthouse, a storm, a landing.</p></div>'
    )
    assert story.getMetadata("rating") == "Teen And Up Audiences"
    assert story.getList("warnings") == ["No Archive Warnings Apply"]
    assert story.getList("ao3categories") == ["F/M"]
    assert story.getList("fandoms") == ["Original Work"]
    assert story.getList("ships") == ["Keeper/Sailor"]
    assert story.getList("characters") == ["The Keeper", "The Sailor"]
    assert story.getList("freeformtags") == ["Found Family", "Storms"]
    assert story.getMetadata("language") == "English"
    assert story.getMetadata("numWords") == str(work.word_count)
    assert story.getMetadata("chapterslashtotal") == "3/3"
    assert story.getMetadata("status") == "Completed"
    assert story.getMetadata("datePublished") == work.published.isoformat()

    chapters = story.getChapters()
    assert [c["title"] for c in chapters] == ["1. Arrival", "2. The Storm", "3. Landfall"]
    assert [c["url"] for c in chapters] == [
        f"{AO3}/works/{work.pk}/chapters/{i}" for i in chapter_ids
    ]
    # The work's notes open the first chapter and its end notes close the last.
    assert paragraphs(chapters[0]["html"]) == [
        "Written for the lighthouse week.",
        "The boat came in at dusk.",
    ]
    assert paragraphs(chapters[1]["html"]) == ["Rain hammered the lamp room.", "Nobody slept."]
    assert paragraphs(chapters[2]["html"]) == [
        "Morning, and the sea was flat.",
        "Thanks for reading.",
    ]

    # Index, work page (a redirect to chapter 1), then every chapter from the full-work page.
    assert requested == [
        f"/works/{work.pk}/navigate",
        f"/works/{work.pk}",
        f"/works/{work.pk}?view_full_work=true",
    ]


@pytest.mark.parametrize(
    ("chapters", "titles"),
    [
        pytest.param([("", "<p>Only chapter.</p>")], ["After Hours"], id="one-shot"),
        pytest.param(
            [("Before", "<p>First part.</p>"), ("After", "<p>Second part.</p>")],
            ["1. Before", "2. After"],
            id="two-chapters",
        ),
    ],
)
def test_downloads_an_explicit_work_once_the_reader_says_they_are_adult(
    requested, chapters, titles
):
    work = make_work(
        title="After Hours",
        chapters=chapters,
        rating="Explicit",
        warnings=["Graphic Depictions Of Violence", "Major Character Death"],
        tags={
            TagKind.FANDOM: ["Marvel", "Original Work"],
            TagKind.RELATIONSHIP: ["Natasha Romanov (Marvel)/Reader"],
            TagKind.FREEFORM: ["Smut"],
        },
    )

    with pytest.raises(ffexceptions.AdultCheckRequired):
        adapter_for(f"{AO3}/works/{work.pk}").getStoryMetadataOnly()

    requested.clear()
    story = adapter_for(f"{AO3}/works/{work.pk}", is_adult=True).getStory()

    assert story.getMetadata("title") == "After Hours"
    assert story.getMetadata("author") == "Anonymous"
    assert story.getMetadata("rating") == "Explicit"
    assert story.getList("warnings") == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.getList("fandoms") == ["Marvel", "Original Work"]
    assert story.getList("ships") == ["Natasha Romanov (Marvel)/Reader"]
    assert story.getList("freeformtags") == ["Smut"]
    assert [c["title"] for c in story.getChapters()] == titles
    texts = [paragraphs(c["html"]) for c in story.getChapters()]
    assert texts == [[text.removeprefix("<p>").removesuffix("</p>")] for _, text in chapters]
    # The consent travels as a parameter on every request; FanFicFare sends no gate cookie.
    assert requested
    assert all("view_adult=true" in path for path in requested)


def test_writes_an_epub_of_the_work(requested, tmp_path):
    work = three_chapter_work()
    adapter = adapter_for(f"{AO3}/works/{work.pk}")
    path = tmp_path / "work.epub"

    writers.getWriter("epub", adapter.configuration, adapter).writeStory(
        outfilename=str(path), forceOverwrite=True
    )

    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == "The Keeper's Log"
    assert book.get_metadata("DC", "creator")[0][0] == "Anonymous"
    subjects = {value for value, _ in book.get_metadata("DC", "subject")}
    assert {"Original Work", "Keeper/Sailor", "Found Family", "Storms"} <= subjects
    pages = {
        item.get_name(): item.get_content().decode()
        for item in book.get_items_of_type(ITEM_DOCUMENT)
    }
    chapter_pages = [pages[name] for name in sorted(pages) if name.startswith("OEBPS/file")]
    assert len(chapter_pages) == 3
    assert "The Storm" in chapter_pages[1]
    assert "Rain hammered the lamp room." in chapter_pages[1]


def test_a_missing_work_is_reported_as_not_existing(requested):
    missing = make_work().pk + 1000

    with pytest.raises(ffexceptions.StoryDoesNotExist):
        adapter_for(f"{AO3}/works/{missing}").getStoryMetadataOnly()
    assert requested == [f"/works/{missing}/navigate"]


def test_a_short_chapter_url_finds_its_work(requested):
    work = three_chapter_work()
    chapter = work.chapters.get(position=2)

    # The adapter learns the work's ID from the chapter page's download links.
    story = adapter_for(f"{AO3}/chapters/{chapter.pk}").getStoryMetadataOnly()

    assert story.getMetadata("storyUrl") == f"{AO3}/works/{work.pk}"
    assert story.getMetadata("title") == "The Keeper's Log"
    assert requested[:2] == [f"/chapters/{chapter.pk}", f"/works/{work.pk}/navigate"]


def test_logs_in_to_download_a_restricted_work(requested, django_user_model):
    django_user_model.objects.create_user("reader_1", password="correct horse battery")
    work = make_work(
        title="Members Only",
        chapters=[("Door", "<p>Knock twice.</p>"), ("Room", "<p>Inside at last.</p>")],
        restricted=True,
    )
    url = f"{AO3}/works/{work.pk}"

    story = adapter_for(url, username="reader_1", password="correct horse battery").getStory()

    assert story.getMetadata("title") == "Members Only"
    assert story.getMetadata("restricted") == "Restricted"
    assert [c["title"] for c in story.getChapters()] == ["1. Door", "2. Room"]
    assert [paragraphs(c["html"]) for c in story.getChapters()] == [
        ["Knock twice."],
        ["Inside at last."],
    ]
    # Sent to the login page, it logs in the way AO3 expects, then reads as a member.
    assert requested == [
        f"/works/{work.pk}/navigate",
        "/token_dispenser.json",
        "/users/login",
        f"/works/{work.pk}/navigate",
        f"/works/{work.pk}",
        f"/works/{work.pk}?view_full_work=true",
    ]
