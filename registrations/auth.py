"""Log in with a username, or — for artisans — with their CIN, phone number or email address.

Artisans rarely remember a username: the one sign-up gives them is their CIN, and they know
their phone number better still. ``ArtisanBackend`` replaces Django's ``ModelBackend`` (it
keeps its permission checks) and finds the account by whatever the person typed:

* the exact username (staff, reviewers, scanners, and artisans typing their CIN as given);
* a CIN in any case or spacing (``be 123456`` → ``BE123456``) → that artisan's account;
* an email address → the account with that address, or the artisan's account with it;
* a Moroccan phone number in any usual writing (``06 12 34 56 78``, ``+212612345678``) →
  the account of the artisan with that number.

A phone number or email may belong to more than one person (a family sharing a phone): the
password decides which account opens.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from core.validators import normalize_cin, normalize_phone

User = get_user_model()

# How many accounts sharing one phone or email are tried before giving up.
MAX_CANDIDATES = 5


def _normalized(normalize, value: str) -> str | None:
    try:
        return normalize(value)
    except ValidationError:
        return None


def candidate_users(login: str) -> list:
    """The active or inactive accounts ``login`` may name, most specific first (no duplicates)."""
    from registrations.models import Artisan

    login = (login or "").strip()
    if not login:
        return []
    found: list = []

    def add(users):
        for user in users:
            if user not in found:
                found.append(user)

    add(User.objects.filter(username=login))
    if "@" in login:
        add(User.objects.filter(email__iexact=login).order_by("pk")[:MAX_CANDIDATES])
        add(
            a.user
            for a in Artisan.objects.filter(email__iexact=login, user__isnull=False)
            .select_related("user")
            .order_by("pk")[:MAX_CANDIDATES]
        )
        return found
    cin = _normalized(normalize_cin, login)
    if cin:
        add(a.user for a in Artisan.objects.filter(cin=cin, user__isnull=False).select_related("user"))
        add(User.objects.filter(username=cin))
    phone = _normalized(normalize_phone, login)
    if phone:
        add(
            a.user
            for a in Artisan.objects.filter(phone=phone, user__isnull=False)
            .select_related("user")
            .order_by("pk")[:MAX_CANDIDATES]
        )
    return found


class ArtisanBackend(ModelBackend):
    """``ModelBackend`` that also accepts a CIN, a phone number or an email as the login."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        candidates = candidate_users(username)
        if not candidates:
            # Hash anyway, so an unknown login takes as long as a wrong password.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
