"""make backup / make restore: a dump of the database restores what it held."""

import pytest
from django.db import connection

from archive.database import backup, restore
from tests.factories import make_work
from works.models import Work


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_round_trips(tmp_path):
    kept = make_work(title="Kept Safe", chapters=2)
    kept_id = kept.pk
    path = tmp_path / "archive.dump"
    backup(path, connection.settings_dict)
    assert path.stat().st_size > 0

    kept.delete()
    make_work(title="Written After The Backup")
    connection.close()  # pg_restore needs the tables free of this session's locks
    restore(path, connection.settings_dict)

    titles = sorted(Work.objects.values_list("title", flat=True))
    assert titles == ["Kept Safe"]
    restored = Work.objects.get()
    assert restored.chapters.count() == 2
    assert restored.pk == kept_id


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        restore(tmp_path / "nope.dump", {"NAME": "unused"})
