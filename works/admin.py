from django.contrib import admin
from django.utils import timezone

from works import services
from works.models import Chapter, TaggedWork, Work


class ChapterInline(admin.StackedInline):
    model = Chapter
    extra = 0
    fields = ["position", "title", "published", "text"]


class TaggedWorkInline(admin.TabularInline):
    model = TaggedWork
    extra = 0
    autocomplete_fields = ["tag"]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "word_count", "complete", "posted", "updated_at"]
    list_filter = ["complete", "posted", "restricted", "language"]
    search_fields = ["title"]
    exclude = ["tags"]
    inlines = [TaggedWorkInline, ChapterInline]

    # Admin edits bypass works.services, so the listing columns and tag totals are
    # brought up to date here, as a service write would.
    def save_model(self, request, obj, form, change):
        before = Work.objects.filter(pk=obj.pk).first() if change else None
        self._counted_before = services.public_tag_ids(before) if before else set()
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.reindex(form.instance, counted_before=self._counted_before)

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

    def save_model(self, request, obj, form, change):
        # The services write what they are given onto the row as stored now.
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.chapter_update(obj, fields=fields)
            return
        fields.pop("work", None)
        fields.pop("position", None)
        (created,) = services.chapter_add(obj.work, chapters=[fields])
        obj.pk, obj.position = created.pk, created.position

    def delete_model(self, request, obj):
        services.chapter_delete(obj)
