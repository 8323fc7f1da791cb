"""The booths API, for delegation staff: zones, booths with their moves, and the allocation.

- ``/zones/``: list (``?fair=``), create and edit through ``services.zone_save``.
- ``/booths/``: list (``?fair= &zone= &status=free|taken|held|blocked &kind=``), read, create
  one (``services.booth_create``) or a grid (``POST /booths/grid/``); the moves are POST
  actions on a booth:

  - ``assign`` ``{application, lock}``: give this free booth to a confirmed exhibitor who has
    none (locked by default, so a new allocation run keeps it);
  - ``move`` ``{application}``: move an exhibitor who already has a booth *to this one*.
    Assign and move are kept apart on purpose: assigning a booth to an exhibitor who has one
    is refused (``already_assigned``) instead of silently moving them, so a slip of the
    finger never takes an exhibitor away from their booth;
  - ``vacate`` ``{reason}``, ``swap`` ``{other_booth}`` (two taken booths trade exhibitors);
  - ``hold`` / ``block`` ``{reason}`` and ``release``.
- ``/allocations/preview/`` and ``/allocations/commit/`` ``{fair, seed}``: the dry run and
  the commit of the allocation engine, with the figures, the placements (and why) and the
  exhibitors left without a booth (a reason code and its text). Same data and seed, same
  placements: commit what was previewed.

Views parse input and call ``booths.services`` / ``booths.allocation``; a refusal answers
``400 {"code", "detail", "errors"}`` with the service's code (``booth_not_available``,
``booth_taken``, ``wrong_fair``, ``application_not_confirmed``, ``already_assigned``,
``duplicate_code``, ``overlap``, ``fair_not_planning``…).
"""

from dataclasses import asdict
from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from booths import allocation, selectors, services
from booths.allocation import check_fair_allocating, random_seed, unplaced_reason
from booths.models import AllocationRun, Assignment, Booth, Zone
from core.models import CraftCategory
from core.permissions import IsStaffMember
from fairs.api import ERROR
from fairs.models import Fair
from registrations.models import BOOTH_SIZES, Application, BoothKind

STAFF = [permissions.IsAuthenticated, IsStaffMember]
REFUSED = OpenApiResponse(ERROR, description="refused (the code says why); nothing changed")


# Booth kinds and sizes (the ones applications ask for) as named schema components: a field
# plain "kind" would collide with the kinds of venues and cooperatives in the schema's enums.
@extend_schema_field(serializers.ChoiceField(choices=BoothKind.choices), component_name="BoothKind")
class BoothKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=BoothKind.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=BOOTH_SIZES), component_name="BoothSize")
class BoothSizeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=BOOTH_SIZES, **kwargs)


# --- Zones ---------------------------------------------------------------------------------


class ZoneSerializer(serializers.ModelSerializer):
    craft_categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Zone
        fields = ["id", "fair", "name", "name_ar", "colour", "craft_categories", "position"]
        read_only_fields = fields


class ZoneUpdateSerializer(serializers.ModelSerializer):
    """What can change in a zone. Model validation (colour, a unique name) runs in the service."""

    craft_categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=CraftCategory.objects.all(), required=False,
        help_text=_("Craft or sector codes; empty: the zone takes every craft."),
    )  # fmt: skip

    class Meta:
        model = Zone
        fields = ["name", "name_ar", "colour", "craft_categories", "position"]
        validators = []  # the model's checks run once, in the service

    def validate(self, attrs):
        # The database constraint would answer "__all__"; say which field it is.
        fair = attrs.get("fair") or getattr(self.instance, "fair", None)
        name = attrs.get("name")
        if fair is not None and name:
            taken = Zone.objects.filter(fair=fair, name=name)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {"name": [_("This fair already has a zone named “%(name)s”.") % {"name": name}]}
                )
        return attrs


class ZoneCreateSerializer(ZoneUpdateSerializer):
    fair = serializers.PrimaryKeyRelatedField(queryset=Fair.objects.all())

    class Meta(ZoneUpdateSerializer.Meta):
        fields = ["fair", *ZoneUpdateSerializer.Meta.fields]
        extra_kwargs = {"position": {"required": False}}


class ZoneFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())

    class Meta:
        model = Zone
        fields = ["fair"]


class ZoneViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Zones of fairs' floor plans (a hall or an area, its crafts and its colour). Staff only;
    the plan of a fair changes from its draft until it is published (``fair_not_planning``)."""

    permission_classes = STAFF
    filterset_class = ZoneFilter
    search_fields = ["name", "name_ar"]
    ordering_fields = ["position", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Zone.objects.prefetch_related("craft_categories").order_by("fair", "position", "name")

    def get_serializer_class(self):
        if self.action == "create":
            return ZoneCreateSerializer
        if self.action == "partial_update":
            return ZoneUpdateSerializer
        return ZoneSerializer

    def _respond(self, zone, code=status.HTTP_200_OK):
        return Response(ZoneSerializer(self.get_queryset().get(pk=zone.pk)).data, status=code)

    @extend_schema(request=ZoneCreateSerializer, responses={201: ZoneSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        serializer = ZoneCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        fair, crafts = data.pop("fair"), data.pop("craft_categories", None)
        zone = services.zone_save(fair=fair, actor=request.user, crafts=crafts, **data)
        return self._respond(zone, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        # Only PATCH reaches here (PUT is not offered).
        if "fair" in request.data:
            raise services.BoothError(
                code="read_only", message=_("A zone stays with its fair."), field="fair"
            )
        zone = self.get_object()
        serializer = ZoneUpdateSerializer(zone, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        crafts = data.pop("craft_categories", None)
        zone = services.zone_save(fair=zone.fair, zone=zone, actor=request.user, crafts=crafts, **data)
        return self._respond(zone)

    @extend_schema(request=ZoneUpdateSerializer, responses={200: ZoneSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


# --- Booths: output ------------------------------------------------------------------------


class BoothAssignmentSerializer(serializers.ModelSerializer):
    """Who has the booth and why: the exhibitor's names and craft, never personal data."""

    artisan = serializers.IntegerField(source="application.artisan_id", read_only=True)
    artisan_name = serializers.CharField(source="application.artisan.full_name", read_only=True)
    artisan_name_ar = serializers.CharField(source="application.artisan.full_name_ar", read_only=True)
    craft = serializers.SlugRelatedField(
        source="application.artisan.main_craft", slug_field="code", read_only=True
    )
    explanation_text = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "application",
            "artisan",
            "artisan_name",
            "artisan_name_ar",
            "craft",
            "method",
            "locked",
            "explanation",
            "explanation_text",
            "created_at",
        ]
        read_only_fields = fields

    def get_explanation_text(self, assignment) -> list[str]:
        return selectors.explain(assignment.explanation)


class BoothSerializer(serializers.ModelSerializer):
    """A booth. ``status`` is what staff set (available, held, blocked); ``state`` is what
    the plan shows: free, taken, locked (taken by hand, kept by a new run), held, blocked."""

    zone_name = serializers.CharField(source="zone.display_name", read_only=True, default=None)
    kind = BoothKindField(read_only=True)
    size = BoothSizeField(read_only=True)
    state = serializers.SerializerMethodField()
    assignment = BoothAssignmentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Booth
        fields = [
            "id",
            "fair",
            "zone",
            "zone_name",
            "code",
            "kind",
            "size",
            "price",
            "tier",
            "accessible",
            "has_electricity",
            "x",
            "y",
            "width",
            "depth",
            "status",
            "status_reason",
            "state",
            "assignment",
        ]
        read_only_fields = fields

    def get_state(self, booth) -> str:
        return selectors.booth_state(booth)


def booths_queryset():
    """Booths with their zone and exhibitor (one query for a whole page)."""
    return Booth.objects.select_related("zone", "assignment__application__artisan__main_craft").order_by(
        "fair", "code"
    )


# --- Booths: input -------------------------------------------------------------------------


class BoothCreateSerializer(serializers.ModelSerializer):
    fair = serializers.PrimaryKeyRelatedField(queryset=Fair.objects.all())
    zone = serializers.PrimaryKeyRelatedField(queryset=Zone.objects.all(), required=False, allow_null=True)
    kind = BoothKindField(default=BoothKind.STANDARD)
    size = BoothSizeField(default=9)

    class Meta:
        model = Booth
        fields = ["fair", *services.BOOTH_FIELDS]
        validators = []  # a duplicate code is the service's ``duplicate_code``


