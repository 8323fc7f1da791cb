"""Every change to badges, scanner devices and check-ins goes through here.

Badges: issued for a fair's confirmed exhibitors in one action (again: only what is missing),
by hand or from a CSV for the other kinds; reissued (the old one is revoked, a new serial is
drawn) or revoked with a reason. A withdrawn application revokes its badge (signal).

Check-in (``check_in``), modelled on pretix's ``perform_checkin``: the answer is one of the
fixed ``CheckInResult`` values, every scan is stored (refused ones too), and ``origin`` +
``nonce`` never records twice. Presence (``Badge.inside_since`` and ``arrived_at``) changes only
under the badge's row lock, so two gates scanning one badge at the same moment settle in order.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges import codec, scan_sql
from badges.models import (
    Badge,
    BadgeKind,
    BadgeSetup,
    CardFormat,
    CheckIn,
    CheckInResult,
    Direction,
    ScannerDevice,
)
from core.errors import DomainError
from core.models import User
from core.services import audit_log
from core.sqlite import writers_queue
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus

ISSUING_STATUSES = (Fair.Status.ALLOCATING, Fair.Status.PUBLISHED, Fair.Status.RUNNING)
SCANNING_STATUSES = (Fair.Status.PUBLISHED, Fair.Status.RUNNING, Fair.Status.CLOSED)
# A device clock further than this from the server's is not believed for the scan time.
CLOCK_FUTURE_SLACK = dt.timedelta(minutes=10)
CLOCK_PAST_LIMIT = dt.timedelta(days=7)
GATE_MAX_LENGTH = 40
NONCE_MAX_LENGTH = 64


class BadgeError(DomainError):
    pass


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- Keys and codes ---------------------------------------------------------------------

_public_keys: dict[int, bytes] = {}  # fair id → public key; a fair's key never changes


def setup_for(fair: Fair) -> BadgeSetup:
    """The fair's badge setup, made (with a fresh key pair) the first time it is needed."""
    try:
        return fair.badge_setup
    except BadgeSetup.DoesNotExist:
        pass
    private_key = codec.new_private_key()
    with transaction.atomic():
        setup, _created = BadgeSetup.objects.get_or_create(
            fair=fair,
            defaults={"private_key": private_key, "public_key": codec.public_key_of(private_key)},
        )
    fair.badge_setup = setup
    return setup


def public_key(fair_id: int, *, fresh: bool = False) -> bytes | None:
    """The public key of a fair (cached in the process), or None when it has no badges yet.

    ``fresh`` reads it again: on SQLite a deleted fair's id goes to the next fair, so a key
    cached for that id can be another fair's (and test databases reuse ids all the time).
    """
    key = None if fresh else _public_keys.get(fair_id)
    if key is None:
        key = BadgeSetup.objects.filter(fair_id=fair_id).values_list("public_key", flat=True).first()
        if key is None:
            return None
        key = _public_keys[fair_id] = bytes(key)
    return key


def payload_of(badge: Badge) -> codec.Payload:
    return codec.Payload(
        fair_id=badge.fair_id, serial=badge.serial, kind=badge.kind,
        valid_from=badge.valid_from, valid_until=badge.valid_until,
    )  # fmt: skip


def badge_code(badge: Badge, setup: BadgeSetup | None = None) -> str:
    """The signed code printed in the badge's QR (the same every time: Ed25519 is deterministic)."""
    setup = setup or setup_for(badge.fair)
    return codec.encode(payload_of(badge), bytes(setup.private_key))


def _new_serials(count: int) -> list[str]:
    serials: set[str] = set()
    while len(serials) < count:
        wanted = count - len(serials)
        drawn = {codec.new_serial() for _ in range(wanted)}
        taken = set(Badge.objects.filter(serial__in=drawn).values_list("serial", flat=True))
        serials |= drawn - taken
    return list(serials)


# --- Issuing ----------------------------------------------------------------------------


def _lock_fair(fair: Fair, statuses=ISSUING_STATUSES) -> Fair:
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if fair.status not in statuses:
        raise BadgeError(
            code="fair_not_issuing",
            message=_("Badges of a fair that is “%(status)s” cannot be issued or changed.")
            % {"status": fair.get_status_display()},
        )
    return fair


