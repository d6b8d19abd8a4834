"""Accounts' own rows: the names they write under, what they hide from listings, and the
counters that throttle attempts."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Pseud(models.Model):
    """A name an account writes under; bylines link to it. Each account has a default one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pseuds"
    )
    name = models.CharField(max_length=40)
    is_default = models.BooleanField(default=False)

    class Meta:
        # Moved from the works app with its rows: the table keeps the name it was made with.
        db_table = "works_pseud"
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="pseud_name_unique_per_user"),
        ]
        ordering = ["-is_default", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pseud", args=[self.user.username, self.name])


class ReaderPreference(models.Model):
    """What an account hides from every listing (visitors keep theirs in a cookie)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_preference"
    )
    hidden_tag_ids = ArrayField(models.IntegerField(), default=list, blank=True)

    class Meta:
        db_table = "works_readerpreference"  # as Pseud's

    def __str__(self):
        return f"{self.user} hides {len(self.hidden_tag_ids)} tags"


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
