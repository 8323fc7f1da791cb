"""Badges, scanner devices and check-ins of the demo region (``manage.py seed_demo``; see core.demo).

What it builds on the fairs of ``fairs.demo``, the participations of ``registrations.demo`` and
the booths of ``booths.demo``:

* the 23 closed local fairs get their badge setup (a key pair, through ``setup_for``), a badge
  for every confirmed exhibitor and three staff badges (the demo's staff, admin and scanner
  people), issued two days before the fair;
* each of those fairs gets two or three scanner devices ("Tablette porte A", …), revoked the
  day after it closed, and the scans of every fair day: most exhibitors arrive between 8:30
  and 10:30, some after 11:00; about 5 to 10 % stay away on a given day and a few never come;
  some go out for lunch and come back, most scan out in the evening (a few forget); a few
  badges are scanned twice at the door (already inside), a few codes do not read (invalid),
  one gate loses the network for a while on some days (offline scans, sent later), and now
  and then the same badge is let in at the other gate while it was offline (a conflict);
* a fair that is published or running today, if the demo has one, gets its exhibitors'
  badges through the real service (``badges_issue_for_fair``), so an organizer can try the
  scanner on it.

Like the other demo parts, the past is loaded in bulk (badges with ``bulk_create``, the
~34,000 scans with one ``executemany``: see ``_write``), not walked through ``check_in`` one
scan at a time — these are records of fairs that are over, and the presence they leave is the
one ``check_in`` would leave once everyone went home (``Badge.inside_since`` empty). The scans
keep the service's rules: an entry is refused as ``already_inside`` only while the badge is
inside, accepted entries and exits alternate, each device's nonces are unique. One audit entry
per fair and step.

Idempotent: a fair that has any badge has its badges, a fair that has any check-in has its
scans; a second run reads a few rows and writes nothing. Deterministic: every draw comes from
``ctx.rng`` keyed by fair and artisan (CIN), so the same people arrive at the same times on
every database; serials too (checked against the ones taken).
"""

import base64
import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from badges import codec
from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, Direction, ScannerDevice
from badges.services import arrivals, badge_code, badges_issue_for_fair, setup_for
from core.demo import DemoContext, at
from core.models import User
from core.services import audit_log
from fairs.demo import LOCAL_FAIRS
from fairs.models import Fair
from registrations.models import Application

S = Application.Status

# The delegation's people at every fair's gates (names as in core.demo.USERS).
STAFF_BADGES = [
    ("Naïma El Fassi", "نعيمة الفاسي", "Accueil des exposants"),
    ("Rachid Alaoui", "رشيد العلوي", "Coordination"),
    ("Youssef Tazi", "يوسف التازي", "Contrôle des entrées"),
]
# (device name, gate): the third device only at the larger fairs.
DEVICES = [
    ("Tablette porte A", "Porte A"),
    ("Téléphone porte B", "Porte B"),
    ("Téléphone porte A", "Porte A"),
]
THIRD_DEVICE_FROM = 90  # booths (capacity) from which a fair has a third device
# Codes that did not read: a cut-off scan, a product's barcode, a phone number.
UNREADABLE = ["6111245590016", "HTTPS://WA.ME/212661000000", "3760123450012"]

ABSENT_EVERY_DAY = 0.02  # share of exhibitors who never came
LATE = 0.1  # share of arrivals after 11:00
LUNCH_OUT = 0.2  # share of present days with an exit at lunch (most come back)
FORGOT_EXIT = 0.08  # share of present days that end without an exit scan
LEFT_EARLY = 0.05  # share of present days that end in the afternoon
SCANNED_TWICE = 0.02  # share of arrivals scanned a second time at once (already inside)
OFFLINE_DAYS = 0.25  # share of fair days on which gate B loses the network for a while


