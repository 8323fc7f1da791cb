import pytest

from booths import allocation, services
from booths.models import AllocationRun, Assignment, Booth
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, ZoneFactory, craft

pytestmark = pytest.mark.django_db


def fair_with_plan(booths=4, applications=3):
    zone = ZoneFactory()
    zone.craft_categories.set([craft("pottery")])
    plan = [BoothFactory(zone=zone, tier=1 + i % 3) for i in range(booths)]
    confirmed = [
        ApplicationFactory(fair=zone.fair, status=Application.Status.CONFIRMED, artisan=ArtisanFactory())
        for _ in range(applications)
    ]
    return zone.fair, plan, confirmed


def test_preview_writes_nothing_and_commit_writes_the_same_placements(staff_user):
    fair, _booths, confirmed = fair_with_plan()
    preview = allocation.allocation_preview(fair=fair, seed="demo")
    assert not Assignment.objects.exists()
    assert len(preview.assignments) == 3 and preview.metrics.hard_violations == 0
    run = allocation.allocation_commit(fair=fair, seed="demo", actor=staff_user)
    written = set(Assignment.objects.values_list("application_id", "booth_id"))
    assert written == {(p.application_id, p.booth_id) for p in preview.assignments}
    assert run.placed == 3 and AllocationRun.objects.get() == run
    assert AuditEntry.objects.get(action="allocation.commit").changes["seed"] == "demo"
    assert all(a.method == "auto" and a.explanation for a in Assignment.objects.all())
    assert {a.pk for a in confirmed} == {a for a, _ in written}


def test_a_locked_manual_assignment_survives_a_rerun(staff_user):
    fair, booths, confirmed = fair_with_plan()
    services.booth_assign(booth=booths[3], application=confirmed[0], actor=staff_user)
    allocation.allocation_commit(fair=fair, seed="1", actor=staff_user)
    allocation.allocation_commit(fair=fair, seed="2", actor=staff_user)
    manual = Assignment.objects.get(application=confirmed[0])
    assert manual.booth == booths[3] and manual.locked and manual.method == "manual"
    assert Assignment.objects.filter(fair=fair).count() == 3


def test_craft_and_held_booths_are_respected_and_the_left_out_get_a_reason(staff_user):
    fair, booths, _confirmed = fair_with_plan(booths=2, applications=2)
    services.booth_set_status(booth=booths[0], status="held", reason="Invités", actor=staff_user)
    weaver = ApplicationFactory(
        fair=fair, status=Application.Status.CONFIRMED, artisan=ArtisanFactory(main_craft=craft("carpets"))
    )
    run = allocation.allocation_commit(fair=fair, seed="x", actor=staff_user)
    assert not Assignment.objects.filter(booth=booths[0]).exists()
    assert run.placed == 1
    reasons = dict(run.unplaced)
    assert reasons[weaver.pk] == "no_zone_for_craft"
    assert len(reasons) == 2 and set(reasons.values()) <= set(allocation.UNPLACED_REASONS)


def test_allocation_needs_the_allocating_step(staff_user):
    fair, _booths, _ = fair_with_plan()
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.REVIEWING)
    with pytest.raises(services.BoothError) as exc:
        allocation.allocation_commit(fair=fair, seed="x", actor=staff_user)
    assert exc.value.code == "fair_not_planning"
    assert not Assignment.objects.exists()


def _past_booth(artisan, tier, staff_user):
    zone = ZoneFactory()
    past = ApplicationFactory(fair=zone.fair, artisan=artisan, status=Application.Status.CONFIRMED)
    services.booth_assign(booth=BoothFactory(zone=zone, tier=tier), application=past, actor=staff_user)
    return zone.fair


def test_rotation_uses_the_tier_of_the_last_fair(staff_user):
    """Of two returning artisans, the one who had a back booth last time gets the busy one."""
    back, front = ArtisanFactory(), ArtisanFactory()
    past_fair = _past_booth(back, Booth.Tier.LOW, staff_user)
    _past_booth(front, Booth.Tier.HIGH, staff_user)
    zone = ZoneFactory()
    later = past_fair.ends_on.replace(year=past_fair.ends_on.year + 1)
    Fair.objects.filter(pk=zone.fair.pk).update(starts_on=later, ends_on=later)
    zone.fair.refresh_from_db()
    busy = BoothFactory(zone=zone, tier=Booth.Tier.HIGH)
    BoothFactory(zone=zone, tier=Booth.Tier.LOW)
    mine = ApplicationFactory(fair=zone.fair, artisan=back, status=Application.Status.CONFIRMED)
    ApplicationFactory(fair=zone.fair, artisan=front, status=Application.Status.CONFIRMED)
    _booths, requests = allocation.build_inputs(zone.fair)
    assert {r.artisan_id: (r.first_timer, r.last_tier) for r in requests} == {
        back.pk: (False, Booth.Tier.LOW),
        front.pk: (False, Booth.Tier.HIGH),
    }
    for seed in range(10):
        result = allocation.allocation_preview(fair=zone.fair, seed=seed)
        assert result.booth_of(mine.pk) == busy.pk
        assert "rotation_upgrade" in {p.application_id: p.explanation for p in result.assignments}[mine.pk]
