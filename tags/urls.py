"""Tag URLs: the tag pages, the indexes and the wranglers' pages."""

from django.urls import path, re_path

from tags import views, wrangling_views

app_name = "tags"
urlpatterns = [
    path("tags/autocomplete", views.tag_autocomplete, name="autocomplete"),
    path("tags", views.tag_index, name="index"),
    path("fandoms", views.fandom_index, name="fandoms"),
    path("media", views.media_index, name="media"),
    re_path(r"^media/(?P<name>.+)/fandoms$", views.medium_fandoms, name="medium-fandoms"),
    path("tag_wranglings", wrangling_views.wrangling_home, name="wrangling"),
    path("tag_wranglings/changes", wrangling_views.change_list, name="changes"),
    path("tag_wranglings/changes/<int:change_id>/undo", wrangling_views.change_undo, name="undo"),
    # Escaped names never hold "/", but a percent-encoded one decodes to it: take the whole
    # rest. /tags/NAME/works and the feed are listings' (listings.urls, included first).
    re_path(r"^tags/(?P<name>.+)/edit$", wrangling_views.tag_edit, name="edit"),
    re_path(r"^tags/(?P<name>.+)/wrangle$", wrangling_views.fandom_queue, name="wrangle"),
    re_path(r"^tags/(?P<name>.+)$", views.tag_show, name="show"),
]
