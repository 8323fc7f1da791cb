"""The badges API: scanning (devices and gate staff) and badges and devices (delegation staff).

Scanning — ``Authorization: Device <token>`` (a scanner device; these endpoints are the only
ones that know the keyword) or a session/token of a user with the scanner or staff role:

- ``GET /scanner/fairs/``: the fairs the caller may scan (a device bound to a fair: that one);
- ``GET /scanner/fairs/{id}/bundle/``: what a device keeps to scan offline: the fair, its
  public key, every badge (revoked ones flagged), the revocation list and the counters;
- ``GET /scanner/fairs/{id}/counters/``: inside now, arrived today, expected today;
- ``POST /check-ins/``: one scan → ``result`` from the fixed list (``CheckInResult``), a
  sentence for the gate and the badge summary with the day's first entry. 201 when recorded,
  200 when the same origin + nonce was already received (the first answer again, nothing
  recorded). The answer carries no counters (the hot path stays at five queries): a scanner
  reads them from ``counters/``;
- ``POST /check-ins/upload/``: the scans a device queued offline, with the conflicts.

A bad code is an answer (``invalid``, ``unknown``, ``wrong_fair``), never an error; a
malformed request is ``400 {"code", "detail", "errors"}`` and records nothing. A device bound
to a fair gets ``403 device_other_fair`` for any other fair; a revoked device ``401``.

Staff only: ``GET /check-ins/``, ``/badges/`` (list, read, create, ``issue``, ``revoke``,
``reissue``, PDFs) and ``/scanner-devices/`` (list, create — the token is shown once —,
``revoke``). Views parse input and call ``badges.services``.
"""

import functools

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.fields import SkipField
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from badges import scan_sql, selectors, services
from badges.authentication import DeviceTokenAuthentication, device_of
from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, Direction, ScannerDevice
from core.api import PDFRenderer
from core.pdf import pdf_response
from core.permissions import IsStaffMember, is_scanner, is_staff_member
from fairs.api import ERROR
from fairs.models import Fair

STAFF = [permissions.IsAuthenticated, IsStaffMember]
SCANNER_AUTH = [DeviceTokenAuthentication, SessionAuthentication, TokenAuthentication]
REFUSED = OpenApiResponse(ERROR, description="refused (the code says why); nothing changed")
# The most characters a QR code can hold (numeric mode, version 40): anything a camera can
# read is answered (``invalid`` at worst, and recorded); anything longer is not a scan: 400.
QR_MAX_CHARS = 7089
UPLOAD_MAX_SCANS = 1000
LAYOUTS = [("card", _("one badge a page, at card size")), ("sheet", _("A4 sheets with crop marks"))]


# --- Named enums in the schema (a plain "kind" or "result" would collide with other apps') --


@extend_schema_field(serializers.ChoiceField(choices=CheckInResult.choices), component_name="CheckInResult")
class ResultField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CheckInResult.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": ["", *CheckInResult.values]})
class LocalResultField(serializers.ChoiceField):
    """What an offline device answered itself (a ``CheckInResult``), or empty."""

    def __init__(self, **kwargs):
        super().__init__(choices=CheckInResult.choices, allow_blank=True, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=BadgeKind.choices), component_name="BadgeKind")
class BadgeKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=BadgeKind.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=Direction.choices), component_name="Direction")
class DirectionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Direction.choices, **kwargs)


@extend_schema_field(serializers.ChoiceField(choices=LAYOUTS), component_name="BadgeLayout")
class LayoutField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=LAYOUTS, **kwargs)


# --- Permissions and input ------------------------------------------------------------------


class CanScan(permissions.BasePermission):
    """A scanner device, or a person with the scanner or staff role."""

    message = _("Scanning needs a scanner device or a scanner account.")
    code = "not_a_scanner"

    def has_permission(self, request, view):
        return device_of(request) is not None or is_scanner(request.user) or is_staff_member(request.user)


def check_device_fair(request, fair: Fair) -> None:
    device = device_of(request)
    if device is not None and not device.may_scan(fair):
        raise exceptions.PermissionDenied(
            _("This scanner device is registered for another fair."), code="device_other_fair"
        )


