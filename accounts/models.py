"""Counts of attempts per key (an address, an account) within a window, shared by every worker."""

from django.db import models


class Throttle(models.Model):
    """One counter: how many attempts `key` made since its window opened, until `expires`.

    Written only by accounts.throttles, with one atomic statement per count; the table is
    UNLOGGED (see the migration): losing the counts in a crash costs nothing worth a WAL
    write per request.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField()
    expires = models.DateTimeField()

    def __str__(self):
        return f"{self.key}: {self.count}"