def _staff(ctx: DemoContext):
    """Who the audit log says issued the badges: the demo staff member (also when the seed
    runs ``--only badges`` and core's part did not fill ``ctx.users``)."""
    if "staff" not in ctx.users:
        user = User.objects.filter(username="staff").first()
        if user is not None:
            ctx.users["staff"] = user
    return ctx.users.get("staff")


def _fairs_at_the_gates(today: dt.date):
    """Fairs an organizer may scan today: published or running, today among their days."""
    return Fair.objects.filter(
        status__in=[Fair.Status.PUBLISHED, Fair.Status.RUNNING], starts_on__lte=today, ends_on__gte=today
    ).order_by("starts_on", "pk")


def _closed_local_fairs() -> list[Fair]:
    slugs = [row[0] for row in LOCAL_FAIRS]
    return list(Fair.objects.filter(slug__in=slugs, status=Fair.Status.CLOSED).order_by("starts_on"))


def _serials(rng: random.Random, count: int) -> list[str]:
    """``count`` new serials drawn from ``rng``, none of them taken."""
    serials: list[str] = []
    seen: set[str] = set()
    while len(serials) < count:
        drawn = [
            base64.b32encode(rng.randbytes(codec.SERIAL_BYTES)).decode() for _ in range(count - len(serials))
        ]
        drawn = [s for s in drawn if s not in seen]
        taken = set()
        for start in range(0, len(drawn), 500):
            taken.update(
                Badge.objects.filter(serial__in=drawn[start : start + 500]).values_list("serial", flat=True)
            )
        for serial in drawn:
            if serial not in taken and serial not in seen:
                seen.add(serial)
                serials.append(serial)
    return serials


# --- Badges -----------------------------------------------------------------------------


def seed_badges(ctx: DemoContext) -> None:
    """Badges of the closed local fairs that have none: every confirmed exhibitor and the
    delegation's staff, in bulk, issued two days before the fair (one ``badges.issue`` entry
    per fair); then the badges of any fair open at the gates today, through the service."""
    fairs = _closed_local_fairs()
    done = set(Badge.objects.filter(fair__in=fairs).values_list("fair_id", flat=True).distinct())
    todo = [fair for fair in fairs if fair.pk not in done]
    if todo:
        _issue_past(ctx, todo)
    _issue_today(ctx)


def _issue_past(ctx: DemoContext, fairs: list[Fair]) -> None:
    applications = defaultdict(list)
    for application in (
        Application.objects.filter(fair__in=fairs, status=S.CONFIRMED)
        .select_related("artisan__cooperative")
        .order_by("pk")
    ):
        applications[application.fair_id].append(application)
    staff = _staff(ctx)
    rng = ctx.rng("badges:serials")
    wanted = sum(len(applications[f.pk]) + len(STAFF_BADGES) for f in fairs)
    serials = iter(_serials(rng, wanted))
    badges = []
    for fair in fairs:
        setup_for(fair)
        common = {"fair": fair, "valid_from": fair.starts_on, "valid_until": fair.ends_on, "issued_by": staff}
        for application in applications[fair.pk]:
            artisan = application.artisan
            badges.append(
                Badge(
                    kind=BadgeKind.EXHIBITOR, serial=next(serials), application=application,
                    name=artisan.full_name, name_ar=artisan.full_name_ar,
                    organisation=artisan.cooperative.name if artisan.cooperative_id else "",
                    email=artisan.email, **common,
                )
            )  # fmt: skip
        for name, name_ar, role in STAFF_BADGES:
            badges.append(
                Badge(
                    kind=BadgeKind.STAFF, serial=next(serials), name=name, name_ar=name_ar,
                    organisation="Délégation de l'artisanat Casablanca-Settat", role_label=role, **common,
                )
            )  # fmt: skip
    Badge.objects.bulk_create(badges, batch_size=500)
    made = Counter(badge.fair_id for badge in badges)
    for fair in fairs:
        # auto_now_add stamped today: the badges were printed before the fair.
        Badge.objects.filter(fair=fair).update(issued_at=at(fair.starts_on - dt.timedelta(days=2), 10))
        audit_log(
            actor=staff, action="badges.issue", obj=fair,
            changes={"issued": made[fair.pk], "staff": len(STAFF_BADGES), "source": "seed_demo"},
        )  # fmt: skip
    ctx.created["badges"] += len(badges)


