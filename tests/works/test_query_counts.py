"""How many queries the reading and browsing pages make, pinned to what they make today.

Every number here is exact on purpose: a page that starts making one more query must be a
deliberate choice, made by changing the number in the same change, never a surprise. The
default cache is a table of the database, so cache reads and writes are counted too: the
first request of each pair finds the cache empty, the second finds what the first stored.
"""

import pytest
from django.test import Client

from tags.models import Tag, TagKind
from tests.factories import make_author, make_work
from works import hits

# (page, visitor or member) → (queries of the first request, of the second). A new query
# must be a deliberate choice: change the number here in the change that adds it, and say why.
# A cache write is five queries (count, savepoint, look-up, insert, release), and the listings
# write one blurb per work shown, so their first requests grow with the works in `pages`.
EXPECTED = {
    ("chapter", "visitor"): (14, 4),
    ("chapter", "member"): (16, 6),
    ("full_work", "visitor"): (14, 4),
    ("full_work", "member"): (16, 6),
    ("tag", "visitor"): (54, 10),
    ("tag", "member"): (67, 17),
    ("listing", "visitor"): (48, 14),
    ("listing", "member"): (58, 18),
}


@pytest.fixture
def pages():
    """A three-chapter work among a few others, and the URL of each page that is counted."""
    tags = {
        TagKind.FANDOM: ["Lantern Keepers"],
        TagKind.CHARACTER: ["Alice", "Beatrice"],
        TagKind.RELATIONSHIP: ["Alice/Beatrice"],
    }
    work = make_work(chapters=3, tags={**tags, TagKind.FREEFORM: ["Fluff", "Slow Burn"]})
    make_work(tags={**tags, TagKind.FREEFORM: ["Fluff"]})
    make_work(tags={**tags, TagKind.FREEFORM: ["Fluff", "Angst"]}, complete=False)
    make_work(rating="Mature", tags={**tags, TagKind.FREEFORM: ["Angst"]})
    second = work.chapters.order_by("position")[1]
    rating = Tag.objects.get(kind=TagKind.RATING, name="General Audiences")
    fluff = Tag.objects.get(kind=TagKind.FREEFORM, name="Fluff")
    return {
        "chapter": f"/works/{work.pk}/chapters/{second.pk}",
        "full_work": f"/works/{work.pk}?view_full_work=true",
        "tag": "/tags/Lantern Keepers/works",
        "listing": (
            "/works?tag_id=Lantern Keepers"
            f"&include_work_search[freeform_ids][]={fluff.pk}"
            "&work_search[excluded_tag_names]=Angst"
            f"&include_work_search[rating_ids][]={rating.pk}"
            "&work_search[complete]=T"
        ),
    }


def _client(who):
    client = Client()
    if who == "member":
        client.force_login(make_author("reader_1"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["visitor", "member"])
@pytest.mark.parametrize("page", ["chapter", "full_work", "tag", "listing"])
def test_queries_per_page(pages, page, who, django_assert_num_queries, monkeypatch):
    client = _client(who)
    # Hits are written in batches (every FLUSH_EVERY visits or FLUSH_SECONDS), whichever page
    # is being served when one falls due; emptied here and not due again, none falls in these.
    hits.counter.flush()
    monkeypatch.setattr(hits, "FLUSH_SECONDS", 3600.0)
    for expected in EXPECTED[(page, who)]:
        with django_assert_num_queries(expected):
            response = client.get(pages[page])
        assert response.status_code == 200
