"""The staff dashboard: the region's key figures and charts for a period, a province and a
craft, with links to the summary PDF and to the exports (CSV, XLSX) under the same filters.

The figures are ``reports.figures.region_figures`` (the summary PDF's); the charts are drawn
by ``reports.charts`` as inline SVG. A period that ends before it starts is shown as a form
error and the page shows the default period meanwhile. Staff only.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, re_path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from reports import charts, exports
from reports.figures import SCOPES, RegionFigures, region_figures

SCOPE_COLOURS = dict(zip(SCOPES, (charts.TERRACOTTA, charts.GREEN, charts.BLUE, charts.PURPLE), strict=True))
PROVINCES_SHOWN = 12


def _optional_url(name: str) -> str | None:
    """The URL of a page another area may not have written yet (None until it exists)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def key_figures(figures: RegionFigures) -> list[dict]:
    """The tiles at the top: a value, what it is, and a line saying what it is made of."""
    outcomes = figures.outcomes
    return [
        {
            "key": "fairs",
            "value": charts.fmt_int(figures.fairs),
            "label": _("fairs held"),
            "note": _("%(organised)s organised, %(other)s others' exhibitions")
            % {
                "organised": charts.fmt_int(figures.fairs_organised),
                "other": charts.fmt_int(figures.fairs_participated),
            },
        },
        {
            "key": "artisans",
            "value": charts.fmt_int(figures.artisans),
            "label": _("artisans featured"),
            "note": _("%(first)s taking part for the first time")
            % {"first": charts.fmt_int(figures.first_timers)},
        },
        {
            "key": "participations",
            "value": charts.fmt_int(figures.participations),
            "label": _("participations"),
            "note": _("%(local)s at local and regional fairs")
            % {
                "local": charts.fmt_int(
                    figures.participations
                    - figures.national_participations
                    - figures.international_participations
                )
            },
        },
        {
            "key": "abroad",
            "value": charts.fmt_int(figures.national_participations + figures.international_participations),
            "label": _("national and international participations"),
            "note": _("%(national)s national, %(international)s international")
            % {
                "national": charts.fmt_int(figures.national_participations),
                "international": charts.fmt_int(figures.international_participations),
            },
        },
        {
            "key": "women",
            "value": charts.fmt_percent(figures.women_share),
            "label": _("women"),
            "note": _("%(count)s women artisans") % {"count": charts.fmt_int(figures.women)},
        },
        {
            "key": "rural",
            "value": charts.fmt_percent(figures.rural_share),
            "label": _("rural artisans"),
            "note": _("%(count)s from rural areas") % {"count": charts.fmt_int(figures.rural)},
        },
        {
            "key": "sales",
            "value": charts.fmt_mad(outcomes.sales_mad),
            "label": _("sales reported"),
            "note": _("reported for %(reported)s of %(participations)s participations")
            % {
                "reported": charts.fmt_int(outcomes.reported),
                "participations": charts.fmt_int(outcomes.participations),
            },
        },
        {
            "key": "attendance",
            "value": charts.fmt_percent(figures.attendance_rate),
            "label": _("attendance rate"),
            "note": _("came at least once, at the %(fairs)s fairs that kept check-ins")
            % {"fairs": charts.fmt_int(figures.fairs_with_check_ins)},
        },
    ]


