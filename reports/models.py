import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registrations.models import Application

# Above these a figure is a typing slip, not a craft fair's result: refused with a message.
MAX_SALES_MAD = Decimal("5000000")
MAX_COUNT = 100_000


class Outcome(models.Model):
    """What one participation earned: reported after the fair by the artisan or by staff."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("participation")
    )
    sales_mad = models.DecimalField(_("sales (MAD)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    items_sold = models.PositiveIntegerField(_("items sold"), default=0)
    orders = models.PositiveIntegerField(_("orders taken"), default=0)
    export_contacts = models.PositiveIntegerField(_("export contacts"), default=0)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(sales_mad__gte=0, sales_mad__lte=MAX_SALES_MAD), name="outcome_sales_in_range"
            ),
            models.CheckConstraint(
                condition=Q(items_sold__lte=MAX_COUNT, orders__lte=MAX_COUNT, export_contacts__lte=MAX_COUNT),
                name="outcome_counts_in_range",
            ),
        ]

    def __str__(self):
        return str(self.application)


# Verification codes are typed by people reading a sheet of paper: Crockford's base32 (digits
# and capitals without I, L, O, U), 16 characters (80 random bits, so guessing one is hopeless
# without any rate limit), printed in four groups of four.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_CODE_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _attestation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text) -> str:
    """A typed or scanned code in its stored form ("" when it cannot be one): case, spaces and
    dashes do not matter, and O, I, L read as 0, 1, 1 (the letters a code never holds)."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return ""
    code = "".join(text.split()).replace("-", "").upper().translate(_CODE_TYPOS)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return ""
    return code


def code_groups(code: str) -> str:
    """``7KQ4M2XR9HTPW3ND`` → ``7KQ4-M2XR-9HTP-W3ND``."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


class Attestation(models.Model):
    """A certificate of participation. Its random code, printed as a QR, opens the public
    verification page; a code that is not in this table was not issued by Souk."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="attestation", verbose_name=_("participation")
    )
    code = models.CharField(_("verification code"), max_length=24, unique=True, default=_attestation_code)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    days_present = models.PositiveSmallIntegerField(_("days present"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self):
        return self.code

    def get_verify_url(self):
        return reverse("reports:attestation_verify", kwargs={"code": self.code})

    @property
    def code_display(self) -> str:
        return code_groups(self.code)
