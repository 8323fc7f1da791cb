"""Check-in through the service: every result, presence, idempotency, offline uploads.

The API tests (test_api.py) go through the same paths over HTTP; here the clock is driven
with ``now=`` so times such as "inside since 09:42" are exact.
"""

import datetime as dt

import pytest
from django.utils import timezone

from badges import codec, selectors, services
from badges.models import Badge, BadgeKind, CheckIn, CheckInResult
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.badges.helpers import at, scan
from tests.factories import ApplicationFactory, FairFactory

pytestmark = pytest.mark.django_db
R = CheckInResult


@pytest.fixture
def device(running_fair):
    return services.device_create(name="Gate A phone", fair=None, actor=None)[0]


@pytest.fixture
def other_device():
    return services.device_create(name="Gate B phone", fair=None, actor=None)[0]


@pytest.fixture
def other_fair():
    today = timezone.localdate()
    fair = FairFactory(status=Fair.Status.RUNNING, starts_on=today, ends_on=today + dt.timedelta(days=2))
    ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
    return fair


@pytest.fixture
def other_badge(other_fair):
    return services.badges_issue_for_fair(fair=other_fair, actor=None)[0]


# --- Each result ----------------------------------------------------------------------------


def test_a_valid_badge_enters(running_fair, badge, code, device):
    answer = scan(running_fair, code, device=device, now=at(9, 42))

    assert answer.result == R.OK and not answer.replayed and not answer.conflict
    assert answer.badge.pk == badge.pk
    assert answer.inside_since == at(9, 42) == answer.first_entry_at
    row = CheckIn.objects.get()
    assert (row.badge_id, row.result, row.scanned_at, row.origin) == (
        badge.pk,
        R.OK,
        at(9, 42),
        f"device:{device.pk}",
    )
    assert Badge.objects.get(pk=badge.pk).inside_since == at(9, 42)


def test_a_typed_serial_enters_like_the_code(running_fair, badge, device):
    answer = scan(running_fair, f" {badge.serial[:4].lower()}-{badge.serial[4:]} ", device=device)
    assert answer.result == R.OK and answer.badge.pk == badge.pk


def test_a_second_entry_is_already_inside_since_the_first(running_fair, badge, code, device, other_device):
    scan(running_fair, code, device=device, now=at(9, 42))
    answer = scan(running_fair, code, device=other_device, gate="B", now=at(11, 5))

    assert answer.result == R.ALREADY_INSIDE
    assert answer.inside_since == at(9, 42) and answer.first_entry_at == at(9, 42)
    assert selectors.scan_message(answer.result, inside_since=answer.inside_since).endswith("09:42")
    assert list(CheckIn.objects.order_by("scanned_at").values_list("result", flat=True)) == [
        R.OK,
        R.ALREADY_INSIDE,
    ]
    assert Badge.objects.get(pk=badge.pk).inside_since == at(9, 42)


def test_yesterdays_entry_does_not_make_one_inside_today(running_fair, badge, code, device):
    scan(running_fair, code, device=device, now=at(17, 0, days=-1))
    answer = scan(running_fair, code, device=device, now=at(9, 0))
    assert answer.result == R.OK
    assert answer.first_entry_at == at(9, 0)


def test_exit_then_entry_again(running_fair, badge, code, device):
    scan(running_fair, code, device=device, now=at(9, 0))
    out = scan(running_fair, code, device=device, direction="out", now=at(12, 30))
    assert out.result == R.OK and out.inside_since is None
    assert Badge.objects.get(pk=badge.pk).inside_since is None

    again = scan(running_fair, code, device=device, now=at(14, 0))
    assert again.result == R.OK
    assert again.inside_since == at(14, 0)
    assert again.first_entry_at == at(9, 0)  # the first entry of the day, not the latest
    counters = selectors.fair_counters(running_fair, now=at(15, 0))
    assert counters == {"inside_now": 1, "arrived_today": 1, "expected": 3}


def test_an_exit_without_entry_is_recorded_and_changes_nothing(running_fair, badge, code, device):
    answer = scan(running_fair, code, device=device, direction="out", now=at(9, 0))
    assert answer.result == R.OK and answer.inside_since is None
    assert Badge.objects.get(pk=badge.pk).inside_since is None


