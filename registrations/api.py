"""The registrations API: the artisan registry (staff), "me" (an artisan's own profile),
applications with their workflow as POST actions, and jury reviews.

Who sees what:

- staff see every artisan and every application, personal data included;
- an artisan sees their own profile (``/me/``) and their own applications, nothing else;
- a reviewer sees the submitted and waitlisted applications of fairs under review, read only,
  without CIN, phone or birth year; on a blind fair without any trace of who the artisan is.

Views parse input and call ``registrations.services``; a refusal there answers
``400 {"code", "detail"}`` with the service's code.
"""

import django_filters
from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import DomainError
from core.models import CraftCategory, Province
from core.permissions import IsStaffMember, is_reviewer, is_staff_member
from fairs.api import ERROR
from fairs.models import Fair
from registrations import services
from registrations.models import (
    LANGUAGE_CHOICES,
    Application,
    ApplicationPhoto,
    Artisan,
    Cooperative,
    Review,
)

S = Application.Status
# A participation is a place the artisan confirmed (past fairs, and fairs to come).
PARTICIPATION_STATUSES = (S.CONFIRMED,)
# What a reviewer is shown: applications waiting for the jury, of fairs being reviewed.
REVIEWABLE_STATUSES = (S.SUBMITTED, S.WAITLISTED)
REVIEWING_FAIR_STATUSES = (Fair.Status.OPEN, Fair.Status.REVIEWING)

# Workflow verbs → target status. The owner (or staff for them) moves these…
OWNER_ACTIONS = {
    "submit": S.SUBMITTED,
    "withdraw": S.WITHDRAWN,
    "confirm": S.CONFIRMED,
    "decline": S.DECLINED,
}
# …and only staff decide.
STAFF_ACTIONS = {"accept": S.ACCEPTED, "waitlist": S.WAITLISTED, "reject": S.REJECTED}
ACTION_SUMMARIES = {
    "submit": _("Send a draft to the jury"),
    "withdraw": _("Withdraw the application"),
    "confirm": _("Confirm the offered place"),
    "decline": _("Decline the offered place (the next waitlisted artisan is offered it)"),
    "accept": _("Accept: the artisan gets an offer to confirm"),
    "waitlist": _("Put on the waiting list"),
    "reject": _("Reject"),
}


class NoArtisanProfile(DomainError):
    status_code = 404

    def __init__(self):
        super().__init__(code="no_artisan_profile", message=_("This account has no artisan profile."))