def _issue_today(ctx: DemoContext) -> None:
    """A fair at the gates today (published or running, today among its days) gets its
    exhibitors' badges, so the scanner can be tried on it. The real service: it issues only
    what is missing, so a second run issues nothing."""
    for fair in _fairs_at_the_gates(ctx.today):
        issued = badges_issue_for_fair(fair=fair, actor=_staff(ctx))
        if issued:
            ctx.created["badges"] += len(issued)


# --- Scans ------------------------------------------------------------------------------


@dataclass
class Gates:
    """A fair's devices: each exhibitor keeps to a gate, and to one of its devices."""

    devices: list[ScannerDevice]
    gates: dict[int, str]  # device id → gate

    def of_gate(self, gate: str) -> list[ScannerDevice]:
        return [d for d in self.devices if self.gates[d.pk] == gate]


@dataclass(slots=True)
class Scan:
    """One scan to write (a CheckIn row without the model's per-field machinery)."""

    badge_id: int | None
    device_id: int
    when: dt.datetime
    direction: str
    result: str
    raw_code: str
    nonce: str
    offline: bool = False
    local_result: str = ""
    conflict: bool = False


class Scans:
    """The scans of one fair, each with a nonce unique to its device."""

    def __init__(self, fair: Fair, gates: Gates, rng: random.Random):
        self.fair, self.gates, self.rng = fair, gates, rng
        self.rows: list[Scan] = []
        self.nonces: set[tuple[int, str]] = set()

    def add(self, device: ScannerDevice, when: dt.datetime, direction: str, result: str,
            badge: Badge | None = None, raw_code: str = "", **extra) -> Scan:  # fmt: skip
        while True:
            nonce = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            if (device.pk, nonce) not in self.nonces:
                self.nonces.add((device.pk, nonce))
                break
        row = Scan(
            badge.pk if badge else None, device.pk, when, direction, result, raw_code[:200], nonce, **extra
        )
        self.rows.append(row)
        return row


def _devices(ctx: DemoContext, fair: Fair, staff) -> Gates:
    """The fair's scanner devices, made if missing (looked up by name), revoked after it."""
    names = DEVICES if (fair.capacity or 0) >= THIRD_DEVICE_FROM else DEVICES[:2]
    existing = {d.name: d for d in ScannerDevice.objects.filter(fair=fair)}
    created = []
    for name, _gate in names:
        if name not in existing:
            device = ScannerDevice(
                name=name, fair=fair, token_hash=ScannerDevice.hash_token(ScannerDevice.new_token()),
                created_by=staff, revoked_at=at(fair.ends_on + dt.timedelta(days=1), 10),
            )  # fmt: skip
            created.append(device)
            existing[name] = device
    if created:
        ScannerDevice.objects.bulk_create(created)
        # auto_now_add stamped today: the devices were set up with the badges, before the fair.
        ScannerDevice.objects.filter(pk__in=[d.pk for d in created]).update(
            created_at=at(fair.starts_on - dt.timedelta(days=2), 11)
        )
        ctx.created["scanner devices"] += len(created)
        for device in created:
            audit_log(
                actor=staff,
                action="device.create",
                obj=device,
                changes={"fair": fair.pk, "source": "seed_demo"},
            )
    devices = [existing[name] for name, _gate in names]
    return Gates(devices, {existing[name].pk: gate for name, gate in names})


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _at_minute(midnight: dt.datetime, minutes: float) -> dt.datetime:
    """``minutes`` (to the second) after ``midnight``, on the wall clock: aware arithmetic keeps
    the wall time and takes the zone's offset for it (Morocco moves its clocks for Ramadan)."""
    return midnight + dt.timedelta(seconds=int(minutes * 60))