def test_a_revoked_badge_is_refused(running_fair, badge, code, device):
    services.badge_revoke(badge=badge, actor=None, reason="lost")
    answer = scan(running_fair, code, device=device)
    assert answer.result == R.REVOKED and answer.badge.pk == badge.pk
    assert CheckIn.objects.get().result == R.REVOKED
    assert Badge.objects.get(pk=badge.pk).inside_since is None


def test_a_reissued_badges_old_code_is_revoked_and_the_new_one_enters(running_fair, badge, code, device):
    new = services.badge_reissue(badge=badge, actor=None, reason="name misspelt")
    assert scan(running_fair, code, device=device).result == R.REVOKED
    assert scan(running_fair, services.badge_code(new), device=device).result == R.OK


def test_another_fairs_signed_code_is_wrong_fair(running_fair, badges, other_badge, device):
    other_code = services.badge_code(other_badge)
    answer = scan(running_fair, other_code, device=device)

    assert answer.result == R.WRONG_FAIR and answer.badge is None
    row = CheckIn.objects.get()
    assert (row.fair_id, row.badge_id, row.raw_code) == (running_fair.pk, None, other_code[:200])
    assert Badge.objects.get(pk=other_badge.pk).inside_since is None


def test_another_fairs_typed_serial_is_wrong_fair(running_fair, badges, other_badge, device):
    answer = scan(running_fair, other_badge.serial, device=device)
    assert answer.result == R.WRONG_FAIR and answer.badge is None
    assert CheckIn.objects.get().badge_id is None
    assert Badge.objects.get(pk=other_badge.pk).inside_since is None


def test_a_badge_outside_its_days_is_not_valid_now(running_fair, badges, device):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    visitor = services.badge_create(
        fair=running_fair, actor=None, kind=BadgeKind.VISITOR, name="Tomorrow only",
        valid_from=tomorrow, valid_until=tomorrow,
    )  # fmt: skip
    answer = scan(running_fair, services.badge_code(visitor), device=device)
    assert answer.result == R.NOT_VALID_NOW
    assert Badge.objects.get(pk=visitor.pk).inside_since is None
    assert (
        scan(running_fair, services.badge_code(visitor), device=device, now=at(10, 0, days=1)).result == R.OK
    )


def test_a_validly_signed_code_without_a_badge_is_unknown(running_fair, badges, device):
    setup = services.setup_for(running_fair)
    payload = codec.Payload(
        fair_id=running_fair.pk, serial=codec.new_serial(), kind="visitor",
        valid_from=running_fair.starts_on, valid_until=running_fair.ends_on,
    )  # fmt: skip
    answer = scan(running_fair, codec.encode(payload, bytes(setup.private_key)), device=device)
    assert answer.result == R.UNKNOWN and answer.badge is None
    assert CheckIn.objects.get().result == R.UNKNOWN


def test_an_unknown_typed_serial_is_unknown(running_fair, badges, device):
    serial = codec.new_serial()
    assert not Badge.objects.filter(serial=serial).exists()
    assert scan(running_fair, serial, device=device).result == R.UNKNOWN


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: "garbage",
        lambda code: "",
        lambda code: code[:100],
        lambda code: code + "AAAA",
        lambda code: code[:50] + ("A" if code[50] != "A" else "B") + code[51:],
        lambda code: "A" * 100_000,
        lambda code: "https://souk.example.ma/badge/" + code,
    ],
    ids=["garbage", "empty", "truncated", "too-long", "altered", "oversized", "url"],
)
def test_a_bad_code_is_invalid_and_recorded_without_touching_any_badge(
    running_fair, badges, code, device, mangle
):
    answer = scan(running_fair, mangle(code), device=device)
    assert answer.result == R.INVALID and answer.badge is None
    row = CheckIn.objects.get()
    assert row.result == R.INVALID and row.badge_id is None and len(row.raw_code) <= 200
    assert not Badge.objects.filter(inside_since__isnull=False).exists()


def test_a_code_signed_with_another_key_is_invalid(running_fair, badge, device):
    forged = codec.encode(services.payload_of(badge), codec.new_private_key())
    assert scan(running_fair, forged, device=device).result == R.INVALID


