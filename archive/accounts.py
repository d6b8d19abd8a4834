"""Accounts: signing up, logging in and out with AO3's URLs and field names, throttled."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import throttles
from works.models import Pseud

RESTRICTED_NOTICE = "This work is only available to registered users of the Archive."
REMEMBER_ME_AGE = 60 * 60 * 24 * 14
USERNAME_TAKEN = "That username is taken."


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

            def check():
                self.user = authenticate(self.request, username=username, password=password)
                return self.user is not None

            try:
                right = throttles.check_password(self.request, username, check)
            except forms.ValidationError:
                self.throttled = True
                raise
            if not right:
                raise forms.ValidationError(
                    "The password or user name you entered doesn't match our records."
                )
        return self.cleaned_data


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login, throttled with the same counts as ours."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:

            def check():
                self.user_cache = authenticate(self.request, username=username, password=password)
                return self.user_cache is not None

            if not throttles.check_password(self.request, username, check):
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Changing one's password checks the old one: throttled like a login, or a stolen
    session could guess it at will."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if not throttles.check_password(
            self.request, username, lambda: self.user.check_password(old_password)
        ):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "users/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


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
            raise forms.ValidationError(USERNAME_TAKEN)
        return username


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
            with transaction.atomic():
                user = form.save()
                Pseud.objects.create(user=user, name=user.username, is_default=True)
        except IntegrityError as error:
            # The form's check saw the name free, but a sign-up at the same moment took it.
            if not _username_taken(error):
                raise
            form.add_error("username", USERNAME_TAKEN)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard", username=user.username)
    return render(request, "users/new.html", {"form": form}, status=400 if form.errors else 200)
