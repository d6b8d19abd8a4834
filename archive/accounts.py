"""Accounts: signing up, logging in and out with AO3's URLs and field names, throttled."""

from django import forms
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.forms import UserCreationForm
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from works.models import Pseud

RESTRICTED_NOTICE = "This work is only available to registered users of the Archive."
REMEMBER_ME_AGE = 60 * 60 * 24 * 14
# Failed logins allowed per account and per address within the window before refusing.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = 15 * 60


def _failure_keys(request, username):
    address = request.META.get("REMOTE_ADDR", "")
    return [
        (f"login-failures:account:{username.lower()}", MAX_FAILURES_PER_ACCOUNT),
        (f"login-failures:address:{address}", MAX_FAILURES_PER_ADDRESS),
    ]


def login_throttled(request, username):
    return any(cache.get(key, 0) >= limit for key, limit in _failure_keys(request, username))


def record_login_failure(request, username):
    for key, _ in _failure_keys(request, username):
        if cache.add(key, 1, FAILURE_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, FAILURE_WINDOW)


class LoginForm(forms.Form):
    """AO3's login form: `user[login]`, `user[password]`, `user[remember_me]`."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.throttled = False
        self.fields["user[login]"] = forms.CharField(label="Username", max_length=150)
        self.fields["user[password]"] = forms.CharField(
            label="Password", strip=False, widget=forms.PasswordInput
        )
        self.fields["user[remember_me]"] = forms.BooleanField(label="Remember me", required=False)

    def clean(self):
        username = self.cleaned_data.get("user[login]")
        password = self.cleaned_data.get("user[password]")
        if username and password:
            if login_throttled(self.request, username):
                self.throttled = True
                raise forms.ValidationError(
                    "Too many failed attempts to log in. Please wait 15 minutes and try again."
                )
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                record_login_failure(self.request, username)
                raise forms.ValidationError(
                    "The password or user name you entered doesn't match our records."
                )
        return self.cleaned_data


def _safe_return_to(request):
    target = request.POST.get("return_to") or request.GET.get("return_to") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        if not form.cleaned_data["user[remember_me]"]:
            request.session.set_expiry(0)
        else:
            request.session.set_expiry(REMEMBER_ME_AGE)
        return redirect(_safe_return_to(request))
    context = {
        "form": form,
        "typed_login": request.POST.get("user[login]", ""),
        "return_to": _safe_return_to(request),
        "restricted": request.GET.get("restricted") == "true",
        "restricted_notice": RESTRICTED_NOTICE,
    }
    # A wrong password is a 200 page, as on AO3: clients such as FanFicFare tell a failed
    # login by the missing logout link and would mistake a 4xx for a broken site.
    status = 429 if form.throttled else 200
    response = render(request, "users/login.html", context, status=status)
    if form.throttled:
        response["Retry-After"] = str(FAILURE_WINDOW)
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


class SignupForm(UserCreationForm):
    username = forms.CharField(
        max_length=40,
        min_length=3,
        help_text="3 to 40 letters, digits and underscores. It is also your first pseud.",
        validators=[
            RegexValidator(r"^[A-Za-z0-9_]+$", "Use only letters, digits and underscores.")
        ],
    )
    email = forms.EmailField(help_text="For resetting your password; never shown.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username


@never_cache
@require_http_methods(["GET", "POST"])
def signup_view(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            Pseud.objects.create(user=user, name=user.username, is_default=True)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard", username=user.username)
    return render(request, "users/new.html", {"form": form}, status=400 if form.errors else 200)
