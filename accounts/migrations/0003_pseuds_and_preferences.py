"""Pseud and ReaderPreference move here from the works app, keeping their tables and rows.

Only Django's record of the models moves (SeparateDatabaseAndState): the tables keep their
names (see the models' db_table), so no row is copied. works.0008 lets go of them. The
content types move too, so permissions granted on them keep applying.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

MOVED = ["pseud", "readerpreference"]


def move_content_types(apps, schema_editor, *, source="works", target="accounts"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        # A content type made for the new app already (a migrate run that stopped after
        # post_migrate) stays, and the old one goes with its stale permissions.
        if ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).delete()
        else:
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="accounts", target="works")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_username_unique_ignoring_case"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("works", "0007_submissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Pseud",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),  # noqa: E501
                        ("name", models.CharField(max_length=40)),
                        ("is_default", models.BooleanField(default=False)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pseuds", to=settings.AUTH_USER_MODEL)),  # noqa: E501
                    ],
                    options={
                        "db_table": "works_pseud",
                        "ordering": ["-is_default", "name"],
                        "constraints": [
                            models.UniqueConstraint(models.F("user"), django.db.models.functions.text.Lower("name"), name="pseud_name_unique_per_user"),  # noqa: E501
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ReaderPreference",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),  # noqa: E501
                        ("hidden_tag_ids", django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), blank=True, default=list, size=None)),  # noqa: E501
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="reader_preference", to=settings.AUTH_USER_MODEL)),  # noqa: E501
                    ],
                    options={"db_table": "works_readerpreference"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