def _flatten(errors, prefix: str = "") -> dict:
    """Nested serializer errors as ``{"scans.3.gate": [...]}``, so ``detail`` names the field."""
    flat: dict = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if prefix and key == api_settings.NON_FIELD_ERRORS_KEY:
                flat |= _flatten(value, prefix)  # the list itself is wrong: name the list
            else:
                flat |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list) and errors and not all(isinstance(e, str) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat |= _flatten(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        flat[prefix or "non_field_errors"] = errors if isinstance(errors, list) else [errors]
    return flat


def parse(serializer_class, request, data=None):
    """The validated input, or a 400 naming the field. A body that is not an object is a 400."""
    data = request.data if data is None else data
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise serializers.ValidationError(_flatten(serializer.errors))
    return serializer.validated_data


@functools.cache
def _bound_fields(serializer_class) -> dict:
    if serializer_class.validate is not serializers.Serializer.validate:
        raise TypeError(f"{serializer_class.__name__} validates as a whole: use parse()")
    return dict(serializer_class().fields)


def parse_flat(serializer_class, request) -> dict:
    """``parse`` for a flat serializer on a hot path (the scan): its fields, bound once, check
    the body one by one, as the serializer does, without the serializer deep-copying them on
    each request (half a millisecond a scan). Any error goes through ``parse``, so a 400 names
    the field exactly as everywhere else."""
    data = request.data
    if not isinstance(data, dict):
        return parse(serializer_class, request)
    validated = {}
    for field in _bound_fields(serializer_class).values():
        try:
            value = field.run_validation(field.get_value(data))
        except SkipField:
            continue
        except (serializers.ValidationError, DjangoValidationError):
            return parse(serializer_class, request)
        validated[field.source] = value
    return validated


class FairField(serializers.PrimaryKeyRelatedField):
    """A fair by its id: a whole number (``1.5`` or ``true`` is not read as fair 1)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Fair.objects.all())
        super().__init__(**kwargs)

    def whole_number(self, data) -> int:
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return data

    def to_internal_value(self, data):
        return super().to_internal_value(self.whole_number(data))


# --- Scan answers ---------------------------------------------------------------------------


class CountersSerializer(serializers.Serializer):
    inside_now = serializers.IntegerField()
    arrived_today = serializers.IntegerField(help_text=_("Distinct badges with an accepted entry today."))
    expected = serializers.IntegerField(help_text=_("Badges valid today and not revoked."))


class BadgeSummarySerializer(serializers.Serializer):
    serial = serializers.CharField()
    kind = BadgeKindField()
    name = serializers.CharField()
    name_ar = serializers.CharField()
    organisation = serializers.CharField()
    role_label = serializers.CharField()
    booth = serializers.CharField(help_text=_("The exhibitor's booth code; empty when none."))
    craft = serializers.CharField(help_text=_("The exhibitor's main craft, in the active language."))
    photo = serializers.CharField(allow_null=True, help_text=_("Path of the photo, or null."))


class ScanBadgeSerializer(BadgeSummarySerializer):
    inside_since = serializers.DateTimeField(allow_null=True)
    first_entry_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The first accepted entry of the day of the scan.")
    )


class ScanFairField(FairField):
    """The fair of a scan, read with ``scan_sql`` (its id and status: all a scan needs)."""

    def to_internal_value(self, data):
        data = self.whole_number(data)
        fair = scan_sql.fair_for_scan(data) if 0 < data < 2**63 else None  # a bigint, or no fair
        if fair is None:
            self.fail("does_not_exist", pk_value=data)
        return fair


class CheckInInputSerializer(serializers.Serializer):
    fair = ScanFairField()
    code = serializers.CharField(
        max_length=QR_MAX_CHARS, help_text=_("What the camera read, or the 8-character serial typed.")
    )
    gate = serializers.CharField(max_length=services.GATE_MAX_LENGTH)
    direction = DirectionField()
    nonce = serializers.CharField(
        max_length=services.NONCE_MAX_LENGTH,
        help_text=_("Unique per scan on this device: a retry with the same nonce never records twice."),
    )
    device_time = serializers.DateTimeField(required=False, allow_null=True)


class CheckInAnswerSerializer(serializers.Serializer):
    result = ResultField()
    message = serializers.CharField(help_text=_("The answer in words, for the gate."))
    replayed = serializers.BooleanField(help_text=_("This nonce was received before: its first answer."))
    conflict = serializers.BooleanField()
    check_in = serializers.IntegerField()
    scanned_at = serializers.DateTimeField()
    badge = ScanBadgeSerializer(allow_null=True)


class QueuedScanSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=QR_MAX_CHARS)
    gate = serializers.CharField(max_length=services.GATE_MAX_LENGTH)
    direction = DirectionField()
    nonce = serializers.CharField(max_length=services.NONCE_MAX_LENGTH)
    device_time = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("When the device scanned (its own clock).")
    )
    local_result = LocalResultField(
        required=False, default="", help_text=_("What the device answered at the gate.")
    )


class UploadInputSerializer(serializers.Serializer):
    fair = ScanFairField()
    scans = QueuedScanSerializer(many=True, max_length=UPLOAD_MAX_SCANS)


class UploadResultSerializer(serializers.Serializer):
    nonce = serializers.CharField()
    result = ResultField()
    replayed = serializers.BooleanField()
    conflict = serializers.BooleanField(
        help_text=_("The server's answer differs from the device's (e.g. entered at two gates offline).")
    )
    badge = ScanBadgeSerializer(allow_null=True)


class UploadAnswerSerializer(serializers.Serializer):
    results = UploadResultSerializer(many=True)
    conflicts = serializers.IntegerField()


def _scan_badge(answer: services.ScanAnswer) -> dict | None:
    if answer.badge is None or answer.summary is None:
        return None
    return selectors.scan_summary(answer.summary) | {
        "inside_since": answer.inside_since,
        "first_entry_at": answer.first_entry_at,
    }


def _datetime_json(value):
    """A datetime as ``serializers.DateTimeField`` writes it (local time zone, ISO 8601)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def scan_answer_json(answer: services.ScanAnswer) -> dict:
    """The answer to one scan in the shape of ``CheckInAnswerSerializer``, written directly:
    the serializer took a tenth of a scan's time (tests check the two agree)."""
    badge = _scan_badge(answer)
    if badge is not None:
        badge["inside_since"] = _datetime_json(badge["inside_since"])
        badge["first_entry_at"] = _datetime_json(badge["first_entry_at"])
    return {
        "result": answer.result,
        "message": str(answer_message(answer)),
        "replayed": answer.replayed,
        "conflict": answer.conflict,
        "check_in": answer.check_in.pk,
        "scanned_at": _datetime_json(answer.check_in.scanned_at),
        "badge": badge,
    }


def answer_message(answer: services.ScanAnswer) -> str:
    badge, row = answer.badge, answer.check_in
    return selectors.scan_message(
        answer.result,
        direction=row.direction if row else Direction.IN,
        inside_since=answer.inside_since,
        valid_from=badge.valid_from if badge else None,
        valid_until=badge.valid_until if badge else None,
    )


# --- Scanner endpoints ----------------------------------------------------------------------


class ScannerFairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fair
        fields = ["id", "name", "name_ar", "starts_on", "ends_on", "status"]
        read_only_fields = fields


class BundleFairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fair
        fields = ["id", "name", "name_ar", "starts_on", "ends_on"]
        read_only_fields = fields


class RosterBadgeSerializer(BadgeSummarySerializer):
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    revoked = serializers.BooleanField()
    inside_since = serializers.DateTimeField(allow_null=True)


class BundleSerializer(serializers.Serializer):
    fair = BundleFairSerializer()
    public_key = serializers.CharField(
        allow_null=True,
        help_text=_("The fair's Ed25519 public key, base64 of the raw 32 bytes (null before any badge)."),
    )
    generated_at = serializers.DateTimeField()
    badges = RosterBadgeSerializer(many=True)
    revoked = serializers.ListField(child=serializers.CharField(), help_text=_("Serials of revoked badges."))
    counters = CountersSerializer()


class ScannerView(GenericAPIView):
    authentication_classes = SCANNER_AUTH
    permission_classes = [CanScan]
    pagination_class = None
    filter_backends = []

    def scannable_fair(self, pk) -> Fair:
        """The fair, if this caller may scan it now (404, 403 device_other_fair, 400 fair_not_scanning)."""
        fair = get_object_or_404(Fair, pk=pk)
        check_device_fair(self.request, fair)
        if fair.status not in services.SCANNING_STATUSES:
            raise services.BadgeError(
                code="fair_not_scanning",
                message=_("Badges of a fair that is “%(status)s” are not scanned.")
                % {"status": fair.get_status_display()},
            )
        return fair


class ScannerFairListView(ScannerView):
    """Fairs the caller may scan: published, running, or closed less than a week ago (late
    offline uploads). A device registered for one fair sees that fair only."""

    serializer_class = ScannerFairSerializer

    def get_queryset(self):
        since = timezone.localdate() - services.CLOCK_PAST_LIMIT
        fairs = Fair.objects.filter(status__in=services.SCANNING_STATUSES).exclude(
            status=Fair.Status.CLOSED, ends_on__lt=since
        )
        device = device_of(self.request)
        if device is not None and device.fair_id is not None:
            fairs = fairs.filter(pk=device.fair_id)
        return fairs.order_by("starts_on", "name")

    def get(self, request):
        return Response(ScannerFairSerializer(self.get_queryset(), many=True).data)


class ScannerBundleView(ScannerView):
    """Everything a device keeps to scan a fair offline (a handful of queries, whatever the
    number of badges; served gzipped to clients that accept it)."""

    serializer_class = BundleSerializer

    @extend_schema(responses={200: BundleSerializer, 400: REFUSED, 403: ERROR, 404: ERROR})
    def get(self, request, pk):
        fair = self.scannable_fair(pk)
        key = services.public_key(fair.pk, fresh=True)
        roster = selectors.scanner_roster(fair)
        bundle = {
            "fair": fair,
            "public_key": _base64(key) if key else None,
            "generated_at": timezone.now(),
            "badges": roster,
            "revoked": [badge["serial"] for badge in roster if badge["revoked"]],
            "counters": selectors.fair_counters(fair),
        }
        return Response(BundleSerializer(bundle).data)


def _base64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


class ScannerCountersView(ScannerView):
    serializer_class = CountersSerializer

    @extend_schema(responses={200: CountersSerializer, 400: REFUSED, 403: ERROR, 404: ERROR})
    def get(self, request, pk):
        return Response(CountersSerializer(selectors.fair_counters(self.scannable_fair(pk))).data)


# --- Check-ins ------------------------------------------------------------------------------


class CheckInSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="badge.serial", default=None, read_only=True)
    name = serializers.CharField(source="badge.name", default=None, read_only=True)
    direction = DirectionField(read_only=True)
    result = ResultField(read_only=True)
    local_result = LocalResultField(read_only=True)
    device_name = serializers.CharField(source="device.name", default=None, read_only=True)
    scanner = serializers.CharField(source="scanner.username", default=None, read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "fair",
            "badge",
            "serial",
            "name",
            "raw_code",
            "gate",
            "direction",
            "result",
            "device",
            "device_name",
            "scanner",
            "nonce",
            "scanned_at",
            "device_time",
            "received_at",
            "offline",
            "local_result",
            "conflict",
        ]
        read_only_fields = fields


class CheckInFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())
    result = django_filters.ChoiceFilter(choices=CheckInResult.choices)
    direction = django_filters.ChoiceFilter(choices=Direction.choices)

    class Meta:
        model = CheckIn
        fields = ["fair", "result", "direction", "gate", "device", "conflict", "offline"]


