from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, Province, in_script
from core.validators import validate_cin, validate_phone
from fairs.models import Fair

LANGUAGE_CHOICES = [
    ("ar", _("Arabic")),
    ("zgh", _("Amazigh")),
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("it", _("Italian")),
]


class Cooperative(models.Model):
    """A cooperative, association or company that artisans belong to."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("cooperative")
        ASSOCIATION = "association", _("association")
        COMPANY = "company", _("company")

    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COOPERATIVE)
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    women_only = models.BooleanField(_("women's cooperative"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")

    def __str__(self):
        return self.name


class Artisan(models.Model):
    """An artisan of the registry; may have a user account (self-service) or not (walk-ins)."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("woman")
        MALE = "M", _("man")

    class Area(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="artisan",
        verbose_name=_("account"),
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    first_name_ar = models.CharField(_("first name (Arabic)"), max_length=80, blank=True)
    last_name_ar = models.CharField(_("last name (Arabic)"), max_length=80, blank=True)
    cin = models.CharField(_("CIN"), max_length=10, unique=True, validators=[validate_cin])
    registry_number = models.CharField(_("registry number"), max_length=30, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1920), MaxValueValidator(2015)],
    )
    phone = models.CharField(_("phone"), max_length=13, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="artisans", verbose_name=_("province")
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    area = models.CharField(_("urban or rural"), max_length=5, choices=Area.choices, default=Area.URBAN)
    main_craft = models.ForeignKey(
        CraftCategory, on_delete=models.PROTECT, related_name="artisans", verbose_name=_("main craft")
    )
    other_crafts = models.ManyToManyField(
        CraftCategory, blank=True, related_name="+", verbose_name=_("other crafts")
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("cooperative"),
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    bio = models.TextField(_("about my work"), blank=True, max_length=2000)
    photo = models.ImageField(_("photo"), upload_to="artisans/", blank=True)
    shop_url = models.URLField(_("shop or page"), blank=True)
    created_at = models.DateTimeField(_("registered on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("artisan")
        verbose_name_plural = _("artisans")
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["last_name_ar"]),
            models.Index(fields=["province", "main_craft"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_number"], condition=~Q(registry_number=""), name="artisan_registry_unique"
            ),
            models.CheckConstraint(condition=Q(gender__in=["F", "M"]), name="artisan_gender_valid"),
            models.CheckConstraint(condition=Q(area__in=["urban", "rural"]), name="artisan_area_valid"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("registrations:artisan_detail", kwargs={"pk": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name_ar(self) -> str:
        return f"{self.first_name_ar} {self.last_name_ar}".strip()

    @property
    def display_name(self) -> str:
        return in_script(self.full_name, self.full_name_ar)

    def missing_for_application(self) -> list[str]:
        """The profile fields an application needs that are still empty (their labels)."""
        required = ["first_name", "last_name", "cin", "gender", "birth_year", "province_id", "main_craft_id"]
        missing = [name for name in required if not getattr(self, name)]
        if not (self.phone or self.email):
            missing.append("phone")
        return [str(self._meta.get_field(name.removesuffix("_id")).verbose_name) for name in missing]

    @property
    def is_complete(self) -> bool:
        return not self.missing_for_application()


class ProductPhoto(models.Model):
    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="product_photos")
    image = models.ImageField(_("photo"), upload_to="products/")
    caption = models.CharField(_("caption"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self):
        return self.caption or self.image.name


class BoothKind(models.TextChoices):
    """Booth kinds an artisan may ask for; the booths app builds booths of these kinds."""

    STANDARD = "standard", _("standard")
    CORNER = "corner", _("corner")
    ISLAND = "island", _("island")
    OUTDOOR = "outdoor", _("outdoor")


BOOTH_SIZES = [
    (6, _("6 m² (2 × 3 m)")),
    (9, _("9 m² (3 × 3 m)")),
    (12, _("12 m² (3 × 4 m)")),
    (18, _("18 m² (3 × 6 m)")),
]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted, to confirm")
    WAITLISTED = "waitlisted", _("waitlisted")
    REJECTED = "rejected", _("not selected")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("offer expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Application(models.Model):
    """An artisan's request for a booth at one fair, and where the jury's decision stands."""

    Status = ApplicationStatus

    artisan = models.ForeignKey(
        Artisan, on_delete=models.PROTECT, related_name="applications", verbose_name=_("artisan")
    )
    fair = models.ForeignKey(
        Fair, on_delete=models.PROTECT, related_name="applications", verbose_name=_("fair")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    booth_kind = models.CharField(
        _("booth kind"), max_length=10, choices=BoothKind.choices, default=BoothKind.STANDARD
    )
    booth_size = models.PositiveSmallIntegerField(_("booth size"), choices=BOOTH_SIZES, default=9)
    preferred_sector = models.ForeignKey(
        CraftCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        verbose_name=_("preferred craft area"),
    )
    near_cooperative = models.BooleanField(_("next to my cooperative's members"), default=False)
    products = models.TextField(_("products I will show"), max_length=2000)
    needs_electricity = models.BooleanField(_("needs electricity"), default=False)
    needs_accessibility = models.BooleanField(_("needs step-free access"), default=False)
    needs_notes = models.CharField(_("other needs"), max_length=300, blank=True)
    passport_valid_until = models.DateField(_("passport valid until"), null=True, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    export_experience = models.TextField(_("export experience"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    offer_deadline = models.DateTimeField(_("confirm before"), null=True, blank=True)
    waitlist_rank = models.PositiveIntegerField(_("waitlist rank"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["fair", "submitted_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["fair", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["artisan", "fair"], name="application_one_per_artisan_and_fair"),
            models.UniqueConstraint(
                fields=["fair", "waitlist_rank"],
                condition=Q(waitlist_rank__isnull=False),
                name="application_waitlist_rank_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_rank__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_rank__isnull=True)),
                name="application_rank_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(offer_deadline__isnull=False),
                name="application_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(booth_size__in=[6, 9, 12, 18]), name="application_booth_size_valid"
            ),
        ]

    def __str__(self):
        return f"{self.artisan} — {self.fair}"

    def get_absolute_url(self):
        return reverse("registrations:application_detail", kwargs={"pk": self.pk})

    @property
    def offer_expired(self) -> bool:
        return (
            self.status == self.Status.ACCEPTED
            and self.offer_deadline is not None
            and self.offer_deadline <= timezone.now()
        )


class ApplicationPhoto(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="applications/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application photo")
        verbose_name_plural = _("application photos")

    def __str__(self):
        return self.image.name


class Review(models.Model):
    """One reviewer's score for one application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(condition=Q(score__gte=1), name="review_score_positive"),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.score}"


class Notification(models.Model):
    """An email Souk sent (or tried to send) an artisan, kept so staff and artisan see it."""

    class Delivery(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        NO_ADDRESS = "no_address", _("no email address")

    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="notifications")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    to = models.EmailField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.subject
