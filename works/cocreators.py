"""Co-creator pages: a creator invites an account on the work's edit page, and the invited
account accepts or declines on its list of invitations (AO3's /users/U/creatorships)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import account_or_404
from accounts.services import default_pseud
from archive.parameters import object_id
from works import cocreating, services
from works.invitations import CoCreatorInvitation
from works.posting import FORM_ERROR_STATUS, author_login_required, own_work


@own_work
@require_POST
def cocreator_invite(request, work):
    try:
        invitation = cocreating.cocreator_invite(
            work, inviter=request.user, username=request.POST.get("username", "")
        )
    except services.WorkError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{invitation.invitee.username} was invited to be a co-creator of this work; their"
            " name joins the byline once they accept.",
        )
    return redirect("works:edit", work.pk)


def _invitations_page(request, user, *, error="", status=200):
    invitations = user.cocreator_invitations.select_related("work", "inviter")
    context = {
        "account": user,
        "invitations": invitations,
        "pseuds": user.pseuds.all(),
        "default_pseud": default_pseud(user),
        "error": error,
    }
    return render(request, "users/creatorships.html", context, status=status)


@author_login_required
@require_http_methods(["GET", "POST"])
def creatorships(request, username):
    """The account's invitations to co-create works; only it sees and answers them."""
    user = account_or_404(username)
    if request.user != user:
        raise PermissionDenied("Sorry, you don't have permission to see someone else's requests.")
    if request.method == "GET":
        return _invitations_page(request, user)
    # Someone else's invitation is as missing as one that never was.
    invitation_id = object_id(request.POST.get("invitation", ""))
    invitation = CoCreatorInvitation.objects.filter(pk=invitation_id, invitee=user).first()
    if invitation_id is None or invitation is None:
        error = "That invitation is not yours, or was answered already."
        return _invitations_page(request, user, error=error, status=404)
    accept = "accept" in request.POST
    pseud = None
    if accept and (pseud_id := request.POST.get("pseud")):
        pseud = user.pseuds.filter(pk=object_id(pseud_id)).first()
        if pseud is None:
            error = "You can only join a work under one of your own pseuds."
            return _invitations_page(request, user, error=error, status=FORM_ERROR_STATUS)
    try:
        work = cocreating.cocreator_answer(invitation, accept=accept, pseud=pseud)
    except services.WorkError as error:
        return _invitations_page(request, user, error=str(error), status=FORM_ERROR_STATUS)
    if accept:
        messages.success(request, f"You are now a co-creator of {work.title}.")
    else:
        messages.success(request, f"You declined to be a co-creator of {work.title}.")
    return redirect("creatorships", username=user.username)