@extend_schema_view(list=extend_schema(summary=str(_("Every scan, accepted or not (staff)"))))
class CheckInViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Scans. Devices and gate staff POST them; delegation staff read them.

    The ``result`` of a scan is one of ``CheckInResult``: ``ok`` (welcome / exit recorded),
    ``already_inside`` (entered earlier today and not out since), ``revoked``, ``wrong_fair``
    (a badge of another fair, by its code or its typed serial), ``not_valid_now`` (outside the
    badge's days), ``unknown`` (a well-formed code or serial with no badge), ``invalid`` (not a
    badge code, or a signature that does not verify).
    """

    authentication_classes = SCANNER_AUTH
    filterset_class = CheckInFilter
    search_fields = ["badge__serial", "badge__name", "gate", "raw_code"]
    ordering_fields = ["scanned_at", "received_at"]
    serializer_class = CheckInSerializer

    def get_queryset(self):
        return selectors.check_ins_for_staff()

    def get_permissions(self):
        if self.action in ("create", "upload"):
            return [CanScan()]
        return [IsStaffMember()]

    def _scanner(self):
        device = device_of(self.request)
        return device, (None if device is not None else self.request.user)

    @extend_schema(
        request=CheckInInputSerializer,
        responses={
            201: OpenApiResponse(CheckInAnswerSerializer, description="recorded"),
            200: OpenApiResponse(CheckInAnswerSerializer, description="this nonce was received before"),
            400: REFUSED,
            401: ERROR,
            403: ERROR,
        },
        summary=str(_("Record a scan and answer it")),
    )
    def create(self, request, *args, **kwargs):
        data = parse_flat(CheckInInputSerializer, request)
        fair = data["fair"]
        check_device_fair(request, fair)
        device, scanner = self._scanner()
        answer = services.check_in(
            fair=fair, code=data["code"], gate=data["gate"], direction=data["direction"],
            nonce=data["nonce"], device=device, scanner=scanner, device_time=data.get("device_time"),
        )  # fmt: skip
        return Response(
            scan_answer_json(answer),
            status=status.HTTP_200_OK if answer.replayed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=UploadInputSerializer,
        responses={200: UploadAnswerSerializer, 400: REFUSED, 401: ERROR, 403: ERROR},
        summary=str(_("Send the scans a device queued offline")),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def upload(self, request):
        """Scans queued offline (at most 1000), replayed in the order they happened. Each answer
        says whether it is a conflict: the server's result differs from what the device showed
        (the same badge entered at two gates while both were offline). Nonces received before
        answer as before. A malformed scan refuses the whole upload (400, nothing recorded)."""
        data = parse(UploadInputSerializer, request)
        fair = data["fair"]
        check_device_fair(request, fair)
        device, scanner = self._scanner()
        scans = [dict(scan) for scan in data["scans"]]
        answers = services.check_ins_upload(fair=fair, scans=scans, device=device, scanner=scanner)
        results = [
            {
                "nonce": scan["nonce"],
                "result": answer.result,
                "replayed": answer.replayed,
                "conflict": answer.conflict,
                "badge": _scan_badge(answer),
            }
            for scan, answer in zip(scans, answers, strict=True)
        ]
        body = {"results": results, "conflicts": sum(1 for answer in answers if answer.conflict)}
        return Response(UploadAnswerSerializer(body).data)


# --- Badges (staff) -------------------------------------------------------------------------


class BadgeSerializer(serializers.ModelSerializer):
    kind = BadgeKindField(read_only=True)
    booth = serializers.SerializerMethodField()
    craft = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()
    revoked = serializers.BooleanField(source="is_revoked", read_only=True)

    class Meta:
        model = Badge
        fields = [
            "id",
            "fair",
            "kind",
            "serial",
            "name",
            "name_ar",
            "organisation",
            "role_label",
            "email",
            "application",
            "valid_from",
            "valid_until",
            "booth",
            "craft",
            "photo",
            "inside_since",
            "issued_at",
            "revoked",
            "revoked_at",
            "revoke_reason",
            "replaced_by",
        ]
        read_only_fields = fields

    @staticmethod
    def _artisan(badge):
        return badge.application.artisan if badge.application_id else None

    def get_booth(self, badge) -> str:
        if not badge.application_id:
            return ""
        assignment = getattr(badge.application, "assignment", None)  # None when it has no booth
        return assignment.booth.code if assignment else ""

    def get_craft(self, badge) -> str:
        artisan = self._artisan(badge)
        return artisan.main_craft.name if artisan else ""

    def get_photo(self, badge) -> str | None:
        artisan = self._artisan(badge)
        return artisan.photo.url if artisan and artisan.photo else None


class BadgeDetailSerializer(BadgeSerializer):
    code = serializers.SerializerMethodField(
        help_text=_("The signed code the badge's QR holds (the same every time).")
    )

    class Meta(BadgeSerializer.Meta):
        fields = [*BadgeSerializer.Meta.fields, "code"]
        read_only_fields = fields

    def get_code(self, badge) -> str:
        return services.badge_code(badge)


class BadgeCreateSerializer(serializers.Serializer):
    fair = FairField()
    kind = BadgeKindField(help_text=_("Staff, press, visitor or VIP (exhibitors' badges are issued)."))
    name = serializers.CharField(max_length=160)
    name_ar = serializers.CharField(max_length=160, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=160, required=False, allow_blank=True)
    role_label = serializers.CharField(max_length=80, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    valid_from = serializers.DateField(required=False, help_text=_("Default: the fair's first day."))
    valid_until = serializers.DateField(required=False, help_text=_("Default: the fair's last day."))


class FairInputSerializer(serializers.Serializer):
    fair = FairField()


class IssuedSerializer(serializers.Serializer):
    issued = serializers.IntegerField()


class BadgeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BadgePdfQuerySerializer(serializers.Serializer):
    fair = FairField()
    layout = LayoutField(required=False, default="sheet")
    kind = BadgeKindField(required=False)


class LayoutQuerySerializer(serializers.Serializer):
    layout = LayoutField(required=False, default="card")


class BadgeFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())
    kind = django_filters.ChoiceFilter(choices=BadgeKind.choices)
    revoked = django_filters.BooleanFilter(method="filter_revoked", label=_("revoked"))

    class Meta:
        model = Badge
        fields = ["fair", "kind", "revoked"]

    def filter_revoked(self, queryset, name, value):
        return queryset.filter(revoked_at__isnull=not value)


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
    400: REFUSED,
}


@extend_schema_view(
    list=extend_schema(summary=str(_("Badges (filter by fair, kind, revoked; search names, serial)"))),
    retrieve=extend_schema(responses={200: BadgeDetailSerializer}),
)
class BadgeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Badges of fairs (staff only). Exhibitors' badges are issued for a fair in one action
    (``POST /badges/issue/``, again: only what is missing); other kinds are created one by one.
    ``revoke`` and ``reissue`` (the old code is revoked, a new badge is made) need a reason.
    A refusal answers 400 with the service's code (``fair_not_issuing``, ``kind_invalid``,
    ``reason_required``, ``already_revoked``, ``validity_outside_fair``…)."""

    permission_classes = STAFF
    filterset_class = BadgeFilter
    search_fields = ["name", "name_ar", "serial", "organisation"]
    ordering_fields = ["name", "serial", "issued_at", "kind"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = selectors.badges_for_staff()
        if self.action == "retrieve":
            queryset = queryset.select_related("fair__badge_setup")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return BadgeCreateSerializer
        return BadgeDetailSerializer if self.action == "retrieve" else BadgeSerializer

    def _respond(self, badge, code=status.HTTP_200_OK):
        badge = self.get_queryset().select_related("fair__badge_setup").get(pk=badge.pk)
        return Response(BadgeDetailSerializer(badge).data, status=code)

    @extend_schema(request=BadgeCreateSerializer, responses={201: BadgeDetailSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = dict(parse(BadgeCreateSerializer, request))
        badge = services.badge_create(fair=data.pop("fair"), actor=request.user, **data)
        return self._respond(badge, status.HTTP_201_CREATED)

    @extend_schema(
        request=FairInputSerializer,
        responses={200: IssuedSerializer, 400: REFUSED},
        summary=str(_("Issue a badge to every confirmed exhibitor who has none")),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def issue(self, request):
        fair = parse(FairInputSerializer, request)["fair"]
        issued = services.badges_issue_for_fair(fair=fair, actor=request.user)
        return Response({"issued": len(issued)})

    @extend_schema(
        request=BadgeReasonSerializer,
        responses={200: BadgeDetailSerializer, 400: REFUSED},
        summary=str(_("Revoke this badge (say why)")),
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        badge = self.get_object()
        reason = parse(BadgeReasonSerializer, request)["reason"]
        return self._respond(services.badge_revoke(badge=badge, actor=request.user, reason=reason))

    @extend_schema(
        request=BadgeReasonSerializer,
        responses={201: BadgeDetailSerializer, 400: REFUSED},
        summary=str(_("Reissue: a new badge, the old one revoked (say why)")),
    )
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        badge = self.get_object()
        reason = parse(BadgeReasonSerializer, request)["reason"]
        new = services.badge_reissue(badge=badge, actor=request.user, reason=reason)
        return self._respond(new, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[LayoutQuerySerializer],
        responses=PDF_RESPONSE,
        summary=str(_("This badge as a PDF")),
        operation_id="badges_pdf_one",
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def pdf(self, request, pk=None):
        from badges.pdf import badges_pdf

        badge = self.get_object()
        layout = parse(LayoutQuerySerializer, request, data=request.query_params)["layout"]
        if badge.is_revoked:
            raise services.BadgeError(
                code="badge_revoked", message=_("This badge is revoked; reissue it to print a new one.")
            )
        return pdf_response(badges_pdf([badge], layout=layout), f"badge-{badge.serial}.pdf")

    @extend_schema(
        parameters=[BadgePdfQuerySerializer],
        responses=PDF_RESPONSE,
        summary=str(_("All valid badges of a fair as one PDF")),
        operation_id="badges_pdf_all",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="pdf",
        url_name="pdf-all",
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def pdf_all(self, request):
        """Every badge of the fair that is not revoked (``kind`` to print one kind), as A4
        sheets with crop marks (``layout=sheet``, the default) or one card a page."""
        from badges.pdf import badges_filename, badges_pdf, fair_badges

        query = parse(BadgePdfQuerySerializer, request, data=request.query_params)
        fair, kind = query["fair"], query.get("kind") or ""
        # ``nothing_to_print`` when no valid badge is left.
        content = badges_pdf(fair_badges(fair, kind), layout=query["layout"])
        return pdf_response(content, badges_filename(fair, query["layout"], kind))


# --- Scanner devices (staff) ----------------------------------------------------------------


class ScannerDeviceSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = ScannerDevice
        fields = ["id", "name", "fair", "created_at", "created_by", "last_seen_at", "revoked_at", "active"]
        read_only_fields = fields


class ScannerDeviceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    fair = serializers.PrimaryKeyRelatedField(
        queryset=Fair.objects.all(), required=False, allow_null=True,
        help_text=_("The one fair this device may scan; leave it out for every fair."),
    )  # fmt: skip


class ScannerDeviceCreatedSerializer(ScannerDeviceSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Shown this once: only a hash of it is kept. Use “Device <token>”.")
    )

    class Meta(ScannerDeviceSerializer.Meta):
        fields = [*ScannerDeviceSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ScannerDeviceFilter(django_filters.FilterSet):
    fair = django_filters.ModelChoiceFilter(queryset=Fair.objects.all())

    class Meta:
        model = ScannerDevice
        fields = ["fair"]


class ScannerDeviceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Scanner devices (staff only): a phone or tablet at a gate with its own token, which can
    scan and nothing else. The token is in the creation answer only."""

    permission_classes = STAFF
    filterset_class = ScannerDeviceFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "name", "last_seen_at"]
    serializer_class = ScannerDeviceSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return ScannerDevice.objects.select_related("created_by").order_by("-created_at", "-pk")

    @extend_schema(
        request=ScannerDeviceCreateSerializer, responses={201: ScannerDeviceCreatedSerializer, 400: REFUSED}
    )
    def create(self, request, *args, **kwargs):
        data = parse(ScannerDeviceCreateSerializer, request)
        device, token = services.device_create(name=data["name"], fair=data.get("fair"), actor=request.user)
        device = self.get_queryset().get(pk=device.pk)
        device.token = token
        return Response(ScannerDeviceCreatedSerializer(device).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={200: ScannerDeviceSerializer}, summary=str(_("Revoke this device"))
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        device = services.device_revoke(device=self.get_object(), actor=request.user)
        return Response(ScannerDeviceSerializer(self.get_queryset().get(pk=device.pk)).data)
