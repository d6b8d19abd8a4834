"""Pages where authors post, preview, edit and delete their works and chapters."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import default_pseud
from archive.errors import ServiceError
from works import services
from works.forms import (
    ChapterEditForm,
    ChapterForm,
    ChapterOrderForm,
    NewWorkForm,
    OneShotEditForm,
    WorkEditForm,
)
from works.models import Work
from works.rendering import unshowable_images
from works.services import ChapterText
from works.uploads import UploadError, convert_upload

FORM_ERROR_STATUS = 400
# A form opened before someone else saved the same work or chapter.
STALE_FORM_STATUS = 409


def author_login_required(view):
    return login_required(view, redirect_field_name="return_to")


def _warn_of_unshowable_images(request, fields, chapters=()):
    """Tell the author which of their pictures will not show: the sanitizer keeps only https
    addresses. The text is saved as typed, so fixing an address brings the picture back."""
    texts = [fields.get(name) for name in ("summary", "notes", "end_notes", "text")]
    texts += [text for _, text in chapters]
    # Each address once, though a chapter's text may come both as a field and a chapter.
    lost = list(dict.fromkeys(src for text in texts if text for src in unshowable_images(text)))
    if lost:
        # Shortened: a data: picture can be megabytes, and messages ride in a cookie.
        named = ", ".join(src if len(src) <= 80 else src[:77] + "..." for src in lost[:3])
        more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
        messages.warning(
            request,
            f"Some pictures will not show: {named}{more}. A picture needs an https:// address "
            "of a picture on another site.",
        )


def own_work(view):
    """Load the work named in the URL, or 404 unless the logged-in user is one of its creators."""

    @author_login_required
    @wraps(view)
    def wrapper(request, work_id, *args, **kwargs):
        work = Work.objects.by(request.user).with_tags().filter(pk=work_id).first()
        if work is None:
            raise Http404(f"You have no work with ID {work_id}.")
        try:
            return view(request, work, *args, **kwargs)
        except (services.WorkDeleted, services.ChapterDeleted) as error:
            # Deleted by another request between the lookup above and the write.
            raise Http404(str(error)) from None

    return wrapper


def _chapter_or_404(work, chapter_id):
    chapter = work.chapters.filter(pk=chapter_id).first()
    if chapter is None:
        raise Http404(f"Work {work.pk} has no chapter with ID {chapter_id}.")
    return chapter


def _take_upload(request, form):
    """Convert an uploaded file into the form's text fields; a bad file is a field error."""
    upload = request.FILES.get("upload")
    if not upload:
        return
    try:
        converted = convert_upload(upload)
    except UploadError as error:
        form.upload_failed = True
        form.add_error("upload", str(error))
        return
    form.apply_upload(converted)
    if converted.seed is not None and hasattr(form, "apply_seed"):
        form.apply_seed(converted.seed)


def _refused(request, template, context, error: ServiceError, *, status=FORM_ERROR_STATUS):
    """The form again, with the service's reason for refusing it above what the author typed."""
    context["form"].add_error(None, str(error))
    return render(request, template, context, status=status)


def _bound(form_class, request, **kwargs):
    form = form_class(request.POST, request.FILES, **kwargs)
    _take_upload(request, form)
    return form


@author_login_required
@require_http_methods(["GET", "POST"])
def work_new(request):
    if request.method == "GET":
        form = NewWorkForm(user=request.user)
        return render(request, "works/new.html", {"form": form})
    form = _bound(NewWorkForm, request, user=request.user)
    upload_failed = "upload" in form.errors
    if upload_failed or not form.is_valid():
        return render(request, "works/new.html", {"form": form}, status=FORM_ERROR_STATUS)
    try:
        work = services.work_create(
            **form.work_fields(),
            chapters=[ChapterText(title, text) for title, text in form.chapters()],
            pseud=form.cleaned_data["pseud"] or default_pseud(request.user),
            tag_names=form.tag_names(),
            posted="post" in request.POST,
            token=form.cleaned_data["submission_token"],
        )
    except services.WorkError as error:
        return _refused(request, "works/new.html", {"form": form}, error)
    _warn_of_unshowable_images(request, form.work_fields(), form.chapters())
    # Read from the work: the same form sent twice gets the first one's work and page.
    if work.posted:
        messages.success(request, "Work was successfully posted.")
        return redirect(work)
    messages.success(request, "Draft saved. It is visible only to you until you post it.")
    return redirect("works:preview", work.pk)


