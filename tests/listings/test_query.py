"""Listings and filters, checked against a plain Python computation over the same rows."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tags.models import Tag, TagKind
from works.models import TaggedWork, Work

WORKS = 1500


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """A few thousand rows of generated works, shared by this module's tests, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        # One writer: rows go through this connection, inside the transaction rolled back after.
        call_command("generate_works", works=WORKS, seed=11, writers=1, verbosity=0)
        yield snapshot()
        transaction.set_rollback(True)


def snapshot():
    """Every work as plain data, with its tags read from TaggedWork rows, not from tag_ids."""
    kinds = dict(Tag.objects.values_list("id", "kind"))
    tags_of = {}
    for work_id, tag_id in TaggedWork.objects.values_list("content_object_id", "tag_id"):
        tags_of.setdefault(work_id, set()).add(tag_id)
    works = []
    for work in Work.objects.all():
        tags = tags_of.get(work.pk, set())
        works.append(
            {
                "id": work.pk,
                "title": work.title,
                "public": work.posted and not work.restricted,
                "tags": tags,
                "fandoms": sum(1 for tag in tags if kinds[tag] == TagKind.FANDOM),
                "complete": work.complete,
                "words": work.word_count,
                "hits": work.hits,
                "updated": work.updated_at,
                "published": work.published,
                "language": work.language,
            }
        )
    return {"works": works, "kinds": kinds, "names": dict(Tag.objects.values_list("id", "name"))}


def newest_first(works):
    return [w["id"] for w in sorted(works, key=lambda w: (w["updated"], w["id"]), reverse=True)]


