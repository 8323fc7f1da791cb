"""Every change to zones, booths and assignments goes through here.

Locks are taken in one order everywhere — the fair, then applications, then booths — the
same order registrations' services use, so two services never wait on each other. The
database has the last word on "one booth per application, one application per booth"
(one-to-one on both sides of ``Assignment``): a race that slips past a check still cannot
write a second assignment.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from booths.models import Assignment, Booth, Zone
from core.errors import DomainError
from core.models import User
from core.services import audit_log
from fairs.models import Fair
from registrations.models import Application

# Fair statuses in which the plan and its assignments may change.
PLANNING_STATUSES = (Fair.Status.DRAFT, Fair.Status.OPEN, Fair.Status.REVIEWING, Fair.Status.ALLOCATING,
                     Fair.Status.PUBLISHED)  # fmt: skip
ASSIGNING_STATUSES = (Fair.Status.ALLOCATING, Fair.Status.PUBLISHED)


# What staff set on a booth (forms and API); status changes go through booth_set_status.
BOOTH_FIELDS = ("zone", "code", "kind", "size", "price", "tier", "accessible", "has_electricity", "x", "y",
                "width", "depth")  # fmt: skip


class BoothError(DomainError):
    pass


def _lock_fair(fair_id: int, statuses=PLANNING_STATUSES) -> Fair:
    fair = Fair.objects.select_for_update().get(pk=fair_id)
    if fair.status not in statuses:
        raise BoothError(
            code="fair_not_planning",
            message=_("The floor plan of a fair that is “%(status)s” cannot change here.")
            % {"status": fair.get_status_display()},
        )
    return fair


# --- Zones ------------------------------------------------------------------------------


@transaction.atomic
def zone_save(*, fair: Fair, actor: User | None, zone: Zone | None = None, crafts=None, **fields) -> Zone:
    """Create (``zone=None``) or edit a zone of ``fair``; writes ``zone.create``/``zone.update``."""
    fair = _lock_fair(fair.pk)
    creating = zone is None
    zone = Zone(fair=fair) if creating else Zone.objects.select_for_update().get(pk=zone.pk, fair=fair)
    for name, value in fields.items():
        setattr(zone, name, value)
    if creating and "position" not in fields:
        zone.position = (fair.zones.aggregate(m=Max("position"))["m"] or 0) + 1
    zone.full_clean()
    zone.save()
    if crafts is not None:
        zone.craft_categories.set(crafts)
    audit_log(actor=actor, action="zone.create" if creating else "zone.update", obj=zone, changes=fields)
    return zone


# --- Booths -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GridSpec:
    """A block of booths: ``rows`` × ``columns`` from (x, y), codes ``prefix`` + number."""

    prefix: str
    rows: int
    columns: int
    x: Decimal = Decimal("0")
    y: Decimal = Decimal("0")
    width: Decimal = Decimal("3")
    depth: Decimal = Decimal("3")
    aisle: Decimal = Decimal("0")
    kind: str = "standard"
    size: int = 9
    price: Decimal = Decimal("0")
    tier: int = 2
    start: int = 1
    accessible: bool = True
    has_electricity: bool = True


def _grid_booths(fair: Fair, zone: Zone | None, grid: GridSpec) -> list[Booth]:
    if grid.rows < 1 or grid.columns < 1 or grid.rows * grid.columns > 500:
        raise BoothError(code="bad_grid", message=_("A grid has 1 to 500 booths."), field="rows")
    digits = max(2, len(str(grid.start + grid.rows * grid.columns - 1)))
    booths, number = [], grid.start
    for row in range(grid.rows):
        for column in range(grid.columns):
            booths.append(
                Booth(
                    fair=fair,
                    zone=zone,
                    code=f"{grid.prefix}{number:0{digits}d}",
                    kind=grid.kind,
                    size=grid.size,
                    price=grid.price,
                    tier=grid.tier,
                    accessible=grid.accessible,
                    has_electricity=grid.has_electricity,
                    width=grid.width,
                    depth=grid.depth,
                    x=grid.x + column * grid.width,
                    y=grid.y + row * (grid.depth + grid.aisle),
                )
            )
            number += 1
    return booths


def _check_new_booths(fair: Fair, booths: list[Booth]) -> None:
    """Codes unique and no overlap, among the new booths and with the fair's booths."""
    existing = list(Booth.objects.filter(fair=fair).only("code", "x", "y", "width", "depth"))
    taken = {b.code for b in existing}
    seen: set[str] = set()
    for booth in booths:
        booth.full_clean(exclude=["fair", "zone"], validate_unique=False, validate_constraints=False)
        if booth.code in taken or booth.code in seen:
            raise BoothError(
                code="duplicate_code",
                message=_("Booth code %(code)s is already used at this fair.") % {"code": booth.code},
                field="prefix",
            )
        seen.add(booth.code)
    placed = [*existing]
    for booth in booths:
        clash = next((other for other in placed if booth.overlaps(other)), None)
        if clash is not None:
            raise BoothError(
                code="overlap",
                message=_("Booth %(code)s would overlap booth %(other)s on the plan.")
                % {"code": booth.code, "other": clash.code},
                field="x",
            )
        placed.append(booth)


