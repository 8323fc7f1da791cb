"""The demo badges, scanner devices and check-ins ``seed_demo`` loads (badges/demo.py).

The whole demo seed takes several seconds, so this module seeds once: a module-scoped fixture
runs ``seed_demo`` inside a transaction it rolls back at the end, and each test (in its own
savepoint, rolled back after it) reads the same data.
"""

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges import codec, demo, live, services
from badges.models import Badge, BadgeKind, BadgeSetup, CheckIn, CheckInResult, Direction, ScannerDevice
from core.demo import DemoContext
from core.models import AuditEntry, User
from fairs.demo import LOCAL_FAIRS
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory, FairFactory
from tests.seeding import seeded_demo

LOCAL_SLUGS = [row[0] for row in LOCAL_FAIRS]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo region up to badges, seeded once for the module; yields the command's output."""
    with seeded_demo(django_db_blocker, "core,fairs,registrations,booths", "badges") as output:
        yield output


def local_fairs():
    return Fair.objects.filter(slug__in=LOCAL_SLUGS, status=Fair.Status.CLOSED).order_by("starts_on")


def local(when: dt.datetime) -> dt.datetime:
    return timezone.localtime(when)


@pytest.mark.django_db
def test_every_confirmed_exhibitor_of_the_past_fairs_has_one_signed_badge(seeded):
    fairs = list(local_fairs())
    assert len(fairs) == 23
    confirmed = Application.objects.filter(fair__in=fairs, status=ApplicationStatus.CONFIRMED)
    assert confirmed.count() == 1704
    badges = Badge.objects.filter(fair__in=fairs)
    exhibitors = badges.filter(kind=BadgeKind.EXHIBITOR)
    assert sorted(exhibitors.values_list("application_id", flat=True)) == sorted(
        confirmed.values_list("pk", flat=True)
    )
    assert Counter(badges.filter(kind=BadgeKind.STAFF).values_list("fair_id", flat=True)) == {
        fair.pk: 3 for fair in fairs
    }
    serials = list(Badge.objects.values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) and all(codec.looks_like_serial(s) for s in serials)
    assert not badges.filter(revoked_at__isnull=False).exists()
    assert BadgeSetup.objects.filter(fair__in=fairs).count() == 23
    for fair in fairs:
        for badge in badges.filter(fair=fair).select_related("application__artisan")[:5]:
            assert (badge.valid_from, badge.valid_until) == (fair.starts_on, fair.ends_on)
            assert badge.issued_at.date() < fair.starts_on and badge.issued_by.username == "staff"
            if badge.application_id:
                assert badge.name == badge.application.artisan.full_name
            # The code a scanner would read verifies with the fair's public key.
            payload, signed, signature = codec.split(services.badge_code(badge))
            assert payload.serial == badge.serial and payload.fair_id == fair.pk
            assert codec.verify(signed, signature, services.public_key(fair.pk))
    # One audit entry per fair for the badges, one per fair for the scans.
    actions = Counter(AuditEntry.objects.filter(changes__source="seed_demo").values_list("action", flat=True))
    assert actions["badges.issue"] == 23 and actions["check_ins.import"] == 23


