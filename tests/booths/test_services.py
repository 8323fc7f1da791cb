import threading
from decimal import Decimal

import pytest
from django.db import connection

from booths import services
from booths.models import Assignment, Booth
from booths.services import BoothError, GridSpec
from core.models import AuditEntry
from fairs.models import Fair
from registrations import services as registrations
from registrations.models import Application
from tests.factories import ApplicationFactory, BoothFactory, FairFactory, ZoneFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def confirmed(fair, **kwargs):
    return ApplicationFactory(fair=fair, status=S.CONFIRMED, **kwargs)


# --- Grid ------------------------------------------------------------------------------


def test_grid_lays_out_booths_row_by_row(staff_user):
    zone = ZoneFactory()
    grid = GridSpec(
        prefix="A", rows=2, columns=3, width=Decimal(3), depth=Decimal(2), aisle=Decimal(4), tier=1
    )
    booths = services.booths_create_grid(fair=zone.fair, zone=zone, grid=grid, actor=staff_user)
    assert [b.code for b in booths] == ["A01", "A02", "A03", "A04", "A05", "A06"]
    a05 = Booth.objects.get(fair=zone.fair, code="A05")
    assert (a05.x, a05.y, a05.tier, a05.zone) == (Decimal(3), Decimal(6), 1, zone)
    assert AuditEntry.objects.get(action="booth.grid").changes["count"] == 6


def test_grid_overlapping_existing_booths_is_refused_and_adds_nothing(staff_user):
    zone = ZoneFactory()
    services.booths_create_grid(
        fair=zone.fair, zone=zone, grid=GridSpec(prefix="A", rows=1, columns=4), actor=staff_user
    )
    with pytest.raises(BoothError) as exc:
        services.booths_create_grid(
            fair=zone.fair,
            zone=zone,
            grid=GridSpec(prefix="B", rows=1, columns=2, x=Decimal(6)),
            actor=staff_user,
        )
    assert exc.value.code == "overlap"
    assert "B01" in str(exc.value) and "A03" in str(exc.value)
    assert Booth.objects.filter(fair=zone.fair).count() == 4


def test_duplicate_codes_are_refused(staff_user):
    zone = ZoneFactory()
    services.booths_create_grid(
        fair=zone.fair, zone=zone, grid=GridSpec(prefix="A", rows=1, columns=2), actor=staff_user
    )
    with pytest.raises(BoothError) as exc:
        services.booths_create_grid(
            fair=zone.fair,
            zone=zone,
            grid=GridSpec(prefix="A", rows=1, columns=2, y=Decimal(10)),
            actor=staff_user,
        )
    assert exc.value.code == "duplicate_code"
    assert Booth.objects.filter(fair=zone.fair).count() == 2


def test_a_zone_of_another_fair_is_refused(staff_user):
    zone = ZoneFactory()
    other = FairFactory(status=Fair.Status.ALLOCATING)
    with pytest.raises(BoothError) as exc:
        services.booths_create_grid(
            fair=other, zone=zone, grid=GridSpec(prefix="A", rows=1, columns=1), actor=staff_user
        )
    assert exc.value.code == "wrong_fair"


def test_copy_the_plan_of_an_earlier_edition(staff_user):
    old = ZoneFactory(name="Hall des tapis")
    BoothFactory.create_batch(3, zone=old)
    new = FairFactory(status=Fair.Status.ALLOCATING, venue=old.fair.venue)
    assert services.plan_copy(source=old.fair, target=new, actor=staff_user) == 3
    assert list(new.zones.values_list("name", flat=True)) == ["Hall des tapis"]
    assert Booth.objects.filter(fair=new, zone__fair=new).count() == 3
    with pytest.raises(BoothError) as exc:
        services.plan_copy(source=old.fair, target=new, actor=staff_user)
    assert exc.value.code == "plan_not_empty"


# --- Hold, block, assign ------------------------------------------------------------------


def test_hold_needs_a_reason_and_an_empty_booth(staff_user):
    booth = BoothFactory()
    with pytest.raises(BoothError) as exc:
        services.booth_set_status(booth=booth, status="held", actor=staff_user)
    assert exc.value.code == "reason_required"
    services.booth_set_status(booth=booth, status="held", reason="Ministère", actor=staff_user)
    assert Booth.objects.get(pk=booth.pk).status == "held"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("held", "booth_not_available"),
        ("other_fair", "wrong_fair"),
        ("taken", "booth_taken"),
        ("not_confirmed", "application_not_confirmed"),
        ("already_assigned", "already_assigned"),
    ],
)
def test_assignment_refusals_change_nothing(staff_user, setup, code):
    booth = BoothFactory()
    fair = booth.fair
    application = confirmed(fair)
    if setup == "held":
        Booth.objects.filter(pk=booth.pk).update(status="held", status_reason="VIP")
        booth.refresh_from_db()
    elif setup == "other_fair":
        application = confirmed(FairFactory(status=Fair.Status.ALLOCATING))
    elif setup == "taken":
        services.booth_assign(booth=booth, application=confirmed(fair), actor=staff_user)
    elif setup == "not_confirmed":
        application = ApplicationFactory(fair=fair, status=S.ACCEPTED, offer_deadline="2030-01-01T00:00Z")
    elif setup == "already_assigned":
        services.booth_assign(booth=BoothFactory(zone=booth.zone), application=application, actor=staff_user)
    before = list(Assignment.objects.values_list("booth_id", "application_id"))
    with pytest.raises(BoothError) as exc:
        services.booth_assign(booth=booth, application=application, actor=staff_user)
    assert exc.value.code == code
    assert list(Assignment.objects.values_list("booth_id", "application_id")) == before


def test_assign_move_swap_vacate(staff_user):
    a, b, c = BoothFactory.create_batch(3, zone=ZoneFactory())
    fair = a.fair
    first, second = confirmed(fair), confirmed(fair)
    services.booth_assign(booth=a, application=first, actor=staff_user)
    services.booth_assign(booth=b, application=second, actor=staff_user)
    services.booths_swap(first=a, second=b, actor=staff_user)
    assert Assignment.objects.get(booth=a).application == second
    assert Assignment.objects.get(booth=b).application == first
    services.booth_move(application=first, to_booth=c, actor=staff_user)
    assert Assignment.objects.get(application=first).booth == c
    services.booth_vacate(booth=c, actor=staff_user)
    assert not Assignment.objects.filter(application=first).exists()
    actions = list(AuditEntry.objects.filter(action__startswith="booth.").values_list("action", flat=True))
    assert {"booth.assign", "booth.swap", "booth.move", "booth.vacate"} <= set(actions)


def test_a_withdrawn_application_frees_its_booth(staff_user, django_capture_on_commit_callbacks):
    booth = BoothFactory()
    application = confirmed(booth.fair)
    services.booth_assign(booth=booth, application=application, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        registrations.application_withdraw(application=application, actor=None, reason="Malade")
    assert not Assignment.objects.filter(booth=booth).exists()
    assert AuditEntry.objects.filter(action="booth.vacate", object_id=str(booth.pk)).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_assigning_the_same_booth_at_once_one_wins(staff_user):
    booth = BoothFactory()
    applications = [confirmed(booth.fair) for _ in range(8)]
    barrier = threading.Barrier(len(applications))
    outcomes, lock = [], threading.Lock()

    def assign(application):
        try:
            barrier.wait(timeout=10)
            services.booth_assign(booth=booth, application=application, actor=staff_user)
            result = "assigned"
        except BoothError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=assign, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["assigned"] + ["booth_taken"] * 7, outcomes
    assert Assignment.objects.filter(booth=booth).count() == 1
