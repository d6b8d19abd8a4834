"""The admin's pages for the site's own pages."""

from django.contrib import admin

from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    fields = ["title", "slug", "content"]