def dashboard_charts(figures: RegionFigures) -> list[charts.Chart]:
    years = [row.label for row in figures.years]
    held_years = [row.key for row in figures.years]
    fairs_series = [
        charts.Series(
            label=str(Fair.Scope(scope).label),
            values=[
                sum(h.total for h in figures.fairs_held if h.year == year and h.scope == scope)
                for year in held_years
            ],
            colour=SCOPE_COLOURS[scope],
        )
        for scope in SCOPES
        if any(h.scope == scope for h in figures.fairs_held)
    ]
    shown = figures.provinces[:PROVINCES_SHOWN]
    by_province = charts.bar_chart(
        title=_("Artisans by province"),
        desc=_("Artisans featured, by the province they come from."),
        labels=[row.name for row in shown],
        values=[row.artisans for row in shown],
        colour=charts.BLUE,
        value_header=_("artisans"),
    )
    hidden = figures.provinces[PROVINCES_SHOWN:]
    if hidden:
        by_province.note = ngettext(
            "And %(count)s artisan from %(provinces)s other province.",
            "And %(count)s artisans from %(provinces)s other provinces.",
            sum(row.artisans for row in hidden),
        ) % {"count": charts.fmt_int(sum(row.artisans for row in hidden)), "provinces": len(hidden)}
    sales = charts.column_chart(
        title=_("Sales reported per year (MAD)"),
        desc=_("Sales the artisans reported after the fairs of each year, in dirhams."),
        labels=years,
        values=[row.outcomes.sales_mad for row in figures.years],
        colour=charts.TERRACOTTA,
        value_text=charts.fmt_compact,
        table_text=charts.fmt_mad,
        value_header=_("sales"),
    )
    if not figures.outcomes.reported:
        sales.rows = []
        sales.note = _("No sales have been reported for these fairs yet.")
    return [
        charts.column_chart(
            title=_("Participations per year"),
            desc=_("Confirmed participations at the fairs held each year."),
            labels=years,
            values=[row.participations for row in figures.years],
            value_header=_("participations"),
        ),
        charts.share_line_chart(
            title=_("Women and rural artisans per year"),
            desc=_("Share of women and share of rural artisans among the artisans featured each year."),
            labels=years,
            series=[
                charts.Series(_("women"), [row.women_share for row in figures.years], charts.PURPLE),
                charts.Series(_("rural artisans"), [row.rural_share for row in figures.years], charts.GREEN),
            ],
        ),
        charts.stacked_column_chart(
            title=_("Fairs held by year and scope"),
            desc=_("Fairs held each year: local, regional, national and international."),
            labels=[str(year) for year in held_years],
            series=fairs_series,
            total_header=_("fairs"),
        ),
        charts.bar_chart(
            title=_("Leading crafts"),
            desc=_("The main crafts with the most participations."),
            labels=[row.name for row in figures.crafts],
            values=[row.participations for row in figures.crafts],
            colour=charts.TERRACOTTA,
            value_header=_("participations"),
        ),
        by_province,
        sales,
    ]


def dashboard_figures(filters: exports.ReportFilters) -> tuple[RegionFigures, dt.datetime]:
    """The figures (the artisans by province with them) and when they were computed — kept for
    ``SOUK_DASHBOARD_CACHE_SECONDS`` (60 by default; 0 turns it off) per filters and language.

    On a region-sized registry the figures cost a few hundred milliseconds to compute
    (bench/dashboard.py, which measures them uncached): staff going back and forth between
    filters, or several opening the page, get them at once. The page says when they were
    computed; a minute-old figure is fine for a dashboard, and the PDF and the exports are
    always computed afresh."""
    seconds = getattr(settings, "SOUK_DASHBOARD_CACHE_SECONDS", 60)
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = "reports:dashboard:" + hashlib.sha256(f"{language}|{filters.query()}".encode()).hexdigest()
    found = cache.get(key) if seconds else None
    if found is None:
        figures = region_figures(**filters.as_kwargs())
        found = (figures, timezone.now())
        if seconds:
            cache.set(key, found, seconds)
    return found


class DashboardView(StaffRequiredMixin, TemplateView):
    template_name = "reports/dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        form = exports.ReportFilterForm(self.request.GET or None)
        filters = form.filters()
        figures, computed_at = dashboard_figures(filters)
        query = filters.query()
        summary_url = _optional_url("reports:summary_pdf")
        export_links = [
            {
                "title": title,
                "links": [
                    (
                        fmt.upper(),
                        reverse("reports:dashboard_export", kwargs={"kind": kind, "fmt": fmt}) + "?" + query,
                    )
                    for fmt in exports.FORMATS
                ],
            }
            for kind, title in (
                ("participants", _("Participants")),
                ("attendance", _("Attendance by day")),
                ("outcomes", _("Outcomes")),
            )
        ]
        return super().get_context_data(
            form=form,
            filters=filters,
            figures=figures,
            computed_at=computed_at,
            tiles=key_figures(figures),
            charts=[] if figures.is_empty else dashboard_charts(figures),
            summary_url=f"{summary_url}?{query}" if summary_url else None,
            export_links=export_links,
            **kwargs,
        )


class ExportView(StaffRequiredMixin, View):
    """A CSV or XLSX file under the dashboard's filters. Filters that do not hold (a period
    ending before it starts) send staff back to the dashboard, which says what is wrong."""

    http_method_names = ["get", "head"]

    def get(self, request, kind, fmt):
        form = exports.ReportFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return redirect(reverse("reports:dashboard") + "?" + request.GET.urlencode())
        return exports.export_response(kind, fmt, form.filters())


urlpatterns = [
    path("staff/dashboard/", DashboardView.as_view(), name="dashboard"),
    re_path(
        r"^staff/dashboard/exports/(?P<kind>participants|attendance|outcomes)\.(?P<fmt>csv|xlsx)$",
        ExportView.as_view(),
        name="dashboard_export",
    ),
]
