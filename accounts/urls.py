"""Account URLs, as AO3 has them: /users/login, /users/new, password change and reset."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# No namespace: AO3's pages link these by their plain names ("login", "signup").
urlpatterns = [
    path("users/login", views.login_view, name="login"),
    path("users/logout", views.logout_view, name="logout"),
    path("users/new", views.signup_view, name="signup"),
    path("users/password/change", views.PasswordChangeView.as_view(), name="password_change"),
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
    path("preferences/hidden-tags", views.hidden_tags, name="hidden-tags"),
    path("token_dispenser.json", views.token_dispenser, name="token-dispenser"),
]
