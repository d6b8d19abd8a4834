"""The tags app's configuration."""

from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "tags"
    default_auto_field = "django.db.models.BigAutoField"
