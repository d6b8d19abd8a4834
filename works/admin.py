"""The admin's pages for works and chapters, which write through works.services as authors do."""

from dataclasses import fields

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from works import services
from works.checking import LimitError, check_chapters
from works.models import Chapter, TaggedWork, Work
from works.services import ChapterText

# What work_create and work_update take from the work's own form.
WORK_FIELDS = [
    "title", "summary", "notes", "end_notes", "language", "complete", "expected_chapters",
    "restricted", "posted",
]  # fmt: skip
CHAPTER_TEXT_FIELDS = [field.name for field in fields(ChapterText)]


def _new_chapters(formset):
    return [
        ChapterText(form.cleaned_data["title"], form.cleaned_data["text"])
        for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]


class NewChaptersFormSet(BaseInlineFormSet):
    """A new work's chapters, refused here as the service would refuse them, so that the
    admin sees why on the form rather than as a server error."""

    def clean(self):
        super().clean()
        if self.instance.pk is not None or any(self.errors):
            return
        chapters = _new_chapters(self)
        if not chapters:
            raise ValidationError("A work needs at least one chapter.")
        try:
            check_chapters([(chapter.title, chapter.text) for chapter in chapters])
        except LimitError as error:
            raise ValidationError(str(error)) from None


class ChapterInline(admin.StackedInline):
    """A new work's chapters are typed here; a work's chapters are edited one by one on their
    own admin page, whose writes number and reindex them."""

    model = Chapter
    formset = NewChaptersFormSet
    extra = 0
    show_change_link = True

    def get_fields(self, request, obj=None):
        return ["title", "text"] if obj is None else ["position", "title", "published", "text"]

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaggedWorkInline(admin.TabularInline):
    """The work's tags as rows; only the names they end with reach the service."""

    model = TaggedWork
    extra = 0
    autocomplete_fields = ["tag"]


def _chosen_tag_names(formset):
    names = {}
    for form in formset.forms:
        tag = form.cleaned_data.get("tag")
        if tag is not None and not form.cleaned_data.get("DELETE"):
            names.setdefault(tag.kind, []).append(tag.name)
    return names


def _tag_names(work):
    names = {}
    for tagged in work.tagged.select_related("tag"):
        names.setdefault(tagged.tag.kind, []).append(tagged.tag.name)
    return names


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "word_count", "complete", "posted", "updated_at"]
    list_filter = ["complete", "posted", "restricted", "language"]
    search_fields = ["title"]
    fields = [*WORK_FIELDS, "published", "updated_at", "pseuds"]
    # The services date a work, and no service changes its creators.
    readonly_fields = ["published", "updated_at", "pseuds"]
    inlines = [TaggedWorkInline, ChapterInline]

    def save_model(self, request, obj, form, change):
        # Written in save_related, where the tag and chapter rows are known too.
        pass

    def save_related(self, request, form, formsets, change):
        # The formsets only say what to write: save(commit=False) lists what changed, for
        # the admin's history, and writes nothing; the service writes.
        for formset in formsets:
            formset.save(commit=False)
        by_model = {formset.model: formset for formset in formsets}
        work_fields = {name: form.cleaned_data[name] for name in WORK_FIELDS}
        tags = by_model.get(TaggedWork)
        # Rows an admin may only view come back as they were shown, not as tags chosen.
        chosen = tags is not None and tags.has_changed()
        if change:
            tag_names = _chosen_tag_names(tags) if chosen else _tag_names(form.instance)
            services.work_update(form.instance, **work_fields, tag_names=tag_names)
            return
        work = services.work_create(
            **work_fields,
            chapters=_new_chapters(by_model[Chapter]),
            tag_names=_chosen_tag_names(tags) if chosen else {},
        )
        form.instance.pk = work.pk
        by_model[Chapter].new_objects = list(work.chapters.all())

    def has_add_permission(self, request):
        # A new work is made with its first chapters, typed on the same page.
        return super().has_add_permission(request) and request.user.has_perm("works.add_chapter")

    def delete_model(self, request, obj):
        services.work_delete(obj)

    def delete_queryset(self, request, queryset):
        for work in queryset:
            services.work_delete(work)


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["work", "position", "title", "word_count", "published"]
    search_fields = ["work__title", "title"]
    raw_id_fields = ["work"]
    fields = ["work", "position", "title", "summary", "notes", "end_notes", "text", "published"]

    def get_readonly_fields(self, request, obj=None):
        # The services number and date a new chapter; the author's reorder page moves one.
        return ["position", "published"] if obj is None else ["work", "position", "published"]

    def save_model(self, request, obj, form, change):
        content = ChapterText(**{name: form.cleaned_data[name] for name in CHAPTER_TEXT_FIELDS})
        if change:
            services.chapter_update(obj, content=content)
            return
        (created,) = services.chapter_add(obj.work, chapters=[content])
        obj.pk, obj.position = created.pk, created.position

    def delete_model(self, request, obj):
        services.chapter_delete(obj)

    def delete_queryset(self, request, queryset):
        for chapter in queryset:
            try:
                services.chapter_delete(chapter)
            except services.WorkError as error:
                self.message_user(request, f"{chapter.work}: {error}", messages.ERROR)
