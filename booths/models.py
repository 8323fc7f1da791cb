from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, in_script
from fairs.models import Fair
from registrations.models import BOOTH_SIZES, Application, BoothKind

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is # and six hexadecimal digits, e.g. #0b6e4f."))


class Zone(models.Model):
    """A hall or area of one fair, with the crafts it takes and a colour on the plan."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="zones", verbose_name=_("fair"))
    name = models.CharField(_("name"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#0b6e4f", validators=[COLOUR])
    craft_categories = models.ManyToManyField(
        CraftCategory, blank=True, related_name="+", verbose_name=_("crafts"),
        help_text=_("Leave empty for a zone that takes every craft."),
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["fair", "position", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [models.UniqueConstraint(fields=["fair", "name"], name="zone_name_unique_per_fair")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_script(self.name, self.name_ar)


class Booth(models.Model):
    """A booth on a fair's floor plan. Its position and size are in metres on the plan."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        HELD = "held", _("held")
        BLOCKED = "blocked", _("blocked")

    class Tier(models.IntegerChoices):
        HIGH = 1, _("high traffic")
        MEDIUM = 2, _("medium traffic")
        LOW = 3, _("low traffic")

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="booths", verbose_name=_("fair"))
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="booths", verbose_name=_("zone")
    )
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=BoothKind.choices, default=BoothKind.STANDARD)
    size = models.PositiveSmallIntegerField(_("size"), choices=BOOTH_SIZES, default=9)
    price = models.DecimalField(
        _("price (MAD)"), max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    tier = models.PositiveSmallIntegerField(_("traffic"), choices=Tier.choices, default=Tier.MEDIUM)
    accessible = models.BooleanField(_("step-free access"), default=True)
    has_electricity = models.BooleanField(_("electricity"), default=True)
    x = models.DecimalField(_("x (m)"), max_digits=7, decimal_places=2, default=Decimal("0"))
    y = models.DecimalField(_("y (m)"), max_digits=7, decimal_places=2, default=Decimal("0"))
    width = models.DecimalField(
        _("width (m)"), max_digits=5, decimal_places=2, default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("50"))],
    )  # fmt: skip
    depth = models.DecimalField(
        _("depth (m)"), max_digits=5, decimal_places=2, default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("50"))],
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["fair", "code"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        indexes = [models.Index(fields=["fair", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["fair", "code"], name="booth_code_unique_per_fair"),
            models.CheckConstraint(
                condition=Q(status__in=["available", "held", "blocked"]), name="booth_status_valid"
            ),
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="booth_tier_valid"),
            models.CheckConstraint(condition=Q(price__gte=0), name="booth_price_not_negative"),
            models.CheckConstraint(condition=Q(width__gt=0) & Q(depth__gt=0), name="booth_has_area"),
            models.CheckConstraint(
                condition=Q(status="available") | ~Q(status_reason=""), name="booth_hold_has_reason"
            ),
        ]

    def __str__(self):
        return self.code

    def overlaps(self, other: "Booth") -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.depth
            and other.y < self.y + self.depth
        )


class Assignment(models.Model):
    """Booth ↔ application: each at most once (one-to-one on both sides, in the database)."""

    class Method(models.TextChoices):
        AUTO = "auto", _("allocation")
        MANUAL = "manual", _("by hand")

    booth = models.OneToOneField(
        Booth, on_delete=models.CASCADE, related_name="assignment", verbose_name=_("booth")
    )
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="assignment", verbose_name=_("application")
    )
    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("fair")
    )
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked assignment survives a new allocation run.")
    )
    explanation = models.JSONField(_("why"), default=list, blank=True)
    created_at = models.DateTimeField(_("assigned on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["fair", "booth__code"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["auto", "manual"]), name="assignment_method_valid"
            ),
        ]

    def __str__(self):
        return f"{self.booth} ← {self.application}"


class AllocationRun(models.Model):
    """One committed run of the allocation engine: its seed, figures and who was left out."""

    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="allocation_runs", verbose_name=_("fair")
    )
    seed = models.CharField(_("seed"), max_length=40)
    placed = models.PositiveIntegerField(_("placed"))
    metrics = models.JSONField(_("figures"), default=dict)
    unplaced = models.JSONField(
        _("left without a booth"), default=list, help_text="[[application id, reason], …]"
    )
    created_at = models.DateTimeField(_("run on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self):
        return f"{self.fair} {self.created_at:%Y-%m-%d %H:%M}"
