"""The staff dashboard on a region-sized dataset: 180,000 artisans, 100 fairs, 20,000
applications — and the badges, check-ins and outcomes that go with them.

Generates the data (seeded) straight into a throwaway database with parameterized bulk
INSERTs (``executemany`` on SQLite, multi-row VALUES on PostgreSQL), then times
``GET /staff/dashboard/`` through the Django test client as a logged-in staff member:

- *first*: the first request of the process (templates compiled, caches empty);
- *cold-ish*: the database connection closed before each request (SQLite's page cache and
  PostgreSQL's backend start empty; the OS file cache stays warm);
- *warm*: the same connection, request after request.

Each for a few filters (the default period, four years, a province, a craft sector),
reporting median and p95 over ``--runs`` requests and the query count. Then the slowest
queries of one request with their timings (``--explain`` adds the query plans).

    .venv/bin/python bench/dashboard.py                      # SQLite in a temporary directory
    .venv/bin/python bench/dashboard.py --keep /tmp/dash.sqlite3   # keep (or reuse) the file
    .venv/bin/python bench/dashboard.py --postgres            # database souk_dashboard_bench
    .venv/bin/python bench/dashboard.py --postgres --reuse    # time it again without regenerating
    .venv/bin/python bench/dashboard.py --exports             # also time the six exports once

Options: ``--artisans``, ``--fairs``, ``--applications``, ``--runs``, ``--seed``.
"""

import argparse
import base64
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_artisans import CRAFTS, FAMILY, MEN, PROVINCES, WOMEN  # noqa: E402 — names and weights

PG_NAME = "souk_dashboard_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
SOUK_ERA = dt.date(2024, 1, 1)  # fairs from then on kept check-ins; earlier ones did not
VENUES = [
    ("Complexe artisanal de Settat", "المركب الحرفي بسطات", "complex", "settat"),
    ("Village des artisans d'Oulad Merrah", "قرية الصناع أولاد امراح", "village", "settat"),
    ("Espace d'exposition de Sidi Ismail", "فضاء العرض سيدي إسماعيل", "exhibition_space", "sidi-bennour"),
    ("Médina de Casablanca", "المدينة القديمة بالدار البيضاء", "medina", "casablanca"),
    ("Complexe artisanal d'El Jadida", "المركب الحرفي بالجديدة", "complex", "el-jadida"),
    ("Complexe artisanal de Berrechid", "المركب الحرفي ببرشيد", "complex", "berrechid"),
    ("Complexe artisanal de Benslimane", "المركب الحرفي بابن سليمان", "complex", "benslimane"),
    ("Complexe artisanal de Mohammedia", "المركب الحرفي بالمحمدية", "complex", "mohammedia"),
]
ABROAD = [("Paris", "FR"), ("Madrid", "ES"), ("Milan", "IT"), ("Bruxelles", "BE"), ("Dubaï", "AE")]
HOME = [("Rabat", "MA"), ("Marrakech", "MA"), ("Fès", "MA"), ("Agadir", "MA"), ("Tanger", "MA")]


# --- Writing rows fast ---------------------------------------------------------------------


