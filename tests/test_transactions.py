"""Real PostgreSQL deadlocks: a write aborted by one is run again, and one that stays aborted
is answered as a conflict, not as a database outage."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.test import RequestFactory

from archive.middleware import DatabaseUnavailableMiddleware, outage
from archive.transactions import retry_on_conflict, write_conflict
from tags.models import Tag, TagKind

pytestmark = pytest.mark.django_db(transaction=True)


def deadlocking_pair(*, retried):
    """Two writers locking the same two rows in opposite orders, started together; the
    errors each raised and how many attempts each made."""
    first, second = (Tag.objects.create(name=f"Row {n}", kind=TagKind.FREEFORM) for n in (1, 2))
    both_hold_one = threading.Barrier(2)
    attempts, errors = [0, 0], [None, None]

    def write(index, order):
        attempts[index] += 1
        with transaction.atomic():
            Tag.objects.filter(pk=order[0]).update(work_count=F("work_count") + 1)
            if attempts[index] == 1:
                both_hold_one.wait()
            Tag.objects.filter(pk=order[1]).update(work_count=F("work_count") + 1)

    def run(index, order):
        call = retry_on_conflict(write) if retried else write
        try:
            call(index, order)
        except OperationalError as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(0, [first.pk, second.pk])),
        threading.Thread(target=run, args=(1, [second.pk, first.pk])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, attempts


def test_a_deadlocked_write_is_run_again_and_succeeds():
    errors, attempts = deadlocking_pair(retried=True)
    assert errors == [None, None]
    assert sorted(attempts) == [1, 2]
    # Each writer counted once into each row: none lost, none twice.
    assert list(Tag.objects.values_list("work_count", flat=True)) == [2, 2]


def test_a_deadlock_that_reaches_a_page_is_a_conflict_not_an_outage():
    errors, _ = deadlocking_pair(retried=False)
    (error,) = [error for error in errors if error is not None]
    assert write_conflict(error)
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().post("/works/new")
    request.user = AnonymousUser()
    response = middleware.process_exception(request, error)
    assert response.status_code == 409
    assert b"Your change was not saved" in response.content
    assert not outage.ongoing()
