"""Reads behind the staff live view of entry (/staff/fairs/<pk>/entry/): one fair, one day.

Every function runs a fixed number of queries, whatever the number of badges and scans: the
counting is done by the database (aggregates, ``Exists`` and ``Subquery``), and the few lists
come back in one query each. ``arrivals_svg`` is pure: it draws the arrivals per hour.

"Inside" on the day being watched:
- today: badges whose ``inside_since`` is today (the presence ``check_in`` keeps under the
  badge's row lock, the same rule as the scanner's counters in ``fair_counters``);
- a past day: badges whose last accepted scan of that day was an entry (they left without
  scanning out, or the fair closed with them inside);
- a day still to come: nobody.

An exhibitor counts as arrived when any badge of their application (a reissued one too) has an
accepted entry that day; attendance is arrived over expected (exhibitor badges, not revoked,
valid that day).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, Direction
from badges.selectors import day_bounds, fair_counters
from booths.models import Zone
from fairs.models import Fair

LATEST_SCANS = 20
CONFLICTS_SHOWN = 50
# Missing exhibitors listed (by booth) unless staff ask for all: at opening time on a big fair
# every exhibitor is missing, and the page refreshes every 30 s on a phone.
MISSING_SHOWN = 100
# The chart always shows at least these hours (the usual opening hours of a fair).
FIRST_HOUR, LAST_HOUR = 8, 19


# --- The day ----------------------------------------------------------------------------


def fair_days(fair: Fair) -> list[dt.date]:
    return [fair.starts_on + dt.timedelta(days=n) for n in range((fair.ends_on - fair.starts_on).days + 1)]


def default_day(fair: Fair, today: dt.date) -> dt.date:
    """Today while the fair runs; its last day once it is over; its first day before it opens."""
    if today < fair.starts_on:
        return fair.starts_on
    return min(today, fair.ends_on)


def parse_day(fair: Fair, value: str | None, today: dt.date) -> dt.date:
    """The day asked for (``YYYY-MM-DD``) if it is one of the fair's days, else the default."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return default_day(fair, today)
    return day if fair.starts_on <= day <= fair.ends_on else default_day(fair, today)


def _when(day: dt.date, now: dt.datetime) -> str:
    today = timezone.localdate(now)
    return "today" if day == today else ("past" if day < today else "future")


# --- Building blocks --------------------------------------------------------------------


def _scans_of(fair: Fair, day: dt.date):
    start, end = day_bounds(day)
    return CheckIn.objects.filter(fair=fair, scanned_at__gte=start, scanned_at__lt=end)


def _entries_of(fair: Fair, day: dt.date):
    return _scans_of(fair, day).filter(result=CheckInResult.OK, direction=Direction.IN)


def _with_inside(badges, fair: Fair, day: dt.date, now: dt.datetime):
    """``badges`` and the filter that says which of them are inside (see the module's note)."""
    when = _when(day, now)
    if when == "today":
        start, end = day_bounds(day)
        return badges, Q(inside_since__gte=start, inside_since__lt=end)
    if when == "past":
        last_move = (
            _scans_of(fair, day)
            .filter(badge=OuterRef("pk"), result=CheckInResult.OK)
            .order_by("-scanned_at", "-pk")
            .values("direction")[:1]
        )
        return badges.annotate(last_move=Subquery(last_move)), Q(last_move=Direction.IN)
    return badges, None


def expected_exhibitors(fair: Fair, day: dt.date):
    """Exhibitor badges that open the gate on ``day``, each marked ``arrived`` (an accepted
    entry that day with any badge of the same application)."""
    arrived = _entries_of(fair, day).filter(badge__application_id=OuterRef("application_id"))
    return Badge.objects.filter(
        fair=fair,
        kind=BadgeKind.EXHIBITOR,
        revoked_at__isnull=True,
        valid_from__lte=day,
        valid_until__gte=day,
    ).annotate(arrived=Exists(arrived))


# --- What the page shows ----------------------------------------------------------------


@dataclass
class ZoneRow:
    zone_id: int | None
    name: str
    colour: str
    expected: int = 0
    arrived: int = 0
    inside: int | None = None

    @property
    def rate(self) -> int | None:
        return round(100 * self.arrived / self.expected) if self.expected else None