@transaction.atomic
def booths_create_grid(*, fair: Fair, zone: Zone | None, grid: GridSpec, actor: User | None) -> list[Booth]:
    """Add a block of booths to the plan; refuses duplicate codes and overlaps, all or nothing."""
    fair = _lock_fair(fair.pk)
    if zone is not None and zone.fair_id != fair.pk:
        raise BoothError(code="wrong_fair", message=_("That zone belongs to another fair."), field="zone")
    booths = _grid_booths(fair, zone, grid)
    _check_new_booths(fair, booths)
    created = Booth.objects.bulk_create(booths)
    audit_log(
        actor=actor, action="booth.grid", obj=fair,
        changes={"zone": zone.pk if zone else None, "codes": [created[0].code, created[-1].code], "count": len(created)},
    )  # fmt: skip
    return created


@transaction.atomic
def booth_create(*, fair: Fair, actor: User | None, **fields) -> Booth:
    """Add one booth (same checks as a grid)."""
    fair = _lock_fair(fair.pk)
    zone = fields.get("zone")
    if zone is not None and zone.fair_id != fair.pk:
        raise BoothError(code="wrong_fair", message=_("That zone belongs to another fair."), field="zone")
    booth = Booth(fair=fair, **fields)
    _check_new_booths(fair, [booth])
    booth.save()
    audit_log(actor=actor, action="booth.create", obj=booth)
    return booth


@transaction.atomic
def booth_set_status(*, booth: Booth, status: str, reason: str = "", actor: User | None) -> Booth:
    """Hold, block or release a booth. A held or blocked booth must say why and be empty."""
    _lock_fair(booth.fair_id)
    booth = Booth.objects.select_for_update().get(pk=booth.pk)
    if status not in Booth.Status.values:
        raise BoothError(code="bad_status", message=_("Unknown booth status."), field="status")
    if status != Booth.Status.AVAILABLE:
        if not reason.strip():
            raise BoothError(
                code="reason_required", message=_("Say why the booth is held or blocked."), field="reason"
            )
        if Assignment.objects.filter(booth=booth).exists():
            raise BoothError(code="booth_taken", message=_("Vacate the booth before holding or blocking it."))
    old = booth.status
    booth.status, booth.status_reason = status, (reason.strip() if status != Booth.Status.AVAILABLE else "")
    booth.save(update_fields=["status", "status_reason"])
    audit_log(
        actor=actor, action=f"booth.{status}", obj=booth, changes={"status": [old, status], "reason": reason}
    )
    return booth


