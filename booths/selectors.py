"""Reads of the floor plan, shared by the staff pages, the allocation pages, the PDF and the API.

Every function here reads a fair's plan in a fixed, small number of queries whatever the
number of booths: the booths come with their zone and, through the one-to-one assignment,
the exhibitor and their craft (``select_related`` follows the reverse one-to-one).
"""

from collections import Counter
from collections.abc import Callable, Iterable

from django.db.models import Count, Prefetch, QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from booths.models import Assignment, Booth, Zone
from booths.plan import PlanBooth, render_svg
from core.models import CraftCategory
from core.permissions import is_staff_member
from fairs.models import Fair
from registrations.models import Application

#: A booth's state on the plan (the keys of booths.plan.STATUS_COLOURS), in legend order.
BOOTH_STATES = {
    "free": _("free"),
    "taken": _("taken"),
    "locked": _("taken, locked"),
    "held": _("held"),
    "blocked": _("blocked"),
}

#: The filters of the booth list: a state or a group of states.
STATE_FILTERS = {
    "free": _("free"),
    "taken": _("taken"),
    "held": _("held"),
    "blocked": _("blocked"),
}

#: An assignment's explanation codes (the engine's, plus the services' "manual" and "swap").
EXPLANATION_LABELS = {
    "staff_priority": _("Staff gave this exhibitor priority."),
    "preferred_zone": _("In the zone the exhibitor asked for."),
    "preferred_zone_unavailable": _("The zone asked for had no suitable booth left."),
    "rotation_upgrade": _("A busier spot than last time (rotation)."),
    "near_cooperative": _("Near a member of the same cooperative, as asked."),
    "cooperative_apart": _("Asked to be near the cooperative, but no booth nearby was left."),
    "lottery": _("Tied with other exhibitors: the seeded lottery decided."),
    "first_come_first_served": _("First come, first served."),
    "manual": _("Assigned by hand."),
    "swap": _("Swapped by hand with another booth."),
}

#: Fair statuses in which an exhibitor sees their booth: before that the allocation may change.
BOOTH_VISIBLE_STATUSES = (Fair.Status.PUBLISHED, Fair.Status.RUNNING, Fair.Status.CLOSED)


def explain(codes: Iterable[str]) -> list[str]:
    """The explanation codes of an assignment in words (an unknown code is shown as is)."""
    return [str(EXPLANATION_LABELS.get(code, code)) for code in codes or ()]


def assignment_of(booth: Booth) -> Assignment | None:
    """The booth's assignment, from the ``select_related`` cache when there is one."""
    return getattr(booth, "assignment", None)  # RelatedObjectDoesNotExist is an AttributeError


def booth_state(booth: Booth) -> str:
    assignment = assignment_of(booth)
    if assignment is not None:
        return "locked" if assignment.locked else "taken"
    if booth.status == Booth.Status.HELD:
        return "held"
    if booth.status == Booth.Status.BLOCKED:
        return "blocked"
    return "free"


def fair_booths(fair: Fair, *, state: str = "", zone: Zone | int | None = None) -> QuerySet[Booth]:
    """The booths of ``fair`` with zone, assignment, application, artisan and craft: one query.

    ``state`` is a key of :data:`STATE_FILTERS` ("taken" includes locked ones); ``zone`` a
    zone or its id."""
    booths = Booth.objects.filter(fair=fair).select_related(
        "zone",
        "assignment",
        "assignment__application",
        "assignment__application__artisan",
        "assignment__application__artisan__main_craft",
    )
    if state == "free":
        booths = booths.filter(status=Booth.Status.AVAILABLE, assignment__isnull=True)
    elif state == "taken":
        booths = booths.filter(assignment__isnull=False)
    elif state in (Booth.Status.HELD, Booth.Status.BLOCKED):
        booths = booths.filter(status=state)
    if zone is not None:
        booths = booths.filter(zone=zone)
    return booths.order_by("code")


def exhibitor_label(booth: Booth) -> str:
    """ "Name — craft" of the booth's exhibitor, or "" for a free booth."""
    assignment = assignment_of(booth)
    if assignment is None:
        return ""
    artisan = assignment.application.artisan
    return f"{artisan.display_name} — {artisan.main_craft.name}"


def to_plan(booths: Iterable[Booth], *, private: bool = False) -> list[PlanBooth]:
    """Booths as the plan draws them. ``private`` (what an artisan or the public sees): no
    labels and no states, so the plan says nothing about who is where."""
    plan = []
    for booth in booths:
        plan.append(
            PlanBooth(
                id=booth.pk,
                code=booth.code,
                x=booth.x,
                y=booth.y,
                width=booth.width,
                depth=booth.depth,
                zone_colour=booth.zone.colour if booth.zone_id else "#ffffff",
                state="free" if private else booth_state(booth),
                label="" if private else exhibitor_label(booth),
            )
        )
    return plan


