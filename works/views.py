"""Reading pages: a work, its chapters, its chapter index and its downloads."""

from functools import wraps

from django.core.cache import cache
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from archive import caching
from works import downloads
from works.hits import counter as hit_counter
from works.models import Chapter, Work
from works.reading import adult_query, needs_adult_gate, restricted_redirect


def opens_work(*, with_tags=True):
    """A reading view of the work `work_id` names, given the work: one the visitor may open
    (drafts only for their creators), else a 404 naming the id; a restricted one sends an
    anonymous visitor to log in first. Work pages skip the tags: a cached body needs none."""

    def decorator(view):
        @wraps(view)
        def opened(request, work_id, *args, **kwargs):
            works = Work.objects.readable_by(request.user).with_viewer_is_creator(request.user)
            work = (works.with_tags() if with_tags else works).filter(pk=work_id).first()
            if work is None:
                raise Http404(f"There is no work with ID {work_id}.")
            if login_first := restricted_redirect(request, work):
                return login_first
            return view(request, work, *args, **kwargs)

        return opened

    return decorator


def _render_work(request, work, *, chapter_id=None):
    """One chapter of a work (or, with no chapter_id, all of it) behind the adult gate.

    Readers' page body is cached per version of the work (archive.caching.work_body_key), so
    an edit renders afresh; its hit count is filled in on every request, so a new count does
    not, and so are a creator's links to change the work. A creator's body, with their draft
    chapters, is never cached.
    """
    creator = work.viewer_is_creator
    if needs_adult_gate(request, work):
        # A chapter of another work is missing, not behind the gate.
        shown = work.chapters.shown_to(creator=creator)
        if chapter_id is not None and not shown.filter(pk=chapter_id).exists():
            raise Http404(f"Work {work.pk} has no chapter with ID {chapter_id}.")
        work.prefetch_for_display()
        return render(request, "works/adult_gate.html", {"work": work})
    creator_style = request.GET.get("style") != "disable"
    if creator:
        # A creator's page shows their draft chapters, which the cached body must not: it
        # is rendered for them alone, as the few of them are the work's fewest readers.
        page = _work_body(work, chapter_id, creator_style, creator=True)
    else:
        key = caching.work_body_key(work, chapter_id, creator_style)
        page = cache.get(key)
        if page is None:
            page = _work_body(work, chapter_id, creator_style, creator=False)
            cache.set(key, page, caching.WORK_BODY_SECONDS)
        # A creator rereading their work is no reader: only others' visits are hits.
        hit_counter.record(request, work.pk)
    body = caching.fill_hits(page["body"], work.hits)
    context = {
        "work": work, "creator_style": creator_style, **page, "body": body,
        "own_work": creator, "chapter_id": chapter_id,
    }  # fmt: skip
    return render(request, "works/work.html", context)


def _work_body(work, chapter_id, creator_style, *, creator):
    work.prefetch_for_display()
    shown = work.chapters.shown_to(creator=creator)
    all_chapters = list(shown.only("id", "work_id", "position", "title"))
    if chapter_id is None:
        chapters = list(shown)
    else:
        chapters = [c for c in all_chapters if c.pk == chapter_id]
        if not chapters:
            raise Http404(f"Work {work.pk} has no chapter with ID {chapter_id}.")
        chapters = [shown.get(pk=chapter_id)]
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


@opens_work(with_tags=False)
def work_detail(request, work):
    # The stored count is of posted chapters; a creator's page shows the drafts too.
    shown = work.chapters.shown_to(creator=work.viewer_is_creator)
    count = shown.count() if work.viewer_is_creator else work.chapter_count
    if request.GET.get("view_full_work") == "true" or count <= 1:
        return _render_work(request, work)
    first = shown.order_by("position").only("id", "work_id").first()
    return redirect(first.get_absolute_url() + adult_query(request))


@opens_work(with_tags=False)
def chapter_detail(request, work, chapter_id):
    return _render_work(request, work, chapter_id=chapter_id)


def chapter_redirect(request, chapter_id):
    # A chapter of a work this visitor may not open is missing, in the same words as one
    # that never was: naming its work would reveal a draft's id.
    readable = Work.objects.readable_by(request.user).values("pk")
    chapters = Chapter.objects.filter(pk=chapter_id, work__in=readable)
    # A draft chapter is as missing, but to its work's creators.
    if request.user.is_authenticated:
        own = Work.objects.by(request.user).values("pk")
        chapters = chapters.filter(Q(posted=True) | Q(work__in=own))
    else:
        chapters = chapters.posted()
    chapter = chapters.only("id", "work_id").first()
    if chapter is None:
        raise Http404(f"There is no chapter with ID {chapter_id}.")
    return _to_chapter(request, chapter.work_id, chapter)


@opens_work(with_tags=False)
def _to_chapter(request, work, chapter):
    return redirect(chapter.get_absolute_url() + adult_query(request))


@opens_work()
def chapter_index(request, work):
    # The index shows no text: a long work's chapters would carry megabytes of it.
    chapters = work.chapters.shown_to(creator=work.viewer_is_creator)
    chapters = chapters.only("id", "work_id", "position", "title", "published", "posted")
    return render(request, "works/navigate.html", {"work": work, "chapters": chapters})


def work_download(request, work_id, safe_title, extension):
    """A work as an EPUB or HTML file; the title in the URL is not checked, as on AO3."""
    download = downloads.FORMATS.get(extension)
    if download is None:
        raise Http404(f"There is no {extension} download.")
    return _download(request, work_id, download, extension)


@opens_work()
def _download(request, work, download, extension):
    return FileResponse(
        downloads.open_download(work, extension),
        as_attachment=True,
        filename=downloads.file_name(work, extension),
        content_type=download.content_type,
    )
