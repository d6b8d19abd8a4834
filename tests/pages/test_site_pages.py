"""The About and Contact pages: there from the first migrate, and rows an admin edits."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from pages.models import Page
from tags.models import Tag
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


def main_text(response):
    return BeautifulSoup(response.content, "html.parser").find(id="main").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("path", "title", "text"),
    [("/about", "About", "readers find works"), ("/contact", "Contact", "write to the people")],
)
def test_about_and_contact_exist_from_the_start(client, path, title, text):
    response = client.get(path)
    assert response.status_code == 200
    assert title in main_text(response)
    assert text in main_text(response)
    assert Page.objects.filter(slug=path[1:]).exists()


def test_every_page_links_to_about_and_contact(client):
    footer = BeautifulSoup(client.get("/").content, "html.parser").find(id="footer")
    assert [a["href"] for a in footer.find_all("a")] == ["/about", "/contact"]


def test_an_admin_edits_the_about_page_and_its_text_is_sanitized(client):
    admin = make_author("site_admin", staff=True)
    admin.is_superuser = True
    admin.save()
    page = Page.objects.get(slug="about")
    editor = Client()
    editor.force_login(admin)
    response = editor.post(
        f"/admin/pages/page/{page.pk}/change/",
        {
            "title": "About Us",
            "slug": "about",
            "content": "<p>Run by volunteers since 2026.</p><script>alert(1)</script>",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.get("/about")
    assert "About Us" in main_text(response)
    assert "Run by volunteers since 2026." in main_text(response)
    assert BeautifulSoup(response.content, "html.parser").find(id="main").find("script") is None


def test_a_deleted_page_is_a_404_that_names_it(client):
    Page.objects.filter(slug="contact").delete()
    response = client.get("/contact")
    assert response.status_code == 404
    assert "There is no page 'contact'" in main_text(response)


def test_feed_links_keep_the_host_and_port_the_reader_used(client):
    """No sites framework: links are built from the request, port included."""
    make_work(title="Fed")
    tag = Tag.objects.get(name="General Audiences")
    feed = client.get(f"/tags/{tag.pk}/feed.atom", HTTP_HOST="localhost:8000")
    assert 'href="http://localhost:8000/tags/' in feed.content.decode()
