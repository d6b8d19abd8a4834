"""Wrangling: listings, counts and filters over a small tag graph, checked against a plain
Python closure over the same graph; the rules that refuse a bad graph; undo."""

import re

import pytest
from django.contrib.auth import get_user_model

from tags.models import Tag, TagKind, WranglingChange
from tags.wrangling import TagState, WranglingError, undo, wrangle
from tests.factories import make_tag, make_work
from works import services

pytestmark = pytest.mark.django_db

F, C, R, X = TagKind.FANDOM, TagKind.CHARACTER, TagKind.RELATIONSHIP, TagKind.FREEFORM

# The graph: name -> (kind, canonical, merger name, [parent names]).
GRAPH = {
    "Marvel": (F, True, None, []),
    "Marvel Cinematic Universe": (F, True, None, ["Marvel"]),
    "MCU": (F, False, "Marvel Cinematic Universe", []),
    "The Avengers (Marvel Comics)": (F, True, None, ["Marvel"]),
    "Star Trek": (F, True, None, []),
    "Natasha Romanov (Marvel)": (C, True, None, ["Marvel Cinematic Universe"]),
    "Natasha Romanoff": (C, False, "Natasha Romanov (Marvel)", []),
    "black widow": (C, False, "Natasha Romanov (Marvel)", []),
    "Tony Stark": (C, True, None, ["Marvel Cinematic Universe"]),
    "iron man tony": (C, False, None, []),
    "Spock": (C, True, None, ["Star Trek"]),
    "Angst": (X, True, None, []),
    "Hurt/Comfort": (X, True, None, ["Angst"]),
    "hurt and comfort": (X, False, "Hurt/Comfort", []),
    "Fluff": (X, True, None, []),
}
# Works: (title, tag names, public).
WORKS = [
    ("A", ["MCU", "black widow"], True),
    ("B", ["Marvel Cinematic Universe", "Natasha Romanoff", "Angst"], True),
    ("C", ["The Avengers (Marvel Comics)", "hurt and comfort"], True),
    ("D", ["Star Trek", "Spock", "Fluff"], True),
    ("E", ["Star Trek", "MCU", "Tony Stark", "Hurt/Comfort"], True),
    ("F", ["Marvel", "iron man tony"], True),
    ("G", ["Natasha Romanov (Marvel)", "Fluff"], False),  # restricted
]


def closure_up(name):
    """Every name filtering by which finds a work tagged `name`: itself, its canonical tag
    and every parent above that."""
    kind, canonical, merger, parents = GRAPH[name]
    found = {name}
    target = merger or name
    found.add(target)
    stack = list(GRAPH[target][3])
    while stack:
        parent = stack.pop()
        if parent not in found:
            found.add(parent)
            stack.extend(GRAPH[parent][3])
    return found


def expected_titles(filter_name, *, public_only=True):
    return sorted(
        title
        for title, names, public in WORKS
        if (public or not public_only) and any(filter_name in closure_up(n) for n in names)
    )


@pytest.fixture
def wrangler():
    return get_user_model().objects.create_user("wrangler", is_staff=True, is_superuser=True)


def build_graph(wrangler):
    tags = {name: make_tag(name, kind) for name, (kind, *_rest) in GRAPH.items()}
    works = {}
    for title, names, public in WORKS:
        by_kind = {}
        for name in names:
            by_kind.setdefault(GRAPH[name][0], []).append(name)
        works[title] = make_work(title=title, tags=by_kind, restricted=not public)
    # Canonical tags first, parents before their children, then synonyms.
    for name, (_kind, canonical, _merger, parents) in GRAPH.items():
        if canonical:
            state = TagState(canonical=True, parent_ids=frozenset(tags[p].pk for p in parents))
            wrangle(tags[name], state, by=wrangler)
    for name, (_kind, _canonical, merger, _parents) in GRAPH.items():
        if merger:
            wrangle(tags[name], TagState(merger_id=tags[merger].pk), by=wrangler)
    return tags, works


