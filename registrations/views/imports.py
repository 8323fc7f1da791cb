"""Staff pages: import artisans from a CSV or XLSX file, and its template.

The page imports while the person waits, inside the deployment's 60 s request timeout
(docs/deploy.md). Measured on 2 cores (bench/README.md): 180,000 CSV rows take about 25 s,
but reading the same rows from an .xlsx adds about 80 s (openpyxl), so the page takes up to
200,000 rows from a CSV and 50,000 from a workbook; bigger files are refused with the
advice to save them as CSV, or go through ``manage.py import_artisans``, which has no limit.
"""

import csv
import io

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from core.permissions import StaffRequiredMixin
from registrations.forms.imports import ArtisanImportForm
from registrations.imports import COLUMNS, REQUIRED_COLUMNS, TEMPLATE_HEADER, ImportRefused, artisan_import

WEB_MAX_ROWS = {"csv": 200_000, "xlsx": 50_000}  # the page's limits; the command has none
SHOWN_PROBLEMS = 200

TEMPLATE_ROWS = [
    [
        "BE123456", "Fatima", "Bennani", "فاطمة", "بناني", "F", "1980", "0612345678",
        "fatima.bennani@example.ma", "settat", "Oulad Merrah", "rural", "pottery", "CS-2019-000123", "",
    ],
    [
        "W234567", "Youssef", "El Amrani", "يوسف", "العمراني", "M", "1975", "06 61 23 45 67", "",
        "Province d'El Jadida", "Azemmour", "urbain", "Zellige", "", "",
    ],
]  # fmt: skip

# What each column holds, for the help on the page.
COLUMN_HELP = {
    "cin": gettext_lazy("national ID, e.g. BE123456"),
    "first_name": gettext_lazy("first name in Latin script"),
    "last_name": gettext_lazy("last name in Latin script"),
    "first_name_ar": gettext_lazy("first name in Arabic script"),
    "last_name_ar": gettext_lazy("last name in Arabic script"),
    "gender": gettext_lazy("F or M (femme/homme, أنثى/ذكر)"),
    "birth_year": gettext_lazy("four digits, e.g. 1980"),
    "phone": gettext_lazy("06…, 07…, 05… or +212…"),
    "email": gettext_lazy("email address"),
    "province": gettext_lazy("code or name, in French, Arabic or English"),
    "commune": gettext_lazy("commune"),
    "area": gettext_lazy("urban or rural (urbain/rural)"),
    "craft": gettext_lazy("code or name of the craft, in French, Arabic or English"),
    "registry_number": gettext_lazy("number in the traditional industry registry"),
    "cooperative": gettext_lazy("the cooperative's registration number"),
}


class ArtisanImportView(StaffRequiredMixin, FormView):
    """Upload a file; the answer is the import's report (or the reason the file was refused)."""

    template_name = "registrations/imports/artisan_import.html"
    form_class = ArtisanImportForm

    def get_context_data(self, **kwargs):
        columns = [
            {
                "name": name,
                "aliases": [alias for alias in aliases if alias != name],
                "required": name in REQUIRED_COLUMNS,
                "help": COLUMN_HELP[name],
            }
            for name, aliases in COLUMNS.items()
        ]
        return super().get_context_data(
            columns=columns, max_csv_rows=WEB_MAX_ROWS["csv"], max_xlsx_rows=WEB_MAX_ROWS["xlsx"], **kwargs
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        kind = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
        try:
            report = artisan_import(
                source=upload.file,
                filename=upload.name,
                actor=self.request.user,
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                dry_run=form.cleaned_data["dry_run"],
                max_rows=WEB_MAX_ROWS[kind],
            )
        except ImportRefused as exc:
            message = str(exc.message)
            if exc.code == "too_many_rows" and kind == "xlsx":
                message += " " + _("Save it as “CSV UTF-8”: this page takes up to %(rows)s rows in CSV.") % {
                    "rows": WEB_MAX_ROWS["csv"]
                }
            form.add_error("file", message)
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(
                form=self.form_class(
                    initial={name: form.cleaned_data[name] for name in ("skip_bad_rows", "dry_run")}
                ),
                report=report,
                problems=report.problems[:SHOWN_PROBLEMS],
                hidden_problems=max(0, len(report.problems) - SHOWN_PROBLEMS),
            )
        )


class ArtisanImportTemplateView(StaffRequiredMixin, View):
    """A CSV with the header and two example rows (UTF-8 with a BOM, so Excel shows the Arabic)."""

    def get(self, request, *args, **kwargs):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(TEMPLATE_HEADER)
        writer.writerows(TEMPLATE_ROWS)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="souk-artisans-template.csv"'
        return response


urlpatterns = [
    path("staff/artisans/import/", ArtisanImportView.as_view(), name="artisan_import"),
    path(
        "staff/artisans/import/template.csv",
        ArtisanImportTemplateView.as_view(),
        name="artisan_import_template",
    ),
]
