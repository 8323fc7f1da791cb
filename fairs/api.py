"""The fairs API: public read, staff write, lifecycle moves as POST actions."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.models import CraftCategory, Province
from core.permissions import ReadOnlyOrStaff, is_staff_member
from fairs import services
from fairs.models import Fair, Venue


class VenueSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "name_ar", "kind", "province", "address", "capacity"]


class FairSerializer(serializers.ModelSerializer):
    """What a fair looks like to readers; ``status`` moves only through the actions."""

    venue = VenueSerializer(read_only=True)
    craft_categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    call_open = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Fair
        fields = [
            "id",
            "name",
            "name_ar",
            "slug",
            "scope",
            "role",
            "venue",
            "city",
            "country",
            "starts_on",
            "ends_on",
            "applications_open_at",
            "applications_close_at",
            "status",
            "capacity",
            "fee",
            "craft_categories",
            "quota_women",
            "quota_rural",
            "quota_first_timers",
            "description",
            "call_open",
            "actions",
        ]
        read_only_fields = fields

    def get_call_open(self, fair) -> bool:
        return fair.is_call_open()

    def get_actions(self, fair) -> list[str]:
        """Lifecycle actions the requesting user may take now (empty for non-staff)."""
        request = self.context.get("request")
        if request is None or not is_staff_member(request.user):
            return []
        return services.allowed_actions(fair)


class FairWriteSerializer(serializers.ModelSerializer):
    """Input for create and update. Model validation runs in the service."""

    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), required=False, allow_null=True)
    craft_categories = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=CraftCategory.objects.filter(parent__isnull=False),
        required=False,
    )

    class Meta:
        model = Fair
        fields = [*services.EDITABLE_FIELDS, "craft_categories"]
        # Model-level checks (window before the fair, end after start) run once, in the service.
        validators = []


class FairFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="starts_on", lookup_expr="year")
    scope = django_filters.ChoiceFilter(choices=Fair.Scope.choices)
    status = django_filters.ChoiceFilter(choices=Fair.Status.choices)
    role = django_filters.ChoiceFilter(choices=Fair.Role.choices)
    province = django_filters.ModelChoiceFilter(
        field_name="venue__province", to_field_name="code", queryset=Province.objects.all()
    )
    call_open = django_filters.BooleanFilter(method="filter_call_open")

    class Meta:
        model = Fair
        fields = ["year", "scope", "status", "role", "province", "call_open"]

    def filter_call_open(self, queryset, name, value):
        open_ids = Fair.objects.calls_open().values("pk")
        return queryset.filter(pk__in=open_ids) if value else queryset.exclude(pk__in=open_ids)


TransitionInput = inline_serializer("FairTransitionInput", {"reason": serializers.CharField(required=False)})
ERROR = inline_serializer("Error", {"code": serializers.CharField(), "detail": serializers.CharField()})


class FairViewSet(viewsets.ModelViewSet):
    """Fairs and exhibitions. Anyone reads what is not a draft; staff see all and write.

    Lifecycle: draft → open → reviewing → allocating → published → running → closed, or
    cancelled; each move is a POST action (``/fairs/{id}/open/`` …). An illegal move answers
    400 with ``code: illegal_transition``.
    """

    permission_classes = [ReadOnlyOrStaff]
    filterset_class = FairFilter
    search_fields = ["name", "name_ar", "city", "venue__name"]
    ordering_fields = ["starts_on", "name", "capacity"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        fairs = Fair.objects.select_related("venue", "venue__province").prefetch_related("craft_categories")
        if not is_staff_member(self.request.user):
            fairs = fairs.visible_to_public()
        return fairs

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return FairWriteSerializer
        return FairSerializer

    def _respond(self, fair, code=status.HTTP_200_OK):
        fair = self.get_queryset().get(pk=fair.pk)
        return Response(FairSerializer(fair, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=FairWriteSerializer, responses={201: FairSerializer, 400: ERROR})
    def create(self, request, *args, **kwargs):
        serializer = FairWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        crafts = data.pop("craft_categories", [])
        try:
            fair = services.fair_create(actor=request.user, craft_categories=crafts, **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return self._respond(fair, status.HTTP_201_CREATED)

    @extend_schema(request=FairWriteSerializer, responses={200: FairSerializer, 400: ERROR})
    def update(self, request, *args, **kwargs):
        if "status" in request.data:
            raise services.FairError(
                code="status_read_only",
                message=_("The status changes only through the lifecycle actions."),
                field="status",
            )
        fair = self.get_object()
        serializer = FairWriteSerializer(fair, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        crafts = data.pop("craft_categories", None)
        try:
            fair = services.fair_update(fair=fair, actor=request.user, craft_categories=crafts, **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return self._respond(fair)

    def _transition(self, request, verb):
        fair = self.get_object()
        reason = str(request.data.get("reason", ""))[:500] if hasattr(request.data, "get") else ""
        services.fair_transition(
            fair=fair, to_status=services.ACTIONS[verb], actor=request.user, reason=reason
        )
        return self._respond(fair)


def _lifecycle_action(verb: str):
    """One POST action per lifecycle verb: ``/fairs/{id}/<verb>/``."""

    def move(self, request, pk=None):
        return self._transition(request, verb)

    move.__name__ = verb
    move.__doc__ = str(services.ACTION_LABELS[verb])
    move = action(detail=True, methods=["post"])(move)
    return extend_schema(
        request=TransitionInput,
        responses={
            200: FairSerializer,
            400: OpenApiResponse(ERROR, description="illegal move or failed guard"),
        },
        summary=str(services.ACTION_LABELS[verb]),
    )(move)


for _verb in services.ACTIONS:
    setattr(FairViewSet, _verb, _lifecycle_action(_verb))
