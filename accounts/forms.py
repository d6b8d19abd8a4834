"""Account forms with AO3's field names: log in (throttled), sign up, change a password."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator

from accounts import throttles

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