class GridSerializer(serializers.Serializer):
    """A block of ``rows`` × ``columns`` booths from (x, y), coded ``prefix`` + number."""

    fair = serializers.PrimaryKeyRelatedField(queryset=Fair.objects.all())
    zone = serializers.PrimaryKeyRelatedField(queryset=Zone.objects.all(), required=False, allow_null=True)
    prefix = serializers.CharField(max_length=16)
    rows = serializers.IntegerField(min_value=1, max_value=500)
    columns = serializers.IntegerField(min_value=1, max_value=500)
    x = serializers.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    y = serializers.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    width = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.5"),
        max_value=Decimal("50"),
        default=Decimal("3"),
    )
    depth = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.5"),
        max_value=Decimal("50"),
        default=Decimal("3"),
    )
    aisle = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"),
        help_text=_("Space between two rows (metres)."),
    )  # fmt: skip
    kind = BoothKindField(default=BoothKind.STANDARD)
    size = BoothSizeField(default=9)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), default=Decimal("0")
    )
    tier = serializers.ChoiceField(choices=Booth.Tier.choices, default=Booth.Tier.MEDIUM)
    start = serializers.IntegerField(min_value=0, default=1, help_text=_("Number of the first booth."))
    accessible = serializers.BooleanField(default=True)
    has_electricity = serializers.BooleanField(default=True)


class AssignSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    lock = serializers.BooleanField(
        default=True, help_text=_("A locked assignment survives a new allocation run.")
    )


class MoveSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.all(), help_text=_("The exhibitor to move to this booth.")
    )


class SwapSerializer(serializers.Serializer):
    other_booth = serializers.PrimaryKeyRelatedField(queryset=Booth.objects.all())


class BoothReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


BOOTH_STATUS_FILTER = [
    ("free", _("free")),
    ("taken", _("taken")),
    ("held", _("held")),
    ("blocked", _("blocked")),
]


class BoothFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all())
    status = django_filters.ChoiceFilter(
        choices=BOOTH_STATUS_FILTER,
        method="filter_status",
        label=_("free (available, no exhibitor), taken (locked included), held or blocked"),
    )
    kind = django_filters.ChoiceFilter(choices=BoothKind.choices)

    class Meta:
        model = Booth
        fields = ["fair", "zone", "status", "kind"]

    def filter_status(self, queryset, name, value):
        if value == "free":
            return queryset.filter(status=Booth.Status.AVAILABLE, assignment__isnull=True)
        if value == "taken":
            return queryset.filter(assignment__isnull=False)
        return queryset.filter(status=value)


def _booth_action(serializer_class, summary):
    """Schema of a move on one booth: its input, the booth as it is after, or a refusal."""
    return extend_schema(
        request=serializer_class, responses={200: BoothSerializer, 400: REFUSED}, summary=str(summary)
    )