def _exhibitor_scans(scans: Scans, badge: Badge, code: str, days: list[dt.datetime], rng: random.Random,
                     absence: float, device: ScannerDevice) -> None:  # fmt: skip
    """The scans of one exhibitor over the fair (``days`` are its midnights): an arrival habit,
    absences, lunch, the evening exit."""
    if rng.random() < ABSENT_EVERY_DAY:
        return
    habit = rng.triangular(8.5 * 60, 10.5 * 60, 9.25 * 60)  # minutes after midnight
    ok, entry, leave = CheckInResult.OK, Direction.IN, Direction.OUT
    for midnight in days:
        # The same number of draws every day, so one day's luck does not shift the next.
        away, late, jitter, late_at, twice, lunch, lunch_at, back, end, end_at = (
            rng.random() for _ in range(10)
        )
        if away < absence:
            continue
        if late < LATE:
            arrive = 11 * 60 + late_at * 150  # 11:00 to 13:30
        else:
            arrive = min(max(habit + (jitter - 0.5) * 50, 8 * 60), 10.75 * 60)
        came = _at_minute(midnight, arrive)
        scans.add(device, came, entry, ok, badge, code)
        if twice < SCANNED_TWICE:  # shown to the reader twice: the second time refused
            scans.add(device, came + dt.timedelta(seconds=5 + int(twice * 1000)), entry,
                      CheckInResult.ALREADY_INSIDE, badge, code)  # fmt: skip
        if lunch < LUNCH_OUT and arrive < 12 * 60:
            out = 12.5 * 60 + lunch_at * 60  # 12:30 to 13:30, back 40 to 90 minutes later
            scans.add(device, _at_minute(midnight, out), leave, ok, badge, code)
            if back < 0.05:
                continue  # gone for the day
            scans.add(device, _at_minute(midnight, out + 40 + back * 50), entry, ok, badge, code)
        if end < FORGOT_EXIT:
            continue  # went home without scanning out
        early = end < FORGOT_EXIT + LEFT_EARLY
        gone = 15.5 * 60 + end_at * 90 if early else 18.5 * 60 + end_at * 75  # 15:30–17:00 or 18:30–19:45
        scans.add(device, _at_minute(midnight, gone), leave, ok, badge, code)


def _inside_at(rows: list[Scan], badge_id: int, when: dt.datetime) -> bool:
    """Whether the badge's accepted scans before ``when`` that day leave it inside."""
    day = when.date()
    moves = sorted(
        (r.when, r.direction)
        for r in rows
        if r.badge_id == badge_id and r.result == CheckInResult.OK and r.when < when and r.when.date() == day
    )
    return bool(moves) and moves[-1][1] == Direction.IN


