"""The admin's pages for tags and wrangling changes."""

from django.contrib import admin

from tags.models import Tag, WranglingChange


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "canonical", "merger", "work_count"]
    list_filter = ["kind", "canonical"]
    search_fields = ["name"]
    # Wrangling goes through the wrangling pages, which keep filters, totals and history.
    readonly_fields = ["canonical", "merger"]

    def has_delete_permission(self, request, obj=None):
        # A tag's works would keep its id in their filters and the tags below it their
        # filter rows; a tag that should not be used is made a synonym instead.
        return False


@admin.register(WranglingChange)
class WranglingChangeAdmin(admin.ModelAdmin):
    list_display = ["tag", "user", "created_at"]
    readonly_fields = ["tag", "user", "created_at", "before", "after", "undoes"]
