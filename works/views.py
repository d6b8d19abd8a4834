"""Reading pages: home, a work, its chapters and chapter index."""

from django.http import Http404
from django.shortcuts import redirect, render

from works.hits import counter as hit_counter
from works.models import Chapter, Work
from works.reading import adult_query, needs_adult_gate, restricted_redirect

HOME_WORKS = 20


def home(request):
    works = Work.objects.visible_to(request.user).recently_updated().with_tags()[:HOME_WORKS]
    return render(request, "works/home.html", {"works": works})


def _work_or_404(work_id):
    """A posted work, restricted or not: callers send anonymous readers of those to log in."""
    work = Work.objects.posted().with_tags().filter(pk=work_id).first()
    if work is None:
        raise Http404(f"There is no work with ID {work_id}.")
    return work


def _render_work(request, work, chapters, *, full_work):
    if needs_adult_gate(request, work):
        return render(request, "works/adult_gate.html", {"work": work})
    hit_counter.record(request, work.pk)
    all_chapters = list(work.chapters.only("id", "position", "title"))
    context = {
        "work": work,
        "chapters": chapters,
        "chapter_count": len(all_chapters),
        "first_chapter": all_chapters[0] if all_chapters else None,
        "full_work": full_work,
        "creator_style": request.GET.get("style") != "disable",
    }
    if not full_work and chapters:
        position = chapters[0].position
        context["previous_chapter"] = next(
            (c for c in reversed(all_chapters) if c.position < position), None
        )
        context["next_chapter"] = next((c for c in all_chapters if c.position > position), None)
    return render(request, "works/work.html", context)


def work_detail(request, work_id):
    work = _work_or_404(work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    chapters = list(work.chapters.all())
    if request.GET.get("view_full_work") == "true" or len(chapters) <= 1:
        return _render_work(request, work, chapters, full_work=len(chapters) > 1)
    return redirect(chapters[0].get_absolute_url() + adult_query(request))


def chapter_detail(request, work_id, chapter_id):
    work = _work_or_404(work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    chapter = work.chapters.filter(pk=chapter_id).first()
    if chapter is None:
        raise Http404(f"Work {work_id} has no chapter with ID {chapter_id}.")
    return _render_work(request, work, [chapter], full_work=False)


def chapter_redirect(request, chapter_id):
    chapter = Chapter.objects.filter(pk=chapter_id).only("id", "work_id").first()
    if chapter is None:
        raise Http404(f"There is no chapter with ID {chapter_id}.")
    work = _work_or_404(chapter.work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    return redirect(chapter.get_absolute_url() + adult_query(request))


def chapter_index(request, work_id):
    work = _work_or_404(work_id)
    if login_first := restricted_redirect(request, work):
        return login_first
    return render(request, "works/navigate.html", {"work": work, "chapters": work.chapters.all()})