def _fair_scans(ctx: DemoContext, fair: Fair, badges: list[Badge], gates: Gates) -> Scans:
    rng = ctx.rng(f"badges:scans:{fair.slug}")
    scans = Scans(fair, gates, rng)
    setup = setup_for(fair)
    days = [
        _midnight(fair.starts_on + dt.timedelta(days=n))
        for n in range((fair.ends_on - fair.starts_on).days + 1)
    ]
    absence = rng.uniform(0.05, 0.10)
    gate_a, gate_b = gates.of_gate("Porte A"), gates.of_gate("Porte B")
    ids_a, ids_b = {d.pk for d in gate_a}, {d.pk for d in gate_b}
    by_id = {badge.pk: badge for badge in badges}
    codes = {badge.pk: badge_code(badge, setup) for badge in badges}
    exhibitors = [badge for badge in badges if badge.kind == BadgeKind.EXHIBITOR]
    for badge in badges:
        who = badge.application.artisan.cin if badge.application_id else badge.name
        person = ctx.rng(f"badges:scans:{fair.slug}:{who}")
        if badge.kind != BadgeKind.EXHIBITOR:  # the staff: first in, last out, every day
            for midnight in days:
                ok = CheckInResult.OK
                scans.add(gate_a[0], _at_minute(midnight, 465 + person.random() * 30), Direction.IN, ok, badge,
                          codes[badge.pk])  # fmt: skip
                scans.add(gate_a[0], _at_minute(midnight, 1185 + person.random() * 20), Direction.OUT, ok, badge,
                          codes[badge.pk])  # fmt: skip
            continue
        device = person.choice(gate_b) if person.random() < 0.35 else person.choice(gate_a)
        _exhibitor_scans(scans, badge, codes[badge.pk], days, person, absence, device)
    for midnight in days:
        for _ in range(rng.choice((0, 0, 1, 1, 2))):  # codes that did not read
            raw = rng.choice([*UNREADABLE, codes[rng.choice(exhibitors).pk][:60]])
            scans.add(rng.choice(gates.devices), _at_minute(midnight, rng.uniform(510, 660)), Direction.IN,
                      CheckInResult.INVALID, None, raw)  # fmt: skip
        if rng.random() >= OFFLINE_DAYS:
            continue
        # Gate B lost the network for a while; its scans went up when it came back. On some of
        # those days it let in someone gate A had let in just before: a conflict.
        start = _at_minute(midnight, rng.uniform(525, 600))
        end = start + dt.timedelta(minutes=rng.randint(20, 50))
        for row in scans.rows:
            if row.device_id in ids_b and start <= row.when < end:
                row.offline, row.local_result = True, row.result
        if rng.random() < 0.5:
            let_in = [
                r for r in scans.rows
                if r.device_id in ids_a and r.direction == Direction.IN and r.result == CheckInResult.OK
                and start - dt.timedelta(minutes=30) <= r.when < start
            ]  # fmt: skip
            if let_in:
                first = rng.choice(let_in)
                when = max(start, first.when + dt.timedelta(minutes=rng.randint(2, 12)))
                if when < end and _inside_at(scans.rows, first.badge_id, when):
                    scans.add(gate_b[0], when, Direction.IN, CheckInResult.ALREADY_INSIDE, by_id[first.badge_id],
                              first.raw_code, offline=True, local_result=CheckInResult.OK, conflict=True)  # fmt: skip
    return scans


# The columns written, in order, and how each is read off a Scan (see _write).
_COLUMNS = (
    "fair", "badge", "raw_code", "gate", "direction", "result", "device", "scanner", "origin", "nonce",
    "scanned_at", "device_time", "received_at", "offline", "local_result", "conflict",
)  # fmt: skip
OFFLINE_SENT_AFTER = dt.timedelta(minutes=20)