def test_a_code_of_a_fair_without_keys_is_invalid(running_fair, badges, device):
    keyless = FairFactory(status=Fair.Status.RUNNING)
    payload = codec.Payload(
        fair_id=keyless.pk, serial=codec.new_serial(), kind="vip",
        valid_from=keyless.starts_on, valid_until=keyless.ends_on,
    )  # fmt: skip
    assert (
        scan(running_fair, codec.encode(payload, codec.new_private_key()), device=device).result == R.INVALID
    )


# --- Idempotency ----------------------------------------------------------------------------


def test_the_same_origin_and_nonce_answer_the_first_answer_and_record_once(running_fair, badge, code, device):
    first = scan(running_fair, code, device=device, nonce="scan-1", now=at(9, 42))
    again = scan(running_fair, code, device=device, nonce="scan-1", now=at(10, 0))
    # Even a different code under the same nonce is the same scan, answered as before.
    other = scan(running_fair, "garbage", device=device, nonce="scan-1", direction="out", now=at(10, 1))

    assert first.result == again.result == other.result == R.OK
    assert not first.replayed and again.replayed and other.replayed
    assert first.check_in.pk == again.check_in.pk == other.check_in.pk
    assert again.first_entry_at == at(9, 42)
    assert CheckIn.objects.count() == 1
    assert Badge.objects.get(pk=badge.pk).inside_since == at(9, 42)


def test_the_same_nonce_from_two_origins_are_two_scans(running_fair, badge, code, device, scanner_user):
    assert scan(running_fair, code, device=device, nonce="n-1").result == R.OK
    second = scan(running_fair, code, scanner=scanner_user, nonce="n-1")
    assert second.result == R.ALREADY_INSIDE and not second.replayed
    assert CheckIn.objects.count() == 2
    assert CheckIn.objects.get(result=R.ALREADY_INSIDE).origin == f"user:{scanner_user.pk}"


def test_a_replayed_refused_scan_records_once(running_fair, badges, device):
    scan(running_fair, "garbage", device=device, nonce="x")
    again = scan(running_fair, "garbage", device=device, nonce="x")
    assert again.replayed and again.result == R.INVALID
    assert CheckIn.objects.count() == 1


# --- Offline uploads ------------------------------------------------------------------------


def offline(code, nonce, hour, minute=0, direction="in", gate="A", local_result=R.OK):
    return {
        "code": code, "gate": gate, "direction": direction, "nonce": nonce,
        "device_time": at(hour, minute), "local_result": local_result,
    }  # fmt: skip


def test_two_gates_offline_letting_the_same_badge_in_is_a_conflict(
    running_fair, badges, code, device, other_device
):
    """Both phones were offline and each let the badge in; the later entry is the conflict."""
    second = services.check_ins_upload(
        fair=running_fair, device=other_device, scans=[offline(code, "b1", 9, 50, gate="B")]
    )
    first = services.check_ins_upload(fair=running_fair, device=device, scans=[offline(code, "a1", 9, 40)])

    # Uploaded in the other order, each judged when it arrives: the first upload (9:50) was
    # accepted, the one scanned earlier (9:40) now finds the badge inside: a conflict.
    assert [(a.result, a.conflict) for a in second] == [(R.OK, False)]
    assert [(a.result, a.conflict) for a in first] == [(R.ALREADY_INSIDE, True)]
    assert CheckIn.objects.filter(conflict=True).count() == 1
    assert CheckIn.objects.get(conflict=True).local_result == R.OK
    assert selectors.fair_counters(running_fair, now=at(12, 0)) == {
        "inside_now": 1,
        "arrived_today": 1,
        "expected": 3,
    }


def test_the_second_gate_to_upload_the_same_entry_gets_the_conflict(
    running_fair, badges, code, device, other_device
):
    [first] = services.check_ins_upload(fair=running_fair, device=device, scans=[offline(code, "a1", 9, 40)])
    [second] = services.check_ins_upload(
        fair=running_fair, device=other_device, scans=[offline(code, "b1", 9, 50, gate="B")]
    )
    assert (first.result, first.conflict) == (R.OK, False)
    assert (second.result, second.conflict, second.inside_since) == (R.ALREADY_INSIDE, True, at(9, 40))
    assert Badge.objects.get(pk=badges[0].pk).inside_since == at(9, 40)
    assert selectors.fair_counters(running_fair, now=at(12, 0)) == {
        "inside_now": 1,
        "arrived_today": 1,
        "expected": 3,
    }


