from django.urls import path, re_path

from tags import views

app_name = "tags"
urlpatterns = [
    path("tags/autocomplete", views.tag_autocomplete, name="autocomplete"),
    path("tags", views.tag_index, name="index"),
    path("tags/<int:tag_id>/feed.atom", views.TagFeed(), name="feed"),
    path("fandoms", views.fandom_index, name="fandoms"),
    path("media", views.fandom_index, name="media"),
    # Escaped names never hold "/", but a percent-encoded one decodes to it: take the whole rest.
    re_path(r"^tags/(?P<name>.+)/works$", views.tag_works, name="works"),
]