def listing(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = BeautifulSoup(response.content, "html.parser")
    # A listing counts in its h2 ("1 - 20 of 87 Works"), the search page as AO3's does, in
    # the h3 after its "Search Results" h2 ("87 Found").
    kind = "h3" if url.startswith("/works/search") else "h2"
    heading = page.find(kind, class_="heading").get_text(" ", strip=True)
    match = re.search(r"([\d,]+) (?:Works?|Found)", heading)
    total = int(match.group(1).replace(",", ""))
    ids = [int(li["id"].removeprefix("work_")) for li in page.select("li.work.blurb.group")]
    return total, ids, page


def tags_by_popularity(archive, kind, public_only=True):
    counts = Counter(
        tag
        for work in archive["works"]
        if work["public"] or not public_only
        for tag in work["tags"]
        if archive["kinds"][tag] == kind
    )
    return [tag for tag, _ in counts.most_common()]


def q(name):
    return name.replace("&", "%26").replace("#", "%23").replace("+", "%2B")


@pytest.mark.django_db
def test_tag_page_lists_exactly_the_public_works_with_that_tag(archive, client):
    for tag_id in tags_by_popularity(archive, TagKind.FANDOM)[:3]:
        name = Tag.objects.get(pk=tag_id).name
        expected = newest_first(w for w in archive["works"] if w["public"] and tag_id in w["tags"])
        total, ids, _ = listing(client, Tag.objects.get(pk=tag_id).get_absolute_url())
        assert total == len(expected), name
        assert ids == expected[:20]


@pytest.mark.django_db
def test_combined_filter_matches_python(archive, client):
    freeforms = tags_by_popularity(archive, TagKind.FREEFORM)
    fandom = tags_by_popularity(archive, TagKind.FANDOM)[0]
    include = [fandom, freeforms[0]]
    exclude = [freeforms[1], freeforms[2]]
    rating = Tag.objects.get(kind=TagKind.RATING, name="General Audiences").pk
    names = archive["names"]
    url = (
        f"/works?tag_id={q(names[include[0]])}"
        f"&work_search[other_tag_names]={q(names[include[1]])}"
        f"&work_search[excluded_tag_names]={q(names[exclude[0]])},{q(names[exclude[1]])}"
        f"&include_work_search[rating_ids][]={rating}&work_search[complete]=T"
    )
    expected = newest_first(
        w
        for w in archive["works"]
        if w["public"]
        and set(include) | {rating} <= w["tags"]
        and not set(exclude) & w["tags"]
        and w["complete"]
    )
    total, ids, _ = listing(Client(), url)
    assert total == len(expected)
    assert ids == expected[:20]


FILTERS = [
    ("work_search[complete]=T", lambda w, a: w["complete"]),
    ("work_search[complete]=F", lambda w, a: not w["complete"]),
    ("work_search[crossover]=T", lambda w, a: w["fandoms"] > 1),
    ("work_search[crossover]=F", lambda w, a: w["fandoms"] <= 1),
    ("work_search[words_from]=1,000&work_search[words_to]=20000",
     lambda w, a: 1000 <= w["words"] <= 20000),
    ("work_search[words_from]=50000", lambda w, a: w["words"] >= 50000),
    ("work_search[language_id]=en", lambda w, a: w["language"] == "en"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("query, keep", FILTERS)
def test_each_filter_matches_python(archive, client, query, keep):
    expected = newest_first(w for w in archive["works"] if w["public"] and keep(w, archive))
    total, ids, _ = listing(client, f"/works?{query}")
    assert total == len(expected)
    assert ids == expected[:20]


@pytest.mark.django_db
def test_date_range_matches_python(archive, client):
    days = sorted(w["updated"].date() for w in archive["works"])
    start, end = days[len(days) // 3], days[2 * len(days) // 3]
    expected = newest_first(
        w for w in archive["works"] if w["public"] and start <= w["updated"].date() <= end
    )
    url = f"/works?work_search[date_from]={start}&work_search[date_to]={end}"
    total, ids, _ = listing(client, url)
    assert total == len(expected)
    assert ids == expected[:20]


@pytest.mark.django_db
def test_include_and_exclude_by_id_of_each_kind(archive, client):
    for kind, param in [
        (TagKind.CHARACTER, "character_ids"),
        (TagKind.RELATIONSHIP, "relationship_ids"),
        (TagKind.ARCHIVE_WARNING, "archive_warning_ids"),
        (TagKind.CATEGORY, "category_ids"),
    ]:
        tag = tags_by_popularity(archive, kind)[0]
        expected = newest_first(w for w in archive["works"] if w["public"] and tag in w["tags"])
        total, ids, _ = listing(client, f"/works?include_work_search[{param}][]={tag}")
        assert (total, ids) == (len(expected), expected[:20]), kind
        expected = newest_first(w for w in archive["works"] if w["public"] and tag not in w["tags"])
        total, ids, _ = listing(client, f"/works?exclude_work_search[{param}][]={tag}")
        assert (total, ids) == (len(expected), expected[:20]), kind


def tag_with_a_few_pages(archive):
    """A tag on 41 to 200 public works: three pages or more, walked to the end."""
    counts = Counter(tag for w in archive["works"] if w["public"] for tag in w["tags"])
    return next(tag for tag, n in counts.most_common() if 41 <= n <= 200)


SORTS = {
    "revised_at": lambda w: (w["updated"], w["id"]),
    "created_at": lambda w: (w["published"], w["id"]),
    "title_to_sort_on": lambda w: (w["title"].lower(), w["id"]),
    "word_count": lambda w: (w["words"], w["id"]),
    "hits": lambda w: (w["hits"], w["id"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("column", SORTS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_pages_are_continuous_for_every_sort(archive, client, column, direction):
    tag = tag_with_a_few_pages(archive)
    works = [w for w in archive["works"] if w["public"] and tag in w["tags"]]
    key = SORTS[column]
    if column == "title_to_sort_on":
        # PostgreSQL's collation, not Python's, orders titles: check continuity only.
        expected = None
    else:
        expected = [w["id"] for w in sorted(works, key=key, reverse=direction == "desc")]
    seen = []
    url = f"/works?tag_id={q(archive['names'][tag])}&work_search[sort_column]={column}"
    url += f"&work_search[sort_direction]={direction}"
    pages = (len(works) + 19) // 20
    for number in range(1, pages + 1):
        _, ids, _ = listing(client, f"{url}&page={number}")
        seen += ids
    assert len(seen) == len(set(seen)) == len(works)
    if expected is not None:
        assert seen == expected


@pytest.mark.django_db
def test_free_text_search_finds_title_words_and_ranks(archive, client):
    work = Work.objects.filter(posted=True, restricted=False).order_by("id")[7]
    word = max(re.findall(r"[A-Za-z]{5,}", work.title), key=len)
    total, ids, _ = listing(
        client, f"/works/search?work_search[query]={word}&work_search[sort_column]=_score"
    )
    assert work.pk in ids or total > 20
    assert total >= 1


@pytest.mark.django_db
def test_exclusion_list_hides_works_everywhere_and_says_how_many(archive):
    client = Client()
    hidden = tags_by_popularity(archive, TagKind.FREEFORM)[0]
    response = client.post("/preferences/hidden-tags", {"hide": hidden})
    assert response.status_code == 302
    expected = newest_first(w for w in archive["works"] if w["public"] and hidden not in w["tags"])
    total, ids, page = listing(client, "/works")
    assert (total, ids) == (len(expected), expected[:20])
    hidden_count = sum(1 for w in archive["works"] if w["public"] and hidden in w["tags"])
    line = page.find("p", class_="hidden-works").get_text(" ", strip=True)
    assert line.startswith(f"{hidden_count:,} work")
    assert "hidden by your filters" in line

    user = get_user_model().objects.create_user("hider", password="a long passphrase")
    member = Client()
    member.force_login(user)
    member.post("/preferences/hidden-tags", {"hide_name": archive["names"][hidden]})
    assert user.reader_preference.hidden_tag_ids == [hidden]
    member.post("/preferences/hidden-tags", {"unhide": hidden})
    user.reader_preference.refresh_from_db()
    assert user.reader_preference.hidden_tag_ids == []


@pytest.mark.django_db
def test_tag_feed_is_atom(archive, client):
    tag_id = tags_by_popularity(archive, TagKind.FANDOM)[0]
    response = client.get(f"/tags/{tag_id}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    expected = newest_first(w for w in archive["works"] if w["public"] and tag_id in w["tags"])
    assert [e.find("a:link", ns).get("href").rsplit("/", 1)[1] for e in entries] == [
        str(i) for i in expected[:20]
    ]
    assert client.get("/tags/999999999/feed.atom").status_code == 404


@pytest.mark.django_db
def test_fandom_index_counts_match_python(archive, client):
    counts = Counter(
        tag
        for w in archive["works"]
        if w["public"]
        for tag in w["tags"]
        if archive["kinds"][tag] == TagKind.FANDOM
    )
    page = BeautifulSoup(client.get("/fandoms").content, "html.parser")
    shown = {}
    for li in page.select("ul.tags.index li"):
        name = li.find("a").get_text()
        shown[name] = int(
            re.search(r"\(([\d,]+)\)$", li.get_text(strip=True)).group(1).replace(",", "")
        )
    assert shown == {archive["names"][tag]: n for tag, n in counts.items()}


@pytest.mark.django_db
def test_facets_count_the_results(archive, client):
    tag = tags_by_popularity(archive, TagKind.CHARACTER)[0]
    works = [w for w in archive["works"] if w["public"] and tag in w["tags"]]
    _, _, page = listing(client, f"/works?include_work_search[character_ids][]={tag}")
    boxes = page.select('input[name="include_work_search[character_ids][]"]')
    checked = next(box for box in boxes if box["value"] == str(tag))
    assert checked.has_attr("checked")
    label = checked.find_parent("label").get_text(" ", strip=True)
    if len(works) <= 2000:
        assert label.endswith(f"({len(works):,})")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ("work_search[other_tag_names]=No Such Tag At All", "No such tag: No Such Tag At All"),
        ("work_search[words_from]=lots&work_search[words_to]=-5", "'lots' is not a whole number"),
        ("work_search[words_from]=999999999&work_search[words_to]=1", "range was backwards"),
        ("work_search[date_from]=2019-13-45", "'2019-13-45' is not a date"),
        ("work_search[sort_column]=kudos_count", "no kudos counts yet"),
        ("include_work_search[fandom_ids][]=abc", "'abc' is not a tag ID"),
        ("work_search[query]=" + "x" * 10_000, "cut to its first 200 characters"),
        ('work_search[query]="unbalanced -(', None),
        ("work_search[sort_column]=drop table", None),
    ],
)
def test_bad_input_gets_a_message_not_a_500(archive, client, query, message):
    response = client.get(f"/works?{query}")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("h2", class_="heading") is not None
    if message:
        assert message in page.get_text(" ")


@pytest.mark.django_db
def test_unknown_tag_is_reported_and_ignored(archive, client):
    total, _, page = listing(client, "/works?work_search[other_tag_names]=Nope Tag")
    assert "No such tag: Nope Tag" in page.get_text()
    assert total == sum(1 for w in archive["works"] if w["public"])


@pytest.mark.django_db
def test_pages_out_of_range_are_404(archive, client):
    assert client.get("/works?page=abc").status_code == 404
    assert client.get("/works?page=99999").status_code == 404
    assert client.get("/works?page=0").status_code == 404


@pytest.mark.django_db
def test_filter_form_keeps_what_was_chosen(archive, client):
    url = (
        "/works?work_search[complete]=T&work_search[words_from]=100"
        "&work_search[sort_column]=hits&work_search[query]=lantern"
    )
    _, _, page = listing(client, url)
    form = page.find("form", id="work-filters")
    assert form.find("input", attrs={"name": "work_search[complete]", "value": "T"}).has_attr(
        "checked"
    )
    assert form.find("input", attrs={"name": "work_search[words_from]"})["value"] == "100"
    assert form.find("option", value="hits").has_attr("selected")
    assert form.find("input", attrs={"name": "work_search[query]"})["value"] == "lantern"