@extend_schema_view(
    list=extend_schema(summary=str(_("Booths, with their exhibitor"))),
    create=extend_schema(request=BoothCreateSerializer, responses={201: BoothSerializer, 400: REFUSED}),
)
class BoothViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Booths of fairs' floor plans, each with its exhibitor when it has one. Staff only.

    Moves are POST actions on a booth: ``assign``, ``move`` (the exhibitor to this booth),
    ``vacate``, ``swap``, ``hold``, ``block``, ``release``. Assigning a booth to an exhibitor
    who already has one is refused (``already_assigned``): use ``move``. A refused move
    answers 400 with the service's ``code`` and changes nothing.
    """

    permission_classes = STAFF
    filterset_class = BoothFilter
    search_fields = ["code"]
    ordering_fields = ["code", "tier", "price", "size"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return booths_queryset()

    def get_serializer_class(self):
        return BoothCreateSerializer if self.action == "create" else BoothSerializer

    def _respond(self, booth, code=status.HTTP_200_OK):
        return Response(BoothSerializer(booths_queryset().get(pk=booth.pk)).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=request_data(self.request))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = dict(self._input(BoothCreateSerializer))
        booth = services.booth_create(fair=data.pop("fair"), actor=request.user, **data)
        return self._respond(booth, status.HTTP_201_CREATED)

    @extend_schema(
        request=GridSerializer,
        responses={201: BoothSerializer(many=True), 400: REFUSED},
        summary=str(_("Add a grid of booths (all or nothing)")),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def grid(self, request):
        """Add rows × columns booths at once; a duplicate code or an overlap with the plan
        refuses the whole grid (``duplicate_code``, ``overlap``)."""
        data = dict(self._input(GridSerializer))
        fair, zone = data.pop("fair"), data.pop("zone", None)
        created = services.booths_create_grid(
            fair=fair, zone=zone, grid=services.GridSpec(**data), actor=request.user
        )
        booths = booths_queryset().filter(pk__in=[b.pk for b in created])
        return Response(BoothSerializer(booths, many=True).data, status=status.HTTP_201_CREATED)

    @_booth_action(AssignSerializer, _("Give this booth to a confirmed exhibitor"))
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        booth = self.get_object()
        data = self._input(AssignSerializer)
        services.booth_assign(
            booth=booth, application=data["application"], actor=request.user, lock=data["lock"]
        )
        return self._respond(booth)

    @_booth_action(MoveSerializer, _("Move an exhibitor who has a booth to this one"))
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        booth = self.get_object()
        data = self._input(MoveSerializer)
        services.booth_move(application=data["application"], to_booth=booth, actor=request.user)
        return self._respond(booth)

    @_booth_action(BoothReasonSerializer, _("Free this booth"))
    @action(detail=True, methods=["post"])
    def vacate(self, request, pk=None):
        booth = self.get_object()
        services.booth_vacate(
            booth=booth, actor=request.user, reason=self._input(BoothReasonSerializer)["reason"]
        )
        return self._respond(booth)

    @_booth_action(SwapSerializer, _("Swap the exhibitors of this booth and another"))
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        booth = self.get_object()
        services.booths_swap(
            first=booth, second=self._input(SwapSerializer)["other_booth"], actor=request.user
        )
        return self._respond(booth)

    def _set_status(self, request, booth_status):
        booth = self.get_object()
        reason = self._input(BoothReasonSerializer)["reason"]
        services.booth_set_status(booth=booth, status=booth_status, reason=reason, actor=request.user)
        return self._respond(booth)

    @_booth_action(BoothReasonSerializer, _("Hold this booth (say why)"))
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._set_status(request, Booth.Status.HELD)

    @_booth_action(BoothReasonSerializer, _("Block this booth (say why)"))
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        return self._set_status(request, Booth.Status.BLOCKED)

    @_booth_action(None, _("Make a held or blocked booth available again"))
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        booth = self.get_object()
        services.booth_set_status(booth=booth, status=Booth.Status.AVAILABLE, actor=request.user)
        return self._respond(booth)


def request_data(request):
    """The request body, or an empty dict for an empty or non-object body (a JSON list or a
    string is a 400 naming the fields that are missing, not a 500)."""
    data = request.data
    return data if hasattr(data, "get") else {}


# --- Allocation ----------------------------------------------------------------------------


class AllocationInputSerializer(serializers.Serializer):
    fair = serializers.PrimaryKeyRelatedField(queryset=Fair.objects.all())
    seed = serializers.CharField(
        max_length=40, required=False,
        help_text=_("The lottery's seed; leave it out for a random one (the answer says which)."),
    )  # fmt: skip

    def validate_seed(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give a seed (any short word or number)."))
        return value


class AllocationCommitInputSerializer(AllocationInputSerializer):
    seed = serializers.CharField(
        max_length=40, help_text=_("The seed of the preview to commit: same data and seed, same placements.")
    )


class MetricsSerializer(serializers.Serializer):
    placed = serializers.IntegerField()
    unplaced = serializers.IntegerField()
    preferred_zone_share = serializers.FloatField(allow_null=True)
    mean_tier_first_timers = serializers.FloatField(allow_null=True)
    mean_tier_returning = serializers.FloatField(allow_null=True)
    mean_tier_after_low_tier = serializers.FloatField(allow_null=True)
    near_cooperative_share = serializers.FloatField(allow_null=True)
    hard_violations = serializers.IntegerField()


class PlacementSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    artisan_name = serializers.CharField()
    artisan_name_ar = serializers.CharField()
    booth = serializers.IntegerField()
    booth_code = serializers.CharField()
    explanation = serializers.ListField(child=serializers.CharField())
    explanation_text = serializers.ListField(child=serializers.CharField())


class UnplacedSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    artisan_name = serializers.CharField()
    artisan_name_ar = serializers.CharField()
    reason = serializers.ChoiceField(choices=[(code, code) for code in allocation.UNPLACED_REASONS])
    reason_text = serializers.CharField()


class AllocationResultSerializer(serializers.Serializer):
    fair = serializers.IntegerField()
    seed = serializers.CharField()
    run = serializers.IntegerField(allow_null=True, help_text=_("The committed run; null for a preview."))
    created_at = serializers.DateTimeField(allow_null=True)
    metrics = MetricsSerializer()
    placements = PlacementSerializer(many=True)
    unplaced = UnplacedSerializer(many=True)


def _result(fair, seed, metrics, placements, unplaced, run: AllocationRun | None = None) -> dict:
    """The answer of preview and commit; placements ``(application, booth, explanation)``."""
    applications = {
        a.pk: a.artisan for a in Application.objects.filter(fair=fair).select_related("artisan").only(
            "pk", "artisan__first_name", "artisan__last_name", "artisan__first_name_ar", "artisan__last_name_ar"
        )
    }  # fmt: skip
    codes = dict(Booth.objects.filter(fair=fair).values_list("pk", "code"))

    def names(application_id):
        artisan = applications.get(application_id)
        return {
            "artisan_name": artisan.full_name if artisan else "",
            "artisan_name_ar": artisan.full_name_ar if artisan else "",
        }

    return {
        "fair": fair.pk,
        "seed": seed,
        "run": run.pk if run else None,
        "created_at": run.created_at if run else None,
        "metrics": metrics,
        "placements": [
            {
                "application": application_id,
                **names(application_id),
                "booth": booth_id,
                "booth_code": codes.get(booth_id, ""),
                "explanation": list(explanation),
                "explanation_text": selectors.explain(explanation),
            }
            for application_id, booth_id, explanation in placements
        ],
        "unplaced": [
            {
                "application": application_id,
                **names(application_id),
                "reason": reason,
                "reason_text": unplaced_reason(reason),
            }
            for application_id, reason in unplaced
        ],
    }


class AllocationViewSet(viewsets.GenericViewSet):
    """The allocation engine on one fair (staff): ``preview`` is a dry run that writes
    nothing; ``commit`` with the same seed writes the previewed placements, keeps the locked
    assignments and records the run. Both need the fair in the allocation step or published
    (``fair_not_planning``)."""

    permission_classes = STAFF
    serializer_class = AllocationInputSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):  # no list: the schema generator asks for a model only
        return AllocationRun.objects.none()

    def _input(self, serializer_class):
        serializer = serializer_class(data=request_data(self.request))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=AllocationInputSerializer,
        responses={200: AllocationResultSerializer, 400: REFUSED},
        summary=str(_("Preview the allocation of a fair's booths (writes nothing)")),
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        data = self._input(AllocationInputSerializer)
        fair, seed = data["fair"], data.get("seed") or random_seed()
        check_fair_allocating(fair)
        result = allocation.allocation_preview(fair=fair, seed=seed)
        body = _result(fair, seed, asdict(result.metrics), result.assignments, result.unplaced)
        return Response(AllocationResultSerializer(body).data)

    @extend_schema(
        request=AllocationCommitInputSerializer,
        responses={201: AllocationResultSerializer, 400: REFUSED},
        summary=str(_("Commit the allocation for a seed (replaces the unlocked assignments)")),
    )
    @action(detail=False, methods=["post"])
    def commit(self, request):
        data = self._input(AllocationCommitInputSerializer)
        fair = data["fair"]
        run = allocation.allocation_commit(fair=fair, seed=data["seed"], actor=request.user)
        placements = (
            Assignment.objects.filter(fair=fair, locked=False)
            .order_by("application_id")
            .values_list("application_id", "booth_id", "explanation")
        )
        body = _result(fair, run.seed, run.metrics, placements, run.unplaced, run=run)
        return Response(AllocationResultSerializer(body).data, status=status.HTTP_201_CREATED)