def test_an_offline_refusal_the_server_agrees_with_is_no_conflict(running_fair, badges, device):
    [answer] = services.check_ins_upload(
        fair=running_fair, device=device, scans=[offline("garbage", "g", 9, 0, local_result=R.INVALID)]
    )
    assert (answer.result, answer.conflict) == (R.INVALID, False)


def test_an_upload_replays_scans_in_the_order_they_happened(running_fair, badges, code, device):
    answers = services.check_ins_upload(
        fair=running_fair,
        device=device,
        scans=[
            offline(code, "3", 11, 0),
            offline(code, "1", 9, 0),
            offline(code, "2", 10, 0, direction="out"),
        ],
    )
    # In the order sent, answered in the order they happened: in 9:00, out 10:00, in 11:00.
    assert [a.result for a in answers] == [R.OK, R.OK, R.OK]
    assert not any(a.conflict for a in answers)
    assert Badge.objects.get(pk=badges[0].pk).inside_since == at(11, 0)
    assert list(CheckIn.objects.order_by("scanned_at").values_list("nonce", "offline")) == [
        ("1", True), ("2", True), ("3", True),
    ]  # fmt: skip


def test_an_uploaded_batch_sent_twice_records_once(running_fair, badges, code, device):
    scans = [offline(code, "1", 9, 0), offline("garbage", "2", 9, 5, local_result=R.INVALID)]
    first = services.check_ins_upload(fair=running_fair, device=device, scans=scans)
    again = services.check_ins_upload(fair=running_fair, device=device, scans=scans)
    assert [(a.result, a.replayed) for a in first] == [(R.OK, False), (R.INVALID, False)]
    assert [(a.result, a.replayed) for a in again] == [(R.OK, True), (R.INVALID, True)]
    assert CheckIn.objects.count() == 2


def test_a_late_exit_older_than_the_entry_does_not_change_presence(
    running_fair, badge, code, device, other_device
):
    scan(running_fair, code, device=device, now=at(10, 0))
    # A phone that was offline uploads an exit it saw at 9:30, before this 10:00 entry.
    [answer] = services.check_ins_upload(
        fair=running_fair, device=other_device, scans=[offline(code, "late", 9, 30, direction="out")]
    )
    assert answer.result == R.OK
    assert Badge.objects.get(pk=badge.pk).inside_since == at(10, 0)
    assert CheckIn.objects.get(nonce="late").scanned_at == at(9, 30)


@pytest.mark.parametrize(
    "device_time",
    [
        dt.datetime(2001, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        "far future",
        "a month ago",
    ],
)
def test_an_absurd_device_clock_gives_the_server_time(running_fair, badge, code, device, device_time):
    now = timezone.now()
    if device_time == "far future":
        device_time = now + dt.timedelta(hours=1)
    elif device_time == "a month ago":
        device_time = now - dt.timedelta(days=30)
    [answer] = services.check_ins_upload(
        fair=running_fair, device=device,
        scans=[{"code": code, "gate": "A", "direction": "in", "nonce": "1", "device_time": device_time}],
    )  # fmt: skip
    row = CheckIn.objects.get()
    assert answer.result == R.OK
    assert abs(row.scanned_at - now) < dt.timedelta(minutes=1)
    assert row.device_time == device_time  # kept as the device said, for the record


def test_a_believable_offline_clock_is_the_scan_time(running_fair, badge, code, device):
    when = timezone.now() - dt.timedelta(hours=2)
    services.check_ins_upload(
        fair=running_fair, device=device,
        scans=[{"code": code, "gate": "A", "direction": "in", "nonce": "1", "device_time": when}],
    )  # fmt: skip
    assert CheckIn.objects.get().scanned_at == when


def test_an_online_scan_uses_the_server_clock_whatever_the_device_says(running_fair, badge, code, device):
    answer = scan(running_fair, code, device=device, device_time=timezone.now() - dt.timedelta(hours=3))
    assert abs(answer.check_in.scanned_at - timezone.now()) < dt.timedelta(minutes=1)


# --- Malformed scans: refused, nothing recorded ----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error_code"),
    [
        ({"gate": ""}, "gate_invalid"),
        ({"gate": "   "}, "gate_invalid"),
        ({"gate": "G" * 41}, "gate_invalid"),
        ({"direction": "sideways"}, "direction_invalid"),
        ({"nonce": ""}, "nonce_invalid"),
        ({"nonce": "n" * 65}, "nonce_invalid"),
        ({"device": None}, "no_scanner"),
    ],
)
def test_a_malformed_scan_is_refused_and_records_nothing(
    running_fair, badge, code, device, changes, error_code
):
    arguments = {"gate": "A", "direction": "in", "nonce": "1", "device": device} | changes
    with pytest.raises(services.BadgeError) as error:
        services.check_in(fair=running_fair, code=code, **arguments)
    assert error.value.code == error_code
    assert not CheckIn.objects.exists()
    assert Badge.objects.get(pk=badge.pk).inside_since is None