def _exhibitor_fields(application: Application) -> dict:
    artisan = application.artisan
    return {
        "name": artisan.full_name,
        "name_ar": artisan.full_name_ar,
        "organisation": artisan.cooperative.name if artisan.cooperative_id else "",
        "email": artisan.email,
    }


def _check_validity(fair: Fair, valid_from: dt.date, valid_until: dt.date) -> None:
    if valid_until < valid_from:
        raise BadgeError(
            code="validity_reversed", field="valid_until",
            message=_("The last valid day comes before the first."),
        )  # fmt: skip
    earliest, latest = fair.starts_on - dt.timedelta(days=7), fair.ends_on + dt.timedelta(days=7)
    if valid_from < earliest or valid_until > latest:
        raise BadgeError(
            code="validity_outside_fair", field="valid_from" if valid_from < earliest else "valid_until",
            message=_("A badge is valid from a week before the fair (%(first)s) to a week after it (%(last)s).")
            % {"first": earliest.isoformat(), "last": latest.isoformat()},
        )  # fmt: skip


@transaction.atomic
def badges_issue_for_fair(*, fair: Fair, actor: User | None) -> list[Badge]:
    """Issue a badge to every confirmed exhibitor of ``fair`` who has none yet.

    Running it again issues only what is missing. Writes one ``badges.issue`` audit entry.
    """
    fair = _lock_fair(fair)
    setup_for(fair)
    applications = list(
        Application.objects.filter(fair=fair, status=ApplicationStatus.CONFIRMED)
        .exclude(
            pk__in=Badge.objects.filter(fair=fair, revoked_at__isnull=True, application__isnull=False).values(
                "application_id"
            )
        )
        .select_related("artisan__cooperative")
        .order_by("pk")
    )
    if not applications:
        return []
    serials = _new_serials(len(applications))
    badges = [
        Badge(
            fair=fair,
            kind=BadgeKind.EXHIBITOR,
            serial=serial,
            application=application,
            valid_from=fair.starts_on,
            valid_until=fair.ends_on,
            issued_by=_person(actor),
            **_exhibitor_fields(application),
        )
        for application, serial in zip(applications, serials, strict=True)
    ]
    Badge.objects.bulk_create(badges)
    audit_log(actor=actor, action="badges.issue", obj=fair, changes={"issued": len(badges)})
    return badges


def _badge_fields(fair: Fair, fields: dict) -> dict:
    kind = fields.get("kind")
    if kind not in BadgeKind.values or kind == BadgeKind.EXHIBITOR:
        raise BadgeError(
            code="kind_invalid", field="kind",
            message=_("Exhibitor badges are issued from confirmed applications; choose another kind."),
        )  # fmt: skip
    name = (fields.get("name") or "").strip()
    if not name:
        raise BadgeError(code="name_required", field="name", message=_("A badge needs a name."))
    valid_from = fields.get("valid_from") or fair.starts_on
    valid_until = fields.get("valid_until") or fair.ends_on
    _check_validity(fair, valid_from, valid_until)
    values = {
        "kind": kind, "name": name, "name_ar": (fields.get("name_ar") or "").strip(),
        "organisation": (fields.get("organisation") or "").strip(),
        "role_label": (fields.get("role_label") or "").strip(), "email": (fields.get("email") or "").strip(),
        "valid_from": valid_from, "valid_until": valid_until,
    }  # fmt: skip
    # The model fields' own checks (lengths, the email validator): bulk imports skip full_clean.
    for name in ("name", "name_ar", "organisation", "role_label", "email"):
        try:
            Badge._meta.get_field(name).clean(values[name], None)
        except ValidationError as error:
            raise BadgeError(code=f"{name}_invalid", field=name, message=" ".join(error.messages)) from error
    return values


@transaction.atomic
def badge_create(*, fair: Fair, actor: User | None, **fields) -> Badge:
    """A staff, press, visitor or VIP badge. Writes ``badge.create``."""
    fair = _lock_fair(fair)
    setup_for(fair)
    badge = Badge(
        fair=fair, serial=_new_serials(1)[0], issued_by=_person(actor), **_badge_fields(fair, fields)
    )
    badge.full_clean(exclude=["application"])
    badge.save()
    audit_log(actor=actor, action="badge.create", obj=badge, changes={"kind": badge.kind})
    return badge


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


