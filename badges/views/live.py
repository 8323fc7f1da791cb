"""The staff live view of entry: who came, who is inside, who is missing, what the gates scan.

For delegation staff only (login for anonymous users, 403 for the others, scanners included):
the page lists exhibitors' phone numbers, which only staff and their owner may see. Scanner
devices and scanner-role users get their counters from the scanner page and its API.

All the reading is in ``badges.live``; this view picks the day and renders. While the day
shown is today the page refreshes itself every 30 s: a small script fetches the page's
``?fragment=1`` (the figures and lists without the layout) and swaps it in, and without
script a ``<meta http-equiv="refresh">`` reloads the page.
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from badges import live
from core.permissions import StaffRequiredMixin
from fairs.models import Fair

REFRESH_SECONDS = 30
_SERIAL_MARK = "SERIAL00"


def badge_url_pattern() -> str:
    """The badge page's URL with ``SERIAL00`` for the serial (reversed once per page, not per
    row). The badge page belongs to the staff badge views; until its name resolves, its path."""
    try:
        return reverse("badges:badge_detail", kwargs={"serial": _SERIAL_MARK})
    except NoReverseMatch:
        return f"/staff/badges/{_SERIAL_MARK}/"


class LiveEntryView(StaffRequiredMixin, TemplateView):
    template_name = "badges/live/entry.html"
    fragment_template_name = "badges/live/_entry_body.html"

    def get_template_names(self):
        if self.request.GET.get("fragment"):
            return [self.fragment_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        # Loaded here, after StaffRequiredMixin: anyone else gets the login page or a 403, never a 404.
        fair = get_object_or_404(Fair.objects.select_related("venue"), pk=self.kwargs["fair_pk"])
        now = timezone.now()
        day = live.parse_day(fair, self.request.GET.get("day"), timezone.localdate(now))
        all_missing = self.request.GET.get("missing") == "all"
        snapshot = live.live_day(
            fair, day, now=now, missing_limit=None if all_missing else live.MISSING_SHOWN
        )
        badge_url = badge_url_pattern()
        for check_in in snapshot.latest + [c.check_in for c in snapshot.conflicts]:
            if check_in.badge_id:
                check_in.badge_url = badge_url.replace(_SERIAL_MARK, check_in.badge.serial)
        for badge in snapshot.missing:
            badge.url = badge_url.replace(_SERIAL_MARK, badge.serial)
        return super().get_context_data(
            fair=fair,
            live=snapshot,
            refresh=REFRESH_SECONDS if snapshot.when == "today" else None,
            chart=live.arrivals_svg(
                snapshot.hours,
                title=_("Arrivals per hour on %(day)s") % {"day": date_format(day, "DATE_FORMAT")},
            ),
            query=urlencode({"day": day.isoformat(), **({"missing": "all"} if all_missing else {})}),
            all_missing_query=urlencode({"day": day.isoformat(), "missing": "all"}),
            **kwargs,
        )


urlpatterns = [
    path("staff/fairs/<int:fair_pk>/entry/", LiveEntryView.as_view(), name="live_entry"),
]
