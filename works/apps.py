"""The works app's configuration: pools closed at exit, and what it hears from tags."""

import atexit

from django.apps import AppConfig
from django.db import connections


def close_connection_pools():
    """Close psycopg's pools before exit: left to the garbage collector, each of their
    threads waits 5 s to stop, so Ctrl-C on `make run` took half a minute."""
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()


class WorksConfig(AppConfig):
    name = "works"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tags.signals import fandom_mergers_changed
        from works.indexing import fandoms_merged

        atexit.register(close_connection_pools)
        fandom_mergers_changed.connect(fandoms_merged)
