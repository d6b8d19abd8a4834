"""Pseud and ReaderPreference move here from the works app, keeping their tables and rows.

Only Django's record of the models moves (SeparateDatabaseAndState): the tables keep their
names (see the models' db_table), so no row is copied. works.0008 lets go of them. The
content types move too, so permissions granted on them keep applying; works.0008 cannot
be squashed with works.0007, which this depends on.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

MOVED = ["pseud", "readerpreference"]


def move_content_types(apps, schema_editor, *, source="works", target="accounts"):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(using=db, update_fields=["app_label"])
        else:
            _merge_content_type(apps, db, old, new)


def _merge_content_type(apps, db, old, new):
    """Both exist (code of the new app asked for its content type before this ran): the new
    one stays, and takes over the old one's permissions, their grants and the admin's log
    entries, so deleting the old one takes nothing with it."""
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for permission in Permission.objects.using(db).filter(content_type=old):
        twin = Permission.objects.using(db).filter(content_type=new, codename=permission.codename)
        twin = twin.first()
        if twin is None:
            permission.content_type = new
            permission.save(using=db, update_fields=["content_type"])
            continue
        for group in permission.group_set.all():
            group.permissions.add(twin)
        for user in permission.user_set.all():
            user.user_permissions.add(twin)
    LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
    old.delete()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="accounts", target="works")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_username_unique_ignoring_case"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
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
