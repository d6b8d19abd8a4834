"""Reading pages: home, a work, its chapters and chapter index."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tags.models import Tag
from works import caching, downloads
from works.hits import counter as hit_counter
from works.listing import render_listing
from works.models import Chapter, Work
from works.parameters import object_id
from works.preferences import hidden_tag_ids, save_hidden_tag_ids
from works.reading import adult_query, needs_adult_gate, restricted_redirect

HOME_WORKS = 20


def home(request):
    works = Work.objects.visible_to(request.user).recently_updated().with_tags()[:HOME_WORKS]
    return render(request, "works/home.html", {"works": works})


def _work_or_404(request, work_id, *, with_tags=True):
    """A work the visitor may open (restricted ones too: callers send anonymous readers to log
    in); drafts only for their creators. Work pages skip the tags: a cached body needs none."""
    works = Work.objects.readable_by(request.user)
    work = (works.with_tags() if with_tags else works).filter(pk=work_id).first()
    if work is None:
        raise Http404(f"There is no work with ID {work_id}.")
    return work


def _render_work(request, work, *, chapter_id=None):
    """One chapter of a work (or, with no chapter_id, all of it) behind the adult gate.

    The page's body is cached per version of the work (works.caching.work_body_key), so an
    edit renders afresh; its hit count is filled in on every request, so a new count does not.
    """
    if needs_adult_gate(request, work):
        # A chapter of another work is missing, not behind the gate.
        if chapter_id is not None and not work.chapters.filter(pk=chapter_id).exists():
            raise Http404(f"Work {work.pk} has no chapter with ID {chapter_id}.")
        work.prefetch_for_display()
        return render(request, "works/adult_gate.html", {"work": work})
    creator_style = request.GET.get("style") != "disable"
    key = caching.work_body_key(work, chapter_id, creator_style)
    page = cache.get(key)
    if page is None:
        page = _work_body(work, chapter_id, creator_style)
        cache.set(key, page, caching.WORK_BODY_SECONDS)
    hit_counter.record(request, work.pk)
    body = caching.fill_hits(page["body"], work.hits)
    context = {"work": work, "creator_style": creator_style, **page, "body": body}
    return render(request, "works/work.html", context)


def _work_body(work, chapter_id, creator_style):
    work.prefetch_for_display()
    all_chapters = list(work.chapters.only("id", "work_id", "position", "title"))
    if chapter_id is None:
        chapters = list(work.chapters.all())
    else:
        chapters = [c for c in all_chapters if c.pk == chapter_id]
        if not chapters:
            raise Http404(f"Work {work.pk} has no chapter with ID {chapter_id}.")
        chapters = [work.chapters.get(pk=chapter_id)]
    full_work = chapter_id is None and len(all_chapters) > 1
    context = {
        "work": work,
        "chapters": chapters,
        "chapter_count": len(all_chapters),
        "first_chapter": all_chapters[0] if all_chapters else None,
        "full_work": full_work,
        "creator_style": creator_style,
    }
    title = work.title
    if chapter_id is not None and len(all_chapters) > 1:
        position = chapters[0].position
        title = f"{work.title} - Chapter {position}"
        context["previous_chapter"] = next(
            (c for c in reversed(all_chapters) if c.position < position), None
        )
        context["next_chapter"] = next((c for c in all_chapters if c.position > position), None)
    body = caching.render_with_hits_slot("includes/work_body.html", context)
    return {"page_title": title, "body": body}


def work_detail(request, work_id):
    work = _work_or_404(request, work_id, with_tags=False)
    if login_first := restricted_redirect(request, work):
        return login_first
    if request.GET.get("view_full_work") == "true" or work.chapter_count <= 1:
        return _render_work(request, work)
    first = work.chapters.order_by("position").only("id", "work_id").first()
    return redirect(first.get_absolute_url() + adult_query(request))


def chapter_detail(request, work_id, chapter_id):
    work = _work_or_404(request, work_id, with_tags=False)
    if login_first := restricted_redirect(request, work):
        return login_first
    return _render_work(request, work, chapter_id=chapter_id)


def chapter_redirect(request, chapter_id):
    # A chapter of a work this visitor may not open is missing, in the same words as one
    # that never was: naming its work would reveal a draft's id.
    readable = Work.objects.readable_by(request.user).values("pk")
    chapters = Chapter.objects.filter(pk=chapter_id, work__in=readable)
    chapter = chapters.only("id", "work_id").first()
    if chapter is None:
        raise Http404(f"There is no chapter with ID {chapter_id}.")
    work = _work_or_404(request, chapter.work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    return redirect(chapter.get_absolute_url() + adult_query(request))


def chapter_index(request, work_id):
    work = _work_or_404(request, work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    # The index shows no text: a long work's chapters would carry megabytes of it.
    chapters = work.chapters.only("id", "work_id", "position", "title", "published")
    return render(request, "works/navigate.html", {"work": work, "chapters": chapters})


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
    works = Work.objects.all() if own else Work.objects.visible_to(request.user)
    return render_listing(
        request,
        title="My Works" if own else f"Works by {user.username}",
        subject=f"by {user.username}",
        base=works & Work.objects.by(user),
        own=own,
    )


def pseud_works(request, username, pseud):
    user = _user_or_404(username)
    found = user.pseuds.filter(name__iexact=pseud).first()
    if found is None:
        raise Http404(f"{user.username} has no pseud named '{pseud}'.")
    works = Work.objects.visible_to(request.user).filter(
        pk__in=Work.pseuds.through.objects.filter(pseud=found).values("work_id")
    )
    return render_listing(
        request, title=f"Works by {found.name}", subject=f"by {found.name}", base=works
    )


def work_index(request):
    """All works, or with `?tag_id=NAME` a tag's works: the target of every filter form."""
    name = request.GET.get("tag_id", "").strip()
    tags = Tag.objects.visible_to(request.user).filter(name__iexact=name)
    tag = tags.order_by("id").first() if name else None
    return render_listing(request, title="Works", subject="in" if tag else "", tag=tag)


