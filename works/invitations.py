"""Invitations to become a work's co-creator, waiting for the invited account's answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CoCreatorInvitation(models.Model):
    """`invitee` asked by a creator of `work` to join its byline; the row lives until they
    accept (their pseud joins the work's) or decline."""

    work = models.ForeignKey("works.Work", on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cocreator_invitations"
    )
    # Kept when the inviter's account goes: the invitation is the work's, not theirs.
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "works"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "invitee"], name="cocreator_invitation_once"),
        ]

    def __str__(self):
        return f"User {self.invitee_id} invited to co-create work {self.work_id}"
