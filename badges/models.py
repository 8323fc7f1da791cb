import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import in_script
from fairs.models import Fair
from registrations.models import Application


class BadgeKind(models.TextChoices):
    EXHIBITOR = "exhibitor", _("exhibitor")
    STAFF = "staff", _("staff")
    PRESS = "press", _("press")
    VISITOR = "visitor", _("visitor")
    VIP = "vip", _("VIP")


# The colour band printed on each kind of badge (and shown by the scanner).
KIND_COLOURS = {
    BadgeKind.EXHIBITOR: "#0b6e4f",
    BadgeKind.STAFF: "#1d4e89",
    BadgeKind.PRESS: "#6c3483",
    BadgeKind.VISITOR: "#7f8c8d",
    BadgeKind.VIP: "#b9770e",
}


class CardFormat(models.TextChoices):
    CR80 = "cr80", _("card (CR80, 85.6 × 54 mm)")
    A6 = "a6", _("A6 (105 × 148 mm)")


class BadgeSetup(models.Model):
    """A fair's badge settings and its Ed25519 key pair (created with the first badge).

    The private key signs badge codes and never leaves the server; the public key goes to
    every scanner. Like pretix, the key is kept in the database: whoever reads a backup could
    sign badges for that fair, so backups are handled like the secret key (docs/deploy.md).
    """

    fair = models.OneToOneField(
        Fair, on_delete=models.CASCADE, related_name="badge_setup", verbose_name=_("fair")
    )
    card_format = models.CharField(
        _("badge format"), max_length=8, choices=CardFormat.choices, default=CardFormat.CR80
    )
    private_key = models.BinaryField(editable=False)
    public_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("badge setup")
        verbose_name_plural = _("badge setups")

    def __str__(self):
        return str(self.fair)


