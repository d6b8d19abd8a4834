"""Wranglers' pages: search tags, edit one, work through a fandom's queue, undo changes."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from archive.pagination import paginate
from tags.forms import BULK_ACTIONS, QUEUE_KINDS, BulkWrangleForm, TagWrangleForm
from tags.models import FIXED_KINDS, Tag, TagKind, WranglingChange
from tags.views import searched_tags, tag_or_404
from tags.wrangling import TagState, WranglingError, is_wrangler, undo, wrangle, wrangle_many

FORM_ERROR_STATUS = 400
STATUSES = {
    "unwrangled": "Unwrangled",
    "canonical": "Canonical",
    "synonymous": "Synonyms",
    "all": "All",
}


def wrangler_required(view):
    """Visitors log in first; accounts that are not wranglers get a 403 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), redirect_field_name="return_to")
        if not is_wrangler(request.user):
            raise PermissionDenied("Only tag wranglers can use this page.")
        return view(request, *args, **kwargs)

    return wrapped


@wrangler_required
def wrangling_home(request):
    """Search every wranglable tag by name, kind and status."""
    status = request.GET.get("status", "unwrangled")
    status = status if status in STATUSES else "unwrangled"
    wranglable = Tag.objects.exclude(kind__in=FIXED_KINDS).select_related("merger")
    tags, query, kind = searched_tags(request, wranglable)
    context = {
        "page": paginate(request, tags.with_status(status), per_page=50),
        "query": query,
        "kind": kind,
        "kinds": [(value, label) for value, label in TagKind.choices if value not in FIXED_KINDS],
        "status": status,
        "status_label": STATUSES[status],
        "statuses": STATUSES,
    }
    return render(request, "tags/wrangling.html", context)


@wrangler_required
def tag_edit(request, name):
    tag = tag_or_404(name, request.GET.get("kind"), user=request.user)
    if tag.kind in FIXED_KINDS:
        raise PermissionDenied(f"'{tag.name}' is a fixed {tag.get_kind_display().lower()} tag.")
    form = TagWrangleForm(request.POST or None, tag=tag)
    if request.method == "POST" and form.is_valid():
        try:
            change = wrangle(tag, form.state, by=request.user)
        except WranglingError as error:
            form.add_error(None, str(error))
        else:
            text = "Tag was updated." if change else "Nothing changed."
            messages.success(request, text)
            return redirect(Tag.objects.get(pk=tag.pk).edit_url())
    changes = _described(tag.wrangling_changes.select_related("user", "tag")[:20])
    context = {"tag": tag, "form": form, "changes": changes}
    return render(
        request, "tags/edit.html", context, status=FORM_ERROR_STATUS if form.errors else 200
    )


@wrangler_required
def fandom_queue(request, name):
    """A fandom's characters, relationships or freeforms, unwrangled ones first, to wrangle
    in bulk: the tags used on the works filtering by this fandom finds."""
    fandom = tag_or_404(name, TagKind.FANDOM, user=request.user)
    if fandom.kind != TagKind.FANDOM or not fandom.canonical:
        raise PermissionDenied(
            f"'{fandom.name}' is not a canonical fandom: only canonical fandoms have a queue."
        )
    show = request.GET.get("show", "characters")
    show = show if show in QUEUE_KINDS else "characters"
    status = request.GET.get("status", "unwrangled")
    status = status if status in STATUSES else "unwrangled"
    kind = QUEUE_KINDS[show]
    tags = Tag.objects.filter(kind=kind).in_queue_of(fandom).with_status(status)
    form = BulkWrangleForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            changes = wrangle_many(
                form.cleaned_data["selected_tags"], form.change_state(fandom), by=request.user
            )
        except WranglingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Wrangled {len(changes)} tag{'s' * (len(changes) != 1)}.")
            return redirect(request.get_full_path())
    context = {
        "fandom": fandom,
        "page": paginate(request, tags.select_related("merger").order_by(Lower("name"), "id"), 50),
        "show": show,
        "kind": kind,
        "kinds": QUEUE_KINDS,
        "status": status,
        "status_label": STATUSES[status],
        "statuses": STATUSES,
        "form": form,
        "actions": BULK_ACTIONS,
        "selected": set(request.POST.getlist("selected_tags")),
    }
    status_code = FORM_ERROR_STATUS if form.errors else 200
    return render(request, "tags/wrangle.html", context, status=status_code)


@wrangler_required
def change_list(request):
    """Every wrangling change, newest first, each with its undo button."""
    changes = WranglingChange.objects.select_related("user", "tag")
    page = paginate(request, changes, per_page=50)
    page.object_list = _described(page.object_list)
    return render(request, "tags/changes.html", {"page": page})


@wrangler_required
@require_POST
def change_undo(request, change_id):
    change = get_object_or_404(WranglingChange.objects.select_related("tag"), pk=change_id)
    try:
        undo(change, by=request.user)
    except WranglingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Undid the change to '{change.tag.name}'.")
    if request.POST.get("back_to") == "tag":
        return redirect(change.tag.edit_url())
    return redirect("tags:changes")


def _described(changes):
    """The changes, each with `description`: what it did, in words, with the tags' names."""
    changes = list(changes)
    ids = {
        pk
        for change in changes
        for state in (change.before, change.after)
        for pk in [state["merger"], *state["parents"]]
        if pk is not None
    }
    names = dict(Tag.objects.filter(pk__in=ids).values_list("pk", "name"))
    for change in changes:
        before, after = TagState.from_json(change.before), TagState.from_json(change.after)
        change.description = before.describe_change(after, names)
    return changes
