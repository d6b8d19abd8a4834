"""Logging in and out, with AO3's URLs and field names so readers' tools can sign in."""

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

RESTRICTED_NOTICE = "This work is only available to registered users of the Archive."
REMEMBER_ME_AGE = 60 * 60 * 24 * 14


class LoginForm(forms.Form):
    """AO3's login form: `user[login]`, `user[password]`, `user[remember_me]`."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.fields["user[login]"] = forms.CharField(label="Username", max_length=150)
        self.fields["user[password]"] = forms.CharField(
            label="Password", strip=False, widget=forms.PasswordInput
        )
        self.fields["user[remember_me]"] = forms.BooleanField(label="Remember me", required=False)

    def clean(self):
        username = self.cleaned_data.get("user[login]")
        password = self.cleaned_data.get("user[password]")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                raise forms.ValidationError(
                    "The username or password you entered doesn't match our records."
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
    return render(request, "users/login.html", context, status=400 if form.errors else 200)


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
