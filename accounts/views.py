"""Account pages: signing up, logging in and out with AO3's URLs, changing a password, and
the reader's hidden-tags list."""

from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.db import IntegrityError
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import services, throttles
from accounts.forms import USERNAME_TAKEN, LoginForm, PasswordChangeForm, SignupForm
from accounts.preferences import hidden_tag_ids, save_hidden_tag_ids
from archive.parameters import object_id
from tags.models import Tag

RESTRICTED_NOTICE = "This work is only available to registered users of the Archive."
REMEMBER_ME_AGE = 60 * 60 * 24 * 14


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "users/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


# ao3-api POSTs these in the query string with an empty body, which Rails reads as the
# form; a field in the body wins.
LOGIN_FIELDS = ("user[login]", "user[password]", "user[remember_me]", "return_to")


def _login_data(request):
    """The login form's fields on a POST: the body's, then the query string's."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    for field in LOGIN_FIELDS:
        if field not in data and field in request.GET:
            data.setlist(field, request.GET.getlist(field))
    return data


def _safe_return_to(request, data=None):
    target = (data or request.POST).get("return_to") or request.GET.get("return_to") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    data = _login_data(request)
    form = LoginForm(data or None, request=request)
    if data is not None and form.is_valid():
        login(request, form.user)
        if not form.cleaned_data["user[remember_me]"]:
            request.session.set_expiry(0)
        else:
            request.session.set_expiry(REMEMBER_ME_AGE)
        return redirect(_safe_return_to(request, data))
    context = {
        "form": form,
        "typed_login": (data or {}).get("user[login]", ""),
        "return_to": _safe_return_to(request, data),
        "restricted": request.GET.get("restricted") == "true",
        "restricted_notice": RESTRICTED_NOTICE,
    }
    # A wrong password is a 200 page, as on AO3: clients such as FanFicFare tell a failed
    # login by the missing logout link and would mistake a 4xx for a broken site.
    status = 429 if form.throttled else 200
    response = render(request, "users/login.html", context, status=status)
    if form.throttled:
        response["Retry-After"] = str(throttles.FAILURE_WINDOW)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request):
    if request.method == "POST":
        logout(request)
        return redirect("/")
    return render(request, "users/logout.html")


@never_cache
def token_dispenser(request):
    return JsonResponse({"token": get_token(request)})


def _username_taken(error):
    """Whether the insert lost the race for its name to another sign-up (the unique index on
    lower(username), accounts' migration 0002, or auth's own on the exact name)."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    return constraint in {"accounts_username_lower_unique", "auth_user_username_key"}


@never_cache
@require_http_methods(["GET", "POST"])
def signup_view(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except IntegrityError as error:
            # The form's check saw the name free, but a sign-up at the same moment took it.
            if not _username_taken(error):
                raise
            form.add_error("username", USERNAME_TAKEN)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard", username=user.username)
    return render(request, "users/new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def hidden_tags(request):
    """The reader's exclusion list: add a tag by id or name, remove ticked ones."""
    hidden = set(hidden_tag_ids(request))
    error, typed = "", ""
    if request.method == "POST":
        visible = Tag.objects.visible_to(request.user)
        hidden -= {object_id(value) for value in request.POST.getlist("unhide")}
        if raw_id := request.POST.get("hide", "").strip():
            tag_id = object_id(raw_id)
            tag = visible.filter(pk=tag_id).first() if tag_id else None
            if tag:
                hidden.add(tag.pk)
            elif tag_id:
                error = f"There is no tag with ID {tag_id}."
            else:
                error = f"'{raw_id[:20]}' is not a tag ID."
        name = request.POST.get("hide_name", "").strip()
        # Shown back as a browser shows a NUL; no tag is named with one, which PostgreSQL
        # text cannot hold.
        typed = name.replace("\x00", "\ufffd")
        if name:
            tags = [] if "\x00" in name else list(visible.filter(name__iexact=name))
            if tags:
                hidden.update(tag.pk for tag in tags)
                typed = ""
            else:
                error = f"There is no tag named '{typed[:150]}'."
        if not error:
            response = redirect("hidden-tags")
            return save_hidden_tag_ids(request, response, hidden)
    tags = Tag.objects.filter(pk__in=hidden).order_by("kind", "name")
    context = {"tags": tags, "error": error, "typed": typed}
    return render(request, "users/hidden_tags.html", context, status=400 if error else 200)
