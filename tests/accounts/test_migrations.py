"""Accounts' migrations: user names unique whatever their case, and pseuds and reader
preferences moved from works to accounts with their tables, rows, links and permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Pseud, ReaderPreference
from works.models import Work

BEFORE_THE_MOVE = [
    ("accounts", "0002_username_unique_ignoring_case"),
    ("works", "0007_submissions"),
]
MOVED_MODELS = ["pseud", "readerpreference"]
MOVED_TABLES = ["works_pseud", "works_readerpreference", "works_work_pseuds"]


@pytest.mark.django_db
def test_migration_refuses_names_that_differ_only_in_case():
    """The unique index on lower(username) cannot be made over such names: the migration
    stops and names them instead of failing somewhere in the SQL."""
    MigrationExecutor(connection).migrate([("accounts", "0001_initial")])
    users = get_user_model().objects
    users.create(username="Twin_reader")
    users.create(username="twin_READER")
    with pytest.raises(RuntimeError, match="Twin_reader, twin_READER"):
        MigrationExecutor(connection).migrate([("accounts", "0002_username_unique_ignoring_case")])


@pytest.mark.django_db
def test_the_database_refuses_a_second_name_differing_only_in_case():
    get_user_model().objects.create_user("Dupe_pt")
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user("dupe_pt")


def migrate(targets=None):
    """Migrate to `targets` (every app's latest when None); the apps of the state reached."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def table_ids():
    """The tables' PostgreSQL object ids: a table dropped and made again gets a new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, oid FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [MOVED_TABLES],
        )
        return dict(cursor.fetchall())


def fill_before_the_move(apps):
    """Accounts, pseuds, works, a preference and a group's permission, as works held them;
    what each should read back as afterwards."""
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    OldPseud = apps.get_model("works", "Pseud")
    OldPreference = apps.get_model("works", "ReaderPreference")
    OldWork = apps.get_model("works", "Work")

    author = User.objects.create(username="Moving_author")
    other = User.objects.create(username="Other_writer")
    main = OldPseud.objects.create(user=author, name="Moving_author", is_default=True)
    second = OldPseud.objects.create(user=author, name="Second Name")
    others = OldPseud.objects.create(user=other, name="Other_writer", is_default=True)
    together = OldWork.objects.create(title="Written together")
    together.pseuds.add(main, others)
    alone = OldWork.objects.create(title="Under the second name")
    alone.pseuds.add(second)
    unclaimed = OldWork.objects.create(title="Nobody's")
    preference = OldPreference.objects.create(user=other, hidden_tag_ids=[42, 3, 17])

    # A database made before the move has them under works. The reverse migration has put
    # them back there already (the second round below checks it); this makes sure of it, so
    # that the first round tests the forward move alone.
    ContentType.objects.filter(app_label="accounts", model__in=MOVED_MODELS).update(
        app_label="works"
    )
    pseud_type = ContentType.objects.get(app_label="works", model="pseud")
    preference_type = ContentType.objects.get(app_label="works", model="readerpreference")
    editors = Group.objects.create(name="Pseud editors")
    change = Permission.objects.get(content_type=pseud_type, codename="change_pseud")
    editors.permissions.add(change)
    author.groups.add(editors)
    return {
        "pseuds": {
            main.pk: (author.pk, "Moving_author", True),
            second.pk: (author.pk, "Second Name", False),
            others.pk: (other.pk, "Other_writer", True),
        },
        "works": {together.pk: {main.pk, others.pk}, alone.pk: {second.pk}, unclaimed.pk: set()},
        "preferences": {preference.pk: (other.pk, [42, 3, 17])},
        "content_types": {"pseud": pseud_type.pk, "readerpreference": preference_type.pk},
        "author": author.pk,
        "other": other.pk,
        "group": editors.pk,
    }


def assert_kept(expected):
    """Every row reads back through today's models with its id, values and links."""
    ContentType.objects.clear_cache()
    pseuds = {p.pk: (p.user_id, p.name, p.is_default) for p in Pseud.objects.all()}
    assert pseuds == expected["pseuds"]
    works = {w.pk: {p.pk for p in w.pseuds.all()} for w in Work.objects.all()}
    assert works == expected["works"]
    preferences = {r.pk: (r.user_id, r.hidden_tag_ids) for r in ReaderPreference.objects.all()}
    assert preferences == expected["preferences"]

    author = get_user_model().objects.get(pk=expected["author"])
    assert {p.name for p in author.pseuds.all()} == {"Moving_author", "Second Name"}
    other = get_user_model().objects.get(pk=expected["other"])
    assert other.reader_preference.hidden_tag_ids == [42, 3, 17]

    for model, content_type_id in expected["content_types"].items():
        content_type = ContentType.objects.get(pk=content_type_id)
        assert (content_type.app_label, content_type.model) == ("accounts", model)
    assert ContentType.objects.get_for_model(Pseud).pk == expected["content_types"]["pseud"]
    group = author.groups.get()
    assert group.pk == expected["group"]
    assert [p.codename for p in group.permissions.all()] == ["change_pseud"]
    assert author.has_perm("accounts.change_pseud")


@pytest.mark.django_db(transaction=True)
def test_pseuds_and_preferences_move_to_accounts_with_every_row():
    tables = table_ids()
    assert set(tables) == set(MOVED_TABLES)
    try:
        expected = fill_before_the_move(migrate(BEFORE_THE_MOVE))
        migrate()
        assert table_ids() == tables
        assert_kept(expected)
        # The sequence went on too: a new pseud takes the next id, not one already held.
        author = get_user_model().objects.get(pk=expected["author"])
        assert Pseud.objects.create(user=author, name="Third").pk > max(expected["pseuds"])

        # And back: works holds them again, as before, then forward once more.
        Pseud.objects.filter(name="Third").delete()
        apps = migrate(BEFORE_THE_MOVE)
        OldPseud = apps.get_model("works", "Pseud")
        assert OldPseud.objects.count() == len(expected["pseuds"])
        OldContentType = apps.get_model("contenttypes", "ContentType")
        labels = OldContentType.objects.filter(pk__in=expected["content_types"].values())
        assert set(labels.values_list("app_label", flat=True)) == {"works"}
        migrate()
        assert table_ids() == tables
        assert_kept(expected)
    finally:
        migrate()


@pytest.mark.django_db(transaction=True)
def test_a_content_type_made_for_accounts_early_takes_over_the_old_ones_grants():
    """Code of the new app may ask for Pseud's content type before the move runs (after a
    rollback, say): the move keeps that one and carries the old one's grants over to it."""
    try:
        apps = migrate(BEFORE_THE_MOVE)
        expected = fill_before_the_move(apps)
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        early = ContentType.objects.create(app_label="accounts", model="pseud")
        Permission.objects.create(content_type=early, codename="change_pseud", name="Can change")
        migrate()
        ContentType.objects.clear_cache()
        assert ContentType.objects.get_for_model(Pseud).pk == early.pk
        assert not ContentType.objects.filter(app_label="works", model="pseud").exists()
        author = get_user_model().objects.get(pk=expected["author"])
        granted = author.groups.get().permissions.get()
        assert (granted.content_type_id, granted.codename) == (early.pk, "change_pseud")
        assert author.has_perm("accounts.change_pseud")
        assert {p.pk for p in Pseud.objects.all()} == set(expected["pseuds"])
    finally:
        migrate()
