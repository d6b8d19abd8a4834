from django.urls import path, re_path

from tags import views

app_name = "tags"
urlpatterns = [
    path("tags/autocomplete", views.tag_autocomplete, name="autocomplete"),
    # Escaped names never hold "/", but a percent-encoded one decodes to it: take the whole rest.
    re_path(r"^tags/(?P<name>.+)/works$", views.tag_works, name="works"),
]
