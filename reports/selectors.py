"""Reads behind the reports: attendance of a fair, who attended, outcomes."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from badges.models import Badge, CheckIn, CheckInResult, Direction
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus, Artisan
from reports import attendance

# A participation: a confirmed application (withdrawn ones left before the fair).
PARTICIPATING = (ApplicationStatus.CONFIRMED,)


def participations(fair: Fair):
    return (
        Application.objects.filter(fair=fair, status__in=PARTICIPATING)
        .select_related("artisan__main_craft", "artisan__province", "assignment__booth")
        .order_by("artisan__last_name", "artisan__first_name", "pk")
    )


def first_entries(fair: Fair, application_ids=None) -> dict[tuple[int, dt.date], dt.time]:
    """(application id, local day) → local time of the first accepted entry, in one query.

    The accepted entries are read and bucketed by local day here: SQLite converts time zones
    in a Python function called row by row, which took four times as long as this for a
    500-exhibitor, 10-day fair (0.2 s against 0.05 s), and a fair has at most some
    thousands of entries."""
    tz = timezone.get_current_timezone()
    scans = CheckIn.objects.filter(
        fair=fair, result=CheckInResult.OK, direction=Direction.IN, badge__application__isnull=False
    )
    if application_ids is not None:
        scans = scans.filter(badge__application_id__in=application_ids)
    firsts: dict[tuple[int, dt.date], dt.time] = {}
    for application_id, scanned_at in scans.values_list("badge__application_id", "scanned_at"):
        local = timezone.localtime(scanned_at, tz)
        key, clock = (application_id, local.date()), local.time()
        if key not in firsts or clock < firsts[key]:
            firsts[key] = clock
    return firsts


def fair_has_check_ins(fair: Fair) -> bool:
    return CheckIn.objects.filter(fair=fair).exists()


def fair_attendance(
    fair: Fair, late_after: dt.time = attendance.LATE_AFTER, *, until: dt.date | None = None
) -> attendance.Attendance:
    """The attendance grid of ``fair``: three queries whatever its size.

    ``until`` (e.g. today, for a fair still running) leaves out the days after it: a day not
    held yet is not an absence. Labels (craft, gender, province, area) are in the active language.
    """
    validity = {
        application_id: (first, last)
        for application_id, first, last in Badge.objects.filter(
            fair=fair, application__isnull=False, revoked_at__isnull=True
        ).values_list("application_id", "valid_from", "valid_until")
    }
    gender = dict(Artisan.Gender.choices)
    area = dict(Artisan.Area.choices)
    exhibitors = []
    for application in participations(fair):
        artisan = application.artisan
        first, last = validity.get(application.pk, (None, None))
        booth = getattr(getattr(application, "assignment", None), "booth", None)
        exhibitors.append(
            attendance.Exhibitor(
                key=application.pk,
                name=artisan.full_name,
                name_ar=artisan.full_name_ar,
                booth=booth.code if booth else "",
                craft=artisan.main_craft.name if artisan.main_craft_id else "",
                gender=str(gender.get(artisan.gender, "")),
                province=artisan.province.name,
                area=str(area.get(artisan.area, "")),
                first_day=first,
                last_day=last,
            )
        )
    last = fair.ends_on if until is None else min(fair.ends_on, until)
    days = attendance.fair_days(fair.starts_on, last)  # none when the fair has not begun
    return attendance.compute(exhibitors, days, first_entries(fair), late_after)


def attended_filter():
    """An annotation-ready condition: the participation has an accepted entry scan, or its fair
    kept no check-ins at all (a fair held before Souk, or someone else's exhibition)."""
    entered = CheckIn.objects.filter(
        badge__application=OuterRef("pk"), result=CheckInResult.OK, direction=Direction.IN
    )
    fair_scanned = CheckIn.objects.filter(fair=OuterRef("fair"))
    return Exists(entered) | ~Exists(fair_scanned)


def attended_applications(artisan: Artisan):
    """The artisan's participations in fairs that are over and that they attended."""
    return (
        Application.objects.filter(artisan=artisan, status__in=PARTICIPATING, fair__status=Fair.Status.CLOSED)
        .filter(attended_filter())
        .select_related("fair")
        .order_by("-fair__starts_on")
    )


def has_attended(application: Application) -> bool:
    return attended_applications(application.artisan).filter(pk=application.pk).exists()


# --- Outcomes of a fair (its staff table, CSV and API) ------------------------------------------


def fair_outcome_rows(fair: Fair) -> list[Application]:
    """Every participation of ``fair`` (confirmed applications, by name) with its outcome, if
    any, as ``application.reported`` (an Outcome or None): one query."""
    rows = list(participations(fair).select_related("outcome", "artisan__province"))
    for application in rows:
        application.reported = getattr(application, "outcome", None)
    return rows


@dataclass(frozen=True)
class OutcomeTotals:
    participants: int
    reported: int
    sales_mad: Decimal
    items_sold: int
    orders: int
    export_contacts: int

    @property
    def reported_share(self) -> float | None:
        return self.reported / self.participants if self.participants else None

    @property
    def mean_sales_mad(self) -> Decimal | None:
        """Sales per artisan who reported (not per participant: silence is not zero)."""
        if not self.reported:
            return None
        return (self.sales_mad / self.reported).quantize(Decimal("0.01"))


def outcome_totals(rows: list[Application]) -> OutcomeTotals:
    outcomes = [application.reported for application in rows if application.reported is not None]
    return OutcomeTotals(
        participants=len(rows),
        reported=len(outcomes),
        sales_mad=sum((outcome.sales_mad for outcome in outcomes), Decimal("0.00")),
        items_sold=sum(outcome.items_sold for outcome in outcomes),
        orders=sum(outcome.orders for outcome in outcomes),
        export_contacts=sum(outcome.export_contacts for outcome in outcomes),
    )
