"""Outcomes: what a fair earned its exhibitors, reported after it.

- ``/me/applications/<application>/outcome/``: the artisan reports (or corrects) their sales,
  items sold, orders taken and export contacts for a fair that has begun (their own
  participation only: 404 for anyone else's).
- ``/staff/fairs/<fair>/outcomes/``: every participant of a fair in one table form, with the
  fair's totals; saving keeps every row or none (``outcomes_save_for_fair``), and the errors
  name their row. Django refuses a request of more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
  fields (1,000 by default), so a fair of more than ``rows_per_page()`` participants (165 by
  default) is split into pages, each saved on its own.
- ``/staff/fairs/<fair>/outcomes.csv``: the same table as a spreadsheet.

The reads (``fair_outcome_rows``, ``outcome_totals``) are in ``reports.selectors``, shared with
the API.
"""

import csv
import io
import math
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from core.errors import DomainError
from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from registrations.models import Application
from reports import selectors, services
from reports.forms_outcomes import OutcomeForm
from reports.models import Outcome

FIGURES = ("sales_mad", "items_sold", "orders", "export_contacts")
INPUTS = (*FIGURES, "notes")
# Each row of the table posts its inputs and "o-<application>-seen" (the outcome it showed).
ROW_KEY = re.compile(r"o-(\d{1,12})-seen")


def fair_open_for_outcomes(fair: Fair) -> bool:
    return fair.status in (Fair.Status.RUNNING, Fair.Status.CLOSED) and fair.starts_on <= timezone.localdate()


def rows_per_page() -> int:
    """As many rows as one request may carry: six inputs a row, a few more for the page."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return 10_000 if limit is None else max(1, (limit - 10) // (len(INPUTS) + 1))


def _figure_text(outcome: Outcome | None, name: str) -> str:
    if outcome is None:
        return ""
    value = getattr(outcome, name)
    if name == "sales_mad":
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return str(value)


# --- The artisan ------------------------------------------------------------------------------


class MyOutcomeView(LoginRequiredMixin, FormView):
    """The artisan's own figures for one participation."""

    template_name = "reports/outcomes/my_outcome.html"
    form_class = OutcomeForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = get_object_or_404(
            Application.objects.select_related("fair__venue", "outcome"),
            pk=kwargs["pk"],
            artisan__user=request.user,
        )
        self.outcome = getattr(self.application, "outcome", None)
        try:
            services.check_outcome_allowed(self.application)
            self.refusal = None
        except DomainError as refusal:
            self.refusal = refusal
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {name: _figure_text(self.outcome, name) for name in FIGURES} | {
            "notes": self.outcome.notes if self.outcome else ""
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            application=self.application, fair=self.application.fair, outcome=self.outcome, refusal=self.refusal,
            **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        if self.refusal is not None:
            return self.form_invalid(form)
        try:
            services.outcome_save(application=self.application, actor=self.request.user, **form.cleaned_data)
        except DomainError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal.message))
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: your results for this fair are recorded."))
        return redirect(self.application.get_absolute_url())


# --- Staff: a fair's table --------------------------------------------------------------------


