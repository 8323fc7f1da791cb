"""Time the regional summary (reports/figures.py and reports/pdf/summary.py) over four years.

Two data sets, each in its own throwaway database (a temporary ``SOUK_DATA_DIR`` with SQLite,
as the other benchmarks do, or ``--database-url`` for an empty PostgreSQL database):

* ``demo``: ``seed_demo`` (23 local fairs 2021–2024, 1,616 artisans, exhibitions, check-ins);
* ``region``: a region-sized registry built in bulk — 180,000 artisans (46 % women, 38 %
  rural, the nine provinces, every craft), 100 fairs from 2021 to 2024 (local and regional
  ones organised by the delegation, national and international exhibitions of others), 20,000
  applications of which 17,000 confirmed, an outcome for 60 % of the participations, and
  badges with entry scans at the organised fairs of 2023 and 2024.

For each: ``region_figures`` alone (what the dashboard calls), then the whole summary PDF for
2021–2024 as staff get it — ``GET /staff/reports/summary.pdf`` through Django's test client,
in French and in Arabic — median of the runs, min–max, CPU time, pages.

    .venv/bin/python bench/summary_pdf.py                       # both data sets, 5 runs
    .venv/bin/python bench/summary_pdf.py --data region --runs 3
    .venv/bin/python bench/summary_pdf.py --data region --data-dir /tmp/bench-region  # keep it, then
    .venv/bin/python bench/summary_pdf.py --data region --data-dir /tmp/bench-region --reuse
    .venv/bin/python bench/summary_pdf.py --data region --database-url postgres://postgres@127.0.0.1:5432/souk_bench

Target: the summary PDF over four years in under 3 s.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from host import machine  # noqa: E402

TARGET_SECONDS = 3.0
START, END = dt.date(2021, 1, 1), dt.date(2024, 12, 31)
PROVINCES = [  # code, weight (artisans of the region, roughly)
    ("casablanca", 30), ("settat", 14), ("el-jadida", 14), ("berrechid", 9), ("mohammedia", 7),
    ("sidi-bennour", 8), ("benslimane", 6), ("nouaceur", 6), ("mediouna", 6),
]  # fmt: skip


def build_region(*, artisans: int, fairs: int, applications: int, seed: int) -> dict:
    """The region-sized data set, written with bulk_create (no services: this is a load)."""
    from badges.models import Badge, CheckIn, CheckInResult, Direction
    from core.models import CraftCategory, Province
    from fairs.models import Fair, Venue
    from registrations.models import Application, ApplicationStatus, Artisan
    from reports.models import Outcome

    rng = random.Random(seed)
    provinces = {p.code: p for p in Province.objects.filter(code__in=[code for code, _w in PROVINCES])}
    province_list = [provinces[code] for code, _w in PROVINCES]
    province_weights = [w for _code, w in PROVINCES]
    crafts = list(CraftCategory.objects.filter(parent__isnull=False))
    craft_weights = [rng.randint(1, 10) for _ in crafts]

    batch = 10_000
    for first in range(0, artisans, batch):
        Artisan.objects.bulk_create(
            [
                Artisan(
                    first_name="Fatima" if (woman := rng.random() < 0.46) else "Mohamed",
                    last_name=f"Bench{n}",
                    first_name_ar="فاطمة" if woman else "محمد",
                    last_name_ar="بنشرقي",
                    cin=f"BK{n:07d}",
                    gender="F" if woman else "M",
                    birth_year=rng.randrange(1950, 2004),
                    province=rng.choices(province_list, province_weights)[0],
                    area="rural" if rng.random() < 0.38 else "urban",
                    main_craft=rng.choices(crafts, craft_weights)[0],
                )
                for n in range(first, min(first + batch, artisans))
            ],
            batch_size=2_000,
        )
    artisan_ids = list(Artisan.objects.values_list("pk", flat=True))

    venue = Venue.objects.create(
        name="Complexe de l'artisanat (bench)",
        kind=Venue.Kind.COMPLEX,
        province=provinces["settat"],
        capacity=300,
    )
    # 70 % local and 10 % regional organised fairs; 12 % national and 8 % international exhibitions.
    kinds = (
        [(Fair.Scope.LOCAL, Fair.Role.ORGANIZER)] * round(fairs * 0.70)
        + [(Fair.Scope.REGIONAL, Fair.Role.ORGANIZER)] * round(fairs * 0.10)
        + [(Fair.Scope.NATIONAL, Fair.Role.PARTICIPANT)] * round(fairs * 0.12)
    )
    kinds += [(Fair.Scope.INTERNATIONAL, Fair.Role.PARTICIPANT)] * (fairs - len(kinds))
    rng.shuffle(kinds)
    fair_rows = []
    for n, (scope, role) in enumerate(kinds):
        starts_on = START + dt.timedelta(days=rng.randrange((END - START).days - 10))
        fair_rows.append(
            Fair(
                name=f"Foire bench {n}",
                name_ar=f"معرض {n}",
                slug=f"bench-{n}",
                scope=scope,
                role=role,
                venue=venue if role == Fair.Role.ORGANIZER else None,
                city="" if role == Fair.Role.ORGANIZER else "Paris",
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=rng.randint(4, 9)),
                capacity=400,
                status=Fair.Status.CLOSED,
            )
        )
    fair_list = Fair.objects.bulk_create(fair_rows)

    # Applications: exhibitions of others take 10–40 artisans, organised fairs share the rest.
    # A minority of artisans come back (the same people apply again), as in the demo.
    confirmed_target = round(applications * 0.85)
    small = [f for f in fair_list if f.role == Fair.Role.PARTICIPANT]
    big = [f for f in fair_list if f.role == Fair.Role.ORGANIZER]
    sizes = {f.pk: rng.randint(10, 40) for f in small}
    rest = applications - sum(sizes.values())
    for i, fair in enumerate(big):
        sizes[fair.pk] = rest // len(big) + (1 if i < rest % len(big) else 0)
    regulars = rng.sample(artisan_ids, min(len(artisan_ids), applications // 3))
    rows, statuses = [], []
    for fair in fair_list:
        chosen = set()
        while len(chosen) < sizes[fair.pk]:
            chosen.add(rng.choice(regulars) if rng.random() < 0.5 else rng.choice(artisan_ids))
        for artisan_id in chosen:
            rows.append(Application(artisan_id=artisan_id, fair=fair, products="Bench"))
    rng.shuffle(rows)
    for i, application in enumerate(rows):
        if i < confirmed_target:
            application.status = ApplicationStatus.CONFIRMED
        else:
            application.status = rng.choice(
                [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED]
            )
        statuses.append(application.status)
    created = Application.objects.bulk_create(rows, batch_size=2_000)
    confirmed = [a for a in created if a.status == ApplicationStatus.CONFIRMED]

    Outcome.objects.bulk_create(
        [
            Outcome(
                application=application,
                sales_mad=Decimal(rng.randrange(0, 60_000)),
                items_sold=rng.randrange(0, 200),
                orders=rng.randrange(0, 20),
                export_contacts=rng.randrange(0, 5),
            )
            for application in confirmed
            if rng.random() < 0.6
        ],
        batch_size=2_000,
    )

    fair_by_pk = {f.pk: f for f in fair_list}
    scanned = [
        a
        for a in confirmed
        if fair_by_pk[a.fair_id].role == Fair.Role.ORGANIZER and fair_by_pk[a.fair_id].starts_on.year >= 2023
    ]
    badges = Badge.objects.bulk_create(
        [
            Badge(
                fair_id=a.fair_id,
                kind="exhibitor",
                serial=f"B{n:07d}",
                application=a,
                name="Bench",
                valid_from=fair_by_pk[a.fair_id].starts_on,
                valid_until=fair_by_pk[a.fair_id].ends_on,
            )
            for n, a in enumerate(scanned)
        ],
        batch_size=2_000,
    )
    check_ins = [
        CheckIn(
            fair_id=badge.fair_id,
            badge=badge,
            gate="A",
            direction=Direction.IN,
            result=CheckInResult.OK,
            origin="bench",
            nonce=f"n{n}",
            scanned_at=dt.datetime.combine(badge.valid_from, dt.time(9, rng.randrange(60)), tzinfo=dt.UTC),
        )
        for n, badge in enumerate(badges)
        if rng.random() < 0.95
    ]
    CheckIn.objects.bulk_create(check_ins, batch_size=2_000)
    return {
        "artisans": len(artisan_ids),
        "fairs": len(fair_list),
        "applications": len(created),
        "confirmed": len(confirmed),
        "check-ins": len(check_ins),
    }


def timed(runs: int, call):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def report(label: str, walls, cpus, extra: str = "", target: float | None = None) -> None:
    verdict = ""
    if target is not None:
        verdict = "ok" if statistics.median(walls) < target else "TOO SLOW"
    print(
        f"  {label:34} {statistics.median(walls) * 1000:8.0f} ms ({min(walls) * 1000:.0f}–{max(walls) * 1000:.0f})"
        f"  CPU {statistics.median(cpus) * 1000:6.0f} ms  {extra}  {verdict}"
    )


def measure(name: str, runs: int, keep: Path | None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation
    from pypdf import PdfReader

    from core.models import Province, User
    from reports.figures import region_figures

    staff, _created = User.objects.get_or_create(username="bench-staff", defaults={"is_superuser": True})
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    with translation.override("fr"):
        region_figures(start=START, end=END)  # warm the connection and the caches
        with CaptureQueriesContext(connection) as queries:
            figures = region_figures(start=START, end=END)
        walls, cpus, _ = timed(runs, lambda: region_figures(start=START, end=END))
    print(
        f"{name}: {figures.fairs} fairs held, {figures.participations:,} participations, "
        f"{figures.artisans:,} artisans, {figures.outcomes.reported:,} outcomes ({connection.vendor})"
    )
    report("region_figures 2021–2024", walls, cpus, f"{len(queries)} queries")
    settat = Province.objects.get(code="settat")
    walls, cpus, _ = timed(runs, lambda: region_figures(start=START, end=END, province=settat))
    report("region_figures, one province", walls, cpus)
    for language in ("fr", "ar"):
        client.cookies["django_language"] = language
        url = f"/staff/reports/summary.pdf?start={START}&end={END}"
        walls, cpus, response = timed(runs, lambda url=url: client.get(url))
        assert response.status_code == 200, response.status_code
        pages = len(PdfReader(io.BytesIO(response.content)).pages)
        report(
            f"summary PDF, {language} (GET)",
            walls,
            cpus,
            f"{pages} pages, {len(response.content) / 1e3:.0f} kB",
            TARGET_SECONDS,
        )
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"summary-{name}-{language}.pdf").write_bytes(response.content)
    client.cookies["django_language"] = "fr"
    walls, cpus, response = timed(
        runs, lambda: client.get(f"/staff/reports/summary/?start={START}&end={END}")
    )
    assert response.status_code == 200, response.status_code
    report("summary page, fr (GET)", walls, cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=["demo", "region", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--artisans", type=int, default=180_000)
    parser.add_argument("--fairs", type=int, default=100)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", help="an EMPTY throwaway database (default: a temporary SQLite file)"
    )
    parser.add_argument("--keep", type=Path, help="write the PDFs in this folder")
    parser.add_argument("--data-dir", type=Path, help="keep the SQLite database in this folder")
    parser.add_argument("--reuse", action="store_true", help="time the data already in the database")
    args = parser.parse_args()

    if args.data == "both":
        # One process per data set: each gets its own fresh database and settings.
        import subprocess

        for name in ("demo", "region"):
            forwarded = [a for a in sys.argv[1:] if not a.startswith("--data")]
            if "--data" in sys.argv:
                index = sys.argv.index("--data")
                forwarded = sys.argv[1:index] + sys.argv[index + 2 :]
            subprocess.run([sys.executable, __file__, "--data", name, *forwarded], check=True)
        return

    name = args.data
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SOUK_DATA_DIR"] = str(args.data_dir or tempfile.mkdtemp(prefix=f"souk-bench-summary-{name}-"))
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DEBUG"] = "1"  # seed_demo refuses to run without it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from registrations.models import Artisan

    print(machine())
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Artisan.objects.exists():
        if not args.reuse:
            sys.exit("The database is not empty: give an empty throwaway database (or --reuse its data).")
        print(f"{name}: reusing the data already there")
    elif name == "demo":
        call_command("seed_demo", verbosity=0)
        print(f"demo: seeded in {time.perf_counter() - started:.0f} s")
    else:
        counts = build_region(
            artisans=args.artisans, fairs=args.fairs, applications=args.applications, seed=args.seed
        )
        made = ", ".join(f"{value:,} {key}" for key, value in counts.items())
        print(f"region: {made}; built in {time.perf_counter() - started:.0f} s")
    measure(name, args.runs, args.keep)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
