"""Listing URLs: all works, search, a tag's works and its feed, a language's works."""

from django.urls import path, re_path

from listings import feeds, views

app_name = "listings"
urlpatterns = [
    path("works", views.work_index, name="index"),
    path("works/search", views.work_search, name="search"),
    path("languages", views.language_index, name="languages"),
    path("languages/<str:code>", views.language_show, name="language"),
    path("languages/<str:code>/works", views.language_works, name="language-works"),
    path("tags/<int:tag_id>/feed.atom", feeds.TagFeed(), name="tag-feed"),
    # Escaped names never hold "/", but a percent-encoded one decodes to it: take the whole rest.
    re_path(r"^tags/(?P<name>.+)/works$", views.tag_works, name="tag-works"),
]
