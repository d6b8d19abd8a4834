"""The pages app's configuration: the default pages are made once it has migrated."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    name = "pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pages.defaults import create_default_pages

        post_migrate.connect(create_default_pages, sender=self)
