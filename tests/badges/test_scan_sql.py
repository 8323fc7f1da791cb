"""The scan's hot path: the SQL statements of ``badges.scan_sql`` read and write what the ORM
would, and ``Badge.arrived_at`` (the day's first entry, kept by ``check_in``) stays right
through re-entries, late offline uploads and a new day."""

import datetime as dt

import pytest
from django.utils import timezone

from badges import scan_sql, selectors, services
from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, ScannerDevice
from booths.models import Assignment
from registrations.models import ApplicationStatus
from tests.badges.helpers import at, scan
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, ZoneFactory

pytestmark = pytest.mark.django_db
R = CheckInResult


@pytest.fixture
def device(running_fair):
    return services.device_create(name="Porte A", fair=running_fair, actor=None)[0]


# --- The statements against the ORM ------------------------------------------------------------


@pytest.fixture
def exhibitor_badge(running_fair, staff_user):
    application = ApplicationFactory(
        fair=running_fair,
        status=ApplicationStatus.CONFIRMED,
        artisan=ArtisanFactory(photo="artisans/photos/naima.jpg"),
    )
    booth = BoothFactory(zone=ZoneFactory(fair=running_fair), code="C-07")
    Assignment.objects.create(booth=booth, application=application, fair=running_fair, method="manual")
    badges = services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    return next(b for b in badges if b.application_id == application.pk)


def test_a_badge_reads_as_the_orm_reads_it(exhibitor_badge, running_fair, device):
    scan(running_fair, exhibitor_badge.serial, device=device, now=at(9, 5))
    orm = Badge.objects.select_related("application__artisan__main_craft").get(pk=exhibitor_badge.pk)

    for lookup in ({"serial": orm.serial}, {"pk": orm.pk}):
        badge, row = scan_sql.badge_for_scan(**lookup)
        for name in scan_sql._BADGE_FIELDS:
            assert getattr(badge, name) == getattr(orm, name), name
        assert badge.inside_since == at(9, 5) and timezone.is_aware(badge.arrived_at)
        craft = orm.application.artisan.main_craft
        assert row == {
            "application__assignment__booth__code": "C-07",
            "application__artisan__photo": "artisans/photos/naima.jpg",
            "application__artisan__main_craft__name_fr": craft.name_fr,
            "application__artisan__main_craft__name_ar": craft.name_ar,
            "application__artisan__main_craft__name_en": craft.name_en,
            "serial": orm.serial, "kind": "exhibitor", "name": orm.name, "name_ar": orm.name_ar,
            "organisation": orm.organisation, "role_label": orm.role_label,
        }  # fmt: skip
    # Columns the statement did not read are deferred, and load when asked for, as with only().
    assert badge.get_deferred_fields() and badge.issued_at == orm.issued_at


def test_a_badge_without_application_reads_with_empty_joins(running_fair):
    staff = services.badge_create(
        fair=running_fair, actor=None, kind=BadgeKind.STAFF, name="Rachid Alaoui", name_ar="رشيد العلوي",
        organisation="Délégation", role_label="Coordination",
    )  # fmt: skip
    badge, row = scan_sql.badge_for_scan(serial=staff.serial)
    assert (badge.pk, badge.application_id, badge.revoked_at) == (staff.pk, None, None)
    assert row["application__assignment__booth__code"] is None
    assert selectors.scan_summary(row) | {"serial": None} == {
        "serial": None, "kind": "staff", "name": "Rachid Alaoui", "name_ar": "رشيد العلوي",
        "organisation": "Délégation", "role_label": "Coordination", "booth": "", "craft": "", "photo": None,
    }  # fmt: skip
    assert scan_sql.badge_for_scan(serial="NOSUCH00") == (None, None)


def test_a_device_and_a_fair_read_as_the_orm_reads_them(running_fair, device):
    services.device_revoke(device=device, actor=None)
    ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=at(8, 0))
    orm = ScannerDevice.objects.get(pk=device.pk)

    read = scan_sql.device_for_token(orm.token_hash)
    for name in scan_sql._DEVICE_FIELDS:
        assert getattr(read, name) == getattr(orm, name), name
    assert scan_sql.device_for_token("0" * 64) is None
    fair = scan_sql.fair_for_scan(running_fair.pk)
    assert (fair.pk, fair.status, fair.get_status_display()) == (
        running_fair.pk, running_fair.status, running_fair.get_status_display(),
    )  # fmt: skip
    assert scan_sql.fair_for_scan(running_fair.pk + 1000) is None


def test_an_inserted_scan_reads_back_as_written(exhibitor_badge, running_fair, device):
    answer = scan(
        running_fair, exhibitor_badge.serial, device=device, offline=True, device_time=at(9, 1), now=at(9, 30)
    )
    written = answer.check_in
    stored = CheckIn.objects.get(pk=written.pk)
    for field in CheckIn._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(written, field.attname), field.name
    assert (stored.scanned_at, stored.device_time, stored.offline) == (at(9, 1), at(9, 1), True)


# --- arrived_at --------------------------------------------------------------------------------


def arrived(badge) -> dt.datetime | None:
    return Badge.objects.values_list("arrived_at", flat=True).get(pk=badge.pk)


