"""Moroccan formats: national ID (CIN), phone numbers, artisan registry numbers.

Each ``normalize_*`` returns the one stored form or raises ``ValidationError`` naming what
is wrong; the validators wrap them for model fields.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# CIN: one or two letters (the issuing office), then digits: "BE123456", "J45678".
CIN_RE = re.compile(r"^[A-Z]{1,2}[0-9]{1,7}$")
# Mobile and landline: +212 or 0, then 5, 6 or 7, then eight digits.
PHONE_RE = re.compile(r"^(?:\+212|00212|212|0)([567]\d{8})$")
# Registry of traditional industry: digits, optionally with a letter prefix and dashes or slashes.
REGISTRY_RE = re.compile(r"^[A-Z0-9][A-Z0-9/\-]{3,29}$")


def normalize_cin(value: str) -> str:
    cin = re.sub(r"[\s\-]", "", value or "").upper()
    if not CIN_RE.match(cin):
        raise ValidationError(
            _("A CIN is one or two letters followed by digits, e.g. BE123456."), code="invalid_cin"
        )
    return cin


def normalize_phone(value: str) -> str:
    """Any usual way of writing a Moroccan number → ``+212XXXXXXXXX``."""
    digits = re.sub(r"[\s\-.()/]", "", value or "")
    match = PHONE_RE.match(digits)
    if not match:
        raise ValidationError(
            _("A phone number is +212 or 0, then 5, 6 or 7 and eight digits, e.g. 0612345678."),
            code="invalid_phone",
        )
    return f"+212{match.group(1)}"


def normalize_registry_number(value: str) -> str:
    number = re.sub(r"\s", "", value or "").upper()
    if not REGISTRY_RE.match(number):
        raise ValidationError(
            _("A registry number has 4 to 30 letters, digits, dashes or slashes."), code="invalid_registry"
        )
    return number


def validate_cin(value: str) -> None:
    if normalize_cin(value) != value:
        raise ValidationError(_("Write the CIN in capitals without spaces."), code="invalid_cin")


def validate_phone(value: str) -> None:
    if normalize_phone(value) != value:
        raise ValidationError(_("Store the phone number as +212 and nine digits."), code="invalid_phone")


def format_phone(value: str) -> str:
    """``+212612345678`` → ``06 12 34 56 78`` for display."""
    if not value or not value.startswith("+212"):
        return value or ""
    local = "0" + value[4:]
    return " ".join(local[i : i + 2] for i in range(0, len(local), 2))
