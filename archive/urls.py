"""The site's URLs, shaped like AO3's so readers' tools find their way."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from archive import accounts
from works import views as work_views

# The admin's login counts failed passwords with ours (accounts.throttles).
admin.site.login_form = accounts.AdminLoginForm

urlpatterns = [
    path("", work_views.home, name="home"),
    path("", include("works.urls")),
    path("", include("tags.urls")),
    path("users/login", accounts.login_view, name="login"),
    path("users/logout", accounts.logout_view, name="logout"),
    path("users/new", accounts.signup_view, name="signup"),
    path("users/password/change", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "users/password/changed",
        auth_views.PasswordChangeDoneView.as_view(template_name="users/message.html"),
        name="password_change_done",
    ),
    path(
        "users/password/reset",
        auth_views.PasswordResetView.as_view(template_name="users/password_reset.html"),
        name="password_reset",
    ),
    path(
        "users/password/reset/sent",
        auth_views.PasswordResetDoneView.as_view(template_name="users/message.html"),
        name="password_reset_done",
    ),
    path(
        "users/password/reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(template_name="users/password_change.html"),
        name="password_reset_confirm",
    ),
    path(
        "users/password/reset/done",
        auth_views.PasswordResetCompleteView.as_view(template_name="users/message.html"),
        name="password_reset_complete",
    ),
    path("users/<str:username>", work_views.user_home, name="user"),
    path("users/<str:username>/works", work_views.user_works, name="dashboard"),
    path("users/<str:username>/pseuds/<str:pseud>", work_views.pseud_works, name="pseud"),
    path(
        "users/<str:username>/pseuds/<str:pseud>/works",
        work_views.pseud_works,
        name="pseud-works",
    ),
    path("preferences/hidden-tags", work_views.hidden_tags, name="hidden-tags"),
    path("token_dispenser.json", accounts.token_dispenser, name="token-dispenser"),
    path("admin/", admin.site.urls),
]

# Database errors that escape the views' middleware still get the 503 page.
handler500 = "archive.middleware.server_error"
handler400 = "archive.middleware.bad_request"