class BadgeImportError(BadgeError):
    def __init__(self, problems: list[RowProblem]):
        super().__init__(
            code="import_rows_invalid", message=_("Some rows are not right; nothing was imported.")
        )
        self.problems = problems


@transaction.atomic
def badges_import(
    *, fair: Fair, rows: list[tuple[int, dict]], actor: User | None, dry_run: bool = False
) -> list[Badge]:
    """Badges from already-parsed rows ``(row number, fields)``: all of them or none.

    Every problem names its row and field (``BadgeImportError.problems``). ``dry_run`` checks
    every row by the same rules and writes nothing.
    """
    fair = _lock_fair(fair)
    setup_for(fair)
    problems, prepared = [], []
    for number, fields in rows:
        try:
            prepared.append(_badge_fields(fair, fields))
        except BadgeError as error:
            problems.append(RowProblem(number, error.field or "", str(error.message)))
    if problems:
        raise BadgeImportError(problems)
    if not prepared:
        raise BadgeError(code="import_empty", message=_("The file has no rows to import."))
    if dry_run:
        return []
    serials = _new_serials(len(prepared))
    badges = [
        Badge(fair=fair, serial=serial, issued_by=_person(actor), **fields)
        for fields, serial in zip(prepared, serials, strict=True)
    ]
    Badge.objects.bulk_create(badges)
    audit_log(actor=actor, action="badges.import", obj=fair, changes={"imported": len(badges)})
    return badges


def _lock_badge(badge: Badge) -> Badge:
    """Lock the fair, then the badge (the order every service keeps)."""
    list(Fair.objects.select_for_update().filter(pk=badge.fair_id).values_list("pk", flat=True))
    return Badge.objects.select_for_update().select_related("fair").get(pk=badge.pk)


def _revoke(badge: Badge, *, actor: User | None, reason: str, now: dt.datetime) -> None:
    badge.revoked_at, badge.revoked_by, badge.revoke_reason = now, _person(actor), reason[:200]
    badge.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError(code="reason_required", field="reason", message=_("Say why the badge is revoked."))
    return reason


@transaction.atomic
def badge_revoke(*, badge: Badge, actor: User | None, reason: str) -> Badge:
    """Revoke ``badge``: scanners refuse it from their next sync. Writes ``badge.revoke``."""
    reason = _require_reason(reason)
    badge = _lock_badge(badge)
    if badge.is_revoked:
        raise BadgeError(code="already_revoked", message=_("This badge is already revoked."))
    _revoke(badge, actor=actor, reason=reason, now=timezone.now())
    audit_log(actor=actor, action="badge.revoke", obj=badge, changes={"reason": reason})
    return badge


@transaction.atomic
def badge_reissue(*, badge: Badge, actor: User | None, reason: str) -> Badge:
    """A new badge (new serial, new code) in place of ``badge``, which is revoked.

    An exhibitor badge takes the artisan's current names. Writes ``badge.reissue``.
    """
    reason = _require_reason(reason)
    badge = _lock_badge(badge)
    _lock_fair(badge.fair)
    if badge.is_revoked:
        raise BadgeError(
            code="already_revoked", message=_("A revoked badge cannot be reissued; issue a new one.")
        )
    _revoke(badge, actor=actor, reason=reason, now=timezone.now())
    fields = {
        "name": badge.name, "name_ar": badge.name_ar, "organisation": badge.organisation,
        "role_label": badge.role_label, "email": badge.email,
    }  # fmt: skip
    if badge.application_id:
        application = Application.objects.select_related("artisan__cooperative").get(pk=badge.application_id)
        fields |= _exhibitor_fields(application)
    new = Badge.objects.create(
        fair=badge.fair, kind=badge.kind, serial=_new_serials(1)[0], application_id=badge.application_id,
        valid_from=badge.valid_from, valid_until=badge.valid_until, issued_by=_person(actor), **fields,
    )  # fmt: skip
    badge.replaced_by = new
    badge.save(update_fields=["replaced_by"])
    audit_log(actor=actor, action="badge.reissue", obj=badge, changes={"reason": reason, "new": new.serial})
    return new


