"""Tag pages: every tag links to a page listing its works, 20 to a page."""

import pytest
from django.test import Client

from tags.escaping import escape_tag, unescape_tag
from tags.models import Tag, TagKind
from tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, url",
    [
        (
            "Natasha Romanov (Marvel)/Reader",
            "/tags/Natasha%20Romanov%20(Marvel)*s*Reader/works",
        ),
        (
            "Natasha Romanov (Marvel) & Reader",
            "/tags/Natasha%20Romanov%20(Marvel)%20*a*%20Reader/works",
        ),
        ("Dr. Who?", "/tags/Dr*d*%20Who*q*/works"),
        ("#1 Fan", "/tags/*h*1%20Fan/works"),
        ("Éowyn's Story!", "/tags/%C3%89owyn's%20Story!/works"),
    ],
)
def test_tag_urls_follow_ao3_escaping_and_lead_to_the_tag(name, url):
    tag = Tag.objects.create(name=name, kind=TagKind.FREEFORM)
    assert tag.get_absolute_url() == url
    assert unescape_tag(escape_tag(name)) == name
    work = make_work(title="Tagged", tags={TagKind.FREEFORM: [name]})
    response = Client().get(url)
    assert response.status_code == 200
    assert f'id="work_{work.pk}"' in response.content.decode()


def test_tag_page_lists_works_newest_first_with_header_and_pagination(get_page):
    works = [make_work(title=f"Story {n:02}", tags={TagKind.FANDOM: ["Marvel"]}) for n in range(25)]
    make_work(title="Elsewhere", tags={TagKind.FANDOM: ["DC"]})
    response, page = get_page("/tags/Marvel/works")
    assert response.status_code == 200
    heading = page.find("h2", class_="heading")
    assert heading.get_text(" ", strip=True) == "1 - 20 of 25 Works in Marvel"
    blurbs = page.select("ol.work.index.group > li.work.blurb.group")
    assert len(blurbs) == 20
    assert blurbs[0]["id"] == f"work_{works[-1].pk}"  # the newest update first
    assert blurbs[0]["role"] == "article"
    pagination = page.find("ol", class_="pagination actions")
    assert pagination["role"] == "navigation" and pagination["title"] == "pagination"
    assert pagination.find("span", class_="current").get_text() == "1"
    assert pagination.select_one("li.next a")["href"] == "?page=2"

    response, page = get_page("/tags/Marvel/works?page=2")
    blurbs = page.select("ol.work.index.group > li.work.blurb.group")
    assert [b["id"] for b in blurbs] == [f"work_{w.pk}" for w in reversed(works[:5])]
    assert page.find("h2", class_="heading").get_text(" ", strip=True).startswith("21 - 25 of 25")
    assert "Elsewhere" not in page.get_text()


def test_blurb_markup(get_page):
    work = make_work(
        title="Blurbed",
        summary="<p>Short summary.</p>",
        tags={
            TagKind.FANDOM: ["Marvel"],
            TagKind.RELATIONSHIP: ["A/B"],
            TagKind.CHARACTER: ["A"],
            TagKind.FREEFORM: ["Fluff"],
        },
    )
    _, page = get_page("/tags/Fluff/works")
    blurb = page.find("li", id=f"work_{work.pk}")
    assert blurb["class"] == ["work", "blurb", "group", f"work-{work.pk}"]
    header = blurb.find("div", class_="header module")
    assert header.select_one("h4.heading a")["href"] == f"/works/{work.pk}"
    assert [a.get_text() for a in header.select("h5.fandoms.heading a.tag")] == ["Marvel"]
    assert header.select("ul.required-tags > li span")
    assert header.find("p", class_="datetime").get_text() == work.updated_at.strftime("%d %b %Y")
    tags = blurb.find("ul", class_="tags commas")
    assert [li["class"][0] for li in tags.find_all("li")] == [
        "warnings",
        "relationships",
        "characters",
        "freeforms",
    ]
    assert blurb.find("blockquote", class_="userstuff summary").get_text() == "Short summary."
    assert blurb.find("dl", class_="stats").find("dd", class_="words").get_text() == "10"


def test_tag_names_match_case_insensitively_and_across_kinds(get_page):
    work = make_work(tags={TagKind.FANDOM: ["A & B"], TagKind.RELATIONSHIP: ["A & B"]})
    response, page = get_page("/tags/a%20*a*%20b/works")
    assert response.status_code == 200
    assert len(page.select(f"li#work_{work.pk}")) == 1


def test_unknown_tag_and_bad_pages_are_404(client):
    make_work(tags={TagKind.FREEFORM: ["Fluff"]})
    assert client.get("/tags/No%20Such%20Tag/works").status_code == 404
    assert client.get("/tags/Fluff/works?page=abc").status_code == 404
    assert client.get("/tags/Fluff/works?page=2").status_code == 404
    assert client.get("/tags/Fluff/works?page=0").status_code == 404


def test_tag_page_without_visible_works_says_so(get_page):
    make_work(tags={TagKind.FREEFORM: ["Secret"]}, restricted=True)
    # Canonical, so shown to visitors although only a restricted work has it (see
    # tests/tags/test_tag_visibility.py).
    Tag.objects.filter(name="Secret").update(canonical=True)
    response, page = get_page("/tags/Secret/works")
    assert response.status_code == 200
    assert page.find("h2", class_="heading").get_text(" ", strip=True) == "0 Works in Secret"
    assert page.find("p", class_="empty notice") is not None


def test_home_lists_recent_works_or_an_empty_state(get_page):
    _, page = get_page("/")
    assert page.find("p", class_="empty notice") is not None
    work = make_work(title="Fresh")
    _, page = get_page("/")
    assert page.select_one(f"ol.work.index.group li#work_{work.pk} h4.heading a").text == "Fresh"
