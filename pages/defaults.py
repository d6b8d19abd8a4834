"""The About and Contact pages a new archive starts with."""

from django.db import DEFAULT_DB_ALIAS

from works.rendering import render_user_html

DEFAULT_PAGES = {
    "about": (
        "About the Archive",
        "<p>This is a fanfiction archive: readers find works by fandom, tag and search,"
        " and writers post their own. Works belong to their creators.</p>",
    ),
    "contact": (
        "Contact Us",
        "<p>To report a problem with a work or with the site, write to the people who run"
        " this archive. An admin can put their address here.</p>",
    ),
}


def create_default_pages(app_config, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """Create the default pages when there are no pages at all.

    A post_migrate handler rather than a data migration, as django.contrib.sites makes its
    default site: a test database emptied between tests gets them again, and an admin who
    keeps one page and deletes the other does not see it come back.
    """
    page_model = (apps or app_config.apps).get_model("pages", "Page")
    if page_model.objects.using(using).exists():
        return
    for slug, (title, content) in DEFAULT_PAGES.items():
        # The model given here is the migrations' copy, without Page.save's rendering.
        page = page_model(slug=slug, title=title, content=content)
        page.content_html = render_user_html(content)
        page.save(using=using)
