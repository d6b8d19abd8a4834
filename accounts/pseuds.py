"""Pseud pages at AO3's URLs: an account's pseuds, and making, renaming and deleting them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.models import Pseud
from accounts.selectors import account_or_404

FORM_ERROR_STATUS = 400


class PseudForm(forms.Form):
    name = forms.CharField(max_length=services.PSEUD_NAME_MAX)


def _own_account(request, username):
    """The account in the URL, which only it may change: anyone else is refused (403)."""
    user = account_or_404(username)
    if request.user != user:
        raise PermissionDenied("Sorry, you don't have permission to change someone else's pseuds.")
    return user


def _own_pseud(request, username, name):
    user = _own_account(request, username)
    # PostgreSQL text holds no NUL, so no pseud is named with one.
    pseud = None if "\x00" in name else user.pseuds.filter(name__iexact=name).first()
    if pseud is None:
        raise Http404(f"{user.username} has no pseud named '{name}'.")
    return pseud


def _login_required(view):
    return login_required(view, redirect_field_name="return_to")


def pseud_index(request, username):
    user = account_or_404(username)
    services.default_pseud(user)
    pseuds = user.pseuds.annotate(work_count=Count("works", filter=Q(works__posted=True)))
    context = {"account": user, "pseuds": pseuds, "own": request.user == user}
    return render(request, "users/pseuds.html", context)


def _form_page(request, user, form, pseud=None, status=200):
    context = {"account": user, "form": form, "pseud": pseud}
    return render(request, "users/pseud_form.html", context, status=status)


@_login_required
@require_http_methods(["GET", "POST"])
def pseud_new(request, username):
    user = _own_account(request, username)
    form = PseudForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pseud = services.pseud_create(user=user, name=form.cleaned_data["name"])
        except services.PseudError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"Pseud {pseud.name} was successfully created.")
            return redirect("pseuds", username=user.username)
    return _form_page(request, user, form, status=FORM_ERROR_STATUS if form.errors else 200)


@_login_required
@require_http_methods(["GET", "POST"])
def pseud_edit(request, username, pseud):
    found: Pseud = _own_pseud(request, username, pseud)
    form = PseudForm(request.POST or None, initial={"name": found.name})
    if request.method == "POST" and form.is_valid():
        try:
            found = services.pseud_rename(found, name=form.cleaned_data["name"])
        except services.PseudError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "Pseud was successfully updated.")
            return redirect("pseuds", username=found.user.username)
    status = FORM_ERROR_STATUS if form.errors else 200
    return _form_page(request, found.user, form, pseud=found, status=status)


@_login_required
@require_http_methods(["GET", "POST"])
def pseud_delete(request, username, pseud):
    found: Pseud = _own_pseud(request, username, pseud)
    if request.method == "POST":
        try:
            default = services.pseud_delete(found)
        except services.PseudError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Pseud {found.name} was deleted; its works are now by {default.name}."
            )
        return redirect("pseuds", username=found.user.username)
    context = {"account": found.user, "pseud": found}
    return render(request, "users/pseud_delete.html", context)
