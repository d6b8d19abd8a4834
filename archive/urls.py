"""The site's URLs, shaped like AO3's so readers' tools find their way."""

from django.contrib import admin
from django.urls import include, path

from works import views as work_views

urlpatterns = [
    path("", work_views.home, name="home"),
    path("", include("works.urls")),
    path("", include("tags.urls")),
    path("admin/", admin.site.urls),
]