def work_search(request):
    return render_listing(request, title="Search Works", subject="found", searching=True)


def work_download(request, work_id, safe_title, extension):
    """A work as an EPUB or HTML file; the title in the URL is not checked, as on AO3."""
    download = downloads.FORMATS.get(extension)
    if download is None:
        raise Http404(f"There is no {extension} download.")
    work = _work_or_404(request, work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    return FileResponse(
        downloads.open_download(work, extension),
        as_attachment=True,
        filename=downloads.file_name(work, extension),
        content_type=download.content_type,
    )


@require_http_methods(["GET", "POST"])
def hidden_tags(request):
    """The reader's exclusion list: add a tag by id or name, remove ticked ones."""
    hidden = set(hidden_tag_ids(request))
    error, typed = "", ""
    if request.method == "POST":
        visible = Tag.objects.visible_to(request.user)
        hidden -= {object_id(value) for value in request.POST.getlist("unhide")}
        if raw_id := request.POST.get("hide", "").strip():
            tag_id = object_id(raw_id)
            tag = visible.filter(pk=tag_id).first() if tag_id else None
            if tag:
                hidden.add(tag.pk)
            elif tag_id:
                error = f"There is no tag with ID {tag_id}."
            else:
                error = f"'{raw_id[:20]}' is not a tag ID."
        name = request.POST.get("hide_name", "").strip()
        # Shown back as a browser shows a NUL; no tag is named with one, which PostgreSQL
        # text cannot hold.
        typed = name.replace("\x00", "\ufffd")
        if name:
            tags = [] if "\x00" in name else list(visible.filter(name__iexact=name))
            if tags:
                hidden.update(tag.pk for tag in tags)
                typed = ""
            else:
                error = f"There is no tag named '{typed[:150]}'."
        if not error:
            response = redirect("hidden-tags")
            return save_hidden_tag_ids(request, response, hidden)
    tags = Tag.objects.filter(pk__in=hidden).order_by("kind", "name")
    context = {"tags": tags, "error": error, "typed": typed}
    return render(request, "works/hidden_tags.html", context, status=400 if error else 200)