@transaction.atomic
def plan_copy(*, source: Fair, target: Fair, actor: User | None) -> int:
    """Copy the zones and booths of an earlier edition (same venue) onto an empty plan."""
    target = _lock_fair(target.pk)
    if source.pk == target.pk:
        raise BoothError(code="same_fair", message=_("Choose another fair to copy from."), field="source")
    if Booth.objects.filter(fair=target).exists() or Zone.objects.filter(fair=target).exists():
        raise BoothError(code="plan_not_empty", message=_("This fair already has a plan."))
    zones = {}
    for zone in Zone.objects.filter(fair=source).prefetch_related("craft_categories"):
        copy = Zone.objects.create(
            fair=target, name=zone.name, name_ar=zone.name_ar, colour=zone.colour, position=zone.position
        )
        copy.craft_categories.set(zone.craft_categories.all())
        zones[zone.pk] = copy
    booths = [
        Booth(
            fair=target,
            zone=zones.get(b.zone_id),
            code=b.code,
            kind=b.kind,
            size=b.size,
            price=b.price,
            tier=b.tier,
            accessible=b.accessible,
            has_electricity=b.has_electricity,
            x=b.x,
            y=b.y,
            width=b.width,
            depth=b.depth,
        )
        for b in Booth.objects.filter(fair=source)
    ]
    Booth.objects.bulk_create(booths)
    audit_log(actor=actor, action="plan.copy", obj=target, changes={"from": source.pk, "booths": len(booths)})
    return len(booths)


# --- Assignments ------------------------------------------------------------------------


def _check_assignable(booth: Booth, application: Application) -> None:
    if booth.fair_id != application.fair_id:
        raise BoothError(code="wrong_fair", message=_("That booth belongs to another fair."), field="booth")
    if application.status != Application.Status.CONFIRMED:
        raise BoothError(
            code="application_not_confirmed",
            message=_("Only a confirmed exhibitor gets a booth (this application is “%(status)s”).")
            % {"status": application.get_status_display()},
            field="application",
        )
    if booth.status != Booth.Status.AVAILABLE:
        raise BoothError(
            code="booth_not_available",
            message=_("Booth %(code)s is %(status)s: %(reason)s")
            % {"code": booth.code, "status": booth.get_status_display(), "reason": booth.status_reason},
            field="booth",
        )


def _write_assignment(*, booth, application, actor, method, locked, explanation) -> Assignment:
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                booth=booth, application=application, fair_id=booth.fair_id, method=method, locked=locked,
                explanation=explanation, created_by=actor if actor and actor.is_authenticated else None,
            )  # fmt: skip
    except IntegrityError as exc:
        raise BoothError(
            code="booth_taken",
            message=_("Booth %(code)s is already taken.") % {"code": booth.code},
            field="booth",
        ) from exc


def _locked_pair(booth: Booth, application: Application) -> tuple[Fair, Booth, Application]:
    fair = _lock_fair(booth.fair_id, ASSIGNING_STATUSES)
    application = Application.objects.select_for_update().select_related("artisan").get(pk=application.pk)
    booth = Booth.objects.select_for_update().get(pk=booth.pk)
    return fair, booth, application


@transaction.atomic
def booth_assign(
    *, booth: Booth, application: Application, actor: User | None, lock: bool = True
) -> Assignment:
    """Give ``booth`` to a confirmed application by hand (locked by default, so a new
    allocation run keeps it). Refuses a held or blocked booth, a booth of another fair, a
    booth already taken, an application that already has one. Writes ``booth.assign``."""
    _fair, booth, application = _locked_pair(booth, application)
    _check_assignable(booth, application)
    if Assignment.objects.filter(booth=booth).exists():
        raise BoothError(
            code="booth_taken",
            message=_("Booth %(code)s is already taken.") % {"code": booth.code},
            field="booth",
        )
    if Assignment.objects.filter(application=application).exists():
        raise BoothError(
            code="already_assigned",
            message=_("%(name)s already has a booth: move it instead.") % {"name": application.artisan},
            field="application",
        )
    assignment = _write_assignment(
        booth=booth, application=application, actor=actor, method=Assignment.Method.MANUAL, locked=lock,
        explanation=["manual"],
    )  # fmt: skip
    audit_log(
        actor=actor, action="booth.assign", obj=booth, changes={"application": application.pk, "locked": lock}
    )
    return assignment


