"""Draft chapters: a chapter is posted unless its author saved it as a draft."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0009_cocreator_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="chapter",
            name="posted",
            field=models.BooleanField(
                db_default=True, default=True, help_text="Unposted chapters are drafts."
            ),
        ),
    ]
