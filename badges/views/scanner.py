"""The scanner page organizers open on a phone at the gate, and what makes it work offline.

* ``/scan/`` is a shell with no personal data: the same page for anyone (a paired device, a
  signed-in scanner, or nobody yet). Everything personal (fairs, roster, answers) comes from
  the scanner API, called by static/badges/scanner.js with the device token or the session.
  Its user-facing text is translated here and handed to the script in a json_script block,
  so the script holds no text of its own.
* ``/scan/sw.js`` is the service worker (scope ``/scan/``): it keeps the shell, its script,
  styles, the QR decoder and Bootstrap, and the holders' photos, so a page reloaded with the
  network off still opens. It is rendered with the current static URLs (hashed ones once
  ``collectstatic`` ran) and a version made from those files, so any change to them ships a
  new worker, which browsers fetch without their HTTP cache.
* ``/scan/manifest.webmanifest`` lets an organizer add the scanner to the home screen.

Browsers give service workers, WebCrypto and the camera only to secure contexts (HTTPS, or
http on localhost): the page says so when it is opened over plain http (docs/deploy.md).
"""

import hashlib
import json
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from badges.models import KIND_COLOURS, BadgeKind, CheckInResult

SCOPE = "/scan/"
# What the service worker keeps for the page to open offline (static paths).
SHELL_ASSETS = (
    "badges/scanner.js",
    "badges/scanner.css",
    "vendor/jsqr/jsQR.js",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.rtl.min.css",
    "favicon.svg",
)
PHOTO_CACHE = "souk-scanner-photos"
SHELL_CACHE_PREFIX = "souk-scanner-shell-"

# How long an answer stays on screen before the next scan (milliseconds).
OK_SHOWN_MS = 2500
REFUSED_SHOWN_MS = 4000
# How often the device refreshes its copy of the fair (bundle) and the counters while online.
BUNDLE_REFRESH_MS = 5 * 60 * 1000
COUNTERS_REFRESH_MS = 30 * 1000
QUEUE_RETRY_MS = 20 * 1000
# An online answer slower than this is given by the device itself (and the scan queued).
ONLINE_TIMEOUT_MS = 5000


def scanner_strings() -> dict[str, object]:
    """Every sentence the scanner script may show, in the request's language.

    Placeholders are Python-style (``%(time)s``); the script fills them in.
    """
    return {
        "result_title": {
            CheckInResult.OK: _("Welcome"),
            "ok_out": _("Exit recorded"),
            CheckInResult.ALREADY_INSIDE: _("Already inside"),
            CheckInResult.NOT_VALID_NOW: _("Not valid today"),
            CheckInResult.REVOKED: _("Revoked badge"),
            CheckInResult.WRONG_FAIR: _("Badge of another fair"),
            CheckInResult.UNKNOWN: _("Unknown badge"),
            CheckInResult.INVALID: _("Not a valid badge code"),
            "unchecked": _("Not checked"),
        },
        # The device's own sentences when it answers offline; online the server sends its own
        # (badges.selectors.scan_message, same wording). A sentence equal to the title is not
        # repeated under it.
        "reason": {
            CheckInResult.OK: _("Welcome"),
            "ok_out": _("Exit recorded"),
            CheckInResult.ALREADY_INSIDE: _("Already inside since %(time)s"),
            "already_inside_unknown_time": _("Already inside"),
            CheckInResult.NOT_VALID_NOW: _("Valid from %(first)s to %(last)s"),
            CheckInResult.REVOKED: _("Revoked badge"),
            CheckInResult.WRONG_FAIR: _("Badge of another fair"),
            CheckInResult.UNKNOWN: _("Unknown badge"),
            CheckInResult.INVALID: _("Not a valid badge code"),
            "no_bundle": _(
                "This device has no offline list for this fair yet: the scan is kept and "
                "checked when the connection returns."
            ),
            "no_crypto": _(
                "Offline checking is not available on this device: the scan is kept and "
                "checked when the connection returns."
            ),
        },
        "kind": {kind.value: str(kind.label) for kind in BadgeKind},
        "offline_answer": _("Checked on this device (offline)"),
        "tap_to_continue": _("Tap to continue"),
        "booth": _("Booth %(code)s"),
        "online": _("Online"),
        "offline": _("Offline"),
        "queue": _("Scans waiting to be sent: %(count)s"),
        "queue_sending": _("Sending the scans made offline…"),
        "queue_refused": _("The server refused the waiting scans: %(detail)s"),
        "conflicts_title": _("Conflicts found after sending offline scans: %(count)s"),
        "conflict_line": _(
            "%(name)s at %(gate)s, %(time)s: this device said “%(local)s”, the server says “%(server)s”."
        ),
        "conflicts_clear": _("Seen, clear the list"),
        "bundle_age": _("Offline list: %(count)s badges, updated at %(time)s"),
        "bundle_missing": _("No offline list downloaded yet for this fair."),
        "bundle_failed": _("The offline list could not be downloaded."),
        "choose_fair": _("Choose a fair"),
        "no_fairs": _("There is no fair you may scan at the moment."),
        "need_gate": _("Name the gate first (e.g. Gate A)."),
        "need_fair": _("Choose the fair first."),
        "pair_title": _("This phone is not paired with Souk yet"),
        "pair_help": _(
            "Ask delegation staff to create a scanner device at %(url)s and open its pairing "
            "link on this phone, or log in with an account that has the scanner role."
        ),
        "token_refused": _(
            "This phone's scanner token was refused (it may have been revoked). Ask staff for a new "
            "pairing link."
        ),
        "unpaired": _("This phone is no longer paired."),
        "insecure_title": _("Offline mode is unavailable"),
        "insecure_help": _(
            "This page was opened over plain HTTP, so the browser allows neither offline storage of "
            "the page nor signature checks (nor, on most phones, the camera). Online scanning by "
            "typing the code still works. Open the scanner over HTTPS to scan offline."
        ),
        "no_ed25519": _(
            "This browser cannot check badge signatures, so it cannot answer offline. Update the "
            "browser (a recent Chrome or Firefox) to scan offline."
        ),
        "camera_unavailable": _("The camera cannot be used here: type the code instead."),
        "camera_denied": _("Camera access was refused. Allow it in the browser settings, or type the code."),
        "camera_start": _("Start the camera"),
        "camera_stop": _("Stop the camera"),
        "server_error": _("The server could not answer: %(detail)s"),
        "counters_offline": _("(last known)"),
    }


