"""Reads about badges and presence, shared by the API, the scanner, the live view and PDFs."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from badges.models import Badge, CheckIn, CheckInResult, Direction


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of ``day`` in the site's time zone (Africa/Casablanca)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def fair_counters(fair, now: dt.datetime | None = None) -> dict:
    """Inside now, arrived today (distinct badges with an accepted entry) and valid badges today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    active = Badge.objects.filter(fair=fair, revoked_at__isnull=True)
    figures = active.aggregate(
        inside_now=Count("pk", filter=Q(inside_since__gte=start, inside_since__lt=end)),
        expected=Count("pk", filter=Q(valid_from__lte=today, valid_until__gte=today)),
    )
    figures["arrived_today"] = (
        CheckIn.objects.filter(
            fair=fair,
            result=CheckInResult.OK,
            direction=Direction.IN,
            scanned_at__gte=start,
            scanned_at__lt=end,
        )
        .values("badge")
        .distinct()
        .count()
    )
    return figures
