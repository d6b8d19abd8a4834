"""The site's URLs, shaped like AO3's so readers' tools find their way."""

from django.contrib import admin
from django.urls import include, path

from accounts.forms import AdminLoginForm
from listings import views as listing_views

# The admin's login counts failed passwords with ours (accounts.throttles).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", listing_views.home, name="home"),
    path("", include("works.urls")),
    # Before tags': /tags/NAME/works and a tag's feed would otherwise be read as tag names.
    path("", include("listings.urls")),
    path("", include("tags.urls")),
    # Account pages, then the /users/NAME pages the rest of /users/ would otherwise shadow.
    path("", include("accounts.urls")),
    path("users/<str:username>", listing_views.user_home, name="user"),
    path("users/<str:username>/works", listing_views.user_works, name="dashboard"),
    path("users/<str:username>/pseuds/<str:pseud>", listing_views.pseud_works, name="pseud"),
    path(
        "users/<str:username>/pseuds/<str:pseud>/works",
        listing_views.pseud_works,
        name="pseud-works",
    ),
    path("admin/", admin.site.urls),
]

# Database errors that escape the views' middleware still get the 503 page.
handler500 = "archive.middleware.server_error"
handler400 = "archive.middleware.bad_request"