@pytest.mark.django_db
def test_the_scans_look_like_fair_days(seeded):
    fairs = list(local_fairs())
    scans = CheckIn.objects.filter(fair__in=fairs)
    total = scans.count()
    assert 25_000 < total < 45_000
    days_of = {fair.pk: (fair.ends_on - fair.starts_on).days + 1 for fair in fairs}
    expected_days = sum(
        days_of[fair_id]
        for fair_id in Badge.objects.filter(fair__in=fairs, kind=BadgeKind.EXHIBITOR).values_list(
            "fair_id", flat=True
        )
    )
    # First entries of exhibitors per (badge, day), in local time.
    first = {}
    for badge_id, at in scans.filter(
        result=CheckInResult.OK, direction=Direction.IN, badge__kind=BadgeKind.EXHIBITOR
    ).values_list("badge_id", "scanned_at"):
        at = local(at)
        key = (badge_id, at.date())
        if key not in first or at < first[key]:
            first[key] = at
    attendance = len(first) / expected_days
    assert 0.85 < attendance < 0.95  # about 5–10 % away each day, and a few never came
    minutes = [a.hour * 60 + a.minute for a in first.values()]
    morning = sum(510 <= m <= 630 for m in minutes) / len(minutes)
    late = sum(m >= 660 for m in minutes) / len(minutes)
    assert morning > 0.75 and 0.05 < late < 0.15
    assert min(minutes) >= 8 * 60 and max(minutes) < 14 * 60
    # Every fair day has arrivals.
    days_with_arrivals = {(b, d) for b, d in first}
    per_fair_days = defaultdict(set)
    badge_fair = dict(Badge.objects.filter(fair__in=fairs).values_list("pk", "fair_id"))
    for badge_id, day in days_with_arrivals:
        per_fair_days[badge_fair[badge_id]].add(day)
    assert all(len(per_fair_days[fair.pk]) == days_of[fair.pk] for fair in fairs)
    # A few exhibitors never came at all.
    came = {badge_id for badge_id, _day in first}
    never = Badge.objects.filter(fair__in=fairs, kind=BadgeKind.EXHIBITOR).exclude(pk__in=came).count()
    assert 10 < never < 0.05 * 1704
    # Exits: at lunch for some, in the evening for most.
    exits = [
        local(at)
        for at in scans.filter(
            result=CheckInResult.OK, direction=Direction.OUT, badge__kind=BadgeKind.EXHIBITOR
        ).values_list("scanned_at", flat=True)
    ]
    lunch = sum(12 * 60 + 30 <= e.hour * 60 + e.minute <= 13 * 60 + 30 for e in exits)
    evening = sum(e.hour >= 18 for e in exits)
    assert lunch > 0.1 * len(first) and evening > 0.8 * len(first)
    # A few refused scans, of the kinds a gate sees.
    refused = Counter(scans.exclude(result=CheckInResult.OK).values_list("result", flat=True))
    assert set(refused) == {CheckInResult.ALREADY_INSIDE, CheckInResult.INVALID}
    assert 0.005 * total < sum(refused.values()) < 0.03 * total
    assert not scans.filter(result=CheckInResult.INVALID, badge__isnull=False).exists()


@pytest.mark.django_db
def test_presence_is_consistent_scan_after_scan(seeded):
    """Replaying every badge's scans day by day gives back each stored result: an entry is
    refused only while inside, and each fair ends with nobody inside."""
    fairs = list(local_fairs())
    inside: dict[int, dt.date | None] = {}
    wrong = []
    for badge_id, at, direction, result, pk in (
        CheckIn.objects.filter(fair__in=fairs, badge__isnull=False)
        .order_by("badge_id", "scanned_at", "pk")
        .values_list("badge_id", "scanned_at", "direction", "result", "pk")
    ):
        day = local(at).date()
        is_inside = inside.get(badge_id) == day
        if direction == Direction.IN:
            judged = CheckInResult.ALREADY_INSIDE if is_inside else CheckInResult.OK
        else:
            judged = CheckInResult.OK
        if judged != result:
            wrong.append(pk)
        if result == CheckInResult.OK:
            inside[badge_id] = day if direction == Direction.IN else None
    assert wrong == []
    assert not Badge.objects.filter(fair__in=fairs, inside_since__isnull=False).exists()


@pytest.mark.django_db
def test_devices_nonces_offline_scans_and_conflicts(seeded):
    fairs = list(local_fairs())
    devices = ScannerDevice.objects.filter(fair__in=fairs)
    assert set(Counter(devices.values_list("fair_id", flat=True)).values()) == {2, 3}
    assert {d.name for d in devices} == {"Tablette porte A", "Téléphone porte B", "Téléphone porte A"}
    for device in devices.select_related("fair"):
        assert device.revoked_at.date() > device.fair.ends_on and device.last_seen_at is not None
        assert device.created_at.date() < device.fair.starts_on
    scans = CheckIn.objects.filter(fair__in=fairs)
    origins = set(scans.values_list("origin", flat=True))
    assert origins == {f"device:{pk}" for pk in devices.values_list("pk", flat=True)}
    # Scans name their device's fair and gate.
    mismatched = [
        (fair_id, device_fair) for fair_id, device_fair in scans.values_list("fair_id", "device__fair_id").distinct()
        if fair_id != device_fair
    ]  # fmt: skip
    assert mismatched == []
    assert set(scans.values_list("gate", flat=True)) == {"Porte A", "Porte B"}
    # Unique nonces (the database's constraint holds; here: a uuid each).
    assert scans.values("origin", "nonce").distinct().count() == scans.count()
    assert all(re.fullmatch(r"[0-9a-f-]{36}", n) for n in scans.values_list("nonce", flat=True)[:200])
    # Offline scans, sent when gate B was back online; some conflicts among them.
    offline = scans.filter(offline=True)
    assert offline.exists() and not offline.exclude(gate="Porte B").exists()
    conflicts = list(scans.filter(conflict=True))
    assert 5 <= len(conflicts) <= 40
    for scan in conflicts:
        assert scan.offline and scan.local_result == CheckInResult.OK
        assert scan.result == CheckInResult.ALREADY_INSIDE and scan.direction == Direction.IN
    assert not scans.filter(offline=False, conflict=True).exists()
    assert not scans.filter(offline=True, conflict=False).exclude(local_result=F("result")).exists()
    for scan in scans.order_by("pk")[:500]:
        assert scan.received_at >= scan.scanned_at and scan.device_time == scan.scanned_at
        assert scan.raw_code