def test_the_first_entry_of_the_day_stays_through_exits_and_re_entries(running_fair, badge, code, device):
    first = scan(running_fair, code, device=device, now=at(8, 52))
    assert (first.result, first.first_entry_at, arrived(badge)) == (R.OK, at(8, 52), at(8, 52))
    scan(running_fair, code, device=device, direction="out", now=at(12, 30))
    again = scan(running_fair, code, device=device, now=at(14, 5))
    assert (again.result, again.first_entry_at, again.inside_since) == (R.OK, at(8, 52), at(14, 5))
    refused = scan(running_fair, code, device=device, now=at(14, 6))
    assert (refused.result, refused.first_entry_at) == (R.ALREADY_INSIDE, at(8, 52))
    assert arrived(badge) == at(8, 52)


def test_a_late_upload_of_an_earlier_entry_moves_the_arrival_back(running_fair, badge, code, device):
    scan(running_fair, code, device=device, now=at(10, 0))
    scan(running_fair, code, device=device, direction="out", now=at(10, 30))
    late = scan(running_fair, code, device=device, offline=True, device_time=at(8, 15), now=at(11, 0))
    assert (late.result, late.first_entry_at, arrived(badge)) == (R.OK, at(8, 15), at(8, 15))


def test_an_upload_from_yesterday_leaves_today_alone(running_fair, badge, code, device):
    scan(running_fair, code, device=device, now=at(9, 0))
    old = scan(running_fair, code, device=device, offline=True, device_time=at(9, 30, days=-1), now=at(9, 40))
    # Yesterday's entry is accepted (nobody saw them inside yesterday) and answers yesterday's
    # first entry, read from the scans; today's presence and arrival stay as they were.
    assert (old.result, old.first_entry_at) == (R.OK, at(9, 30, days=-1))
    assert (arrived(badge), Badge.objects.get(pk=badge.pk).inside_since) == (at(9, 0), at(9, 0))
    assert scan(running_fair, code, device=device, now=at(9, 45)).result == R.ALREADY_INSIDE


def test_a_new_day_starts_a_new_arrival(running_fair, badge, code, device):
    scan(running_fair, code, device=device, now=at(9, 0, days=-1))
    tomorrow = scan(running_fair, code, device=device, now=at(8, 40))
    assert (tomorrow.result, tomorrow.first_entry_at, arrived(badge)) == (R.OK, at(8, 40), at(8, 40))
    assert selectors.fair_counters(running_fair, now=at(9, 0))["arrived_today"] == 1
    assert selectors.fair_counters(running_fair, now=at(9, 0, days=1))["arrived_today"] == 0


def test_arrivals_from_bulk_scans_match_what_check_in_keeps(running_fair, badges, device):
    codes = [services.badge_code(b) for b in badges]
    moments = [
        (0, at(10, 0, days=-1)),
        (0, at(9, 0)),
        (0, at(11, 0)),
        (1, at(9, 30, days=-1)),
        (1, at(8, 0, days=-1)),
    ]
    for index, when in sorted(moments, key=lambda m: m[1]):
        scan(running_fair, codes[index], device=device, now=when)
        scan(running_fair, codes[index], device=device, direction="out", now=when + dt.timedelta(minutes=1))
    entries = CheckIn.objects.filter(result=R.OK, direction="in").values_list("badge_id", "scanned_at")
    assert services.arrivals(reversed(list(entries))) == {
        badges[0].pk: at(9, 0), badges[1].pk: at(8, 0, days=-1),
    }  # fmt: skip
    assert {b.pk: arrived(b) for b in badges[:2]} == services.arrivals(entries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_the_prepared_read_answers_as_the_plain_one(settings, running_fair, badges, prepared):
    """On PostgreSQL the locked read by serial is PREPAREd once per connection; a rolled-back
    transaction keeps it (PREPARE is not transactional), a new connection prepares again."""
    from django.db import connection, transaction

    settings.SOUK_SCAN_PREPARED = prepared
    connection.close()
    expected = [scan_sql.badge_for_scan(serial=b.serial) for b in badges]
    with pytest.raises(RuntimeError), transaction.atomic():
        scan_sql.badge_for_scan(serial=badges[0].serial, lock=True)
        raise RuntimeError("roll back")
    for badge, (plain, row) in zip(badges, expected, strict=True):
        with transaction.atomic():
            locked, locked_row = scan_sql.badge_for_scan(serial=badge.serial, lock=True)
        assert (locked.pk, locked.inside_since, locked_row) == (plain.pk, plain.inside_since, row)
    assert getattr(connection.connection, "souk_badge_for_scan_prepared", False) is prepared
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'souk_badge_for_scan'")
        assert cursor.fetchone()[0] == (1 if prepared else 0)
    connection.close()
    with transaction.atomic():
        assert scan_sql.badge_for_scan(serial=badges[1].serial, lock=True)[0].pk == badges[1].pk


def test_an_entry_sent_late_after_a_later_exit_leaves_the_holder_outside(running_fair, badge, code, device):
    """Gate A was offline when the holder came in at 10:00; gate B, online, let them out at
    12:30; gate A's queue arrives at 13:00. The latest move (the exit) wins."""
    out = scan(running_fair, code, device=device, direction="out", now=at(12, 30))
    late = scan(running_fair, code, device=device, offline=True, device_time=at(10, 0), now=at(13, 0))
    stored = Badge.objects.get(pk=badge.pk)
    assert (out.result, late.result) == (R.OK, R.OK)
    assert (stored.inside_since, stored.left_at, stored.arrived_at) == (None, at(12, 30), at(10, 0))
    assert selectors.fair_counters(running_fair, now=at(13, 0))["inside_now"] == 0
    again = scan(running_fair, code, device=device, now=at(14, 0))  # coming back in later counts
    assert (again.result, Badge.objects.get(pk=badge.pk).inside_since) == (R.OK, at(14, 0))
