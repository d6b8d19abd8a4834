"""Writes to accounts and their pseuds, each in one transaction."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from accounts.models import Pseud
from archive.caching import listings_changed
from archive.errors import ServiceError


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


class PseudError(ServiceError):
    """A pseud that cannot be made, renamed or deleted; the message is for the account."""


# AO3's rule; it also keeps a name whole in the /users/U/pseuds/P URLs.
PSEUD_NAME = re.compile(r"[^\W_](?:[\w -]*[^\W_])?")
PSEUD_NAME_MAX = Pseud._meta.get_field("name").max_length
# /users/U/pseuds/new is the form for a new pseud, so no pseud can be reached at that name.
RESERVED_PSEUD_NAMES = {"new"}


def _checked_pseud_name(user: AbstractBaseUser, name: str, *, renaming: Pseud | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise PseudError("A pseud needs a name.")
    if len(name) > PSEUD_NAME_MAX:
        raise PseudError(f"A pseud's name can be at most {PSEUD_NAME_MAX} characters long.")
    if not PSEUD_NAME.fullmatch(name):
        raise PseudError(
            "A pseud's name can hold letters, numbers, spaces, underscores and hyphens, and"
            " must begin and end with a letter or number."
        )
    if name.lower() in RESERVED_PSEUD_NAMES:
        raise PseudError(f"A pseud cannot be called '{name}'.")
    others = user.pseuds.filter(name__iexact=name)
    if renaming is not None:
        others = others.exclude(pk=renaming.pk)
    if others.exists():
        raise PseudError(f"You already have a pseud called '{name}'.")
    return name


def _saved(pseud: Pseud) -> Pseud:
    # Two requests can pass the check above at once: the constraint decides between them.
    try:
        with transaction.atomic():
            pseud.save()
    except IntegrityError:
        raise PseudError(f"You already have a pseud called '{pseud.name}'.") from None
    return pseud


@transaction.atomic
def pseud_create(*, user: AbstractBaseUser, name: str) -> Pseud:
    """Another name for `user` to write under; the default stays as it is."""
    default_pseud(user)
    return _saved(Pseud(user=user, name=_checked_pseud_name(user, name)))


@transaction.atomic
def pseud_rename(pseud: Pseud, *, name: str) -> Pseud:
    """The pseud under a new name: its works' bylines follow once their cached blurbs and
    pages expire (archive.caching)."""
    pseud.name = _checked_pseud_name(pseud.user, name, renaming=pseud)
    return _saved(pseud)


@transaction.atomic
def pseud_delete(pseud: Pseud) -> Pseud:
    """Delete a pseud that is not the default; its works move to the default pseud, as on
    AO3. Returns the default pseud."""
    if pseud.is_default:
        raise PseudError("You cannot delete your default pseud.")
    default = default_pseud(pseud.user)
    creatorships = Pseud.works.through.objects
    already = creatorships.filter(pseud=default).values("work_id")
    moved = creatorships.filter(pseud=pseud).exclude(work_id__in=already).update(pseud=default)
    pseud.delete()
    if moved:
        # The works now list under another pseud.
        listings_changed()
    return default