@pytest.mark.django_db
def test_the_live_view_reads_a_demo_fair(seeded, client):
    client.cookies["django_language"] = "en"
    fair = Fair.objects.get(slug="foire-provinciale-settat-2024")
    day = fair.starts_on + dt.timedelta(days=2)
    snapshot = live.live_day(fair, day)
    expected = Badge.objects.filter(fair=fair, kind=BadgeKind.EXHIBITOR).count()
    f = snapshot.figures
    assert snapshot.when == "past" and f.expected == expected
    assert 0.8 * expected < f.arrived < expected and len(snapshot.missing) == expected - f.arrived
    assert sum(z.expected for z in snapshot.zones) == expected
    assert all(z.zone_id is not None for z in snapshot.zones)  # every exhibitor has a booth in a zone
    peak = max(snapshot.hours, key=lambda h: h.exhibitors)
    assert peak.hour in (8, 9, 10) and sum(h.exhibitors for h in snapshot.hours) == f.arrived
    assert f.inside_exhibitors < 0.15 * f.arrived  # only those who forgot to scan out
    client.force_login(User.objects.get(username="staff"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/staff/fairs/{fair.pk}/entry/?day={day.isoformat()}")
    assert response.status_code == 200 and len(queries) <= 16
    assert "Exhibitors who did not come" in response.content.decode()


def fingerprint() -> dict[str, tuple[int, str]]:
    result = {}
    for model in (Badge, BadgeSetup, ScannerDevice, CheckIn, AuditEntry):
        rows = list(model.objects.order_by("pk").values_list())
        result[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


@pytest.mark.django_db
def test_a_second_run_creates_and_changes_nothing_and_reads_little(seeded, settings):
    settings.DEBUG = True
    before = fingerprint()
    out = StringIO()
    call_command("seed_demo", stdout=out, only="core,fairs,registrations,booths,badges")
    assert "nothing to create" in out.getvalue()
    assert fingerprint() == before
    ctx = DemoContext.start()
    with CaptureQueriesContext(connection) as queries:
        demo.seed_badges(ctx)
        demo.seed_check_ins(ctx)
    # A few reads, and the issuing service's for a fair at the gates (it finds nothing to issue).
    assert len(queries) <= 6 + 5 * demo._fairs_at_the_gates(ctx.today).count()
    assert not ctx.created


@pytest.mark.django_db
def test_the_command_prints_the_figures_and_a_fair_at_the_gates_has_its_badges(seeded):
    output = seeded
    exhibitors = Badge.objects.filter(kind=BadgeKind.EXHIBITOR).count()
    assert re.search(rf"\n  badges\s+{Badge.objects.count()} \({exhibitors} exhibitors\)\n", output)
    assert re.search(rf"\n  check-ins\s+{CheckIn.objects.count()} \(\d+ refused, \d+ conflicts\)\n", output)
    # The demo has no fair at the gates today yet (see the report); when it has, its
    # confirmed exhibitors have their badges, ready to scan.
    at_the_gates = list(demo._fairs_at_the_gates(timezone.localdate()))
    names = ", ".join(fair.slug for fair in at_the_gates) or "none"
    assert re.search(rf"\n  fair at the gates today\s+{re.escape(names)}\n", output)
    for fair in at_the_gates:
        confirmed = Application.objects.filter(fair=fair, status=ApplicationStatus.CONFIRMED)
        assert confirmed.exists()
        assert set(
            Badge.objects.filter(fair=fair, revoked_at__isnull=True).values_list("application_id", flat=True)
        ) == set(confirmed.values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_fair_at_the_gates_today_gets_its_badges_once(staff_user):
    """A fair running today gets its exhibitors' badges through the service, and a second run
    issues nothing."""
    today = timezone.localdate()
    fair = FairFactory(status=Fair.Status.RUNNING, starts_on=today, ends_on=today + dt.timedelta(days=2))
    for _ in range(3):
        ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
    ctx = DemoContext.start()
    ctx.users["staff"] = staff_user
    demo.seed_badges(ctx)
    assert ctx.created["badges"] == 3 and Badge.objects.filter(fair=fair).count() == 3
    demo.seed_badges(ctx)
    assert Badge.objects.filter(fair=fair).count() == 3
    label, names = demo.summary(ctx)[-1]
    assert label == "fair at the gates today" and fair.slug in names.split(", ")
