"""The service around the allocation engine: read the fair, run the engine, write the result.

``allocation_preview`` is a dry run (nothing written); ``allocation_commit`` locks the fair,
replaces every assignment that is not locked by the engine's placements, records the run and
audits it. Locked (manual) assignments survive a re-run: their booths are unavailable to the
engine and their applications are not asked about.
"""

import secrets
from dataclasses import asdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from booths import engine
from booths.models import AllocationRun, Assignment, Booth, Zone
from booths.services import ASSIGNING_STATUSES, BoothError, _lock_fair
from core.models import CraftCategory, User
from core.services import audit_log
from fairs.models import Fair
from registrations.models import Application

# Why an application got no booth, in words (the engine's codes).
UNPLACED_REASONS = {
    engine.NO_BOOTH_OF_KIND_AND_SIZE: _("No booth of the kind and size asked for."),
    engine.NO_ZONE_FOR_CRAFT: _("No zone takes this craft."),
    engine.NO_ACCESSIBLE_BOOTH: _("No step-free booth of that kind and size."),
    engine.NO_BOOTH_WITH_ELECTRICITY: _("No booth with electricity of that kind and size."),
    engine.SUITABLE_BOOTHS_UNAVAILABLE: _("The suitable booths are held, blocked or assigned by hand."),
    engine.ALL_SUITABLE_BOOTHS_TAKEN: _("Every suitable booth went to another exhibitor."),
}


def unplaced_reason(code: str) -> str:
    return str(UNPLACED_REASONS.get(code, code))


def random_seed() -> str:
    """A short seed staff can note and type again to reproduce a run."""
    return secrets.token_hex(3)


def check_fair_allocating(fair: Fair) -> None:
    """Booths are allocated while the fair is in the allocation step or published."""
    if fair.status not in ASSIGNING_STATUSES:
        raise BoothError(
            code="fair_not_planning",
            message=_(
                "Booths are allocated once the fair is in the allocation step or published "
                "(this fair is “%(status)s”)."
            )
            % {"status": fair.get_status_display()},
        )


def _craft_closure() -> dict[int, frozenset[int]]:
    """Each category → itself and its sector (a craft) or itself and its crafts (a sector), so
    a zone listing sectors and an artisan listing crafts still meet."""
    parents = dict(CraftCategory.objects.values_list("pk", "parent_id"))
    closure: dict[int, set[int]] = {pk: {pk} for pk in parents}
    for pk, parent in parents.items():
        if parent is not None:
            closure[pk].add(parent)
            closure[parent].add(pk)
    return {pk: frozenset(ids) for pk, ids in closure.items()}


