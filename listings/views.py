"""Listing pages: the front page, all works and search, a tag's works, an author's and a
pseud's works."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render

from listings.rendering import render_listing
from tags.models import Tag
from tags.views import tag_or_404, to_canonical
from works.models import Work

HOME_WORKS = 20


def home(request):
    works = Work.objects.listable_by(request.user).recently_updated().with_tags()[:HOME_WORKS]
    return render(request, "works/home.html", {"works": works})


def _user_or_404(username):
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise Http404(f"There is no user named '{username}'.")
    return user


def user_home(request, username):
    user = _user_or_404(username)
    pseud = user.pseuds.filter(is_default=True).first() or user.pseuds.first()
    if pseud is None:
        raise Http404(f"{user.username} has no pseud yet.")
    return redirect(pseud)


def user_works(request, username):
    """An account's works; its owner also sees drafts here ("My works")."""
    user = _user_or_404(username)
    own = request.user == user
    return render_listing(
        request,
        title="My Works" if own else f"Works by {user.username}",
        subject=f"by {user.username}",
        base=Work.objects.listable_by(request.user, owner=user),
        own=own,
    )


def pseud_works(request, username, pseud):
    user = _user_or_404(username)
    found = user.pseuds.filter(name__iexact=pseud).first()
    if found is None:
        raise Http404(f"{user.username} has no pseud named '{pseud}'.")
    return render_listing(
        request,
        title=f"Works by {found.name}",
        subject=f"by {found.name}",
        base=Work.objects.listable_by(request.user, pseud=found),
    )


def work_index(request):
    """All works, or with `?tag_id=NAME` a tag's works: the target of every filter form."""
    name = request.GET.get("tag_id", "").strip()
    tags = Tag.objects.visible_to(request.user).filter(name__iexact=name)
    tag = tags.order_by("id").first() if name else None
    return render_listing(request, title="Works", subject="in" if tag else "", tag=tag)


def work_search(request):
    return render_listing(request, title="Search Works", subject="found", searching=True)


def tag_works(request, name):
    tag = tag_or_404(name, user=request.user)
    if tag.merger:
        return to_canonical(request, tag, "/works")
    return render_listing(request, title=f"Works in {tag.name}", subject="in", tag=tag)