def listed_titles(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    ids = [int(pk) for pk in re.findall(r'<li id="work_(\d+)" class="work blurb group[ "]', html)]
    from works.models import Work

    return sorted(Work.objects.filter(pk__in=ids).values_list("title", flat=True))


def test_tag_pages_and_counts_follow_the_closure(client, wrangler):
    tags, _works = build_graph(wrangler)
    for name, (_kind, _canonical, merger, _parents) in GRAPH.items():
        tag = Tag.objects.get(pk=tags[name].pk)
        shown = merger or name
        assert listed_titles(client, tag.get_absolute_url()) == expected_titles(shown), name
        if not merger:
            assert tag.work_count == len(expected_titles(name)), name


def test_filters_include_and_exclude_by_name_and_id_follow_the_closure(client, wrangler):
    tags, _works = build_graph(wrangler)
    every = sorted(title for title, _names, public in WORKS if public)
    for name in GRAPH:
        tag = tags[name]
        canonical_name = GRAPH[name][2] or name
        included = expected_titles(canonical_name)
        by_name = listed_titles(client, f"/works?work_search[other_tag_names]={name}")
        assert by_name == included, name
        param = {F: "fandom_ids", C: "character_ids", X: "freeform_ids"}[GRAPH[name][0]]
        by_id = listed_titles(client, f"/works?include_work_search[{param}][]={tag.pk}")
        assert by_id == included, name
        excluded = listed_titles(client, f"/works?work_search[excluded_tag_names]={name}")
        assert excluded == sorted(set(every) - set(included)), name


def test_two_filters_and_a_logged_in_reader_see_the_restricted_work(client, wrangler):
    build_graph(wrangler)
    url = "/tags/Marvel/works?work_search[other_tag_names]=Natasha Romanov (Marvel)"
    assert listed_titles(client, url) == ["A", "B"]
    client.force_login(wrangler)
    assert listed_titles(client, url) == ["A", "B", "G"]


def test_facets_count_works_under_canonical_tags_and_leave_synonyms_out(get_page, wrangler):
    build_graph(wrangler)
    _response, page = get_page("/works")
    facets = {}
    for box in page.select('#work-filters input[name^="include_work_search"]'):
        name, count = re.fullmatch(r"(.*) \((\d+)\)", box.parent.get_text(" ", strip=True)).groups()
        facets[name] = int(count)
    for name, (_kind, _canonical, merger, _parents) in GRAPH.items():
        if merger:
            assert name not in facets
        else:
            assert facets.get(name, 0) == len(expected_titles(name)), name
    assert facets["Marvel"] == 5


def test_a_change_to_the_graph_shows_in_listings_and_counts_at_once(client, wrangler):
    tags, _works = build_graph(wrangler)
    mcu = tags["Marvel Cinematic Universe"]
    wrangle(mcu, TagState(canonical=True), by=wrangler)  # no longer under Marvel
    assert listed_titles(client, "/tags/Marvel/works") == ["C", "F"]
    assert Tag.objects.get(name="Marvel").work_count == 2
    change = WranglingChange.objects.filter(tag=mcu).first()
    undo(change, by=wrangler)
    assert listed_titles(client, "/tags/Marvel/works") == ["A", "B", "C", "E", "F"]
    assert Tag.objects.get(name="Marvel").work_count == 5
    assert WranglingChange.objects.filter(undoes=change).exists()


def test_posting_and_deleting_keep_totals_of_every_tag_above(wrangler):
    tags, works = build_graph(wrangler)
    before = {name: Tag.objects.get(name=name).work_count for name in ["Marvel", "Angst"]}
    work = make_work(tags={F: ["MCU"], X: ["hurt and comfort"]})
    after = {name: Tag.objects.get(name=name).work_count for name in ["Marvel", "Angst"]}
    assert after == {name: count + 1 for name, count in before.items()}
    services.work_delete(work)
    assert {name: Tag.objects.get(name=name).work_count for name in before} == before


def test_synonyms_of_one_fandom_make_no_crossover(client, wrangler):
    build_graph(wrangler)
    crossovers = listed_titles(client, "/works?work_search[crossover]=T")
    assert crossovers == ["E"]  # Star Trek and MCU; A (MCU only) and B are not crossovers


@pytest.mark.parametrize(
    ("name", "state", "message"),
    [
        ("Spock", lambda t: TagState(merger_id=t["Star Trek"].pk), "must be of the same kind"),
        ("iron man tony", lambda t: TagState(merger_id=t["black widow"].pk), "is not canonical"),
        ("Marvel", lambda t: TagState(canonical=True, parent_ids={t["MCU"].pk}), "not canonical"),
        (
            "Marvel",
            lambda t: TagState(canonical=True, parent_ids={t["Marvel Cinematic Universe"].pk}),
            "would make a loop",
        ),
        (
            "Tony Stark",
            lambda t: TagState(canonical=True, parent_ids={t["Angst"].pk}),
            "parents are fandom or character tags",
        ),
        ("Natasha Romanov (Marvel)", lambda t: TagState(), "has synonyms"),
        ("Marvel", lambda t: TagState(), "is the parent of"),
        ("Spock", lambda t: TagState(merger_id=t["Spock"].pk), "synonym of itself"),
        (
            "iron man tony",
            lambda t: TagState(merger_id=t["Tony Stark"].pk, parent_ids={t["Star Trek"].pk}),
            "neither canonical nor has parents",
        ),
        ("iron man tony", lambda t: TagState(parent_ids={t["Star Trek"].pk}), "Only canonical"),
    ],
)
def test_bad_changes_are_refused_with_a_message_and_change_nothing(wrangler, name, state, message):
    tags, _works = build_graph(wrangler)
    changes = WranglingChange.objects.count()
    before = TagState.of(Tag.objects.get(pk=tags[name].pk))
    with pytest.raises(WranglingError, match=message):
        wrangle(tags[name], state(tags), by=wrangler)
    assert TagState.of(Tag.objects.get(pk=tags[name].pk)) == before
    assert WranglingChange.objects.count() == changes


def test_ratings_warnings_and_categories_are_fixed(wrangler):
    make_work()
    rating = Tag.objects.get(kind=TagKind.RATING, name="General Audiences")
    assert rating.canonical
    with pytest.raises(WranglingError, match="are fixed"):
        wrangle(rating, TagState(canonical=False), by=wrangler)


def test_undo_is_refused_once_the_tag_changed_again(wrangler):
    tags, _works = build_graph(wrangler)
    tony = tags["iron man tony"]
    first = wrangle(tony, TagState(merger_id=tags["Tony Stark"].pk), by=wrangler)
    wrangle(tony, TagState(), by=wrangler)
    with pytest.raises(WranglingError, match="wrangled again since"):
        undo(first, by=wrangler)
    assert first.before == {"canonical": False, "merger": None, "parents": []}
    assert first.after["merger"] == tags["Tony Stark"].pk
    assert first.user == wrangler


def test_seed_fandom_can_be_pointed_at_a_real_fandom(client, wrangler):
    from django.core.management import call_command

    call_command("import_seeds", verbosity=0)
    seed_fandom = Tag.objects.get(kind=F, name="Natasha Romanov (Marvel)/Reader")
    assert not seed_fandom.canonical  # the import keeps tags as given
    real = make_tag("Marvel Cinematic Universe", F)
    wrangle(real, TagState(canonical=True), by=wrangler)
    wrangle(seed_fandom, TagState(merger_id=real.pk), by=wrangler)
    seed_titles = listed_titles(client, seed_fandom.get_absolute_url())
    assert seed_titles and listed_titles(client, real.get_absolute_url()) == seed_titles
    assert Tag.objects.get(pk=real.pk).work_count == len(seed_titles)


def test_fandom_index_lists_synonyms_under_their_canonical_fandom(get_page, wrangler):
    build_graph(wrangler)
    _response, page = get_page("/fandoms")
    listed = {a.get_text(): a.parent.get_text(" ", strip=True) for a in page.select("a.tag")}
    assert "MCU" not in listed
    assert listed["Marvel Cinematic Universe"].endswith(
        f"({len(expected_titles('Marvel Cinematic Universe'))})"
    )
    assert listed["Marvel"].endswith("(5)")


def test_a_listing_count_never_exceeds_the_tags_totals(get_page, wrangler, client, monkeypatch):
    """PostgreSQL's guess for a tag with many subtags can be several times the truth; the
    listing caps it by the tag's total, so it never offers pages with no works on them, and
    a visitor's plain tag page shows the stored total itself."""
    from archive import pagination as listing

    build_graph(wrangler)
    monkeypatch.setattr(listing, "EXACT_COUNT_LIMIT", 2)
    monkeypatch.setattr(listing, "ESTIMATE_CHECK", 1)
    monkeypatch.setattr(listing, "_planner_rows", lambda queryset: 1000)  # a wild guess

    def heading(url):
        _response, page = get_page(url)
        assert not page.select("ol.pagination li.next a")
        return page.find("h2", class_="heading").get_text(" ", strip=True)

    assert heading("/works?tag_id=Marvel&work_search[complete]=T").startswith(
        "1 - 5 of about 5 Works"
    )
    assert heading("/tags/Marvel/works").startswith("1 - 5 of 5 Works in")
    client.force_login(wrangler)  # a member also sees the restricted work "G"
    response = client.get("/tags/Marvel/works")
    assert "1 - 6 of about 6 Works" in response.content.decode()
    assert len(re.findall(r'class="work blurb group[ "]', response.content.decode())) == 6
