"""Scans racing each other, through the API, on PostgreSQL (real row locks, real threads).

- The same scan sent twice at once (a phone retrying on a flaky network): one row, and both
  answers say the same thing.
- Two gates scanning the same badge in at the same moment: one ``ok``, one ``already_inside``.
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from badges import services
from badges.models import Badge, CheckIn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def device_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def race(requests: list) -> list:
    """Run each ``(client, data)`` POST in its own thread, released together: (status, body)."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(index, client, data):
        try:
            barrier.wait(timeout=10)
            response = client.post("/api/v1/check-ins/", data, format="json")
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(answer is not None for answer in answers), answers
    return answers


def scan(fair, code, nonce, gate="A") -> dict:
    return {"fair": fair.pk, "code": code, "gate": gate, "direction": "in", "nonce": nonce}


@pytest.mark.parametrize("what", ["badge", "garbage"])
@pytest.mark.parametrize("copies", [2, 6])
def test_the_same_scan_sent_at_once_records_once(running_fair, badges, what, copies):
    """Same device, same nonce, at the same moment. A real badge is settled by its row lock;
    a garbage code (no badge to lock) by the unique origin + nonce constraint."""
    _device, token = services.device_create(name="Gate A", fair=running_fair, actor=None)
    code = services.badge_code(badges[0]) if what == "badge" else "GARBAGE-CODE!"
    answers = race([(device_client(token), scan(running_fair, code, "retry-1")) for _ in range(copies)])

    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] * (copies - 1) + [201], answers
    assert len({body["check_in"] for _status, body in answers}) == 1
    assert len({body["result"] for _status, body in answers}) == 1
    assert CheckIn.objects.count() == 1
    expected = "ok" if what == "badge" else "invalid"
    assert CheckIn.objects.get().result == expected


@pytest.mark.parametrize("gates", [2, 5])
def test_two_gates_scanning_one_badge_in_at_once_let_it_in_once(running_fair, badges, gates):
    tokens = [
        services.device_create(name=f"Gate {n}", fair=running_fair, actor=None)[1] for n in range(gates)
    ]
    code = services.badge_code(badges[0])
    answers = race(
        [
            (device_client(token), scan(running_fair, code, "n-1", gate=f"G{n}"))
            for n, token in enumerate(tokens)
        ]
    )

    assert [status for status, _body in answers] == [201] * gates
    results = sorted(body["result"] for _status, body in answers)
    assert results == ["already_inside"] * (gates - 1) + ["ok"], answers
    entered = next(body for _status, body in answers if body["result"] == "ok")
    inside = Badge.objects.get(pk=badges[0].pk).inside_since
    assert inside is not None
    for _status, body in answers:
        assert body["badge"]["first_entry_at"] == entered["badge"]["first_entry_at"]
    assert CheckIn.objects.count() == gates
    assert CheckIn.objects.filter(result="ok").count() == 1
