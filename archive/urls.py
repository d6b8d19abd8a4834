"""The site's URLs, shaped like AO3's so readers' tools find their way."""

from django.contrib import admin
from django.urls import include, path

from archive import accounts
from works import views as work_views

urlpatterns = [
    path("", work_views.home, name="home"),
    path("", include("works.urls")),
    path("", include("tags.urls")),
    path("users/login", accounts.login_view, name="login"),
    path("users/logout", accounts.logout_view, name="logout"),
    path("token_dispenser.json", accounts.token_dispenser, name="token-dispenser"),
    path("admin/", admin.site.urls),
]
