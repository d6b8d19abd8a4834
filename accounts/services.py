"""Writes to accounts: each validates and runs in one transaction."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.models import Pseud


@transaction.atomic
def account_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """A new account with its default pseud, of the same name, which its first works are by."""
    user = get_user_model().objects.create_user(username, email=email, password=password)
    Pseud.objects.create(user=user, name=username, is_default=True)
    return user


def default_pseud(user: AbstractBaseUser) -> Pseud:
    """The pseud an account's new works are by: its default one, made now if it has none
    (an account made by `createsuperuser` or in the admin, not by signing up)."""
    pseud = user.pseuds.filter(is_default=True).first() or user.pseuds.first()
    if pseud is None:
        pseud = Pseud.objects.create(user=user, name=user.get_username(), is_default=True)
    return pseud