class Inserter:
    """Parameterized INSERTs of whole rows (explicit primary keys), many a statement.

    Values that need the backend's form (dates, datetimes, decimals, JSON) go through the
    field's ``get_db_prep_save``; missing ones take the field's default, and auto_now(_add)
    fields ``now``."""

    TYPED = ("DateTimeField", "DateField", "DecimalField", "JSONField", "TimeField")

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.now = dt.datetime.now(dt.UTC)

    def insert(self, model, rows: list[dict], batch: int = 2000) -> None:
        from django.db.models import DateTimeField

        fields = list(model._meta.concrete_fields)
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        one = "({})".format(", ".join(["%s"] * len(fields)))
        table = quote(model._meta.db_table)
        typed = [field.get_internal_type() in self.TYPED for field in fields]
        defaults = []  # in the backend's form already, prepared once
        for field in fields:
            if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
                default = self.now
            elif field.primary_key:
                default = None
            else:
                default = field.get_default()
            if default is not None and field.get_internal_type() in self.TYPED:
                default = field.get_db_prep_save(default, self.connection)
            defaults.append(default)
        if self.postgres:
            batch = min(batch, 60000 // len(fields))  # PostgreSQL takes at most 65,535 parameters
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), batch):
                params = []
                for row in rows[start : start + batch]:
                    values = []
                    for field, is_typed, default in zip(fields, typed, defaults, strict=True):
                        if field.attname not in row:
                            values.append(default)
                            continue
                        value = row[field.attname]
                        if is_typed and value is not None:
                            value = field.get_db_prep_save(value, self.connection)
                        values.append(value)
                    params.append(values)
                if self.postgres:
                    sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(params))}"  # noqa: S608
                    cursor.execute(sql, [value for values in params for value in values])
                else:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", params)  # noqa: S608
        if self.postgres:  # explicit ids: move the sequence past them
            with self.connection.cursor() as cursor:
                for sql in self.connection.ops.sequence_reset_sql(_NoStyle(), [model]):
                    cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


# --- The region ----------------------------------------------------------------------------


