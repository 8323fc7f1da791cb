"""Outcomes in the API (under /api/v1/reports/).

- ``GET/PUT outcomes/{application}/``: one participation's results. The artisan reads and
  writes their own (anyone else's is 404), staff any. PUT takes ``sales_mad``, ``items_sold``,
  ``orders``, ``export_contacts`` (numbers, or text such as "12 000,50"; missing ones count
  as 0) and ``notes``, and goes through ``reports.services.outcome_save``: a refusal answers
  ``400 {"code", "detail", "errors": {field: [...]}}`` (``sales_negative``, ``sales_too_high``,
  ``sales_invalid``, ``count_negative``, ``count_too_high``, ``count_invalid``,
  ``not_a_participation``, ``fair_not_started``) and changes nothing.
- ``GET fairs/{fair}/outcomes/`` (staff): every participant with their results, and the
  fair's totals (participants, reported, sums, mean sales per reporting artisan).
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsStaffMember, is_staff_member
from fairs.api import ERROR
from fairs.models import Fair
from registrations.models import Application
from reports import selectors, services

REFUSED = OpenApiResponse(ERROR, description="refused (the code says why); nothing changed")


class OutcomeSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="pk")
    fair = serializers.IntegerField(source="fair_id")
    reported = serializers.SerializerMethodField()
    sales_mad = serializers.SerializerMethodField()
    items_sold = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()
    export_contacts = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    @staticmethod
    def _outcome(application):
        return getattr(application, "reported", None)

    def get_reported(self, application) -> bool:
        return self._outcome(application) is not None

    def get_sales_mad(self, application) -> str | None:
        outcome = self._outcome(application)
        return f"{outcome.sales_mad:.2f}" if outcome else None

    def get_items_sold(self, application) -> int | None:
        outcome = self._outcome(application)
        return outcome.items_sold if outcome else None

    def get_orders(self, application) -> int | None:
        outcome = self._outcome(application)
        return outcome.orders if outcome else None

    def get_export_contacts(self, application) -> int | None:
        outcome = self._outcome(application)
        return outcome.export_contacts if outcome else None

    def get_notes(self, application) -> str:
        outcome = self._outcome(application)
        return outcome.notes if outcome else ""

    def get_updated_at(self, application) -> str | None:
        outcome = self._outcome(application)
        return serializers.DateTimeField().to_representation(outcome.updated_at) if outcome else None


class OutcomeInputSerializer(serializers.Serializer):
    """Figures as numbers or as typed text: ``reports.services`` parses and checks them."""

    sales_mad = serializers.CharField(required=False, allow_blank=True, max_length=40)
    items_sold = serializers.CharField(required=False, allow_blank=True, max_length=20)
    orders = serializers.CharField(required=False, allow_blank=True, max_length=20)
    export_contacts = serializers.CharField(required=False, allow_blank=True, max_length=20)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, trim_whitespace=True)


class ParticipantOutcomeSerializer(OutcomeSerializer):
    artisan = serializers.SerializerMethodField()
    craft = serializers.SerializerMethodField()
    booth = serializers.SerializerMethodField()

    def get_artisan(self, application) -> dict:
        artisan = application.artisan
        return {"id": artisan.pk, "name": artisan.full_name, "name_ar": artisan.full_name_ar}

    def get_craft(self, application) -> str:
        return application.artisan.main_craft.name if application.artisan.main_craft_id else ""

    def get_booth(self, application) -> str:
        booth = getattr(getattr(application, "assignment", None), "booth", None)
        return booth.code if booth else ""


class TotalsSerializer(serializers.Serializer):
    participants = serializers.IntegerField()
    reported = serializers.IntegerField()
    sales_mad = serializers.DecimalField(max_digits=14, decimal_places=2)
    items_sold = serializers.IntegerField()
    orders = serializers.IntegerField()
    export_contacts = serializers.IntegerField()
    mean_sales_mad = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class FairOutcomesSerializer(serializers.Serializer):
    fair = serializers.DictField()
    totals = TotalsSerializer()
    results = ParticipantOutcomeSerializer(many=True)


def _with_outcome(application: Application) -> Application:
    application.reported = getattr(application, "outcome", None)
    return application


class OutcomeView(APIView):
    """One participation's results: the artisan's own, or any for staff."""

    def get_application(self) -> Application:
        applications = Application.objects.select_related("outcome", "fair")
        if not is_staff_member(self.request.user):
            applications = applications.filter(artisan__user=self.request.user)
        return _with_outcome(get_object_or_404(applications, pk=self.kwargs["pk"]))

    @extend_schema(responses={200: OutcomeSerializer})
    def get(self, request, *args, **kwargs):
        return Response(OutcomeSerializer(self.get_application()).data)

    @extend_schema(request=OutcomeInputSerializer, responses={200: OutcomeSerializer, 400: REFUSED})
    def put(self, request, *args, **kwargs):
        application = self.get_application()
        data = OutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application.reported = services.outcome_save(
            application=application, actor=request.user, **data.validated_data
        )
        return Response(OutcomeSerializer(application).data)


class FairOutcomesView(APIView):
    """Every participant of a fair with their results, and the fair's totals (staff)."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember]

    @extend_schema(responses={200: FairOutcomesSerializer})
    def get(self, request, *args, **kwargs):
        fair = get_object_or_404(Fair, pk=kwargs["pk"])
        rows = selectors.fair_outcome_rows(fair)
        totals = selectors.outcome_totals(rows)
        fair_brief = {"id": fair.pk, "name": fair.name, "name_ar": fair.name_ar, "status": fair.status}
        fair_brief |= {"starts_on": fair.starts_on.isoformat(), "ends_on": fair.ends_on.isoformat()}
        body = {
            "fair": fair_brief,
            "totals": TotalsSerializer({**totals.__dict__, "mean_sales_mad": totals.mean_sales_mad}).data,
            "results": ParticipantOutcomeSerializer(rows, many=True).data,
        }
        return Response(body)


urlpatterns = [
    path("outcomes/<int:pk>/", OutcomeView.as_view(), name="api_outcome"),
    path("fairs/<int:pk>/outcomes/", FairOutcomesView.as_view(), name="api_fair_outcomes"),
]