@pytest.mark.parametrize("status", [Fair.Status.DRAFT, Fair.Status.ALLOCATING, Fair.Status.CANCELLED])
def test_a_fair_that_is_not_scanning_refuses_scans(running_fair, badge, code, device, status):
    Fair.objects.filter(pk=running_fair.pk).update(status=status)
    running_fair.refresh_from_db()
    with pytest.raises(services.BadgeError) as error:
        scan(running_fair, code, device=device)
    assert error.value.code == "fair_not_scanning"
    assert not CheckIn.objects.exists()


# --- Counters and the words of each answer ---------------------------------------------------


def test_counters_count_inside_arrivals_and_expected(running_fair, badges, device):
    codes = [services.badge_code(b) for b in badges]
    scan(running_fair, codes[0], device=device, now=at(9, 0))
    scan(running_fair, codes[1], device=device, now=at(9, 5))
    scan(running_fair, codes[1], device=device, direction="out", now=at(9, 30))
    scan(running_fair, codes[1], device=device, now=at(10, 0))
    scan(running_fair, codes[2], device=device, direction="out", now=at(10, 0))
    services.badge_revoke(badge=badges[2], actor=None, reason="lost")
    assert selectors.fair_counters(running_fair, now=at(11, 0)) == {
        "inside_now": 2, "arrived_today": 2, "expected": 2,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("result", "kwargs", "message"),
    [
        (R.OK, {}, "Welcome"),
        (R.OK, {"direction": "out"}, "Exit recorded"),
        (R.ALREADY_INSIDE, {"inside_since": "09:42"}, "Already inside since 09:42"),
        (R.REVOKED, {}, "Revoked badge"),
        (R.WRONG_FAIR, {}, "Badge of another fair"),
        (
            R.NOT_VALID_NOW,
            {"valid_from": dt.date(2025, 12, 3), "valid_until": dt.date(2025, 12, 5)},
            "Not valid today (valid 3–5 December)",
        ),
        (
            R.NOT_VALID_NOW,
            {"valid_from": dt.date(2025, 11, 28), "valid_until": dt.date(2025, 12, 2)},
            "Not valid today (valid 28 November – 2 December)",
        ),
        (
            R.NOT_VALID_NOW,
            {"valid_from": dt.date(2025, 12, 3), "valid_until": dt.date(2025, 12, 3)},
            "Not valid today (valid 3 December)",
        ),
        (R.UNKNOWN, {}, "Unknown badge"),
        (R.INVALID, {}, "Not a valid badge code"),
    ],
)
def test_each_answer_has_its_sentence(settings, result, kwargs, message):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    if kwargs.get("inside_since"):
        hour, minute = map(int, kwargs["inside_since"].split(":"))
        kwargs["inside_since"] = at(hour, minute).astimezone(dt.UTC)  # shown in local time
    with translation.override("en"):
        assert selectors.scan_message(result, **kwargs) == message


def test_a_stale_cached_key_does_not_refuse_good_codes(running_fair, badge, code, device):
    """On SQLite a deleted fair's id goes to the next fair: a key cached for that id is stale."""
    services._public_keys[running_fair.pk] = codec.public_key_of(codec.new_private_key())
    assert scan(running_fair, code, device=device).result == R.OK
    assert services.public_key(running_fair.pk) == bytes(services.setup_for(running_fair).public_key)
