from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import CraftCategory, Province, in_script


class Venue(models.Model):
    class Kind(models.TextChoices):
        COMPLEX = "complex", _("traditional industry complex")
        VILLAGE = "village", _("artisans' village")
        EXHIBITION_SPACE = "exhibition_space", _("exhibition space")
        MEDINA = "medina", _("old medina")
        HALL = "hall", _("exhibition hall")
        OUTDOOR = "outdoor", _("outdoor site")

    name = models.CharField(_("name"), max_length=150, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="venues", verbose_name=_("province")
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity (booths)"), validators=[MinValueValidator(1)], null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="venue_capacity_positive"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_script(self.name, self.name_ar)


class FairStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for applications")
    REVIEWING = "reviewing", _("reviewing applications")
    ALLOCATING = "allocating", _("allocating booths")
    PUBLISHED = "published", _("published")
    RUNNING = "running", _("running")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


class FairQuerySet(models.QuerySet):
    def visible_to_public(self):
        return self.exclude(status=Fair.Status.DRAFT)

    def calls_open(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Fair.Status.OPEN, applications_open_at__lte=now, applications_close_at__gt=now
        )

    def upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.visible_to_public().filter(ends_on__gte=today).exclude(status=Fair.Status.CANCELLED)


class Fair(models.Model):
    """A craft fair or exhibition: organized by the delegation, or one it takes part in."""

    class Scope(models.TextChoices):
        LOCAL = "local", _("local")
        REGIONAL = "regional", _("regional")
        NATIONAL = "national", _("national")
        INTERNATIONAL = "international", _("international")

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("organized by the delegation")
        PARTICIPANT = "participant", _("delegation takes part")

    Status = FairStatus

    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.LOCAL)
    role = models.CharField(
        _("delegation's role"), max_length=16, choices=Role.choices, default=Role.ORGANIZER
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fairs",
        verbose_name=_("venue"),
    )
    city = models.CharField(
        _("city"), max_length=100, blank=True, help_text=_("For fairs outside the delegation's venues.")
    )
    country = CountryField(_("country"), default="MA")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    applications_open_at = models.DateTimeField(_("applications open"), null=True, blank=True)
    applications_close_at = models.DateTimeField(_("applications close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    capacity = models.PositiveIntegerField(_("capacity (exhibitors)"))
    fee = models.DecimalField(
        _("fee (MAD)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    craft_categories = models.ManyToManyField(
        CraftCategory, blank=True, related_name="fairs", verbose_name=_("crafts accepted")
    )
    quota_women = models.PositiveSmallIntegerField(
        _("target share of women (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    quota_rural = models.PositiveSmallIntegerField(
        _("target share of rural artisans (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    quota_first_timers = models.PositiveSmallIntegerField(
        _("target share of first-timers (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    description = models.TextField(_("description"), blank=True)
    # Review and offers (registrations).
    blind_review = models.BooleanField(
        _("blind review"), default=False, help_text=_("Reviewers do not see names, photos or cooperatives.")
    )
    score_max = models.PositiveSmallIntegerField(
        _("highest score"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("Reviewers score from 1 to this number."),
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to confirm an offer"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # What national and international exhibitions may ask for on top.
    asks_passport = models.BooleanField(_("ask for passport validity"), default=False)
    asks_languages = models.BooleanField(_("ask for languages spoken"), default=False)
    asks_export = models.BooleanField(_("ask for export experience"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FairQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")
        indexes = [models.Index(fields=["status", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="fair_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="fair_capacity_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="fair_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(applications_open_at__isnull=True, applications_close_at__isnull=True)
                | Q(applications_close_at__gt=F("applications_open_at")),
                name="fair_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(quota_women__lte=100) & Q(quota_rural__lte=100) & Q(quota_first_timers__lte=100),
                name="fair_quotas_are_shares",
            ),
            models.CheckConstraint(condition=Q(status__in=FairStatus.values), name="fair_status_valid"),
            models.CheckConstraint(condition=Q(score_max__gte=2), name="fair_score_scale"),
            models.CheckConstraint(condition=Q(offer_days__gte=1), name="fair_offer_days_positive"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fairs:detail", kwargs={"pk": self.pk})

    def get_public_url(self):
        return reverse("fairs:public_detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        if bool(self.applications_open_at) != bool(self.applications_close_at):
            field = "applications_close_at" if self.applications_open_at else "applications_open_at"
            errors[field] = _("Give both ends of the application window, or neither.")
        elif self.applications_open_at and self.applications_close_at:
            if self.applications_close_at <= self.applications_open_at:
                errors["applications_close_at"] = _("Applications must close after they open.")
            elif self.starts_on and timezone.localdate(self.applications_close_at) >= self.starts_on:
                errors["applications_close_at"] = _("Applications must close before the fair starts.")
        if self.capacity is not None and self.capacity <= 0:
            errors["capacity"] = _("Capacity must be at least 1.")
        if self.role == self.Role.ORGANIZER and not self.venue_id and not self.city:
            errors["venue"] = _("Choose the venue, or give the city.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return in_script(self.name, self.name_ar)

    @property
    def place(self) -> str:
        if self.venue_id:
            return str(self.venue)
        # The country's name in the reader's language ("Ouagadougou, Burkina Faso"), none at home.
        country = self.country.name if self.country and self.country.code != "MA" else ""
        return ", ".join(p for p in (self.city, country) if p)

    def is_call_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN
            and self.applications_open_at is not None
            and self.applications_open_at <= now < self.applications_close_at
        )
