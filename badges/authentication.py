"""Scanner devices authenticate with ``Authorization: Device <token>``, and only to scan.

``DeviceTokenAuthentication`` is listed on the scanner endpoints alone (scanner fairs, bundle,
counters, check-ins); everywhere else the default classes do not know the ``Device`` keyword.
``DeviceTokenRefused`` (proposed for the default classes) turns a device token presented
to any other endpoint into a clear 403 instead of an anonymous request, so a device never
reads even the public lists "as itself".

A device is not a user: ``request.user`` stays anonymous and ``request.auth`` is the
``ScannerDevice``, so no permission written for people can ever let a device through.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from badges import scan_sql
from badges.models import ScannerDevice

KEYWORD = "Device"
# last_seen_at is written at most this often: a busy gate does not write on every scan.
LAST_SEEN_EVERY = dt.timedelta(minutes=1)


def _device_token(request) -> str | None:
    """The token of an ``Authorization: Device <token>`` header, None for any other header."""
    words = get_authorization_header(request).split()
    if not words or words[0].lower() != KEYWORD.lower().encode():
        return None
    if len(words) != 2:
        raise exceptions.AuthenticationFailed(
            _("Send the device token as “Authorization: Device <token>”."), code="device_token_malformed"
        )
    try:
        return words[1].decode("ascii")
    except UnicodeError:
        raise exceptions.AuthenticationFailed(
            _("This device token is not valid."), code="device_token_invalid"
        ) from None


class DeviceTokenAuthentication(BaseAuthentication):
    """A scanner device by its token (only a SHA-256 of it is stored). Revoked: 401."""

    keyword = KEYWORD

    def authenticate(self, request):
        token = _device_token(request)
        if token is None:
            return None
        device = scan_sql.device_for_token(ScannerDevice.hash_token(token))
        if device is None:
            raise exceptions.AuthenticationFailed(
                _("This device token is not valid."), code="device_token_invalid"
            )
        if device.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This scanner device has been revoked; ask the delegation staff for a new one."),
                code="device_revoked",
            )
        now = timezone.now()
        if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_EVERY:
            ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
            device.last_seen_at = now
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenRefused(BaseAuthentication):
    """For the default classes: a device token anywhere but the scanner endpoints is refused.

    Without it a device token on a public list (``GET /fairs/``) would be read as an
    anonymous request; with it the device is told plainly that it may only scan.
    """

    def authenticate(self, request):
        if _device_token(request) is not None:
            raise exceptions.AuthenticationFailed(
                _("A scanner device token may only scan."), code="device_token_not_allowed"
            )
        return None


def device_of(request) -> ScannerDevice | None:
    """The scanner device the request came from (``Authorization: Device``), or None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ScannerDevice) else None


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "A scanner device's token, as “Device <token>”. Staff create devices (the token "
                    "is shown once) and revoke them; a device token works on the scanner endpoints "
                    "only, and a revoked device gets 401."
                )
            ),
        }


class DeviceTokenRefusedScheme(OpenApiAuthenticationExtension):
    """Not a way in: nothing to document (and no "could not resolve authenticator" warning)."""

    target_class = DeviceTokenRefused
    name = ()

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []
