"""The attendance report of a fair over the API (staff only), under /api/v1/reports/.

``GET fairs/<pk>/attendance.pdf`` answers the PDF (``application/pdf``) in the language of
the request: ``lang``, else the language cookie, else the user's own language, else the
``Accept-Language`` header. ``late_after=HH:MM`` moves the late threshold (10:00 by default).
A fair without any check-in answers 400 ``no_check_ins``, one not begun 400
``fair_not_started``, an unknown fair 404; a scanner device's token is refused (403).
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, renderers, serializers
from rest_framework.views import APIView

from core.api import PDFRenderer
from core.pdf import pdf_response
from core.permissions import IsStaffMember
from fairs.models import Fair
from reports.attendance import LATE_AFTER


class AttendancePdfQuerySerializer(serializers.Serializer):
    late_after = serializers.TimeField(
        required=False,
        format="%H:%M",
        input_formats=["%H:%M"],
        help_text=_("An exhibitor whose first entry of a day came after this time (HH:MM) was late."),
    )
    lang = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text=_("Language of the PDF."),
    )


def request_language(request, asked: str | None) -> str:
    if asked:
        return asked
    user_language = getattr(request.user, "language", "")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user_language:
        return user_language  # a token client: the user's own language
    return translation.get_language()


class AttendancePdfView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsStaffMember]
    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    @extend_schema(
        parameters=[AttendancePdfQuerySerializer],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
            400: OpenApiResponse(description="no_check_ins, fair_not_started or a bad parameter"),
            404: OpenApiResponse(description="no such fair"),
        },
        summary=str(_("The attendance report of a fair (PDF)")),
        operation_id="reports_fair_attendance_pdf",
    )
    def get(self, request, pk):
        from reports.pdf.attendance import attendance_pdf
        from reports.views.attendance import pdf_filename, prepared_by

        params = AttendancePdfQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        fair = get_object_or_404(Fair.objects.select_related("venue"), pk=pk)
        with translation.override(request_language(request, query.get("lang"))):
            content = attendance_pdf(
                fair, late_after=query.get("late_after") or LATE_AFTER, prepared_by=prepared_by(request.user)
            )
        return pdf_response(content, pdf_filename(fair))


urlpatterns = [
    path("fairs/<int:pk>/attendance.pdf", AttendancePdfView.as_view(), name="reports-attendance-pdf"),
]
