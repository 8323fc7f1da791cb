"""Time the attendance report of a 500-exhibitor, 10-day fair (reports/pdf/attendance.py).

Builds a throwaway SQLite database (migrated in a temporary ``SOUK_DATA_DIR``, as
bench/import_artisans.py does) with one closed fair: confirmed exhibitors with Moroccan names
(three in four also in Arabic script), a craft, a province of Casablanca-Settat, urban or
rural, a booth each (zones A–J); their badges issued through ``badges_issue_for_fair``; and
the gate scans of every day: most exhibitors arrive between 8:30 and 10:00, one arrival in
eight after 10:00 (late), 6 % stay away on a given day and 2 % never come, most scan out in
the evening, a few scans are refused (already inside, unreadable). Then it times, apart,

* loading: ``reports.selectors.fair_attendance`` (the queries and the attendance core),
* rendering: ``render_attendance`` (the PDF from the computed attendance),
* both: ``attendance_pdf`` — everything the web page and the API call;

    .venv/bin/python bench/attendance_pdf.py [--exhibitors 500] [--days 10] [--runs 3] [--seed 7]
                                             [--languages fr,ar] [--keep DIR]

``--keep DIR`` writes the last PDF of each language there. Prints the wall clock (median of
the runs, min–max), CPU time, queries, pages and size, and the machine.
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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from host import machine  # noqa: E402

TARGET_SECONDS = 3.0


def build(exhibitors: int, days: int, seed: int):
    from dataset import fair_with_exhibitors
    from django.utils import timezone

    from badges.models import CheckIn, CheckInResult, Direction
    from fairs.models import Fair

    rng = random.Random(seed)
    today = timezone.localdate()
    starts = today - dt.timedelta(days=days + 7)
    made = fair_with_exhibitors(
        exhibitors, rng=rng, starts_on=starts, ends_on=starts + dt.timedelta(days=days - 1),
        status=Fair.Status.RUNNING, across_the_region=True,
    )  # fmt: skip
    fair, badges = made.fair, made.badges
    fair.status = Fair.Status.CLOSED
    fair.save(update_fields=["status"])

    scans = []

    def scan(badge, when, direction=Direction.IN, result=CheckInResult.OK):
        scans.append(CheckIn(fair=fair, badge=badge, gate=rng.choice(["Porte A", "Porte B"]), direction=direction,
                             result=result, origin="device:bench", nonce=uuid.uuid4().hex, scanned_at=when))  # fmt: skip

    for badge in badges:
        never = rng.random() < 0.02
        for offset in range(days):
            if never or rng.random() < 0.06:
                continue
            day = starts + dt.timedelta(days=offset)
            minutes = (
                rng.randint(10 * 60 + 1, 12 * 60)
                if rng.random() < 0.125
                else rng.randint(8 * 60 + 30, 10 * 60)
            )
            arrive = timezone.make_aware(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)))
            scan(badge, arrive)
            if rng.random() < 0.02:
                scan(badge, arrive + dt.timedelta(seconds=20), result=CheckInResult.ALREADY_INSIDE)
            if rng.random() < 0.9:
                scan(badge, arrive.replace(hour=18, minute=rng.randint(0, 59)), direction=Direction.OUT)
    CheckIn.objects.bulk_create(scans, batch_size=2000)
    return fair, len(badges), len(scans)


def timed(function, runs: int):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, walls, cpus


def line(label: str, walls, cpus, extra: str = "") -> str:
    return (
        f"{label:10} {statistics.median(walls):6.3f} s ({min(walls):.3f}–{max(walls):.3f})  "
        f"CPU {statistics.median(cpus):6.3f} s  {extra}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exhibitors", type=int, default=500)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--languages", default="fr,ar", help="comma-separated: fr, ar, en")
    parser.add_argument("--keep", type=Path, help="write the last PDF of each language in this folder")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="souk-bench-attendance-")
    os.environ["SOUK_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("MEDIA_ROOT", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation
    from pypdf import PdfReader

    from reports import selectors
    from reports.pdf.attendance import attendance_pdf, render_attendance

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fair, badges, scans = build(args.exhibitors, args.days, args.seed)
    print(
        f"data: {badges:,} exhibitors × {args.days} days, {scans:,} scans, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    print(machine())
    fair = type(fair).objects.select_related("venue").get(pk=fair.pk)
    today = timezone.localdate()
    for language in args.languages.split(","):
        rtl = language == "ar"
        with translation.override(language):
            with CaptureQueriesContext(connection) as queries:
                attendance, load_walls, load_cpus = timed(
                    lambda: selectors.fair_attendance(fair, until=today), args.runs
                )
            per_run = len(queries.captured_queries) // args.runs
            data, render_walls, render_cpus = timed(
                lambda attendance=attendance, rtl=rtl: render_attendance(fair, attendance, rtl=rtl),
                args.runs,
            )
            data, walls, cpus = timed(lambda: attendance_pdf(fair), args.runs)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        verdict = "ok" if statistics.median(walls) < TARGET_SECONDS else "TOO SLOW"
        print(f"[{language}] rate {attendance.rate:.3f}, {pages} pages, {len(data) / 1e6:.2f} MB")
        print("  " + line("loading", load_walls, load_cpus, f"{per_run} queries"))
        print("  " + line("rendering", render_walls, render_cpus))
        print("  " + line("both", walls, cpus, verdict))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"attendance-{args.exhibitors}x{args.days}-{language}.pdf").write_bytes(data)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