class FairOutcomesView(StaffRequiredMixin, TemplateView):
    template_name = "reports/outcomes/fair_outcomes.html"

    def dispatch(self, request, *args, **kwargs):
        self.fair = get_object_or_404(Fair.objects.select_related("venue"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def page_of(self, rows: list[Application]) -> tuple[int, int, list[tuple[int, Application]]]:
        """(page, pages, [(row number, application)]) of ``?page=``."""
        size = rows_per_page()
        pages = max(1, math.ceil(len(rows) / size))
        try:
            page = min(max(1, int(self.request.GET.get("page", 1))), pages)
        except ValueError:
            page = 1
        start = (page - 1) * size
        return page, pages, list(enumerate(rows[start : start + size], start=start + 1))

    def get(self, request, *args, **kwargs):
        return self.render_table()

    def render_table(self, *, typed=None, errors=None, problems=None, status=200):
        rows = selectors.fair_outcome_rows(self.fair)
        page, pages, shown = self.page_of(rows)
        typed = typed or {}
        errors = errors or {}
        table = []
        for number, application in shown:
            outcome = application.reported
            values = typed.get(application.pk) or {
                **{name: _figure_text(outcome, name) for name in FIGURES},
                "notes": outcome.notes if outcome else "",
            }
            table.append(
                {
                    "number": number,
                    "application": application,
                    "outcome": outcome,
                    "seen": services.outcome_version(outcome),
                    "values": values,
                    "errors": errors.get(application.pk, {}),
                }
            )
        context = self.get_context_data(
            fair=self.fair,
            table=table,
            totals=selectors.outcome_totals(rows),
            page=page,
            pages=pages,
            page_numbers=range(1, pages + 1),
            problems=problems or [],
            editable=fair_open_for_outcomes(self.fair),
        )
        return self.render_to_response(context, status=status)

    def post(self, request, *args, **kwargs):
        if not fair_open_for_outcomes(self.fair):
            messages.error(request, _("Results can be reported once the fair has begun."))
            return redirect(self.request.get_full_path())
        ids = [int(match[1]) for key in request.POST if (match := ROW_KEY.fullmatch(key))]
        rows = {
            pk: {name: request.POST.get(f"o-{pk}-{name}", "") for name in INPUTS}
            | {"seen": request.POST.get(f"o-{pk}-seen", "")}
            for pk in ids
        }
        try:
            saved = services.outcomes_save_for_fair(fair=self.fair, actor=request.user, rows=rows)
        except services.OutcomesError as refusal:
            return self.refused(rows, refusal)
        except DomainError as refusal:
            messages.error(request, str(refusal.message))
            return redirect(self.request.get_full_path())
        messages.success(
            request,
            _("Saved: %(created)s new, %(updated)s corrected, %(removed)s removed.")
            % {"created": saved.created, "updated": saved.updated, "removed": saved.removed},
        )
        return redirect(self.request.get_full_path())

    def refused(self, rows: dict, refusal: "services.OutcomesError"):
        """The table again with what was typed, each refused row marked; a row changed by
        someone else meanwhile shows the figures now recorded instead of the typed ones."""
        errors: dict[int, dict] = {}
        typed = dict(rows)
        for problem in refusal.problems:
            errors.setdefault(problem.application_id, {}).setdefault(problem.field or "row", []).append(
                problem.message
            )
            if problem.code == "changed_meanwhile":
                typed.pop(problem.application_id, None)
        names = {
            application.pk: (number, application.artisan.full_name)
            for number, application in enumerate(selectors.fair_outcome_rows(self.fair), start=1)
        }
        labels = {
            "row": "",
            **{name: capfirst(Outcome._meta.get_field(name).verbose_name) for name in INPUTS},
        }
        problems = []
        for problem in refusal.problems:
            number, name = names.get(problem.application_id, (None, str(problem.application_id)))
            problems.append(
                {
                    "anchor": f"row-{problem.application_id}",
                    "row": number,
                    "name": name,
                    "field": labels.get(problem.field or "row", ""),
                    "message": problem.message,
                }
            )
        messages.error(self.request, str(refusal.message))
        return self.render_table(typed=typed, errors=errors, problems=problems, status=400)


class FairOutcomesCsvView(StaffRequiredMixin, View):
    """The fair's table as CSV (UTF-8 with a byte-order mark, so spreadsheets read Arabic)."""

    def get(self, request, *args, **kwargs):
        fair = get_object_or_404(Fair, pk=kwargs["pk"])
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(
            [
                _("Row"), _("Name"), _("Name (Arabic)"), _("Craft"), _("Province"), _("Booth"), _("Reported"),
                _("Sales (MAD)"), _("Items sold"), _("Orders taken"), _("Export contacts"), _("Notes"),
                _("Reported on"),
            ]
        )  # fmt: skip
        for number, application in enumerate(selectors.fair_outcome_rows(fair), start=1):
            artisan, outcome = application.artisan, application.reported
            booth = getattr(getattr(application, "assignment", None), "booth", None)
            figures = [_figure_text(outcome, name) for name in FIGURES]
            writer.writerow(
                [
                    number,
                    artisan.full_name,
                    artisan.full_name_ar,
                    artisan.main_craft.name if artisan.main_craft_id else "",
                    artisan.province.name,
                    booth.code if booth else "",
                    _("yes") if outcome else _("no"),
                    *figures,
                    outcome.notes if outcome else "",
                    timezone.localtime(outcome.updated_at).date().isoformat() if outcome else "",
                ]
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="outcomes-{fair.slug or fair.pk}.csv"'
        return response


def fair_outcomes_url(fair: Fair) -> str:
    return reverse("reports:fair_outcomes", kwargs={"pk": fair.pk})


urlpatterns = [
    path("me/applications/<int:pk>/outcome/", MyOutcomeView.as_view(), name="my_outcome"),
    path("staff/fairs/<int:pk>/outcomes/", FairOutcomesView.as_view(), name="fair_outcomes"),
    path("staff/fairs/<int:pk>/outcomes.csv", FairOutcomesCsvView.as_view(), name="fair_outcomes_csv"),
]