def _with_fair_placeholder(name: str) -> str:
    """A fair's API URL with ``{id}`` where the fair goes (the script fills it in)."""
    return reverse(name, kwargs={"pk": 0}).replace("/0/", "/{id}/")


def scanner_config(request) -> dict[str, object]:
    """URLs and settings the script needs; nothing about the person looking."""
    return {
        "api": {
            "fairs": reverse("api-scanner-fairs"),
            "bundle": _with_fair_placeholder("api-scanner-bundle"),
            "counters": _with_fair_placeholder("api-scanner-counters"),
            "check_in": reverse("check-in-list"),
            "upload": reverse("check-in-upload"),
        },
        "service_worker": reverse("badges:scanner_sw"),
        "scope": SCOPE,
        "jsqr": static("vendor/jsqr/jsQR.js"),
        # Where staff create a scanner device and get its pairing link.
        "device_page": request.build_absolute_uri(reverse("badges:device_list")),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_header": "X-CSRFToken",
        "language": get_language(),
        # The venue's clock: the script keeps it up to date from the server's timestamps.
        "utc_offset_minutes": int(timezone.localtime().utcoffset().total_seconds() // 60),
        "photo_cache": PHOTO_CACHE,
        "kind_colours": {str(kind): colour for kind, colour in KIND_COLOURS.items()},
        "ok_shown_ms": OK_SHOWN_MS,
        "refused_shown_ms": REFUSED_SHOWN_MS,
        "bundle_refresh_ms": BUNDLE_REFRESH_MS,
        "counters_refresh_ms": COUNTERS_REFRESH_MS,
        "queue_retry_ms": QUEUE_RETRY_MS,
        "online_timeout_ms": ONLINE_TIMEOUT_MS,
        "upload_batch": 1000,
    }


@require_GET
@ensure_csrf_cookie  # a signed-in scanner's POSTs carry the CSRF cookie's value
def scanner_page(request):
    response = render(
        request,
        "badges/scanner/page.html",
        {
            "strings": scanner_strings(),
            "config": scanner_config(request),
            "rtl": get_language_bidi(),
        },
    )
    # The page is also kept by the service worker; the browser's HTTP cache should not keep
    # a second, older copy of it.
    response["Cache-Control"] = "no-cache"
    return response


_file_digests: dict[tuple[str, int, int], bytes] = {}  # (path, size, mtime) → SHA-256 of the file


def _file_digest(found: str) -> bytes:
    stat = os.stat(found)
    key = (found, stat.st_size, stat.st_mtime_ns)
    if key not in _file_digests:
        with open(found, "rb") as file:
            _file_digests[key] = hashlib.file_digest(file, "sha256").digest()
    return _file_digests[key]


def _asset_version() -> str:
    """A short fingerprint of the shell's URLs and contents: it changes whenever one of them
    does, and is the same on every server that has the same files."""
    digest = hashlib.sha256()
    for asset in SHELL_ASSETS:
        digest.update(static(asset).encode())
        found = finders.find(asset)
        if not found and staticfiles_storage.exists(asset):
            found = staticfiles_storage.path(asset)
        if found:
            digest.update(_file_digest(found))
    return digest.hexdigest()[:16]


@require_GET
@never_cache
def service_worker(request):
    version = _asset_version()
    response = render(
        request,
        "badges/scanner/sw.js",
        {
            "scope": SCOPE,
            "sw_json": json.dumps(
                {
                    "version": version,
                    "shell_cache": SHELL_CACHE_PREFIX + version,
                    "shell_cache_prefix": SHELL_CACHE_PREFIX,
                    "photo_cache": PHOTO_CACHE,
                    "scope": SCOPE,
                    "assets": [static(asset) for asset in SHELL_ASSETS],
                }
            ),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = SCOPE
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Souk scanner"),
        "short_name": _("Scanner"),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": KIND_COLOURS[BadgeKind.EXHIBITOR],
        "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("scan/", scanner_page, name="scanner"),
    path("scan/sw.js", service_worker, name="scanner_sw"),
    path("scan/manifest.webmanifest", manifest, name="scanner_manifest"),
]
