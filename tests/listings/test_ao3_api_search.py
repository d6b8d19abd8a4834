"""ao3-api's Search, unmodified and pointed at a live test server, finds this archive's works."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tags.models import TagKind
from tests.factories import make_author, make_work
from works.models import Work

AO3 = pytest.importorskip("AO3")
ao3_search = pytest.importorskip("AO3.search")
ao3_utils = pytest.importorskip("AO3.utils")

pytestmark = [
    # The live server's thread sees committed rows only.
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:The 'text' argument:DeprecationWarning"),
]


@pytest.fixture
def requested(ao3_api_requests):
    """The method, path and query of each request the client sent (tests/conftest.py)."""
    return ao3_api_requests


@pytest.fixture
def shelf():
    """Five works that differ in each way the search tells apart."""
    author = make_author("lamplighter")
    works = {
        "lantern": make_work(
            title="The Lantern Keeper",
            summary="<p>A lantern in the storm.</p>",
            pseud=author.pseuds.get(),
            tags={
                TagKind.FANDOM: ["Lighthouses"],
                TagKind.CHARACTER: ["The Keeper"],
                TagKind.RELATIONSHIP: ["Keeper/Sailor"],
                TagKind.FREEFORM: ["Storms"],
            },
        ),
        "long": make_work(
            title="A Long Lantern Night",
            chapters=[("", "<p>" + "lantern word " * 3000 + "</p>")],
            rating="Mature",
            tags={TagKind.FANDOM: ["Lighthouses"], TagKind.FREEFORM: ["Storms"]},
        ),
        "serial": make_work(
            title="Harbour Serial",
            chapters=3,
            complete=False,
            tags={TagKind.FANDOM: ["Lighthouses", "Harbours"]},
        ),
        "french": make_work(title="Le Phare", language="fr", tags={TagKind.FANDOM: ["Harbours"]}),
        "old": make_work(title="An Old Tale", tags={TagKind.FANDOM: ["Harbours"]}),
    }
    Work.objects.filter(pk=works["old"].pk).update(updated_at=timezone.now() - timedelta(days=60))
    Work.objects.filter(pk=works["long"].pk).update(hits=50)
    return works


def found(**criteria):
    search = ao3_search.Search(**criteria)
    search.update()
    return search


def ids(search):
    return {work.id for work in search.results}


def test_any_field_finds_by_best_match_and_counts_them(shelf, requested):
    search = found(any_field="lantern")
    assert [work.id for work in search.results] == [shelf["long"].pk, shelf["lantern"].pk]
    assert search.total_results == 2
    assert search.pages == 1
    assert requested == [("GET", "/works/search?work_search[query]=lantern")]
    first = search.results[1]
    assert first.title == "The Lantern Keeper"
    assert [author.username for author in first.authors] == ["lamplighter"]
    assert first.fandoms == ["Lighthouses"]
    assert first.rating == "General Audiences"
    assert first.characters == ["The Keeper"]
    assert first.relationships == ["Keeper/Sailor"]
    assert first.tags == ["Storms"]


def test_each_field_narrows_the_results(shelf, requested):
    Constraint = ao3_utils.Constraint
    everything = set(ids(found()))
    assert everything == {work.pk for work in shelf.values()}
    assert ids(found(title="lantern keeper")) == {shelf["lantern"].pk}
    assert ids(found(author="lamplighter")) == {shelf["lantern"].pk}
    assert ids(found(single_chapter=True)) == everything - {shelf["serial"].pk}
    assert ids(found(word_count=Constraint(1000))) == {shelf["long"].pk}
    assert ids(found(word_count=Constraint(0, 1000))) == everything - {shelf["long"].pk}
    assert ids(found(language="fr")) == {shelf["french"].pk}
    assert ids(found(fandoms="Harbours, Lighthouses")) == {shelf["serial"].pk}
    assert ids(found(characters="The Keeper")) == {shelf["lantern"].pk}
    assert ids(found(relationships="Keeper/Sailor")) == {shelf["lantern"].pk}
    assert ids(found(tags="Storms")) == {shelf["lantern"].pk, shelf["long"].pk}
    assert ids(found(rating=12)) == {shelf["long"].pk}
    assert ids(found(hits=Constraint(10, 100))) == {shelf["long"].pk}
    assert ids(found(crossovers=True)) == {shelf["serial"].pk}
    assert ids(found(crossovers=False)) == everything - {shelf["serial"].pk}
    assert ids(found(completion_status=False)) == {shelf["serial"].pk}
    assert ids(found(excluded_tags="Harbours")) == {shelf["lantern"].pk, shelf["long"].pk}
    assert ids(found(revised_at="> 4 weeks")) == {shelf["old"].pk}
    assert ids(found(revised_at="< 4 weeks")) == everything - {shelf["old"].pk}
    # Nothing counts kudos, comments or bookmarks yet: every work has none.
    assert ids(found(kudos=Constraint(0, 5), comments=Constraint(0, 5))) == everything
    assert ids(found(bookmarks=Constraint(1))) == set()


def test_sort_columns_and_directions(shelf, requested):
    by_words = found(sort_column=ao3_search.WORD_COUNT, sort_direction=ao3_search.ASCENDING)
    words = [work.words for work in by_words.results]
    assert words == sorted(words)
    assert by_words.results[-1].id == shelf["long"].pk
    by_title = found(sort_column=ao3_search.TITLE, sort_direction=ao3_search.ASCENDING)
    assert [work.title for work in by_title.results] == sorted(
        (work.title for work in shelf.values()), key=str.lower
    )


def test_no_results_reads_as_an_empty_search(shelf, requested):
    search = found(any_field="nowhere to be found")
    assert search.results == []
    assert search.total_results == 0