def by_zone(fair: Fair, day: dt.date, now: dt.datetime) -> list[ZoneRow]:
    """Exhibitors expected, arrived and inside per zone of the fair (booth → zone through the
    application's assignment); those without a booth or zone come last. Two queries."""
    badges, inside = _with_inside(expected_exhibitors(fair, day), fair, day, now)
    counts = {"expected": Count("pk"), "arrived": Count("pk", filter=Q(arrived=True))}
    if inside is not None:
        counts["inside"] = Count("pk", filter=inside)
    rows = {
        row["zone"]: row
        for row in badges.values(zone=F("application__assignment__booth__zone_id"))
        .annotate(**counts)
        .order_by()
    }
    result = []
    for zone in Zone.objects.filter(fair=fair).order_by("position", "name"):
        found = rows.pop(zone.pk, {})
        result.append(
            ZoneRow(
                zone.pk, zone.display_name, zone.colour, found.get("expected", 0), found.get("arrived", 0),
                found.get("inside", 0) if inside is not None else None,
            )
        )  # fmt: skip
    unzoned = list(rows.values())  # exhibitors with no booth, or a booth with no zone
    if unzoned:
        result.append(
            ZoneRow(
                None, _("no booth or zone"), "#ffffff", sum(r["expected"] for r in unzoned),
                sum(r["arrived"] for r in unzoned),
                sum(r["inside"] for r in unzoned) if inside is not None else None,
            )
        )  # fmt: skip
    return result


@dataclass
class Figures:
    expected: int
    arrived: int
    inside_exhibitors: int | None
    inside_people: int | None  # every kind of badge
    scans: int
    refused: int
    conflicts: int
    offline: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.arrived / self.expected) if self.expected else None


def figures(fair: Fair, day: dt.date, zones: list[ZoneRow], now: dt.datetime) -> Figures:
    """The big figures. Exhibitors' come from ``zones`` (summed, no query); people inside (all
    kinds) from ``fair_counters`` today — the scanners show the same number — or from the day's
    scans for a past day; scans, refusals and conflicts in one aggregate."""
    when = _when(day, now)
    if when == "today":
        inside_people = fair_counters(fair, now=now)["inside_now"]
    elif when == "past":
        badges, inside = _with_inside(
            Badge.objects.filter(fair=fair, revoked_at__isnull=True), fair, day, now
        )
        inside_people = badges.aggregate(n=Count("pk", filter=inside))["n"]
    else:
        inside_people = None
    scans = _scans_of(fair, day).aggregate(
        scans=Count("pk"),
        refused=Count("pk", filter=~Q(result=CheckInResult.OK)),
        conflicts=Count("pk", filter=Q(conflict=True)),
        offline=Count("pk", filter=Q(offline=True)),
    )
    return Figures(
        expected=sum(z.expected for z in zones),
        arrived=sum(z.arrived for z in zones),
        inside_exhibitors=None if when == "future" else sum(z.inside or 0 for z in zones),
        inside_people=inside_people,
        **scans,
    )


@dataclass(frozen=True)
class HourBar:
    hour: int
    exhibitors: int
    others: int

    @property
    def total(self) -> int:
        return self.exhibitors + self.others


def arrivals_by_hour(fair: Fair, day: dt.date) -> list[HourBar]:
    """First accepted entry of each person that day, counted per hour (local time). One
    person is one application for exhibitors (a reissued badge is the same person), one badge
    for the other kinds. One query; the hours run at least from 8:00 to 19:00."""
    first: dict[tuple, tuple[dt.datetime, bool]] = {}
    rows = (
        _entries_of(fair, day)
        .filter(badge__isnull=False)
        .values_list("badge_id", "badge__application_id")
        .annotate(first=Min("scanned_at"))
        .order_by()
    )
    for badge_id, application_id, at in rows:
        key = ("application", application_id) if application_id else ("badge", badge_id)
        if key not in first or at < first[key][0]:
            first[key] = (at, application_id is not None)
    counts: dict[int, list[int]] = {}
    for at, exhibitor in first.values():
        bar = counts.setdefault(timezone.localtime(at).hour, [0, 0])
        bar[0 if exhibitor else 1] += 1
    hours = range(min([FIRST_HOUR, *counts]), max([LAST_HOUR, *counts]) + 1)
    return [HourBar(hour, *counts.get(hour, (0, 0))) for hour in hours]


def not_arrived(fair: Fair, day: dt.date):
    """Exhibitors expected on ``day`` with no accepted entry yet, with their artisan (phone)
    and booth, by booth code. One query."""
    return (
        expected_exhibitors(fair, day)
        .filter(arrived=False)
        .select_related("application__artisan", "application__assignment__booth__zone")
        .order_by(F("application__assignment__booth__code").asc(nulls_last=True), "name", "pk")
    )


def latest_scans(fair: Fair, day: dt.date, limit: int = LATEST_SCANS) -> list[CheckIn]:
    return list(_scans_of(fair, day).select_related("badge", "device").order_by("-scanned_at", "-pk")[:limit])