def artisan_of(request) -> Artisan | None:
    """The requesting user's own artisan profile, or None (staff, reviewers, a sign-up in
    progress). Looked up once per request."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_souk_artisan"):
        request._souk_artisan = Artisan.objects.filter(user=request.user).first()
    return request._souk_artisan


# --- Querysets (one place, so lists never run a query per row) ---------------------------


def artisans_queryset():
    participations = (
        Application.objects.filter(artisan=OuterRef("pk"), status__in=PARTICIPATION_STATUSES)
        .order_by()
        .values("artisan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Artisan.objects.select_related("province", "main_craft", "cooperative")
        .prefetch_related("other_crafts")
        .annotate(participations=Coalesce(Subquery(participations, output_field=IntegerField()), Value(0)))
        .order_by("last_name", "first_name", "pk")  # pk: pages stay stable between namesakes
    )


def applications_queryset(user):
    """The applications ``user`` may see, with what their serializer needs."""
    applications = Application.objects.select_related(
        "fair",
        "artisan",
        "artisan__province",
        "artisan__main_craft",
        "artisan__cooperative",
        "preferred_sector",
    ).prefetch_related("photos")
    if not user or not user.is_authenticated:
        return applications.none()
    if is_staff_member(user):
        reviews = Review.objects.filter(application=OuterRef("pk")).order_by().values("application")
        return applications.annotate(
            review_count=Coalesce(
                Subquery(reviews.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                Value(0),
            ),
            score_average=Subquery(reviews.annotate(a=Avg("score")).values("a"), output_field=FloatField()),
        )
    visible = Q(artisan__user=user)
    if is_reviewer(user):
        visible |= Q(status__in=REVIEWABLE_STATUSES, fair__status__in=REVIEWING_FAIR_STATUSES)
        mine = Review.objects.filter(application=OuterRef("pk"), reviewer=user).values("score")[:1]
        applications = applications.annotate(my_score=Subquery(mine, output_field=IntegerField()))
    return applications.filter(visible)


def allowed_actions(application: Application, *, staff: bool) -> list[str]:
    """The workflow verbs the viewer may use on ``application`` now."""
    targets = services.TRANSITIONS[application.status]
    verbs = []
    for verb, to_status in OWNER_ACTIONS.items():
        if to_status not in targets:
            continue
        if verb == "submit" and not application.fair.is_call_open():
            continue
        if verb in ("confirm", "decline") and application.offer_expired:
            continue
        verbs.append(verb)
    if staff and application.fair.status in services.DECISION_FAIR_STATUSES:
        verbs += [verb for verb, to_status in STAFF_ACTIONS.items() if to_status in targets]
    return verbs


# --- Artisans ----------------------------------------------------------------------------

CRAFTS = CraftCategory.objects.filter(parent__isnull=False)
SECTORS = CraftCategory.objects.filter(parent__isnull=True)


class ArtisanSerializer(serializers.ModelSerializer):
    """A whole profile, personal data included: only staff and the artisan themselves get it."""

    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    main_craft = serializers.SlugRelatedField(slug_field="code", read_only=True)
    other_crafts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cooperative = serializers.SlugRelatedField(slug_field="registration_number", read_only=True)
    participations = serializers.IntegerField(read_only=True)
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Artisan
        fields = [
            "id",
            "first_name",
            "last_name",
            "first_name_ar",
            "last_name_ar",
            "cin",
            "registry_number",
            "gender",
            "birth_year",
            "phone",
            "email",
            "province",
            "commune",
            "area",
            "main_craft",
            "other_crafts",
            "cooperative",
            "languages",
            "language",
            "bio",
            "photo",
            "shop_url",
            "has_account",
            "participations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_account(self, artisan) -> bool:
        return artisan.user_id is not None


class ArtisanWriteSerializer(serializers.ModelSerializer):
    """Input for create and update; formats (CIN, phone, registry number) and uniqueness are
    checked by the service, which also brings them to their stored form."""

    # Plain text here: the service normalizes ("be 123456" → "BE123456") then validates.
    cin = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    registry_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    province = serializers.SlugRelatedField(slug_field="code", queryset=Province.objects.all())
    main_craft = serializers.SlugRelatedField(slug_field="code", queryset=CRAFTS)
    other_crafts = serializers.SlugRelatedField(slug_field="code", queryset=CRAFTS, many=True, required=False)
    cooperative = serializers.SlugRelatedField(
        slug_field="registration_number",
        queryset=Cooperative.objects.all(),
        required=False,
        allow_null=True,
    )
    languages = serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False)

    class Meta:
        model = Artisan
        fields = [name for name in services.ARTISAN_FIELDS if name != "photo"] + ["other_crafts"]
        validators = []  # uniqueness: the service answers with a message naming the field


class ProfileWriteSerializer(ArtisanWriteSerializer):
    """What an artisan may change in their own profile: everything but the CIN."""

    class Meta(ArtisanWriteSerializer.Meta):
        fields = [name for name in ArtisanWriteSerializer.Meta.fields if name != "cin"]


def _save_artisan(data: dict, *, actor, artisan: Artisan | None = None) -> Artisan:
    data = dict(data)
    other_crafts = data.pop("other_crafts", None)
    if artisan is None:
        return services.artisan_create(actor=actor, other_crafts=other_crafts or (), **data)
    return services.artisan_update(artisan=artisan, actor=actor, other_crafts=other_crafts, **data)


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """A reference row chosen by its code (an unknown code is a 400 naming the parameter)."""


class ArtisanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("name (either script), CIN or registry number"))
    province = django_filters.ModelChoiceFilter(to_field_name="code", queryset=Province.objects.all())
    craft = CodeFilter(to_field_name="code", queryset=CraftCategory.objects.all(), method="filter_craft")
    cooperative = django_filters.ModelChoiceFilter(
        to_field_name="registration_number", queryset=Cooperative.objects.all()
    )
    gender = django_filters.ChoiceFilter(choices=Artisan.Gender.choices)
    area = django_filters.ChoiceFilter(choices=Artisan.Area.choices)

    class Meta:
        model = Artisan
        fields = ["q", "province", "craft", "cooperative", "gender", "area"]

    def filter_q(self, queryset, name, value):
        """Every word must match a name (Latin or Arabic), the CIN or the registry number."""
        for term in value.split()[:6]:
            queryset = queryset.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(first_name_ar__icontains=term)
                | Q(last_name_ar__icontains=term)
                | Q(cin__icontains=term)
                | Q(registry_number__icontains=term)
            )
        return queryset

    def filter_craft(self, queryset, name, value):
        """A craft matches main and other crafts; a sector matches all of its crafts."""
        crafts = [value.pk] if value.parent_id else [value.pk, *value.crafts.values_list("pk", flat=True)]
        with_other = Artisan.other_crafts.through.objects.filter(craftcategory_id__in=crafts).values(
            "artisan_id"
        )
        return queryset.filter(Q(main_craft_id__in=crafts) | Q(pk__in=with_other))


class ArtisanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The artisan registry, for delegation staff. Artisans reach their own profile at ``/me/``.

    No delete: an artisan with applications stays in the registry.
    """

    permission_classes = [permissions.IsAuthenticated, IsStaffMember]
    filterset_class = ArtisanFilter
    ordering_fields = ["last_name", "first_name", "created_at", "participations"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return artisans_queryset()

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return ArtisanWriteSerializer
        return ArtisanSerializer

    def _respond(self, artisan, code=status.HTTP_200_OK):
        artisan = artisans_queryset().get(pk=artisan.pk)
        return Response(ArtisanSerializer(artisan, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ArtisanWriteSerializer, responses={201: ArtisanSerializer, 400: ERROR})
    def create(self, request, *args, **kwargs):
        serializer = ArtisanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        artisan = _save_artisan(serializer.validated_data, actor=request.user)
        return self._respond(artisan, status.HTTP_201_CREATED)

    @extend_schema(request=ArtisanWriteSerializer, responses={200: ArtisanSerializer, 400: ERROR})
    def partial_update(self, request, *args, **kwargs):
        artisan = self.get_object()
        serializer = ArtisanWriteSerializer(artisan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        artisan = _save_artisan(serializer.validated_data, actor=request.user, artisan=artisan)
        return self._respond(artisan)


# --- Applications: output -------------------------------------------------------------------


class ApplicationPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationPhoto
        fields = ["id", "image"]


class ApplicantSerializer(serializers.ModelSerializer):
    """The artisan behind an application, for staff and the artisan: personal data included."""

    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    main_craft = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cooperative = serializers.SlugRelatedField(slug_field="registration_number", read_only=True)

    class Meta:
        model = Artisan
        fields = [
            "id",
            "first_name",
            "last_name",
            "first_name_ar",
            "last_name_ar",
            "cin",
            "phone",
            "birth_year",
            "gender",
            "area",
            "province",
            "main_craft",
            "cooperative",
            "photo",
        ]
        read_only_fields = fields


class ReviewerApplicantSerializer(serializers.ModelSerializer):
    """The artisan as a jury member sees them on a fair that is not blind: no personal data."""

    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    main_craft = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cooperative = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Artisan
        fields = [
            "first_name",
            "last_name",
            "first_name_ar",
            "last_name_ar",
            "gender",
            "area",
            "province",
            "main_craft",
            "cooperative",
            "photo",
        ]
        read_only_fields = fields


# What every view of an application shows about the request itself.
APPLICATION_BODY = [
    "id",
    "fair",
    "fair_name",
    "status",
    "craft",
    "booth_kind",
    "booth_size",
    "preferred_sector",
    "near_cooperative",
    "products",
    "needs_electricity",
    "needs_accessibility",
    "needs_notes",
    "passport_valid_until",
    "languages",
    "export_experience",
    "photos",
    "submitted_at",
]


class ApplicationBodySerializer(serializers.ModelSerializer):
    """The request itself: booth, products, needs. Reaches the artisan only for their craft."""

    fair_name = serializers.CharField(source="fair.display_name", read_only=True)
    craft = serializers.SlugRelatedField(source="artisan.main_craft", slug_field="code", read_only=True)
    preferred_sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    photos = ApplicationPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = APPLICATION_BODY
        read_only_fields = fields


class BlindApplicationSerializer(ApplicationBodySerializer):
    """An application as a reviewer of a blind fair sees it: the work, never the person.

    No artisan at all (no name in either script, photo, cooperative, CIN, phone or birth year):
    this serializer has no field that reaches the artisan except their craft.
    """

    my_score = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta(ApplicationBodySerializer.Meta):
        fields = [*APPLICATION_BODY, "my_score"]
        read_only_fields = fields


class ReviewerApplicationSerializer(BlindApplicationSerializer):
    """An application as a reviewer of a fair that is not blind sees it: the name and the
    craft, but no CIN, phone or birth year."""

    artisan = ReviewerApplicantSerializer(read_only=True)

    class Meta(BlindApplicationSerializer.Meta):
        fields = [*APPLICATION_BODY, "artisan", "my_score"]
        read_only_fields = fields


class ApplicationSerializer(ApplicationBodySerializer):
    """An application as its artisan sees it: everything about it, and the moves open now."""

    artisan = ApplicantSerializer(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(ApplicationBodySerializer.Meta):
        fields = [
            *APPLICATION_BODY,
            "artisan",
            "decided_at",
            "decision_reason",
            "offer_deadline",
            "waitlist_rank",
            "confirmed_at",
            "created_at",
            "updated_at",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, application) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(application, staff=bool(request and is_staff_member(request.user)))


class StaffApplicationSerializer(ApplicationSerializer):
    """An application as staff see it: with the jury's figures."""

    review_count = serializers.IntegerField(read_only=True, default=0)
    score_average = serializers.FloatField(read_only=True, allow_null=True, default=None)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "review_count", "score_average"]
        read_only_fields = fields


APPLICATION_VIEW = PolymorphicProxySerializer(
    component_name="ApplicationView",
    serializers=[
        StaffApplicationSerializer,
        ApplicationSerializer,
        ReviewerApplicationSerializer,
        BlindApplicationSerializer,
    ],
    resource_type_field_name=None,
)


def application_serializer_class(application: Application, user) -> type[serializers.Serializer]:
    """Which view of ``application`` the user gets: staff, owner, reviewer, or blind."""
    if is_staff_member(user):
        return StaffApplicationSerializer
    if application.artisan.user_id is not None and application.artisan.user_id == user.pk:
        return ApplicationSerializer
    if application.fair.blind_review:
        return BlindApplicationSerializer
    return ReviewerApplicationSerializer


# --- Applications: input --------------------------------------------------------------------


class ApplicationFieldsSerializer(serializers.ModelSerializer):
    preferred_sector = serializers.SlugRelatedField(
        slug_field="code", queryset=SECTORS, required=False, allow_null=True
    )
    languages = serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False)
    # The service says which products are missing, in the same words as the web form.
    products = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    class Meta:
        model = Application
        fields = list(services.APPLICATION_FIELDS)
        validators = []


class ApplicationCreateSerializer(ApplicationFieldsSerializer):
    fair = serializers.PrimaryKeyRelatedField(queryset=Fair.objects.all())
    artisan = serializers.PrimaryKeyRelatedField(
        queryset=Artisan.objects.all(),
        required=False,
        help_text=_("Staff applying on an artisan's behalf; an artisan applies for themselves."),
    )
    draft = serializers.BooleanField(
        default=False, help_text=_("Keep the application as a draft instead of submitting it.")
    )

    class Meta(ApplicationFieldsSerializer.Meta):
        fields = ["fair", "artisan", "draft", *services.APPLICATION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and not is_staff_member(request.user):
            # Fairs still in draft are not there for artisans.
            self.fields["fair"].queryset = Fair.objects.visible_to_public()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BulkDecisionSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000
    )
    decision = serializers.ChoiceField(choices=list(services.DECISIONS))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "reviewer",
            "reviewer_name",
            "score",
            "comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_reviewer_name(self, review) -> str:
        return str(review.reviewer)


class ReviewInputSerializer(serializers.Serializer):
    # No bounds here: the service knows the fair's scale and answers score_out_of_range.
    score = serializers.IntegerField()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- Applications: permissions and views ---------------------------------------------------------

OWNER_OR_STAFF = {"partial_update", *OWNER_ACTIONS}
STAFF_ONLY = {*STAFF_ACTIONS, "decide"}


class ApplicationPermission(permissions.BasePermission):
    """Reading is scoped by the queryset; writing depends on the move.

    Apply and the artisan's moves: the artisan (for themselves) or staff. Decisions: staff.
    Reviews: reviewers and staff.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action in STAFF_ONLY:
            return is_staff_member(user)
        if view.action == "reviews":
            return is_reviewer(user) or is_staff_member(user)
        if view.action == "create" or view.action in OWNER_OR_STAFF:
            return is_staff_member(user) or artisan_of(request) is not None
        return True

    def has_object_permission(self, request, view, application):
        if view.action in OWNER_OR_STAFF:
            return is_staff_member(request.user) or (
                application.artisan.user_id is not None and application.artisan.user_id == request.user.pk
            )
        return True


class ApplicationFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())
    status = django_filters.ChoiceFilter(choices=S.choices)

    class Meta:
        model = Application
        fields = ["fair", "status"]


APPLICATION_RESPONSES = {
    200: APPLICATION_VIEW,
    400: OpenApiResponse(ERROR, description="refused by the workflow (the code says why)"),
}


@extend_schema_view(
    list=extend_schema(responses=APPLICATION_VIEW),
    retrieve=extend_schema(responses=APPLICATION_VIEW),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Booth applications. Staff see all; an artisan sees their own; a reviewer sees the
    submitted and waitlisted applications of fairs under review (without any identity on a
    blind fair).

    Workflow: ``submit``, ``withdraw``, ``confirm``, ``decline`` (the artisan, or staff for
    them); ``accept``, ``waitlist``, ``reject`` and bulk ``decide`` (staff). A move the
    workflow refuses answers 400 with the service's ``code``.
    """

    permission_classes = [ApplicationPermission]
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_at", "created_at", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return applications_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationCreateSerializer
        if self.action == "partial_update":
            return ApplicationFieldsSerializer
        return StaffApplicationSerializer

    def _represent(self, application) -> dict:
        serializer_class = application_serializer_class(application, self.request.user)
        return serializer_class(application, context=self.get_serializer_context()).data

    def _respond(self, application, code=status.HTTP_200_OK):
        application = self.get_queryset().get(pk=application.pk)
        return Response(self._represent(application), status=code)

    def list(self, request, *args, **kwargs):
        applications = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(applications)
        if page is None:
            return Response([self._represent(a) for a in applications])
        return self.get_paginated_response([self._represent(a) for a in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(self._represent(self.get_object()))

    @extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request, *args, **kwargs):
        serializer = ApplicationCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        draft = data.pop("draft")
        fair = data.pop("fair")
        artisan = data.pop("artisan", None)
        own = artisan_of(request)
        if artisan is None:
            if own is None:
                raise serializers.ValidationError({"artisan": [_("Choose the artisan who applies.")]})
            artisan = own
        elif not is_staff_member(request.user) and artisan != own:
            raise exceptions.PermissionDenied(_("An artisan applies for themselves only."))
        application = services.application_create(
            artisan=artisan, fair=fair, actor=request.user, submit=not draft, **data
        )
        return self._respond(application, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        # Only PATCH reaches here (PUT is not offered): a partial edit through the service.
        for name in ("status", "fair", "artisan"):
            if name in request.data:
                raise services.RegistrationError(
                    code="status_read_only" if name == "status" else "read_only",
                    message=_("The status changes only through the workflow actions.")
                    if name == "status"
                    else _("This field cannot be changed."),
                    field=name,
                )
        application = self.get_object()
        serializer = ApplicationFieldsSerializer(application, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        application = services.application_update(
            application=application, actor=request.user, **serializer.validated_data
        )
        return self._respond(application)

    @extend_schema(request=ApplicationFieldsSerializer, responses=APPLICATION_RESPONSES)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def _move(self, request, verb: str):
        application = self.get_object()
        reason_input = ReasonSerializer(data=request.data)
        reason_input.is_valid(raise_exception=True)
        reason = reason_input.validated_data["reason"]
        actor = request.user
        if verb == "submit":
            services.application_submit(application=application, actor=actor)
        elif verb == "withdraw":
            services.application_withdraw(application=application, actor=actor, reason=reason)
        elif verb in ("confirm", "decline"):
            services.offer_respond(application=application, actor=actor, accept=verb == "confirm")
        else:
            services.application_decide(application=application, decision=verb, actor=actor, reason=reason)
        return self._respond(application)

    @extend_schema(
        request=BulkDecisionSerializer,
        responses={
            200: StaffApplicationSerializer(many=True),
            400: OpenApiResponse(ERROR, description="nothing is decided if one application is refused"),
        },
        summary=str(_("Decide several applications of one fair at once")),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def decide(self, request):
        """Accept, waitlist or reject several applications of one fair, all or nothing."""
        serializer = BulkDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = sorted(set(serializer.validated_data["ids"]))
        found = list(Application.objects.filter(pk__in=ids).only("pk", "fair_id"))
        missing = sorted(set(ids) - {a.pk for a in found})
        if missing:
            raise services.RegistrationError(
                code="not_found",
                message=_("No application with id %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                field="ids",
            )
        decided = services.applications_decide(
            applications=found,
            decision=serializer.validated_data["decision"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        applications = self.get_queryset().filter(pk__in=[a.pk for a in decided]).order_by("pk")
        return Response([self._represent(a) for a in applications])

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: ReviewSerializer(many=True)},
        summary=str(_("The jury's reviews (a reviewer sees their own)")),
    )
    @extend_schema(
        methods=["POST"],
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, 201: ReviewSerializer, 400: ERROR},
        summary=str(_("Score the application (again, to change the score)")),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def reviews(self, request, pk=None):
        """The jury's reviews of one application; a reviewer sees and writes their own."""
        application = self.get_object()
        if request.method == "GET":
            reviews = application.reviews.select_related("reviewer").order_by("created_at", "pk")
            if not is_staff_member(request.user):
                reviews = reviews.filter(reviewer=request.user)
            return Response(ReviewSerializer(reviews, many=True).data)
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existed = Review.objects.filter(application=application, reviewer=request.user).exists()
        review = services.review_save(
            application=application,
            reviewer=request.user,
            score=serializer.validated_data["score"],
            comment=serializer.validated_data["comment"],
        )
        return Response(
            ReviewSerializer(review).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


def _workflow_action(verb: str):
    """One POST action per workflow verb: ``/applications/{id}/<verb>/``."""

    def move(self, request, pk=None):
        return self._move(request, verb)

    move.__name__ = verb
    move.__doc__ = str(ACTION_SUMMARIES[verb])
    move = action(detail=True, methods=["post"])(move)
    return extend_schema(
        request=ReasonSerializer, responses=APPLICATION_RESPONSES, summary=str(ACTION_SUMMARIES[verb])
    )(move)


for _verb in (*OWNER_ACTIONS, *STAFF_ACTIONS):
    setattr(ApplicationViewSet, _verb, _workflow_action(_verb))


# --- Me: the artisan's own profile ---------------------------------------------------------------


def _own_artisan(request) -> Artisan:
    artisan = artisans_queryset().filter(user=request.user).first() if request.user.is_authenticated else None
    if artisan is None:
        raise NoArtisanProfile()
    return artisan


class MeView(generics.GenericAPIView):
    """The logged-in artisan's own profile, personal data included (it is theirs)."""

    serializer_class = ArtisanSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ArtisanSerializer, 404: ERROR})
    def get(self, request):
        return Response(ArtisanSerializer(_own_artisan(request), context=self.get_serializer_context()).data)

    @extend_schema(request=ProfileWriteSerializer, responses={200: ArtisanSerializer, 400: ERROR, 404: ERROR})
    def patch(self, request):
        artisan = _own_artisan(request)
        if "cin" in request.data:
            raise services.RegistrationError(
                code="cin_read_only",
                message=_("Your CIN can only be corrected by the delegation's staff."),
                field="cin",
            )
        serializer = ProfileWriteSerializer(artisan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        _save_artisan(serializer.validated_data, actor=request.user, artisan=artisan)
        artisan = _own_artisan(request)
        return Response(ArtisanSerializer(artisan, context=self.get_serializer_context()).data)


class MyApplicationsView(generics.ListAPIView):
    """The logged-in artisan's own applications, every status."""

    serializer_class = ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_at", "created_at", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        if artisan_of(self.request) is None:
            raise NoArtisanProfile()
        return applications_queryset(self.request.user).filter(artisan__user=self.request.user)
