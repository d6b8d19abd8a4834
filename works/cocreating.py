"""Writes to a work's creators: invitations to co-create it, and their answers."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction

from accounts.models import Pseud
from accounts.services import default_pseud
from archive import caching
from archive.caching import listings_changed
from works.invitations import CoCreatorInvitation
from works.models import Work
from works.services import WorkError

# Co-creators: a creator invites an account by username; once it accepts, its pseud is one
# of the work's, so it edits the work as its other creators do (works.posting.own_work).


def cocreator_invite(
    work: Work, *, inviter: AbstractBaseUser, username: str
) -> CoCreatorInvitation:
    """Invite the account named `username` to become a co-creator of `work`."""
    name = username.strip()
    invitee = None
    if name and "\x00" not in name:
        users = get_user_model().objects.filter(is_active=True)
        invitee = users.filter(username__iexact=name).first()
    if invitee is None:
        raise WorkError(f"There is no user named '{name[:40]}'.")
    if Work.objects.by(invitee).filter(pk=work.pk).exists():
        raise WorkError(f"{invitee.username} is already a creator of this work.")
    try:
        with transaction.atomic():
            return CoCreatorInvitation.objects.create(work=work, invitee=invitee, inviter=inviter)
    except IntegrityError:
        raise WorkError(f"{invitee.username} has already been invited to this work.") from None


@transaction.atomic
def cocreator_answer(
    invitation: CoCreatorInvitation, *, accept: bool, pseud: Pseud | None = None
) -> Work:
    """The invitee's answer: accepting adds `pseud` (one of theirs; None: their default) to
    the work's creators, declining only drops the invitation."""
    invitee = invitation.invitee
    invitation = CoCreatorInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None:
        raise WorkError("This invitation was answered or withdrawn already.")
    work = invitation.work
    invitation.delete()
    if not accept:
        return work
    if pseud is None:
        pseud = default_pseud(invitee)
    elif pseud.user_id != invitee.pk:
        raise WorkError("You can only join a work under one of your own pseuds.")
    work.pseuds.add(pseud)
    listings_changed()
    # Cached pages and blurbs are keyed by the work's last update, which a new byline does
    # not move (it would reorder the listings): drop them instead.
    chapter_ids = [None, *work.chapters.values_list("id", flat=True)]
    keys = [caching.blurb_key(work)]
    keys += [caching.work_body_key(work, c, style) for c in chapter_ids for style in (True, False)]
    transaction.on_commit(lambda: cache.delete_many(keys))
    return work
