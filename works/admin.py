from django.contrib import admin

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


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["work", "position", "title", "word_count", "published"]
    search_fields = ["work__title", "title"]
    raw_id_fields = ["work"]