def generate(args, connection) -> dict:
    """Write the dataset; returns counts."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from badges.models import Badge, BadgeKind, CheckIn, CheckInResult, Direction
    from core.models import CraftCategory, Province, User
    from fairs.models import Fair, Venue
    from registrations.models import Application, Artisan, Cooperative
    from reports.models import Outcome

    rng = random.Random(args.seed)
    tz = timezone.get_current_timezone()
    ins = Inserter(connection)
    provinces = {p.code: p.pk for p in Province.objects.all()}
    crafts = {c.code: c.pk for c in CraftCategory.objects.all()}
    province_weights = [p[2] for p in PROVINCES]
    craft_weights = [c[2] for c in CRAFTS]
    today = timezone.localdate()

    staff = User.objects.create_user("bench-staff", password="bench-staff-pass")
    staff.groups.add(Group.objects.get(name="staff"))

    cooperatives = [
        {
            "id": n + 1,
            "name": f"Coopérative {rng.choice(FAMILY)[0]} {n + 1}",
            "name_ar": f"تعاونية {rng.choice(FAMILY)[1]} {n + 1}",
            "kind": "cooperative",
            "registration_number": f"COOP-{n + 1:05d}",
            "province_id": provinces[rng.choices(PROVINCES, province_weights)[0][0]],
            "women_only": rng.random() < 0.3,
        }
        for n in range(400)
    ]
    ins.insert(Cooperative, cooperatives)

    artisans = []
    for n in range(1, args.artisans + 1):
        code, _name, _w, letters, communes = rng.choices(PROVINCES, province_weights)[0]
        woman = rng.random() < 0.46
        first, first_ar = rng.choice(WOMEN if woman else MEN)
        last, last_ar = rng.choice(FAMILY)
        artisans.append(
            {
                "id": n,
                "first_name": first,
                "last_name": last,
                "first_name_ar": first_ar,
                "last_name_ar": last_ar,
                "cin": f"{letters[n % len(letters)]}{100000 + n}",
                "registry_number": f"CS-{n:07d}" if n % 2 else "",
                "gender": "F" if woman else "M",
                "birth_year": rng.randint(1950, 2002),
                "phone": f"+2126{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.9 else "",
                "email": "",
                "province_id": provinces[code],
                "commune": rng.choice(communes),
                "area": "rural" if rng.random() < 0.38 else "urban",
                "main_craft_id": crafts[rng.choices(CRAFTS, craft_weights)[0][0]],
                "cooperative_id": rng.randrange(400) + 1 if rng.random() < 0.12 else None,
                "language": "ar" if rng.random() < 0.6 else "fr",
            }
        )
    ins.insert(Artisan, artisans)

    venue_ids = []
    for name, name_ar, kind, province in VENUES:
        venue = Venue.objects.create(
            name=name, name_ar=name_ar, kind=kind, province_id=provinces[province], capacity=300
        )
        venue_ids.append(venue.pk)

    # 100 fairs from 2019 to this year, local ones most; the last few still to come.
    scopes = ["local"] * 62 + ["regional"] * 10 + ["national"] * 16 + ["international"] * 12
    rng.shuffle(scopes)
    first_year = today.year - 7
    fairs = []
    for n in range(args.fairs):
        scope = scopes[n % len(scopes)]
        days_into = int((today - dt.date(first_year, 1, 1)).days * (n + 0.5) / args.fairs)
        starts_on = dt.date(first_year, 1, 1) + dt.timedelta(days=days_into + 60)
        ends_on = starts_on + dt.timedelta(days=rng.choice((4, 6, 9, 9, 9, 12)))
        organised = scope in ("local", "regional")
        city, country = rng.choice(ABROAD if scope == "international" else HOME)
        if ends_on < today:
            status = "closed"
        elif starts_on <= today:
            status = "running"
        else:
            status = "open"
        opens = dt.datetime.combine(starts_on - dt.timedelta(days=90), dt.time(9), tz)
        fairs.append(
            {
                "id": n + 1,
                "name": f"Salon de l'artisanat {n + 1} ({starts_on.year})",
                "name_ar": f"معرض الصناعة التقليدية {n + 1}",
                "slug": f"salon-{n + 1}",
                "scope": scope,
                "role": "organizer" if organised else "participant",
                "venue_id": rng.choice(venue_ids) if organised else None,
                "city": "" if organised else city,
                "country": "MA" if organised else country,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "applications_open_at": opens,
                "applications_close_at": opens + dt.timedelta(days=30),
                "status": status,
                "capacity": 300 if organised else 40,
                "fee": Decimal("500.00"),
                "description": "",
            }
        )
    ins.insert(Fair, fairs)

    # 20,000 applications: local and regional fairs draw many, the others a few dozen each;
    # a pool of returning artisans so that some take part again and again.
    weight = {"local": 10, "regional": 6, "national": 2, "international": 1.2}
    total_weight = sum(weight[f["scope"]] for f in fairs)
    returning = rng.sample(range(1, args.artisans + 1), k=min(6000, args.artisans))
    applications, n = [], 0
    for fair in fairs:
        count = round(args.applications * weight[fair["scope"]] / total_weight)
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(rng.choice(returning) if rng.random() < 0.35 else rng.randint(1, args.artisans))
        held = fair["status"] in ("closed", "running")
        for artisan_id in sorted(chosen):
            n += 1
            if held:
                status = rng.choices(
                    ["confirmed", "rejected", "declined", "withdrawn", "expired"], [78, 12, 4, 3, 3]
                )[0]
            else:
                status = "submitted"
            applications.append(
                {
                    "id": n,
                    "artisan_id": artisan_id,
                    "fair_id": fair["id"],
                    "status": status,
                    "products": "Poteries, tapis et broderies",
                    "submitted_at": fair["applications_open_at"] + dt.timedelta(hours=rng.randint(1, 600)),
                }
            )
    ins.insert(Application, applications)

    fair_by_id = {f["id"]: f for f in fairs}
    names = {
        a["id"]: (f"{a['first_name']} {a['last_name']}", f"{a['first_name_ar']} {a['last_name_ar']}")
        for a in artisans
    }
    badges, check_ins, outcomes = [], [], []
    for application in applications:
        fair = fair_by_id[application["fair_id"]]
        if application["status"] != "confirmed":
            continue
        if fair["status"] == "closed" and rng.random() < 0.45:
            outcomes.append(
                {
                    "id": len(outcomes) + 1,
                    "application_id": application["id"],
                    "sales_mad": Decimal(round(rng.lognormvariate(8.8, 0.9))),
                    "items_sold": rng.randint(0, 300),
                    "orders": rng.randint(0, 20),
                    "export_contacts": rng.randint(0, 5) if fair["scope"] == "international" else 0,
                    "notes": "",
                    "reported_at": dt.datetime.combine(fair["ends_on"], dt.time(12), tz)
                    + dt.timedelta(days=5),
                    "updated_at": dt.datetime.combine(fair["ends_on"], dt.time(12), tz)
                    + dt.timedelta(days=5),
                }
            )
        if fair["starts_on"] < SOUK_ERA or fair["scope"] not in ("local", "regional"):
            continue
        badge_id = len(badges) + 1
        name, name_ar = names[application["artisan_id"]]
        badges.append(
            {
                "id": badge_id,
                "fair_id": fair["id"],
                "kind": BadgeKind.EXHIBITOR,
                "serial": base64.b32encode(badge_id.to_bytes(5, "big")).decode(),
                "application_id": application["id"],
                "name": name,
                "name_ar": name_ar,
                "valid_from": fair["starts_on"],
                "valid_until": fair["ends_on"],
            }
        )
        if rng.random() < 0.04:
            continue  # never came
        day = fair["starts_on"]
        while day <= min(fair["ends_on"], today):
            if rng.random() < 0.88:
                entry = dt.datetime.combine(day, dt.time(8, 30), tz) + dt.timedelta(
                    minutes=rng.randint(0, 150)
                )
                for direction, when in (
                    (Direction.IN, entry),
                    (Direction.OUT, entry + dt.timedelta(hours=9)),
                ):
                    number = len(check_ins) + 1
                    check_ins.append(
                        {
                            "id": number,
                            "fair_id": fair["id"],
                            "badge_id": badge_id,
                            "gate": "A",
                            "direction": direction,
                            "result": CheckInResult.OK,
                            "origin": "user:1",
                            "nonce": f"n{number}",
                            "scanned_at": when,
                            "received_at": when,
                        }
                    )
            day += dt.timedelta(days=1)
    ins.insert(Badge, badges)
    ins.insert(CheckIn, check_ins)
    ins.insert(Outcome, outcomes)
    return {
        "artisans": len(artisans),
        "fairs": len(fairs),
        "applications": len(applications),
        "participations": sum(a["status"] == "confirmed" for a in applications),
        "badges": len(badges),
        "check-ins": len(check_ins),
        "outcomes": len(outcomes),
    }


# --- Timing --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_page(client, url: str, runs: int, cold: bool) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of ``runs`` requests, and the query count. SQLite runs
    inside the process, so CPU time is the steadier figure on a shared machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, queries = [], [], 0
    for _ in range(runs):
        if cold:
            connection.close()
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return times, cpu, queries


def slow_queries(client, url: str, explain: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    ranked = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    print(f"\nslowest queries of {url} ({len(ranked)} in all):")
    for query in ranked[:5]:
        sql = query["sql"]
        print(f"  {float(query['time']) * 1000:7.1f} ms  {sql[:150]}{'…' if len(sql) > 150 else ''}")
        if explain:
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("           ", " ".join(str(cell) for cell in row))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--artisans", type=int, default=180_000)
    parser.add_argument("--fairs", type=int, default=100)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="SQLite file to write (or reuse when it exists)")
    parser.add_argument("--postgres", action="store_true", help=f"use the PostgreSQL database {PG_NAME}")
    parser.add_argument("--reuse", action="store_true", help=f"with --postgres: time {PG_NAME} as it is")
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest queries")
    parser.add_argument("--exports", action="store_true", help="also time each export once")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="souk-bench-dashboard-")
    os.environ["SOUK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DEBUG", None)
    reuse = False
    if args.postgres and args.reuse:
        os.environ["DATABASE_URL"] = PG_URL
        reuse = True
    elif args.postgres:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {PG_NAME}"], check=True)  # fmt: skip
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {PG_NAME}"], check=True)  # fmt: skip
        os.environ["DATABASE_URL"] = PG_URL
    else:
        path = Path(args.keep) if args.keep else Path(data_dir) / "dashboard.sqlite3"
        reuse = path.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test import Client

        from core.models import User

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        # Measured uncached: the page keeps its figures a minute (reports/views/dashboard.py),
        # which hides their cost; the cached figure is printed apart, at the end.
        settings.SOUK_DASHBOARD_CACHE_SECONDS = 0
        print(
            f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
            f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        if reuse:
            print(f"reusing {os.environ['DATABASE_URL']}")
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            migrated = time.perf_counter() - started
            started = time.perf_counter()
            if connection.vendor == "sqlite":  # a throwaway file: no need to survive a crash
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA cache_size = -131072")
                    cursor.execute("PRAGMA synchronous = OFF")
            with transaction.atomic():
                counts = generate(args, connection)
            if connection.vendor == "postgresql":
                # What autovacuum does soon after a bulk load; SQLite gets no statistics
                # (nothing in Souk runs ANALYZE there), so it is timed without.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            generated = time.perf_counter() - started
            print(
                f"migrate {migrated:.1f} s; generate {generated:.1f} s: "
                + ", ".join(f"{v:,} {k}" for k, v in counts.items())
            )

        client = Client()
        client.force_login(User.objects.get(username="bench-staff"))
        from core.models import Province

        casablanca = Province.objects.get(code="casablanca").pk
        this_year = dt.date.today().year
        urls = [
            ("default period (all years)", "/staff/dashboard/"),
            ("four years", f"/staff/dashboard/?start={this_year - 4}-01-01&end={this_year - 1}-12-31"),
            ("a province", f"/staff/dashboard/?province={casablanca}"),
            ("a craft sector", "/staff/dashboard/?craft=1"),
        ]
        connection.close()
        started = time.perf_counter()
        first = client.get(urls[0][1])
        assert first.status_code == 200
        print(f"first request of the process: {(time.perf_counter() - started) * 1000:.0f} ms")
        print(
            f"\n{'GET /staff/dashboard/':28} {'cold-ish median':>15} {'p95':>7} {'CPU':>7}"
            f" {'warm median':>12} {'p95':>7} {'CPU':>7} {'queries':>8}"
        )
        for label, url in urls:
            cold, cold_cpu, queries = time_page(client, url, args.runs, cold=True)
            warm, warm_cpu, _ = time_page(client, url, args.runs, cold=False)
            print(
                f"{label:28} {statistics.median(cold):12.0f} ms {percentile(cold, 95):4.0f} ms"
                f" {statistics.median(cold_cpu):4.0f} ms {statistics.median(warm):9.0f} ms"
                f" {percentile(warm, 95):4.0f} ms {statistics.median(warm_cpu):4.0f} ms {queries:8}"
            )
        slow_queries(client, urls[0][1], args.explain)

        settings.SOUK_DASHBOARD_CACHE_SECONDS = 60
        client.get(urls[0][1])
        cached, cached_cpu, queries = time_page(client, urls[0][1], args.runs, cold=False)
        print(
            f"\nthe same page with its figures kept from the previous request (a minute at most): "
            f"median {statistics.median(cached):.0f} ms, p95 {percentile(cached, 95):.0f} ms, "
            f"CPU {statistics.median(cached_cpu):.0f} ms, {queries} queries"
        )

        if args.exports:
            print()
            for kind in ("participants", "attendance", "outcomes"):
                for fmt in ("csv", "xlsx"):
                    started = time.perf_counter()
                    response = client.get(f"/staff/dashboard/exports/{kind}.{fmt}")
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    seconds = time.perf_counter() - started
                    lines = body.count(b"\n") if fmt == "csv" else None
                    size = len(body) / 1e6
                    extra = f", {lines - 1:,} rows" if lines else ""
                    print(f"export {kind}.{fmt}: {seconds:5.1f} s, {size:.1f} MB{extra}")
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