@own_work
def work_preview(request, work):
    chapters = list(work.chapters.all())
    return render(request, "works/preview.html", {"work": work, "chapters": chapters})


@own_work
@require_POST
def work_post(request, work):
    services.work_post(work)
    messages.success(request, "Work was successfully posted.")
    return redirect(work)


def _work_initial(work):
    from tags.models import TagKind

    def names(kind):
        return ", ".join(tag.name for tag in work.tags_of(kind))

    return {
        "title": work.title,
        "fandoms": names(TagKind.FANDOM),
        "rating": work.rating,
        "archive_warnings": [tag.name for tag in work.tags_of(TagKind.ARCHIVE_WARNING)],
        "categories": work.category_names,
        "relationships": names(TagKind.RELATIONSHIP),
        "characters": names(TagKind.CHARACTER),
        "freeforms": names(TagKind.FREEFORM),
        "language": work.language,
        "summary": work.summary,
        "notes": work.notes,
        "end_notes": work.end_notes,
        "restricted": work.restricted,
        "complete": work.complete,
        "expected_chapters": work.expected_chapters,
    }


def _only_chapter(work):
    """The chapter of a one-shot, whose text its Edit page holds; None for a work of more."""
    chapters = list(work.chapters.all()[:2])
    return chapters[0] if len(chapters) == 1 else None


@own_work
@require_http_methods(["GET", "POST"])
def work_edit(request, work):
    chapter = _only_chapter(work)
    if request.method == "GET":
        initial = {**_work_initial(work), "lock_version": work.lock_version}
        if chapter is None:
            form = WorkEditForm(initial=initial)
        else:
            initial |= {"chapter_text": chapter.text, "chapter_lock_version": chapter.lock_version}
            form = OneShotEditForm(initial=initial)
        return render(request, "works/edit.html", {"form": form, "work": work})
    # The form sent says which it is: a chapter added since it was opened is not lost.
    one_shot = "chapter_lock_version" in request.POST
    form = (OneShotEditForm if one_shot else WorkEditForm)(request.POST)
    context = {"form": form, "work": work}
    if not form.is_valid():
        return render(request, "works/edit.html", context, status=FORM_ERROR_STATUS)
    text = {}
    if one_shot:
        text = {
            "text": form.cleaned_data["chapter_text"],
            "text_version": form.cleaned_data["chapter_lock_version"],
        }
    try:
        work = services.work_update(
            work, **form.work_fields(), tag_names=form.tag_names(),
            version=form.cleaned_data["lock_version"], **text,
        )  # fmt: skip
    except services.StaleEdit as error:
        return _refused(request, "works/edit.html", context, error, status=STALE_FORM_STATUS)
    except services.WorkError as error:
        return _refused(request, "works/edit.html", context, error)
    _warn_of_unshowable_images(request, {**form.work_fields(), "text": text.get("text")})
    messages.success(request, "Work was successfully updated.")
    return redirect("works:preview", work.pk) if not work.posted else redirect(work)


@own_work
@require_http_methods(["GET", "POST"])
def work_delete(request, work):
    if request.method == "POST":
        title = work.title
        services.work_delete(work)
        messages.success(request, f"Your work {title} was deleted.")
        return redirect("dashboard", username=request.user.username)
    return render(request, "works/delete.html", {"work": work})