def _write(scans: list[Scans]) -> int:
    """Insert every scan in one go: ``COPY`` on PostgreSQL, one ``executemany`` elsewhere.

    ``bulk_create`` spends its time preparing each of the ~550,000 values through its field
    (and SQLite takes 58 rows a statement): about 9 s of CPU for the demo's 34,000 scans. The
    rows here are plain strings, numbers and datetimes the seed drew itself, so they go to the
    database as they are, the datetimes through the backend's own adapter. On PostgreSQL,
    ``executemany`` still pays a round trip a row (8 s here) where ``COPY`` takes 1.6 s.
    A scan was received when it was made, or when the network came back for the offline ones.
    """
    ops = connection.ops
    adapt = ops.adapt_datetimefield_value
    rows = []
    for fair_scans in scans:
        gates, fair_id = fair_scans.gates.gates, fair_scans.fair.pk
        for s in fair_scans.rows:
            when = adapt(s.when)
            received = adapt(s.when + OFFLINE_SENT_AFTER) if s.offline else when
            rows.append((
                fair_id, s.badge_id, s.raw_code, gates[s.device_id], s.direction, s.result,
                s.device_id, None, f"device:{s.device_id}", s.nonce, when, when, received, s.offline,
                s.local_result, s.conflict,
            ))  # fmt: skip
    table = ops.quote_name(CheckIn._meta.db_table)
    columns = ", ".join(ops.quote_name(CheckIn._meta.get_field(name).column) for name in _COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(["%s"] * len(_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values})", rows)  # noqa: S608 -- names from the model
    return len(rows)


def seed_check_ins(ctx: DemoContext) -> None:
    """Devices and the scans of every day of the closed local fairs that have badges and no
    scan yet. One ``check_ins.import`` audit entry per fair."""
    fairs = _closed_local_fairs()
    done = set(CheckIn.objects.filter(fair__in=fairs).values_list("fair_id", flat=True).distinct())
    todo = [fair for fair in fairs if fair.pk not in done]
    if not todo:
        return
    badges = defaultdict(list)
    for badge in (
        Badge.objects.filter(fair__in=todo, revoked_at__isnull=True)
        .select_related("application__artisan")
        .order_by("pk")
    ):
        badges[badge.fair_id].append(badge)
    staff = _staff(ctx)
    made = [
        _fair_scans(ctx, fair, badges[fair.pk], _devices(ctx, fair, staff))
        for fair in todo
        if badges[fair.pk]
    ]
    ctx.created["check-ins"] += _write(made)
    seen: dict[int, dt.datetime] = {}  # a device was last seen at its last scan
    for fair_scans in made:
        for row in fair_scans.rows:
            if row.device_id not in seen or row.when > seen[row.device_id]:
                seen[row.device_id] = row.when
    arrived = arrivals(
        (row.badge_id, row.when)
        for fair_scans in made
        for row in fair_scans.rows
        if row.result == CheckInResult.OK and row.direction == Direction.IN
    )
    left: dict[int, dt.datetime] = {}
    for fair_scans in made:
        for row in fair_scans.rows:
            if row.result == CheckInResult.OK and row.direction == Direction.OUT:
                left[row.badge_id] = max(row.when, left.get(row.badge_id, row.when))
    Badge.objects.bulk_update(
        [
            Badge(pk=pk, arrived_at=arrived.get(pk), left_at=left.get(pk))
            for pk in arrived.keys() | left.keys()
        ],
        ["arrived_at", "left_at"],
        batch_size=500,
    )
    ScannerDevice.objects.bulk_update(
        [ScannerDevice(pk=pk, last_seen_at=when) for pk, when in seen.items()],
        ["last_seen_at"],
        batch_size=500,
    )
    for fair_scans in made:
        counts = Counter(
            "conflicts" if r.conflict else ("accepted" if r.result == CheckInResult.OK else "refused")
            for r in fair_scans.rows
        )
        audit_log(
            actor=staff, action="check_ins.import", obj=fair_scans.fair,
            changes={**{k: counts[k] for k in ("accepted", "refused", "conflicts")}, "source": "seed_demo"},
        )  # fmt: skip


PARTS = (seed_badges, seed_check_ins)


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    """Badges, scans and the fair at the gates today, if any."""
    badges = Badge.objects.aggregate(
        n=Count("pk"), exhibitors=Count("pk", filter=Q(kind=BadgeKind.EXHIBITOR))
    )
    scans = CheckIn.objects.aggregate(
        n=Count("pk"), refused=Count("pk", filter=~Q(result=CheckInResult.OK)),
        conflicts=Count("pk", filter=Q(conflict=True)),
    )  # fmt: skip
    today = _fairs_at_the_gates(ctx.today).values_list("slug", flat=True)
    return [
        ("badges", f"{badges['n']} ({badges['exhibitors']} exhibitors)"),
        ("check-ins", f"{scans['n']} ({scans['refused']} refused, {scans['conflicts']} conflicts)"),
        ("scanner devices", str(ScannerDevice.objects.count())),
        ("fair at the gates today", ", ".join(today) or "none"),
    ]