@dataclass
class Conflict:
    check_in: CheckIn
    # The accepted entry (gate, time) the offline scan collided with, when there was one.
    earlier_gate: str = ""
    earlier_at: dt.datetime | None = None


def conflicts(fair: Fair, day: dt.date, limit: int = CONFLICTS_SHOWN) -> list[Conflict]:
    """Offline scans the server answered differently from the device (typically the same badge
    let in at two gates while both were offline), each with the entry it collided with: the
    badge's last accepted entry before it that day. Two queries (one when there is none)."""
    found = [
        Conflict(check_in)
        for check_in in _scans_of(fair, day)
        .filter(conflict=True)
        .select_related("badge", "device")
        .order_by("-scanned_at", "-pk")[:limit]
    ]
    badge_ids = {c.check_in.badge_id for c in found if c.check_in.badge_id}
    if not badge_ids:
        return found
    entries: dict[int, list[tuple[dt.datetime, int, str]]] = {}
    for badge_id, at, pk, gate in (
        _entries_of(fair, day)
        .filter(badge_id__in=badge_ids)
        .values_list("badge_id", "scanned_at", "pk", "gate")
    ):
        entries.setdefault(badge_id, []).append((at, pk, gate))
    for conflict in found:
        scan = conflict.check_in
        before = [e for e in entries.get(scan.badge_id, []) if e[0] <= scan.scanned_at and e[1] != scan.pk]
        if before:
            at, _pk, gate = max(before)
            conflict.earlier_gate, conflict.earlier_at = gate, at
    return found


@dataclass
class LiveDay:
    fair: Fair
    day: dt.date
    days: list[dt.date]
    when: str  # "today", "past" or "future"
    figures: Figures
    zones: list[ZoneRow]
    hours: list[HourBar]
    missing: list[Badge]  # the first of them by booth (``missing_count`` in all)
    latest: list[CheckIn]
    conflicts: list[Conflict] = field(default_factory=list)
    now: dt.datetime | None = None

    @property
    def missing_count(self) -> int:
        return self.figures.expected - self.figures.arrived


def live_day(
    fair: Fair, day: dt.date, now: dt.datetime | None = None, *, missing_limit: int | None = MISSING_SHOWN
) -> LiveDay:
    """Everything the live view shows for ``fair`` on ``day``, in a fixed number of queries;
    the missing exhibitors up to ``missing_limit`` (None: all of them)."""
    now = now or timezone.now()
    zones = by_zone(fair, day, now)
    missing = not_arrived(fair, day)
    return LiveDay(
        fair=fair,
        day=day,
        days=fair_days(fair),
        when=_when(day, now),
        figures=figures(fair, day, zones, now),
        zones=zones,
        hours=arrivals_by_hour(fair, day),
        missing=list(missing if missing_limit is None else missing[:missing_limit]),
        latest=latest_scans(fair, day),
        conflicts=conflicts(fair, day),
        now=now,
    )


# --- The chart --------------------------------------------------------------------------

EXHIBITOR_COLOUR = "#0b6e4f"
OTHER_COLOUR = "#b9770e"


def arrivals_svg(hours: list[HourBar], *, title: str) -> str:
    """A bar chart of arrivals per hour as inline SVG (no script): exhibitors, then the other
    badges stacked on top, the count above each bar, the hour below. Time runs left to right
    in every language (the SVG says ``direction="ltr"``), as on the scanners' clocks."""
    bar, gap, height, top, bottom, left = 28, 8, 140, 18, 22, 4
    width = left * 2 + len(hours) * (bar + gap)
    peak = max((h.total for h in hours), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {top + height + bottom}" '
        f'class="live-chart" role="img" aria-labelledby="arrivals-svg-title" direction="ltr">',
        f'<title id="arrivals-svg-title">{escape(title)}</title>',
        f'<line x1="0" y1="{top + height}" x2="{width}" y2="{top + height}" stroke="#adb5bd" />',
    ]
    for index, h in enumerate(hours):
        x = left + index * (bar + gap) + gap / 2
        base = top + height
        for count, colour in ((h.exhibitors, EXHIBITOR_COLOUR), (h.others, OTHER_COLOUR)):
            if count:
                size = height * count / peak
                base -= size
                parts.append(
                    f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar}" height="{size:.1f}" fill="{colour}">'
                    f"<title>{h.hour:02d}:00 {count}</title></rect>"
                )
        if h.total:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" font-size="11">{h.total}</text>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + height + 15}" text-anchor="middle" font-size="11" '
            f'fill="#6c757d">{h.hour:02d}h</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- numbers and an escaped title only
