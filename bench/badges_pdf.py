"""Time the PDF of all badges of a 2,000-exhibitor fair (badges/pdf.py), as cards and as A4 sheets.

Builds a throwaway SQLite database (migrated in a temporary ``SOUK_DATA_DIR``, as
bench/import_artisans.py does) with one published fair: 2,000 confirmed exhibitors with
Moroccan names (most also in Arabic script), a craft each, a cooperative for one in five, a
booth each (zones A–J), and a profile photo for a share of them (``--photos``, default 30 %:
800-pixel JPEGs like the ones the upload form keeps, each different); issues their badges
through ``badges_issue_for_fair``; then times ``fair_badges_pdf`` — everything the web page
and the API call — for CR80 cards, CR80 sheets (10 a page), A6 cards and A6 sheets (4 a page):

    .venv/bin/python bench/badges_pdf.py [--exhibitors 2000] [--photos 0.3] [--runs 3] [--seed 7] [--keep DIR]

``--keep DIR`` writes the last PDF of each kind there. Prints the wall clock (median of the
runs, min–max), CPU time, pages and size, and the machine. Every run starts cold: the
module's caches are emptied first, as in a fresh worker.
"""

import argparse
import datetime as dt
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


TARGET_SECONDS = 10.0


def make_photo(rng: random.Random, number: int) -> bytes:
    """An 800 × 800 JPEG portrait-ish picture, different for every artisan (as uploads are)."""
    from PIL import Image, ImageDraw, ImageFilter

    base = tuple(rng.randrange(90, 220) for _ in range(3))
    image = Image.new("RGB", (800, 800), base)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y, r = rng.randrange(800), rng.randrange(800), rng.randrange(40, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.ellipse((250, 140, 550, 480), fill=(200, 160, 130))  # a face
    draw.rectangle((180, 500, 620, 800), fill=(60, 70, 110))  # shoulders
    draw.text((20, 20), str(number), fill=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((800, 800), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def build(exhibitors: int, photo_share: float, seed: int):
    """A published fair 20 days ahead with ``exhibitors`` exhibitors, cooperatives, photos."""
    from dataset import fair_with_exhibitors

    from fairs.models import Fair

    rng = random.Random(seed)
    today = dt.date.today()
    made = fair_with_exhibitors(
        exhibitors, rng=rng, starts_on=today + dt.timedelta(days=20), ends_on=today + dt.timedelta(days=29),
        status=Fair.Status.PUBLISHED, cooperatives=True, photo_share=photo_share, photo=make_photo,
    )  # fmt: skip
    return made.fair, len(made.badges), sum(1 for artisan in made.artisans if artisan.photo)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exhibitors", type=int, default=2000)
    parser.add_argument("--photos", type=float, default=0.3, help="share of exhibitors with a photo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the last PDF of each kind in this folder")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="souk-bench-badges-")
    try:
        measure(args, data_dir)
    finally:  # the throwaway database and its photos
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args, data_dir: str) -> None:
    os.environ["SOUK_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("MEDIA_ROOT", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation
    from host import machine
    from pypdf import PdfReader

    from badges import pdf
    from badges.pdf import fair_badges_pdf

    def cold(photos_too: bool = True) -> None:
        """Forget what a previous run cached (text widths, fitted lines, the QR frame, and the
        photos cut to the frame, kept on disk), so each run costs what the first one in a
        fresh worker does. ``photos_too=False``: a fresh worker reprinting (the cut photos kept)."""
        for cached in (pdf._shaped, pdf._unit_width, pdf._fit, pdf._head_lines, pdf._qr_frame_for_length):
            cached.cache_clear()
        if photos_too:
            shutil.rmtree(settings.SOUK_PHOTO_CACHE_DIR, ignore_errors=True)

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fair, issued, photos = build(args.exhibitors, args.photos, args.seed)
    print(f"data: {issued:,} badges, {photos:,} with a photo, built in {time.perf_counter() - started:.1f} s")
    print(machine())

    translation.activate("fr")
    for card_format in ("cr80", "a6"):
        for layout in ("card", "sheet"):
            walls, cpus, data = [], [], b""
            for _ in range(args.runs):
                cold()
                wall, cpu_time = time.perf_counter(), time.process_time()
                data = fair_badges_pdf(fair, layout=layout, card_format=card_format)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu_time)
            cold(photos_too=False)
            wall, cpu_time = time.perf_counter(), time.process_time()
            fair_badges_pdf(fair, layout=layout, card_format=card_format)
            reprint = (time.perf_counter() - wall, time.process_time() - cpu_time)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            verdict = "ok" if statistics.median(walls) < TARGET_SECONDS else "TOO SLOW"
            print(
                f"{card_format:4} {layout:5}  {statistics.median(walls):5.2f} s "
                f"({min(walls):.2f}–{max(walls):.2f})  CPU {statistics.median(cpus):5.2f} s  "
                f"{pages:5,} pages  {len(data) / 1e6:6.1f} MB  {verdict}  "
                f"reprint (photos kept) {reprint[0]:.2f} s, CPU {reprint[1]:.2f} s"
            )
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"badges-{card_format}-{layout}.pdf").write_bytes(data)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
