"""Listing pages: the front page, all works and search, a tag's works, an author's and a
pseud's works, an author's profile, the languages and a language's works."""

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.selectors import account_or_404
from archive import caching
from listings.parameters import WorkSearch
from listings.rendering import render_listing
from listings.search_form import search_choices, searched, searched_for, sidebar_fields
from tags.models import Tag
from tags.views import tag_or_404, to_canonical
from works.languages import LANGUAGES
from works.models import Work

HOME_WORKS = 20
# AO3's div#main class on an author's works, which ao3-api's User finds them by.
DASHBOARD_CLASS = "works-index dashboard filtered"


def home(request):
    works = Work.objects.listable_by(request.user).recently_updated().with_tags()[:HOME_WORKS]
    return render(request, "works/home.html", {"works": works})


def user_home(request, username):
    user = account_or_404(username)
    pseud = user.pseuds.filter(is_default=True).first() or user.pseuds.first()
    if pseud is None:
        raise Http404(f"{user.username} has no pseud yet.")
    return redirect(pseud)


def user_works(request, username):
    """An account's works; its owner also sees drafts here ("My works")."""
    user = account_or_404(username)
    own = request.user == user
    return render_listing(
        request,
        title="My Works" if own else f"Works by {user.username}",
        subject=f"by {user.username}",
        base=Work.objects.listable_by(request.user, owner=user),
        own=own,
        main_class=DASHBOARD_CLASS,
    )


def profile(request, username):
    """AO3's profile page: the account's pseuds, when it joined, and how many works it has."""
    user = account_or_404(username)
    context = {
        "account": user,
        "pseuds": user.pseuds.all(),
        "works_count": Work.objects.listable_by(request.user, owner=user).posted().count(),
    }
    return render(request, "users/profile.html", context)


def pseud_works(request, username, pseud):
    user = account_or_404(username)
    found = user.pseuds.filter(name__iexact=pseud).first()
    if found is None:
        raise Http404(f"{user.username} has no pseud named '{pseud}'.")
    return render_listing(
        request,
        title=f"Works by {found.name}",
        subject=f"by {found.name}",
        base=Work.objects.listable_by(request.user, pseud=found),
        main_class=DASHBOARD_CLASS,
    )


def work_index(request):
    """All works, or with `?tag_id=NAME` a tag's works: the target of every filter form."""
    name = request.GET.get("tag_id", "").strip()
    tags = Tag.objects.visible_to(request.user).filter(name__iexact=name)
    tag = tags.order_by("id").first() if name else None
    return render_listing(request, title="Works", subject="in" if tag else "", tag=tag)


def work_search(request):
    """AO3's Work Search: its form, and the works it finds (all works until asked)."""
    search = WorkSearch.from_query(request.GET, best_match_first=True)
    return render_listing(
        request,
        title="Search Works",
        subject="found",
        template="works/search.html",
        search=search,
        searching=searched(request.GET),
        searched_for=searched_for(search),
        choices=search_choices(request.user),
        search_carried=sidebar_fields(request.GET),
    )


def tag_works(request, name):
    tag = tag_or_404(name, user=request.user)
    if tag.merger:
        return to_canonical(request, tag, "/works")
    return render_listing(request, title=f"Works in {tag.name}", subject="in", tag=tag)


def _language_name(code):
    # An unsaved work names its language by the one rule the work pages use.
    return Work(language=code).language_name


def language_index(request):
    """The languages works are written in, each with its number of public works."""
    languages = cache.get(caching.languages_key())
    if languages is None:
        counts = Work.objects.public().values_list("language").annotate(works=Count("id"))
        languages = sorted(
            ((code, _language_name(code), works) for code, works in counts.order_by()),
            key=lambda language: language[1].casefold(),
        )
        cache.set(caching.languages_key(), languages, caching.FANDOM_INDEX_SECONDS)
    return render(request, "works/languages.html", {"languages": languages})


def _language_or_404(code):
    """The code and name of a language works are or may be written in."""
    known = code in dict(LANGUAGES) or Work.objects.posted().filter(language=code).exists()
    if not known:
        raise Http404(f"There is no language with the code '{code}'.")
    return code, _language_name(code)


def language_show(request, code):
    code, _name = _language_or_404(code)
    return redirect("listings:language-works", code=code)


def language_works(request, code):
    code, name = _language_or_404(code)
    return render_listing(
        request,
        title=f"Works in {name}",
        subject=f"in {name}",
        base=Work.objects.listable_by(request.user).filter(language=code),
    )
