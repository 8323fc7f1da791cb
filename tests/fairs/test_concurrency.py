"""Races on fairs are settled by row locks. Real threads need a real server: PostgreSQL."""

import threading

import pytest
from django.db import connection

from core.models import AuditEntry
from fairs.models import Fair
from fairs.services import FairError, fair_transition
from tests.factories import FairFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_moving_the_same_fair_at_once_make_one_move(staff_user):
    """Eight people press "open" together: exactly one move is made, seven are refused."""
    fair = FairFactory(status=Fair.Status.DRAFT)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press():
        try:
            barrier.wait(timeout=10)
            fair_transition(fair=Fair.objects.get(pk=fair.pk), to_status=Fair.Status.OPEN, actor=staff_user)
            result = "moved"
        except FairError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["illegal_transition"] * 7 + ["moved"], outcomes
    assert Fair.objects.get(pk=fair.pk).status == Fair.Status.OPEN
    assert AuditEntry.objects.filter(action="fair.transition").count() == 1
