"""Pseud and ReaderPreference now belong to the accounts app (accounts.0003): works only
lets go of Django's record of them. The tables, the work-pseud links and every row stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pseuds_and_preferences"),
        ("works", "0007_submissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="work",
                    name="pseuds",
                    field=models.ManyToManyField(blank=True, related_name="works", to="accounts.pseud"),  # noqa: E501
                ),
                migrations.DeleteModel(name="Pseud"),
                migrations.DeleteModel(name="ReaderPreference"),
            ],
            database_operations=[],
        ),
    ]
