"""The regional summary for staff: the figures of a period on the page, and as a PDF.

``/staff/reports/summary/`` shows a period form (by default the last four full years) and
the figures; ``/staff/reports/summary.pdf`` answers the same figures as a PDF in the user's
language. A bad period is a form error on the page (the PDF URL shows the page with the
error, status 400): no figures, no PDF, never a 500.
"""

from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils.translation import get_language_bidi
from django.views.generic import TemplateView

from core.pdf import pdf_response
from core.permissions import StaffRequiredMixin
from reports.figures import region_figures
from reports.forms import PeriodForm, default_period, period_presets
from reports.pdf import summary as summary_pdf


def _query(data: dict) -> str:
    return urlencode({key: value for key, value in data.items() if value not in (None, "")})


def _filter_values(cleaned: dict) -> dict:
    """The form's clean values as URL parameters (dates ISO, objects by id)."""
    return {
        "start": cleaned["start"].isoformat(),
        "end": cleaned["end"].isoformat(),
        "province": cleaned["province"].pk if cleaned.get("province") else "",
        "craft": cleaned["craft"].pk if cleaned.get("craft") else "",
    }


class SummaryMixin(StaffRequiredMixin):
    def get_form(self) -> PeriodForm:
        data = self.request.GET
        if "start" not in data and "end" not in data:
            start, end = default_period()
            data = data.copy()
            data.update({"start": start.isoformat(), "end": end.isoformat()})
        return PeriodForm(data)

    def presets(self) -> list[dict]:
        base = reverse("reports:summary")
        extra = {key: self.request.GET.get(key, "") for key in ("province", "craft")}
        return [
            {
                "label": label,
                "url": f"{base}?{_query({'start': start.isoformat(), 'end': end.isoformat(), **extra})}",
            }
            for label, start, end in period_presets()
        ]

    def figures_for(self, form: PeriodForm):
        cleaned = form.cleaned_data
        return region_figures(
            start=cleaned["start"], end=cleaned["end"], province=cleaned["province"], craft=cleaned["craft"]
        )


class SummaryView(SummaryMixin, TemplateView):
    template_name = "reports/summary/summary.html"

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        context = {"form": form, "presets": self.presets()}
        if form.is_valid():
            figures = self.figures_for(form)
            values = _filter_values(form.cleaned_data)
            context.update(
                figures=figures,
                view=SummaryDisplay(figures),
                pdf_url=f"{reverse('reports:summary_pdf')}?{_query(values)}",
                filters=summary_pdf.filters_text(form.cleaned_data["province"], form.cleaned_data["craft"]),
                period=summary_pdf.period_text(figures.start, figures.end),
            )
        status = 200 if form.is_valid() else 400
        return self.render_to_response(self.get_context_data(**context), status=status)


class SummaryPdfView(SummaryMixin, TemplateView):
    template_name = "reports/summary/summary.html"

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            context = self.get_context_data(form=form, presets=self.presets())
            return self.render_to_response(context, status=400)
        figures = self.figures_for(form)
        data = summary_pdf.render_summary(
            figures,
            province=form.cleaned_data["province"],
            craft=form.cleaned_data["craft"],
            rtl=get_language_bidi(),
        )
        return pdf_response(data, summary_pdf.filename(figures))


class SummaryDisplay:
    """The figures as the page prints them (numbers, shares and amounts in the language)."""

    def __init__(self, figures):
        self.figures = figures
        self.tiles = summary_pdf.key_figures(figures)
        percent, mad = summary_pdf.percent, summary_pdf.mad
        cells = {(f.year, f.scope): f for f in figures.fairs_held}
        self.scopes = [row.label for row in figures.scopes]
        self.fairs = [
            {
                "year": row.key,
                "scopes": [
                    cells[(row.key, s.key)].total if (row.key, s.key) in cells else 0 for s in figures.scopes
                ],
                "organised": row.fairs_organised,
                "participated": row.fairs_participated,
                "total": row.fairs,
            }
            for row in figures.years
        ]
        self.years = [
            {
                "row": row,
                "women_share": percent(row.women_share),
                "rural_share": percent(row.rural_share),
                "sales": mad(row.outcomes.sales_mad),
            }
            for row in figures.years
        ]
        self.scope_rows = [{"row": row, "sales": mad(row.outcomes.sales_mad)} for row in figures.scopes]
        top = max((row.participations for row in figures.crafts), default=0) or 1
        self.crafts = [
            {
                "row": row,
                "width": round(100 * row.participations / top),
                "share": percent(
                    row.participations / figures.participations if figures.participations else None
                ),
            }
            for row in figures.crafts
        ]
        self.total_sales = mad(figures.outcomes.sales_mad)
        self.women_share = percent(figures.women_share)
        self.rural_share = percent(figures.rural_share)
        self.women_participation_share = percent(figures.women_participation_share)
        self.rural_participation_share = percent(figures.rural_participation_share)
        self.definitions = summary_pdf.definitions()


urlpatterns = [
    path("staff/reports/summary/", SummaryView.as_view(), name="summary"),
    path("staff/reports/summary.pdf", SummaryPdfView.as_view(), name="summary_pdf"),
]