def plan_booths(fair: Fair, *, private: bool = False) -> list[PlanBooth]:
    """The plan of ``fair`` in one query (see :func:`to_plan`)."""
    if private:
        return to_plan(Booth.objects.filter(fair=fair).select_related("zone").order_by("code"), private=True)
    return to_plan(fair_booths(fair))


def plan_counts(plan: Iterable[PlanBooth]) -> dict[str, int]:
    """Booths, free, taken (locked included) and held or blocked, from a plan already read."""
    states = Counter(booth.state for booth in plan)
    return {
        "booths": sum(states.values()),
        "free": states["free"],
        "taken": states["taken"] + states["locked"],
        "locked": states["locked"],
        "held": states["held"],
        "blocked": states["blocked"],
        "unavailable": states["held"] + states["blocked"],
    }


def plan_svg(
    plan: list[PlanBooth],
    *,
    colour_by: str = "zone",
    highlight: int | None = None,
    link: Callable[[PlanBooth], str] | None = None,
    title: str = "",
) -> str:
    """:func:`booths.plan.render_svg`, marked safe for a template (it escapes its own text)."""
    return mark_safe(render_svg(plan, colour_by=colour_by, highlight=highlight, link=link, title=title))  # noqa: S308


def fair_zones(fair: Fair) -> QuerySet[Zone]:
    """The zones of ``fair`` with their crafts (and each craft's sector): three queries."""
    crafts = CraftCategory.objects.select_related("parent").order_by("parent__position", "position")
    return (
        Zone.objects.filter(fair=fair)
        .annotate(booth_count=Count("booths"))
        .prefetch_related(Prefetch("craft_categories", queryset=crafts))
        .order_by("position", "name")
    )


def earlier_plans(fair: Fair) -> QuerySet[Fair]:
    """Earlier editions at the same venue that have booths: the plans ``fair`` may copy."""
    if fair.venue_id is None:
        return Fair.objects.none()
    return (
        Fair.objects.filter(venue_id=fair.venue_id, starts_on__lt=fair.starts_on)
        .exclude(pk=fair.pk)
        .annotate(booth_count=Count("booths"))
        .filter(booth_count__gt=0)
        .order_by("-starts_on")
    )


def applications_without_booth(fair: Fair) -> QuerySet[Application]:
    """The fair's confirmed exhibitors who have no booth yet (for a manual assignment)."""
    return (
        Application.objects.filter(fair=fair, status=Application.Status.CONFIRMED, assignment__isnull=True)
        .select_related("artisan", "artisan__main_craft")
        .order_by("artisan__last_name", "artisan__first_name", "pk")
    )


def artisan_booth(application: Application, *, viewer=None, with_plan: bool = True) -> dict | None:
    """What an exhibitor sees of their booth: code, zone, and the plan with it highlighted.

    ``None`` unless the application is confirmed, has a booth, and the fair is published (or
    running, or over): before that the allocation may still change. Staff (``viewer``) see it
    from the allocation on, with ``early`` set so the page can say the artisan doesn't yet.
    The plan is coloured by zone, without links, labels or states: no other exhibitor's name
    and nothing about which booths are taken. Two queries; one without the plan
    (``with_plan=False``, for a line in a list)."""
    if application is None or application.status != Application.Status.CONFIRMED:
        return None
    fair = application.fair
    early = fair.status not in BOOTH_VISIBLE_STATUSES
    if early and not (
        viewer is not None and is_staff_member(viewer) and fair.status == Fair.Status.ALLOCATING
    ):
        return None
    assignment = (
        Assignment.objects.filter(application_id=application.pk)
        .select_related("booth", "booth__zone")
        .first()
    )
    if assignment is None:
        return None
    booth = assignment.booth
    zone = booth.zone
    found = {
        "booth": booth,
        "code": booth.code,
        "zone": zone.display_name if zone else "",
        "zone_colour": zone.colour if zone else "",
        "fair": fair,
        "early": early,
    }
    if not with_plan:
        return found
    booths = list(Booth.objects.filter(fair=fair).select_related("zone").order_by("code"))
    zones = {b.zone_id: b.zone for b in booths if b.zone_id is not None}
    return {
        **found,
        "zones": sorted(zones.values(), key=lambda z: (z.position, z.name)),
        "svg": plan_svg(
            to_plan(booths, private=True),
            colour_by="zone",
            highlight=booth.pk,
            title=str(
                _("Booth %(code)s on the plan of %(fair)s") % {"code": booth.code, "fair": fair.display_name}
            ),
        ),
    }
