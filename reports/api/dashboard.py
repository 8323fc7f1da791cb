"""The dashboard's figures and exports for scripts (under /api/v1/reports/). Staff only.

- ``GET dashboard/?start&end&province&craft`` → the figures of ``reports.figures`` as JSON,
  plus the artisans per province, under the same filters as the page.
- ``GET exports/<participants|attendance|outcomes>.<csv|xlsx>?…`` → the file.

Filters that do not hold (a period ending before it starts, an unknown province) answer
400 ``{"code": "invalid", "detail", "errors"}`` naming the field.
"""

from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsStaffMember
from reports import exports
from reports.figures import region_figures

STAFF = [permissions.IsAuthenticated, IsStaffMember]

FILTER_PARAMETERS = [
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="first day of the period (default: the first fair's year)"
    ),
    OpenApiParameter(
        "end", OpenApiTypes.DATE, description="last day of the period (default: end of this year)"
    ),
    OpenApiParameter("province", OpenApiTypes.INT, description="the artisans' province (id)"),
    OpenApiParameter("craft", OpenApiTypes.INT, description="the artisans' main craft, or a sector (id)"),
]


def parse_filters(request) -> exports.ReportFilters:
    form = exports.ReportFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.filters()


class DashboardFiguresView(APIView):
    permission_classes = STAFF

    @extend_schema(
        operation_id="reports_dashboard",
        parameters=FILTER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        summary="The region's figures for a period, province and craft (as the staff dashboard)",
    )
    def get(self, request):
        filters = parse_filters(request)
        return Response(region_figures(**filters.as_kwargs()).as_dict())


class AnyAccept(BaseContentNegotiation):
    """An export answers its file whatever the client accepts (a browser, curl, a script);
    errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class ExportView(APIView):
    permission_classes = STAFF
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="reports_export",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(exports.KINDS)),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(exports.FORMATS)),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="UTF-8 with BOM, “;” separated"
            ),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="an Excel workbook"
            ),
            400: OpenApiTypes.OBJECT,
        },
        summary="Participants, attendance or outcomes as CSV or XLSX (same filters as the dashboard)",
    )
    def get(self, request, kind, fmt):
        return exports.export_response(kind, fmt, parse_filters(request))


urlpatterns = [
    re_path(r"^dashboard/$", DashboardFiguresView.as_view(), name="reports-dashboard"),
    re_path(
        r"^exports/(?P<kind>participants|attendance|outcomes)\.(?P<fmt>csv|xlsx)$",
        ExportView.as_view(),
        name="reports-export",
    ),
]
