"""The shared counters (accounts_throttle) and the table of the default cache (archive_cache).

Both are UNLOGGED: they hold nothing a crash should cost a WAL write per request to keep.
The cache table is the one `manage.py createcachetable` would make, made here so that
`migrate` alone readies a new database.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Throttle",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("count", models.IntegerField()),
                ("expires", models.DateTimeField()),
            ],
        ),
        migrations.RunSQL(
            "ALTER TABLE accounts_throttle SET UNLOGGED",
            "ALTER TABLE accounts_throttle SET LOGGED",
        ),
        migrations.RunSQL(
            """
            CREATE UNLOGGED TABLE archive_cache (
                cache_key varchar(255) NOT NULL PRIMARY KEY,
                value text NOT NULL,
                expires timestamp with time zone NOT NULL
            );
            CREATE INDEX archive_cache_expires ON archive_cache (expires);
            """,
            "DROP TABLE archive_cache",
        ),
    ]