def revoke_for_application(*, application_id: int) -> bool:
    """A withdrawn application's badge stops opening the gate (the ``application_withdrawn`` signal)."""
    with transaction.atomic():
        badge = (
            Badge.objects.select_for_update()
            .filter(application_id=application_id, revoked_at__isnull=True)
            .order_by("pk")  # not the default ordering: it joins the fair, and would lock it too
            .first()
        )
        if badge is None:
            return False
        _revoke(badge, actor=None, reason="application withdrawn", now=timezone.now())
        audit_log(actor=None, action="badge.revoke", obj=badge, changes={"reason": "application withdrawn"})
    return True


# --- Scanner devices --------------------------------------------------------------------


@transaction.atomic
def device_create(*, name: str, fair: Fair | None, actor: User | None) -> tuple[ScannerDevice, str]:
    """A scanner device and its token (returned once; only its hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise BadgeError(
            code="name_required", field="name", message=_("Give the device a name, e.g. “Gate A phone”.")
        )
    token = ScannerDevice.new_token()
    device = ScannerDevice.objects.create(
        name=name[:80], fair=fair, token_hash=ScannerDevice.hash_token(token), created_by=_person(actor)
    )
    audit_log(actor=actor, action="device.create", obj=device, changes={"fair": fair.pk if fair else None})
    return device, token


@transaction.atomic
def device_revoke(*, device: ScannerDevice, actor: User | None) -> ScannerDevice:
    device = ScannerDevice.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="device.revoke", obj=device)
    return device


# --- Check-in ---------------------------------------------------------------------------


@dataclass
class ScanAnswer:
    result: str
    badge: Badge | None
    check_in: CheckIn | None
    inside_since: dt.datetime | None = None
    first_entry_at: dt.datetime | None = None
    replayed: bool = False
    # What the answer shows of the badge beyond its own columns (booth, craft names, photo),
    # read with it: ``selectors.scan_summary`` turns it into the answer's badge.
    summary: dict | None = None

    @property
    def conflict(self) -> bool:
        return bool(self.check_in and self.check_in.conflict)


def origin_of(*, device: ScannerDevice | None, scanner: User | None) -> str:
    if device is not None:
        return f"device:{device.pk}"
    if scanner is not None and scanner.is_authenticated:
        return f"user:{scanner.pk}"
    raise BadgeError(code="no_scanner", message=_("A scan needs a scanner device or a signed-in scanner."))


def _scan_time(device_time: dt.datetime | None, offline: bool, now: dt.datetime) -> dt.datetime:
    """Offline scans happened when the device says, if its clock is believable; online ones now."""
    if (
        offline
        and device_time is not None
        and now - CLOCK_PAST_LIMIT <= device_time <= now + CLOCK_FUTURE_SLACK
    ):
        return device_time
    return now


def _is_inside(badge: Badge, at: dt.datetime) -> bool:
    since = badge.inside_since
    return since is not None and timezone.localdate(since) == timezone.localdate(at)


def _resolve(fair: Fair, code: str) -> tuple[str | None, str | None]:
    """(result if refused before any badge is found, serial to look up)."""
    text = codec.normalize(code or "")[: codec.MAX_CODE_LENGTH + 1]
    if codec.looks_like_serial(text):
        return None, text
    try:
        payload, signed, signature = codec.split(text)
    except codec.CodeError:
        return CheckInResult.INVALID, None
    key = public_key(payload.fair_id)
    verified = key is not None and codec.verify(signed, signature, key)
    if not verified and key is not None:
        fresh = public_key(payload.fair_id, fresh=True)  # the cached key may be stale
        verified = fresh is not None and fresh != key and codec.verify(signed, signature, fresh)
    if not verified:
        return CheckInResult.INVALID, None
    if payload.fair_id != fair.pk:
        return CheckInResult.WRONG_FAIR, None
    return None, payload.serial


def _replay(origin: str, nonce: str) -> ScanAnswer | None:
    previous = CheckIn.objects.filter(origin=origin, nonce=nonce).first()
    if previous is None:
        return None
    badge, summary = scan_sql.badge_for_scan(pk=previous.badge_id) if previous.badge_id else (None, None)
    return ScanAnswer(
        result=previous.result, badge=badge, summary=summary, check_in=previous, replayed=True,
        inside_since=badge.inside_since if badge else None,
        first_entry_at=_first_entry(badge, previous.scanned_at) if badge else None,
    )  # fmt: skip


def _first_entry(badge: Badge, at: dt.datetime) -> dt.datetime | None:
    """The first accepted entry of ``badge`` on the day of ``at``: kept on the badge for its
    latest day (``arrived_at``), read from the scans for an earlier day (a late upload)."""
    day = timezone.localdate(at)
    if badge.arrived_at is not None and timezone.localdate(badge.arrived_at) == day:
        return badge.arrived_at
    if badge.arrived_at is None or timezone.localdate(badge.arrived_at) < day:
        return None  # no accepted entry on that day (nor after)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        CheckIn.objects.filter(
            badge=badge,
            result=CheckInResult.OK,
            direction=Direction.IN,
            scanned_at__gte=start,
            scanned_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("scanned_at")
        .values_list("scanned_at", flat=True)
        .first()
    )


def _check_scan_input(gate: str, direction: str, nonce: str) -> tuple[str, str]:
    gate, nonce = (gate or "").strip(), (nonce or "").strip()
    if not gate or len(gate) > GATE_MAX_LENGTH:
        raise BadgeError(
            code="gate_invalid", field="gate", message=_("Name the gate (at most 40 characters).")
        )
    if direction not in Direction.values:
        raise BadgeError(
            code="direction_invalid", field="direction", message=_("The direction is “in” or “out”.")
        )
    if not nonce or len(nonce) > NONCE_MAX_LENGTH:
        raise BadgeError(
            code="nonce_invalid", field="nonce", message=_("Each scan needs a nonce of 1 to 64 characters.")
        )
    return gate, nonce


def check_in(
    *,
    fair: Fair,
    code: str,
    gate: str,
    direction: str,
    nonce: str,
    device: ScannerDevice | None = None,
    scanner: User | None = None,
    device_time: dt.datetime | None = None,
    offline: bool = False,
    local_result: str = "",
    now: dt.datetime | None = None,
) -> ScanAnswer:
    """Record one scan of ``code`` at ``gate`` and answer it.

    Bad codes are answers (``invalid``, ``unknown``, ``wrong_fair``), not errors; only
    malformed requests (no gate, a bad direction, no nonce, no scanner) raise ``BadgeError``.
    A nonce the same device already sent returns the first answer and records nothing.
    For an offline scan, ``local_result`` is what the device answered; if the server's
    answer differs the row is marked as a conflict.
    """
    gate, nonce = _check_scan_input(gate, direction, nonce)
    origin = origin_of(device=device, scanner=scanner)
    if fair.status not in SCANNING_STATUSES:
        raise BadgeError(
            code="fair_not_scanning",
            message=_("Badges of a fair that is “%(status)s” are not scanned.")
            % {"status": fair.get_status_display()},
        )
    if local_result and local_result not in CheckInResult.values:
        local_result = ""
    now = now or timezone.now()
    scanned_at = _scan_time(device_time, offline, now)
    refused, serial = _resolve(fair, code)
    row = {
        "fair": fair, "raw_code": (code or "")[:200], "gate": gate, "direction": direction, "device": device,
        "scanner": _person(scanner), "origin": origin, "nonce": nonce, "scanned_at": scanned_at,
        "device_time": device_time, "offline": offline, "local_result": local_result,
    }  # fmt: skip
    try:
        with writers_queue(), transaction.atomic():  # SQLite: scans queue (core.sqlite)
            badge = summary = None
            if serial is not None:
                badge, summary = scan_sql.badge_for_scan(serial=serial, lock=True)
            if refused is None:
                refused = _judge(fair, badge, direction, scanned_at)
            result = refused or CheckInResult.OK
            if badge is not None and badge.fair_id != fair.pk:
                badge = summary = None  # a typed serial of another fair: say so, do not link it here
            row |= {
                "badge": badge,
                "result": result,
                "conflict": bool(local_result) and local_result != result,
            }
            # The unique origin + nonce decides replays: no look-up before, no savepoint. A twin
            # of this scan committed before we got the badge lock, or (refused codes, no lock)
            # commits first while our insert waits on the unique index: either way it fails.
            check_in_row = scan_sql.check_in_insert(CheckIn(**row))
            if badge is not None and result == CheckInResult.OK:
                _move_presence(badge, direction, scanned_at)
    except IntegrityError:
        replay = _replay(origin, nonce)  # after the rollback: the first answer to this nonce
        if replay is None:
            raise
        return replay
    return ScanAnswer(
        result=result, badge=badge, summary=summary, check_in=check_in_row,
        inside_since=badge.inside_since if badge else None,
        first_entry_at=_first_entry(badge, scanned_at) if badge is not None else None,
    )  # fmt: skip


def _judge(fair: Fair, badge: Badge | None, direction: str, scanned_at: dt.datetime) -> str | None:
    if badge is None:
        return CheckInResult.UNKNOWN
    if badge.fair_id != fair.pk:
        return CheckInResult.WRONG_FAIR
    if badge.is_revoked:
        return CheckInResult.REVOKED
    if not badge.valid_from <= timezone.localdate(scanned_at) <= badge.valid_until:
        return CheckInResult.NOT_VALID_NOW
    if direction == Direction.IN and _is_inside(badge, scanned_at):
        return CheckInResult.ALREADY_INSIDE
    return None


def _move_presence(badge: Badge, direction: str, at: dt.datetime) -> None:
    """An accepted scan moves the badge in or out; an entry may be the day's first arrival.

    The latest move wins, whatever order the scans arrive in (offline devices send theirs
    late): an entry older than the last entry or the last exit leaves the badge where it is,
    and so does an exit older than the last entry.
    """
    if direction == Direction.IN:
        latest = max((t for t in (badge.inside_since, badge.left_at) if t is not None), default=None)
        if latest is None or at >= latest:
            badge.inside_since = at
        arrived = badge.arrived_at
        day = timezone.localdate(at)
        if (
            arrived is None
            or timezone.localdate(arrived) < day
            or (timezone.localdate(arrived) == day and at < arrived)
        ):
            badge.arrived_at = at  # a later day's first entry, or an earlier one sent late
    else:
        if badge.inside_since is not None and at >= badge.inside_since:
            badge.inside_since = None
        if badge.left_at is None or at > badge.left_at:
            badge.left_at = at
    scan_sql.presence_update(badge)


def arrivals(entries) -> dict[int, dt.datetime]:
    """Badge → ``arrived_at`` (its first accepted entry on the latest day with one), from
    ``(badge_id, scanned_at)`` pairs of accepted entries, in any order. For loaders that
    write scans in bulk (the demo), which ``check_in`` does not see."""
    latest: dict[int, tuple[dt.date, dt.datetime]] = {}
    for badge_id, scanned_at in entries:
        day = timezone.localdate(scanned_at)
        known = latest.get(badge_id)
        if known is None or day > known[0] or (day == known[0] and scanned_at < known[1]):
            latest[badge_id] = (day, scanned_at)
    return {badge_id: first for badge_id, (_day, first) in latest.items()}


def check_ins_upload(
    *, fair: Fair, scans: list[dict], device: ScannerDevice | None = None, scanner: User | None = None
) -> list[ScanAnswer]:
    """Scans a device queued while offline, replayed in the order they happened.

    Each scan is its own transaction (one bad scan does not undo the others); answers come
    back in the order of ``scans``. Scans already received (same nonce) answer as before.
    """
    order = sorted(range(len(scans)), key=lambda i: (scans[i].get("device_time") or timezone.now(), i))
    answers: list[ScanAnswer | None] = [None] * len(scans)
    for index in order:
        scan = scans[index]
        answers[index] = check_in(
            fair=fair, device=device, scanner=scanner, offline=True,
            code=scan["code"], gate=scan["gate"], direction=scan["direction"], nonce=scan["nonce"],
            device_time=scan.get("device_time"), local_result=scan.get("local_result", ""),
        )  # fmt: skip
    return answers


# --- Setup ------------------------------------------------------------------------------


@transaction.atomic
def badge_setup_update(*, fair: Fair, card_format: str, actor: User | None) -> BadgeSetup:
    """Set the fair's badge format (CR80 card or A6). Writes ``badges.setup`` when it changes."""
    if card_format not in CardFormat.values:
        raise BadgeError(
            code="card_format_invalid", field="card_format", message=_("Choose a CR80 card or A6.")
        )
    setup_for(fair)
    setup = BadgeSetup.objects.select_for_update().get(fair=fair)
    if setup.card_format != card_format:
        old = setup.card_format
        setup.card_format = card_format
        setup.save(update_fields=["card_format"])
        audit_log(actor=actor, action="badges.setup", obj=fair, changes={"card_format": [old, card_format]})
    fair.badge_setup = setup
    return setup