def build_inputs(fair: Fair) -> tuple[list[engine.BoothSpec], list[engine.Request]]:
    """The engine's plain data for ``fair``: its booths and its confirmed, unlocked exhibitors."""
    closure = _craft_closure()
    zones = list(
        Zone.objects.filter(fair=fair).prefetch_related("craft_categories").order_by("position", "pk")
    )
    zone_crafts = {
        zone.pk: frozenset(c for cat in zone.craft_categories.all() for c in closure[cat.pk])
        for zone in zones
    }
    locked = Assignment.objects.filter(booth=OuterRef("pk"), locked=True)
    booths = [
        engine.BoothSpec(
            id=b.pk,
            code=b.code,
            zone=b.zone_id,
            zone_crafts=zone_crafts.get(b.zone_id, frozenset()),
            kind=b.kind,
            size=b.size,
            tier=b.tier,
            accessible=b.accessible,
            has_electricity=b.has_electricity,
            x=b.x + b.width / 2,
            y=b.y + b.depth / 2,
            available=b.status == Booth.Status.AVAILABLE and not b.is_locked,
        )
        for b in Booth.objects.filter(fair=fair).annotate(is_locked=Exists(locked))
    ]
    # Preferred craft area (a sector) → the first zone, in plan order, that takes it.
    sector_zone: dict[int, int] = {}
    for zone in zones:
        for category in zone_crafts[zone.pk]:
            sector_zone.setdefault(category, zone.pk)

    applications = (
        Application.objects.filter(fair=fair, status=Application.Status.CONFIRMED)
        .exclude(assignment__locked=True)
        .select_related("artisan")
        .prefetch_related("artisan__other_crafts")
        .annotate(
            returning=Exists(
                Application.objects.filter(
                    artisan=OuterRef("artisan"),
                    status=Application.Status.CONFIRMED,
                    fair__starts_on__lt=fair.starts_on,
                )
            )
        )
    )
    last_tier = _last_tiers(fair)
    requests = []
    for application in applications:
        artisan = application.artisan
        crafts = {artisan.main_craft_id, *(c.pk for c in artisan.other_crafts.all())}
        crafts = frozenset(c for craft in crafts for c in closure.get(craft, {craft}))
        requests.append(
            engine.Request(
                application_id=application.pk,
                artisan_id=artisan.pk,
                crafts=crafts,
                kind=application.booth_kind,
                size=application.booth_size,
                preferred_zone=sector_zone.get(application.preferred_sector_id),
                needs_accessibility=application.needs_accessibility,
                needs_electricity=application.needs_electricity,
                cooperative=artisan.cooperative_id,
                wants_near_cooperative=application.near_cooperative and artisan.cooperative_id is not None,
                first_timer=not application.returning,
                last_tier=last_tier.get(artisan.pk),
            )
        )
    return booths, requests


def _last_tiers(fair: Fair) -> dict[int, int]:
    """Each artisan's booth tier at the latest earlier fair where they had one."""
    rows = (
        Assignment.objects.filter(fair__starts_on__lt=fair.starts_on)
        .order_by("application__artisan_id", "fair__starts_on")
        .values_list("application__artisan_id", "booth__tier")
    )
    return dict(rows)  # later fairs overwrite earlier ones


def allocation_preview(*, fair: Fair, seed: str) -> engine.Allocation:
    """Run the engine on the fair as it is now; writes nothing (pages and API call
    ``check_fair_allocating`` first: a preview is offered only when a commit could follow)."""
    booths, requests = build_inputs(fair)
    return engine.allocate(booths, requests, seed=seed)


@transaction.atomic
def allocation_commit(*, fair: Fair, seed: str, actor: User | None) -> AllocationRun:
    """Replace the unlocked assignments by the engine's, for the seed the staff previewed.

    The same seed on the same data gives the same placements as the preview. Writes an
    ``AllocationRun`` and ``allocation.commit`` to the audit log.
    """
    fair = _lock_fair(fair.pk, ASSIGNING_STATUSES)
    Assignment.objects.filter(fair=fair, locked=False).delete()
    booths, requests = build_inputs(fair)
    result = engine.allocate(booths, requests, seed=seed)
    if result.metrics.hard_violations:  # the engine promises 0; never write a broken plan
        raise BoothError(
            code="allocation_invalid", message=_("The allocation broke a rule; nothing was written.")
        )
    Assignment.objects.bulk_create(
        Assignment(
            booth_id=p.booth_id,
            application_id=p.application_id,
            fair=fair,
            method=Assignment.Method.AUTO,
            explanation=list(p.explanation),
            created_by=actor if actor and actor.is_authenticated else None,
        )
        for p in result.assignments
    )
    run = AllocationRun.objects.create(
        fair=fair, seed=str(seed), placed=len(result.assignments), metrics=asdict(result.metrics),
        unplaced=[[u.application_id, u.reason] for u in result.unplaced],
        created_by=actor if actor and actor.is_authenticated else None,
    )  # fmt: skip
    audit_log(
        actor=actor, action="allocation.commit", obj=fair,
        changes={"seed": str(seed), "placed": run.placed, "unplaced": len(result.unplaced)},
    )  # fmt: skip
    return run
