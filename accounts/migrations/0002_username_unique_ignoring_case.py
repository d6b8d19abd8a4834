"""One account per user name whatever its case: a unique index on lower(username).

Sign-up checks for the name first, but two sign-ups at the same moment both pass that check;
the index makes the second insert fail, and the form says the name is taken. A database
that already holds names differing only in case stops the migration with the list of them:
which account keeps the name is for a person to decide (rename the others in /admin/, then
migrate again), not for a migration to guess.
"""

from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_duplicates(apps, schema_editor):
    User = apps.get_model("auth", "User")
    clashes = (
        User.objects.annotate(name=Lower("username"))
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    clashing = sorted(
        User.objects.annotate(name=Lower("username"))
        .filter(name__in=list(clashes))
        .values_list("username", flat=True)
    )
    if clashing:
        raise RuntimeError(
            "These user names differ only in case, and user names are now unique whatever"
            f" their case: {', '.join(clashing)}. Rename all but one of each in /admin/"
            " (or manage.py shell), then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX accounts_username_lower_unique ON auth_user (lower(username))",
            "DROP INDEX accounts_username_lower_unique",
        ),
    ]
