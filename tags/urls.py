from django.urls import re_path

from tags import views

app_name = "tags"
urlpatterns = [
    # Escaped names never hold "/", but a percent-encoded one decodes to it: take the whole rest.
    re_path(r"^tags/(?P<name>.+)/works$", views.tag_works, name="works"),
]
