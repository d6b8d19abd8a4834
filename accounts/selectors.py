"""Reads of accounts with intent names, for the pages of every app."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404


def account_or_404(username: str) -> AbstractBaseUser:
    """The active account a URL names, whatever the case it is typed in, else a 404 naming it."""
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise Http404(f"There is no user named '{username}'.")
    return user