@transaction.atomic
def booth_vacate(*, booth: Booth, actor: User | None, reason: str = "") -> None:
    """Free a booth. Writes ``booth.vacate``."""
    _lock_fair(booth.fair_id, ASSIGNING_STATUSES)
    assignment = Assignment.objects.select_for_update().filter(booth=booth).first()
    if assignment is None:
        raise BoothError(
            code="booth_empty", message=_("Booth %(code)s is already free.") % {"code": booth.code}
        )
    assignment.delete()
    audit_log(
        actor=actor,
        action="booth.vacate",
        obj=booth,
        changes={"application": assignment.application_id, "reason": reason},
    )


@transaction.atomic
def booth_move(*, application: Application, to_booth: Booth, actor: User | None) -> Assignment:
    """Move an exhibitor to another (free, available) booth of the same fair; stays locked."""
    _fair, to_booth, application = _locked_pair(to_booth, application)
    current = Assignment.objects.select_for_update().filter(application=application).first()
    if current is None:
        raise BoothError(code="not_assigned", message=_("This exhibitor has no booth yet: assign one."))
    _check_assignable(to_booth, application)
    old_booth = current.booth
    current.delete()
    assignment = _write_assignment(
        booth=to_booth, application=application, actor=actor, method=Assignment.Method.MANUAL, locked=True,
        explanation=["manual"],
    )  # fmt: skip
    audit_log(
        actor=actor, action="booth.move", obj=to_booth,
        changes={"application": application.pk, "from": old_booth.code, "to": to_booth.code},
    )  # fmt: skip
    return assignment


@transaction.atomic
def booths_swap(*, first: Booth, second: Booth, actor: User | None) -> None:
    """Swap the exhibitors of two taken booths of the same fair (both end up locked)."""
    if first.fair_id != second.fair_id:
        raise BoothError(
            code="wrong_fair", message=_("Both booths must belong to the same fair."), field="booth"
        )
    if first.pk == second.pk:
        raise BoothError(code="same_booth", message=_("Choose two different booths."), field="booth")
    _lock_fair(first.fair_id, ASSIGNING_STATUSES)
    pair = {
        a.booth_id: a
        for a in Assignment.objects.select_for_update()
        .filter(booth__in=[first.pk, second.pk])
        .order_by("booth_id")
    }
    if len(pair) != 2:
        raise BoothError(
            code="booth_empty", message=_("Both booths must be taken to swap them; move instead.")
        )
    a, b = pair[first.pk], pair[second.pk]
    apps = (a.application_id, b.application_id)
    Assignment.objects.filter(pk__in=[a.pk, b.pk]).delete()
    for booth_id, application_id in ((first.pk, apps[1]), (second.pk, apps[0])):
        Assignment.objects.create(
            booth_id=booth_id, application_id=application_id, fair_id=first.fair_id,
            method=Assignment.Method.MANUAL, locked=True, explanation=["manual", "swap"],
            created_by=actor if actor and actor.is_authenticated else None,
        )  # fmt: skip
    audit_log(actor=actor, action="booth.swap", obj=first, changes={"booths": [first.code, second.code]})


def vacate_for_application(*, application_id: int) -> bool:
    """A withdrawn application frees its booth (registrations' signal, see booths.apps)."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().filter(application_id=application_id).first()
        if assignment is None:
            return False
        assignment.delete()
        audit_log(
            actor=None, action="booth.vacate", obj=assignment.booth,
            changes={"application": application_id, "reason": "application withdrawn"},
        )  # fmt: skip
    return True
