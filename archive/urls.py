"""The site's URLs, shaped like AO3's so readers' tools find their way."""

from django.contrib import admin
from django.urls import include, path

from accounts import pseuds
from accounts.forms import AdminLoginForm
from listings import views as listing_views
from pages import views as page_views
from works import cocreators

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
    path("users/<str:username>/profile", listing_views.profile, name="profile"),
    path("users/<str:username>/creatorships", cocreators.creatorships, name="creatorships"),
    path("users/<str:username>/pseuds", pseuds.pseud_index, name="pseuds"),
    # Before the pseud pages: "new" is no pseud's name (accounts.services).
    path("users/<str:username>/pseuds/new", pseuds.pseud_new, name="pseud-new"),
    path("users/<str:username>/pseuds/<str:pseud>", listing_views.pseud_works, name="pseud"),
    path("users/<str:username>/pseuds/<str:pseud>/edit", pseuds.pseud_edit, name="pseud-edit"),
    path(
        "users/<str:username>/pseuds/<str:pseud>/delete", pseuds.pseud_delete, name="pseud-delete"
    ),
    path(
        "users/<str:username>/pseuds/<str:pseud>/works",
        listing_views.pseud_works,
        name="pseud-works",
    ),
    path("admin/", admin.site.urls),
    # Pages an admin edits (pages.Page), at AO3's addresses.
    path("about", page_views.page, {"slug": "about"}, name="about"),
    path("contact", page_views.page, {"slug": "contact"}, name="contact"),
]

# Database errors that escape the views' middleware still get the 503 page.
handler500 = "archive.middleware.server_error"
handler400 = "archive.middleware.bad_request"
