"""The attendance report of a fair, for staff: ``/staff/fairs/<pk>/attendance.pdf``.

The PDF is written in the user's language (the locale middleware has activated it; Arabic
pages are right to left). ``?late_after=HH:MM`` moves the late threshold (10:00 by default).
A fair without any check-in (or not begun) gets a page that says so, status 400: never a
500, never an empty report. Only staff get this far (login for anonymous, 403 for others),
then an unknown fair is a 404.
"""

import datetime as dt

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from core.pdf import pdf_response
from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from reports.attendance import LATE_AFTER
from reports.services import ReportError


def parse_late_after(value: str | None) -> dt.time:
    """``HH:MM`` → a time; nothing → the default threshold. Raises ``ReportError``."""
    if not value:
        return LATE_AFTER
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise ReportError(
            code="late_after_invalid",
            field="late_after",
            message=_("Give the late threshold as hours and minutes, e.g. 10:00."),
        ) from None


def prepared_by(user) -> str:
    return user.get_full_name() or user.get_username()


def pdf_filename(fair: Fair) -> str:
    return f"attendance-{fair.slug or fair.pk}.pdf"


class AttendancePdfView(StaffRequiredMixin, View):
    template_name = "reports/attendance/unavailable.html"

    def get(self, request, pk):
        from reports.pdf.attendance import attendance_pdf

        fair = get_object_or_404(Fair.objects.select_related("venue"), pk=pk)
        try:
            content = attendance_pdf(
                fair,
                late_after=parse_late_after(request.GET.get("late_after")),
                prepared_by=prepared_by(request.user),
            )
        except ReportError as error:
            context = {"fair": fair, "code": error.code, "message": error.message}
            return render(request, self.template_name, context, status=error.status_code)
        return pdf_response(content, pdf_filename(fair))


urlpatterns = [
    path("staff/fairs/<int:pk>/attendance.pdf", AttendancePdfView.as_view(), name="attendance_pdf"),
]