@own_work
@require_http_methods(["GET", "POST"])
def chapter_new(request, work):
    if request.method == "GET":
        return render(request, "works/chapter_form.html", {"form": ChapterForm(), "work": work})
    form = _bound(ChapterForm, request)
    if "upload" in form.errors or not form.is_valid():
        context = {"form": form, "work": work}
        return render(request, "works/chapter_form.html", context, status=FORM_ERROR_STATUS)
    # The form's summary and notes are the first chapter's; an upload's others have none.
    _, *rest = form.chapters()
    chapters = [ChapterText(**form.chapter_fields())]
    chapters += [ChapterText(title, text) for title, text in rest]
    # As on the new-work form: Preview and Save as Draft both keep the chapter a draft.
    draft = "preview" in request.POST or "save_draft" in request.POST
    try:
        created = services.chapter_add(
            work, chapters=chapters, token=form.cleaned_data["submission_token"],
            user=request.user, posted=not draft,
        )  # fmt: skip
    except services.WorkError as error:
        return _refused(request, "works/chapter_form.html", {"form": form, "work": work}, error)
    _warn_of_unshowable_images(request, form.chapter_fields(), form.chapters())
    # Read from the chapter: the same form sent twice gets the first one's chapter and page.
    if not created[0].posted:
        messages.success(
            request,
            "Chapter draft saved. It is visible only to the work's creators until you post it.",
        )
        return redirect("works:chapter-preview", work.pk, created[0].pk)
    messages.success(request, "Chapter was successfully added.")
    return redirect(created[0])


@own_work
def chapter_preview(request, work, chapter_id):
    chapter = _chapter_or_404(work, chapter_id)
    context = {"work": work, "chapter": chapter, "chapter_count": work.chapters.count()}
    return render(request, "works/chapter_preview.html", context)


@own_work
@require_POST
def chapter_post(request, work, chapter_id):
    chapter = services.chapter_post(_chapter_or_404(work, chapter_id))
    messages.success(request, "Chapter was successfully posted.")
    return redirect(chapter)


@own_work
@require_http_methods(["GET", "POST"])
def chapter_edit(request, work, chapter_id):
    chapter = _chapter_or_404(work, chapter_id)
    if request.method == "GET":
        initial = {
            "chapter_title": chapter.title,
            "summary": chapter.summary,
            "notes": chapter.notes,
            "end_notes": chapter.end_notes,
            "chapter_text": chapter.text,
            "lock_version": chapter.lock_version,
        }
        form = ChapterEditForm(initial=initial)
        context = {"form": form, "work": work, "chapter": chapter}
        return render(request, "works/chapter_form.html", context)
    form = _bound(ChapterEditForm, request)
    context = {"form": form, "work": work, "chapter": chapter}
    if "upload" in form.errors or not form.is_valid():
        return render(request, "works/chapter_form.html", context, status=FORM_ERROR_STATUS)
    try:
        chapter = services.chapter_update(
            chapter,
            content=ChapterText(**form.chapter_fields()),
            version=form.cleaned_data["lock_version"],
        )
    except services.StaleEdit as error:
        return _refused(
            request, "works/chapter_form.html", context, error, status=STALE_FORM_STATUS
        )
    _warn_of_unshowable_images(request, form.chapter_fields())
    messages.success(request, "Chapter was successfully updated.")
    return redirect(chapter)


@own_work
@require_http_methods(["GET", "POST"])
def chapter_delete(request, work, chapter_id):
    chapter = _chapter_or_404(work, chapter_id)
    if request.method == "POST":
        try:
            services.chapter_delete(chapter)
        except services.WorkError as error:
            messages.error(request, str(error))
            return redirect("works:manage-chapters", work.pk)
        messages.success(request, "The chapter was deleted.")
        return redirect("works:manage-chapters", work.pk)
    return render(request, "works/chapter_delete.html", {"work": work, "chapter": chapter})


@own_work
@require_http_methods(["GET", "POST"])
def chapters_manage(request, work):
    chapters = list(work.chapters.only("id", "work_id", "position", "title", "posted"))
    data = request.POST if request.method == "POST" else None
    form = ChapterOrderForm(data, count=len(chapters))
    if form.is_valid():
        order = [chapters[number - 1].pk for number in form.cleaned_data["order"]]
        try:
            services.chapters_reorder(work, order)
        except services.WorkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Chapter order saved.")
            return redirect("works:manage-chapters", work.pk)
    context = {"work": work, "chapters": chapters, "form": form}
    status = FORM_ERROR_STATUS if form.errors else 200
    return render(request, "works/chapters_manage.html", context, status=status)
