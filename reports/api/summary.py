"""The regional summary over the API (staff only), under /api/v1/reports/.

``GET summary/?start=&end=&province=&craft=`` answers the figures as JSON (reports.figures,
``RegionFigures.as_dict``); ``GET summary.pdf?…`` the same figures as the summary PDF, in the
language of the request (``lang``, else the language cookie, else the user's own language).
``start`` and ``end`` are ISO dates, both days included; ``province`` and ``craft`` are ids.
A period ending before it starts answers 400 ``period_end_before_start`` naming ``end``.
"""

from django.conf import settings
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import PDFRenderer
from core.models import CraftCategory, Province
from core.pdf import pdf_response
from core.permissions import IsStaffMember
from reports.figures import region_figures, validate_period

STAFF = [permissions.IsAuthenticated, IsStaffMember]


class SummaryQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("First day of the period (ISO date)."))
    end = serializers.DateField(help_text=_("Last day of the period, included (ISO date)."))
    province = serializers.PrimaryKeyRelatedField(
        queryset=Province.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The artisans' province."),
    )
    craft = serializers.PrimaryKeyRelatedField(
        queryset=CraftCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The artisans' main craft, or a sector (all its crafts)."),
    )
    lang = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text=_("Language of the PDF."),
    )


class SummaryMixin:
    permission_classes = STAFF

    def query(self, request) -> dict:
        """The parsed query, the period checked (a ReportError answers 400 with its code)."""
        params = SummaryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        validate_period(start=query["start"], end=query["end"])
        return query

    def figures(self, query):
        return region_figures(
            start=query["start"], end=query["end"], province=query.get("province"), craft=query.get("craft")
        )


class SummaryView(SummaryMixin, APIView):
    @extend_schema(
        parameters=[SummaryQuerySerializer],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="bad period or filter")},
        summary=str(_("Figures of the region for a period")),
    )
    def get(self, request):
        figures = self.figures(self.query(request))
        return Response(figures.as_dict())


class SummaryPdfView(SummaryMixin, APIView):
    renderer_classes = [renderers.JSONRenderer, PDFRenderer]

    def _language(self, request, query) -> str:
        if query.get("lang"):
            return query["lang"]
        user_language = getattr(request.user, "language", "")
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user_language:
            return user_language  # a token client: the user's own language
        return translation.get_language()

    @extend_schema(
        parameters=[SummaryQuerySerializer],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
            400: OpenApiResponse(description="bad period or filter"),
        },
        summary=str(_("The regional summary PDF for a period")),
    )
    def get(self, request):
        from reports.pdf import summary as summary_pdf

        query = self.query(request)
        with translation.override(self._language(request, query)):
            figures = self.figures(query)
            data = summary_pdf.render_summary(
                figures,
                province=query.get("province"),
                craft=query.get("craft"),
                rtl=translation.get_language_bidi(),
            )
        return pdf_response(data, summary_pdf.filename(figures))


urlpatterns = [
    path("summary/", SummaryView.as_view(), name="reports-summary"),
    path("summary.pdf", SummaryPdfView.as_view(), name="reports-summary-pdf"),
]
