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
    """Inside now, arrived today (badges with an accepted entry today) and valid badges today.

    One query over the fair's badges: ``check_in`` keeps each badge's presence
    (``inside_since``) and the day's first entry (``arrived_at``) under its row lock.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = day_bounds(today)
    active = Q(revoked_at__isnull=True)
    return Badge.objects.filter(fair=fair).aggregate(
        inside_now=Count("pk", filter=active & Q(inside_since__gte=start, inside_since__lt=end)),
        arrived_today=Count("pk", filter=Q(arrived_at__gte=start, arrived_at__lt=end)),
        expected=Count("pk", filter=active & Q(valid_from__lte=today, valid_until__gte=today)),
    )


# --- Scanner: the roster a device keeps, and the badge summary of a scan answer ------------

# The columns a badge summary is made of: the holder, the exhibitor's booth and craft, the
# photo. One query for any number of badges (a values() join, no model instances).
_SUMMARY_COLUMNS = (
    "pk",
    "serial",
    "kind",
    "name",
    "name_ar",
    "organisation",
    "role_label",
    "valid_from",
    "valid_until",
    "revoked_at",
    "inside_since",
    "application__assignment__booth__code",
    "application__artisan__photo",
    "application__artisan__main_craft__name_fr",
    "application__artisan__main_craft__name_ar",
    "application__artisan__main_craft__name_en",
)


def _photo_url(name: str | None) -> str | None:
    from registrations.models import Artisan

    return Artisan._meta.get_field("photo").storage.url(name) if name else None


def _craft(row: dict, language: str) -> str:
    """The craft name in the active language, French when it has none (TrilingualName.name)."""
    prefix = "application__artisan__main_craft__name_"
    return row.get(prefix + language) or row.get(prefix + "fr") or ""


def _summary(row: dict, language: str) -> dict:
    return {
        "serial": row["serial"],
        "kind": row["kind"],
        "name": row["name"],
        "name_ar": row["name_ar"],
        "organisation": row["organisation"],
        "role_label": row["role_label"],
        "booth": row["application__assignment__booth__code"] or "",
        "craft": _craft(row, language),
        "photo": _photo_url(row["application__artisan__photo"]),
    }


def _language() -> str:
    from django.conf import settings
    from django.utils.translation import get_language

    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in ("fr", "ar", "en") else "fr"


def scanner_roster(fair) -> list[dict]:
    """Every badge of ``fair`` (revoked ones too, flagged) as the offline scanner keeps it.

    One query whatever the number of badges. ``inside_since`` lets a device that goes offline
    still answer "already inside" for someone who entered before.
    """
    language = _language()
    rows = Badge.objects.filter(fair=fair).order_by("kind", "name", "pk").values(*_SUMMARY_COLUMNS)
    return [
        _summary(row, language)
        | {
            "valid_from": row["valid_from"],
            "valid_until": row["valid_until"],
            "revoked": row["revoked_at"] is not None,
            "inside_since": row["inside_since"],
        }
        for row in rows
    ]


def scan_summary(row: dict) -> dict:
    """The badge of a scan answer, from the row ``scan_sql.badge_for_scan`` read."""
    return _summary(row, _language())


def badges_for_staff():
    """Badges with what the staff list shows (booth, craft, photo) joined in: one query a page."""
    return Badge.objects.select_related(
        "fair", "application__artisan__main_craft", "application__assignment__booth"
    ).order_by("fair", "kind", "name", "pk")


def check_ins_for_staff():
    return CheckIn.objects.select_related("badge", "device", "scanner").order_by("-scanned_at", "-pk")


# --- Scan answers in words ------------------------------------------------------------------


def validity_period(first: dt.date, last: dt.date) -> str:
    """ "3–5 December", "28 November – 2 December", or "3 December" for a single day (localized)."""
    from django.utils.formats import date_format

    if first == last:
        return date_format(first, "j F")
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{date_format(last, 'j F')}"
    return f"{date_format(first, 'j F')} – {date_format(last, 'j F')}"


def scan_message(
    result: str,
    *,
    direction: str = Direction.IN,
    inside_since: dt.datetime | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> str:
    """The sentence a gate shows for a scan answer, in the active language.

    The scanner page's JavaScript keeps its own copy of these sentences for offline answers.
    """
    from django.utils.formats import time_format
    from django.utils.translation import gettext as _

    if result == CheckInResult.OK:
        return _("Welcome") if direction == Direction.IN else _("Exit recorded")
    if result == CheckInResult.ALREADY_INSIDE:
        if inside_since is None:
            return _("Already inside")
        return _("Already inside since %(time)s") % {
            "time": time_format(timezone.localtime(inside_since), "H:i")
        }
    if result == CheckInResult.REVOKED:
        return _("Revoked badge")
    if result == CheckInResult.WRONG_FAIR:
        return _("Badge of another fair")
    if result == CheckInResult.NOT_VALID_NOW:
        if valid_from is None or valid_until is None:
            return _("Not valid today")
        return _("Not valid today (valid %(period)s)") % {"period": validity_period(valid_from, valid_until)}
    if result == CheckInResult.UNKNOWN:
        return _("Unknown badge")
    return _("Not a valid badge code")
