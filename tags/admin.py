from django.contrib import admin

from tags.models import Tag, WranglingChange


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "canonical", "merger", "work_count"]
    list_filter = ["kind", "canonical"]
    search_fields = ["name"]
    # Wrangling goes through the wrangling pages, which keep filters, totals and history.
    readonly_fields = ["canonical", "merger"]


@admin.register(WranglingChange)
class WranglingChangeAdmin(admin.ModelAdmin):
    list_display = ["tag", "user", "created_at"]
    readonly_fields = ["tag", "user", "created_at", "before", "after", "undoes"]