class Badge(models.Model):
    """One badge of one fair. A reissued badge is a new row; the old one is revoked."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="badges", verbose_name=_("fair"))
    kind = models.CharField(_("kind"), max_length=10, choices=BadgeKind.choices)
    serial = models.CharField(_("serial"), max_length=8, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="badges",
        verbose_name=_("application"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    role_label = models.CharField(
        _("role"), max_length=80, blank=True, help_text=_("e.g. photographer, jury")
    )
    email = models.EmailField(_("email"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # Presence, kept under the badge's row lock by check_in: when the holder last went in
    # (null once they went out). "Inside" only counts on the day of that entry.
    inside_since = models.DateTimeField(_("inside since"), null=True, blank=True, editable=False)
    # The first accepted entry on the latest day with one, kept with inside_since: a scan's
    # answer ("first entry today at 08:52") and "arrived today" read it instead of the scans.
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True, editable=False)
    # The last accepted exit: an entry sent late from an offline phone, older than it, does
    # not put the holder back inside.
    left_at = models.DateTimeField(_("left"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces", editable=False
    )

    class Meta:
        ordering = ["fair", "kind", "name"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        indexes = [models.Index(fields=["fair", "kind"]), models.Index(fields=["fair", "revoked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="badge_validity_ordered"
            ),
            models.CheckConstraint(condition=Q(kind__in=BadgeKind.values), name="badge_kind_valid"),
            # An exhibitor badge belongs to an application; the others never do.
            models.CheckConstraint(
                condition=Q(kind=BadgeKind.EXHIBITOR, application__isnull=False)
                | (~Q(kind=BadgeKind.EXHIBITOR) & Q(application__isnull=True)),
                name="badge_exhibitor_has_application",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="badge_revoked_has_reason"
            ),
            # One valid badge per application at a time: issuing twice cannot race past this.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(revoked_at__isnull=True),
                name="badge_one_active_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.serial} {self.name}"

    @property
    def display_name(self) -> str:
        return in_script(self.name, self.name_ar)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def colour(self) -> str:
        return KIND_COLOURS[self.kind]


class ScannerDevice(models.Model):
    """A phone or tablet allowed to scan, with its own token. The token can scan and nothing else.

    Only a SHA-256 of the token is stored; staff see the token once, when the device is made.
    """

    name = models.CharField(_("name"), max_length=80)
    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, null=True, blank=True, related_name="scanner_devices",
        verbose_name=_("fair"), help_text=_("Leave empty for a device that may scan at every fair."),
    )  # fmt: skip
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scanner device")
        verbose_name_plural = _("scanner devices")

    def __str__(self):
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(30)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def may_scan(self, fair: Fair) -> bool:
        return self.is_active and (self.fair_id is None or self.fair_id == fair.pk)


class CheckInResult(models.TextChoices):
    """The fixed list of scan answers (the API documents it; scanners switch on it)."""

    OK = "ok", _("welcome")
    ALREADY_INSIDE = "already_inside", _("already inside")
    REVOKED = "revoked", _("revoked badge")
    WRONG_FAIR = "wrong_fair", _("badge of another fair")
    NOT_VALID_NOW = "not_valid_now", _("not valid today")
    UNKNOWN = "unknown", _("unknown badge")
    INVALID = "invalid", _("not a valid code")


class Direction(models.TextChoices):
    IN = "in", _("entry")
    OUT = "out", _("exit")


class CheckIn(models.Model):
    """Every scan, accepted or not. ``origin`` + ``nonce`` is unique: a retried or replayed
    upload never records twice."""

    # No single-column indexes on fair and badge: the (fair, …) and (badge, scanned_at) indexes
    # below serve those look-ups, and every scan pays for each index it inserts into.
    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("fair"), db_index=False
    )
    badge = models.ForeignKey(
        Badge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("badge"),
        db_index=False,
    )
    raw_code = models.CharField(_("code as scanned"), max_length=200, blank=True)
    gate = models.CharField(_("gate"), max_length=40)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    result = models.CharField(_("result"), max_length=16, choices=CheckInResult.choices)
    device = models.ForeignKey(
        ScannerDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_ins"
    )
    scanner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(max_length=40, editable=False, help_text="device:<id> or user:<id>")
    nonce = models.CharField(_("nonce"), max_length=64)
    scanned_at = models.DateTimeField(_("scanned"), help_text=_("Time on the device, when it is believable."))
    device_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    offline = models.BooleanField(_("scanned offline"), default=False)
    # For offline scans: what the device answered at the gate. When the server's answer
    # differs (e.g. the same badge entered at two gates while both were offline) it is a conflict.
    local_result = models.CharField(max_length=16, choices=CheckInResult.choices, blank=True)
    conflict = models.BooleanField(_("conflict"), default=False)

    class Meta:
        ordering = ["-scanned_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            models.Index(fields=["fair", "scanned_at"]),
            models.Index(fields=["badge", "scanned_at"]),
            models.Index(fields=["fair", "conflict"]),
            # The day's accepted entries (the live view's arrivals by hour), from the index alone.
            models.Index(
                fields=["fair", "result", "direction", "scanned_at", "badge"], name="checkin_arrivals"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["origin", "nonce"], name="checkin_nonce_once_per_origin"),
            models.CheckConstraint(condition=Q(result__in=CheckInResult.values), name="checkin_result_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="checkin_direction_valid"
            ),
        ]

    def __str__(self):
        return f"{self.gate} {self.direction} {self.result}"


class BadgePrint(models.Model):
    """A PDF of many badges, drawn in the background while staff watch it progress.

    ``done`` of ``total`` badges drawn so far; the file lands in the private print folder
    (``badges.printing``), never in public media: badges carry names and photos.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        DRAWING = "drawing", _("drawing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, editable=False)
    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="badge_prints")
    kind = models.CharField(max_length=10, choices=BadgeKind.choices, blank=True)
    layout = models.CharField(max_length=5)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    progressed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(layout__in=["card", "sheet"]), name="badge_print_layout_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="badge_print_done_within_total"),
        ]

    def __str__(self):
        return f"{self.fair} {self.layout} {self.status}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
