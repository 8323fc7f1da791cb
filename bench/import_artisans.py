"""Import the region's registry — 180,000 artisans — into a fresh SQLite database, and time it.

Generates a realistic CSV (seeded, so every run reads the same file): Moroccan first and last
names in Latin script with the same names in Arabic script, unique CINs, phones written the
many ways people write them, the nine provinces of Casablanca-Settat (codes and French names),
crafts, registry numbers for about half, cooperatives for some. Then, on a fresh database
migrated in a temporary SOUK_DATA_DIR, runs the import three times:

1. every row new (created),
2. the same file again (every row unchanged),
3. a file where every artisan's phone and commune changed (every row updated).

    .venv/bin/python bench/import_artisans.py [--rows 180000] [--seed 7]

The CSV files are written under bench/data/ (git-ignored); the same seed writes the same bytes.
"""

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

WOMEN = [
    ("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Zineb", "زينب"), ("Naima", "نعيمة"),
    ("Malika", "مليكة"), ("Latifa", "لطيفة"), ("Saida", "سعيدة"), ("Rachida", "رشيدة"), ("Hafsa", "حفصة"),
    ("Meryem", "مريم"), ("Salma", "سلمى"), ("Imane", "إيمان"), ("Hanane", "حنان"), ("Souad", "سعاد"),
    ("Nadia", "نادية"), ("Karima", "كريمة"), ("Samira", "سميرة"), ("Asmae", "أسماء"), ("Houda", "هدى"),
    ("Loubna", "لبنى"), ("Siham", "سهام"), ("Najat", "نجاة"), ("Ghizlane", "غزلان"), ("Btissam", "ابتسام"),
    ("Yamna", "يامنة"), ("Rkia", "رقية"), ("Hasna", "حسناء"), ("Widad", "وداد"), ("Amina", "أمينة"),
]  # fmt: skip
MEN = [
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Youssef", "يوسف"), ("Hassan", "حسن"), ("Abdellah", "عبد الله"),
    ("Mustapha", "مصطفى"), ("Rachid", "رشيد"), ("Said", "سعيد"), ("Omar", "عمر"), ("Khalid", "خالد"),
    ("Abdelkader", "عبد القادر"), ("Driss", "إدريس"), ("Hamid", "حميد"), ("Brahim", "إبراهيم"),
    ("Abderrahim", "عبد الرحيم"), ("Jamal", "جمال"), ("Aziz", "عزيز"), ("Karim", "كريم"), ("Mehdi", "المهدي"),
    ("Hicham", "هشام"), ("Noureddine", "نور الدين"), ("Larbi", "العربي"), ("Lahcen", "لحسن"),
    ("Mbarek", "امبارك"), ("Abdelaziz", "عبد العزيز"), ("Tarik", "طارق"), ("Yassine", "ياسين"),
    ("Redouane", "رضوان"), ("Mourad", "مراد"), ("Bouchaib", "بوشعيب"),
]  # fmt: skip
FAMILY = [
    ("Bennani", "بناني"), ("El Amrani", "العمراني"), ("Alaoui", "العلوي"), ("Idrissi", "الإدريسي"),
    ("Tazi", "التازي"), ("Berrada", "برادة"), ("El Fassi", "الفاسي"), ("Benjelloun", "بنجلون"),
    ("Chraibi", "الشرايبي"), ("Lahlou", "لحلو"), ("Ouazzani", "الوزاني"), ("Bouazza", "بوعزة"),
    ("El Khatib", "الخطيب"), ("Ait Ali", "آيت علي"), ("Amzil", "أمزيل"), ("Ouchen", "أوشن"),
    ("Bakkali", "البقالي"), ("Naciri", "الناصري"), ("Sebti", "السبتي"), ("Skalli", "السقلي"),
    ("Kettani", "الكتاني"), ("Belhaj", "بلحاج"), ("Zerouali", "الزروالي"), ("Haddad", "الحداد"),
    ("Najjar", "النجار"), ("Fakhari", "الفخاري"), ("Doukkali", "الدكالي"), ("Chaoui", "الشاوي"),
    ("Harti", "الحارثي"), ("Mansouri", "المنصوري"), ("Slaoui", "السلاوي"), ("El Ouafi", "الوافي"),
    ("Boukhari", "البخاري"), ("Rifi", "الريفي"), ("Soussi", "السوسي"), ("Zemmouri", "الزموري"),
    ("Mezouari", "المزواري"), ("Ghazali", "الغزالي"), ("El Hamdaoui", "الحمداوي"), ("Khettabi", "الخطابي"),
]  # fmt: skip
# (code, French name as people write it, weight, CIN letters, communes)
PROVINCES = [
    ("casablanca", "Casablanca", 34, ("B", "BE", "BH", "BJ", "BK", "BL"),
     ("Anfa", "Hay Hassani", "Sidi Bernoussi", "Ain Chock", "Médina", "Sidi Moumen")),
    ("mohammedia", "Mohammedia", 6, ("T",), ("Mohammedia", "Ain Harrouda", "Beni Yakhlef")),
    ("el-jadida", "El Jadida", 13, ("M", "MC"), ("El Jadida", "Azemmour", "Sidi Bennour", "Oulad Hamdane")),
    ("nouaceur", "Nouaceur", 6, ("BM",), ("Dar Bouazza", "Bouskoura", "Nouaceur")),
    ("mediouna", "Médiouna", 4, ("BN",), ("Médiouna", "Tit Mellil", "Lahraouyine")),
    ("benslimane", "Benslimane", 5, ("WB",), ("Benslimane", "Bouznika", "Ziaida")),
    ("berrechid", "Berrechid", 10, ("WA",), ("Berrechid", "Had Soualem", "Sidi Rahal Chatai")),
    ("settat", "Settat", 14, ("W",), ("Settat", "Oulad Merrah", "Ben Ahmed", "El Borouj")),
    ("sidi-bennour", "Sidi Bennour", 8, ("MN",), ("Sidi Bennour", "Zemamra", "Oulad Amrane")),
]  # fmt: skip
CRAFTS = [
    ("pottery", "Poterie", 12), ("ceramics", "Céramique émaillée", 6), ("zellige", "Zellige", 5),
    ("carpets", "Tapis", 12), ("weaving", "Tissage traditionnel", 8),
    ("traditional-clothing", "Habillement traditionnel", 14), ("embroidery", "Broderie", 10),
    ("passementerie", "Passementerie", 4), ("leather-goods", "Maroquinerie", 6), ("babouches", "Babouches", 4),
    ("woodwork", "Menuiserie traditionnelle", 5), ("marquetry", "Marqueterie", 2), ("thuya", "Bois de thuya", 1),
    ("copperware", "Dinanderie", 3), ("wrought-iron", "Fer forgé", 3), ("silver-jewellery", "Bijouterie en argent", 3),
    ("gold-jewellery", "Bijouterie en or", 2), ("basketry", "Vannerie", 3), ("doum-raffia", "Doum et raphia", 2),
    ("plaster-carving", "Plâtre sculpté", 2), ("stone-carving", "Taille de pierre", 1),
    ("musical-instruments", "Instruments de musique", 1), ("lanterns", "Luminaires et lanternes", 2),
]  # fmt: skip
HEADER = [
    "cin", "prenom", "nom", "prenom_ar", "nom_ar", "sexe", "annee_naissance", "telephone", "email",
    "province", "commune", "milieu", "metier", "numero_registre", "cooperative",
]  # fmt: skip
COOPERATIVES = 400


def phone_as_written(rng: random.Random, digits: str) -> str:
    """The same number the ways a registry clerk types it."""
    local = "0" + digits
    style = rng.random()
    if style < 0.5:
        return local
    if style < 0.75:
        return " ".join(local[i : i + 2] for i in range(0, 10, 2))
    if style < 0.9:
        return "+212" + digits
    return "-".join(local[i : i + 2] for i in range(0, 10, 2))


def generate(path: Path, rows: int, seed: int, changed: bool = False) -> None:
    """Write ``rows`` artisans; ``changed`` gives the same artisans new phones and communes."""
    rng = random.Random(seed)
    other = random.Random(seed + 1)  # the changed values, drawn without disturbing `rng`
    province_weights = [p[2] for p in PROVINCES]
    craft_weights = [c[2] for c in CRAFTS]
    cins: set[str] = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            code, province_name, _, letters, communes = rng.choices(PROVINCES, province_weights)[0]
            woman = rng.random() < 0.46
            first, first_ar = rng.choice(WOMEN if woman else MEN)
            last, last_ar = rng.choice(FAMILY)
            while True:
                cin = rng.choice(letters) + str(rng.randint(10000, 999999))
                if cin not in cins:
                    cins.add(cin)
                    break
            phone_digits = rng.choice("67") + f"{rng.randint(0, 99_999_999):08d}"
            if changed:
                phone_digits = other.choice("67") + f"{other.randint(0, 99_999_999):08d}"
            phone = phone_as_written(rng, phone_digits) if rng.random() < 0.9 else ""
            email = (
                f"{first.lower()}.{last.lower().replace(' ', '')}{n}@example.ma" if rng.random() < 0.3 else ""
            )
            commune = rng.choice(communes)
            if changed:
                commune = other.choice(communes) + " (centre)"
            craft_code, craft_name, _ = rng.choices(CRAFTS, craft_weights)[0]
            writer.writerow(
                [
                    cin,
                    first,
                    last,
                    first_ar,
                    last_ar,
                    rng.choice(("F", "femme")) if woman else rng.choice(("M", "homme")),
                    rng.randint(1950, 2002),
                    phone,
                    email,
                    code if rng.random() < 0.6 else province_name,
                    commune,
                    "rural" if rng.random() < 0.38 else rng.choice(("urbain", "urban")),
                    craft_code if rng.random() < 0.5 else craft_name,
                    f"CS-{2010 + n % 14}-{n:06d}" if rng.random() < 0.5 else "",
                    f"COOP-{rng.randrange(COOPERATIVES):05d}" if rng.random() < 0.12 else "",
                ]
            )


def to_xlsx(source: Path, target: Path) -> None:
    """The same rows as an Excel workbook (numbers as text, as a registry export has them)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with source.open(encoding="utf-8", newline="") as rows:
        for cells in csv.reader(rows, delimiter=";"):
            sheet.append(cells)
    workbook.save(target)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=180_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--xlsx", action="store_true", help="also import the same rows from an .xlsx file")
    args = parser.parse_args()

    first_file = DATA / f"artisans-{args.rows}-seed{args.seed}.csv"
    changed_file = DATA / f"artisans-{args.rows}-seed{args.seed}-changed.csv"
    started = time.perf_counter()
    generate(first_file, args.rows, args.seed)
    generate_seconds = time.perf_counter() - started
    generate(changed_file, args.rows, args.seed, changed=True)
    xlsx_file = first_file.with_suffix(".xlsx")
    if args.xlsx:
        to_xlsx(first_file, xlsx_file)

    data_dir = tempfile.mkdtemp(prefix="souk-bench-import-")
    os.environ["SOUK_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from core.models import Province
        from registrations.imports import artisan_import
        from registrations.models import Artisan, Cooperative

        call_command("migrate", verbosity=0)
        settat = Province.objects.get(code="settat")
        Cooperative.objects.bulk_create(
            Cooperative(name=f"Coopérative {n}", registration_number=f"COOP-{n:05d}", province=settat)
            for n in range(COOPERATIVES)
        )
        print(
            f"{args.rows:,} rows, SQLite {connection.Database.sqlite_version}, Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        size = first_file.stat().st_size / 1e6
        print(f"generate: {generate_seconds:5.1f} s  ({first_file.relative_to(ROOT)}, {size:.0f} MB)")
        runs = [
            ("1. new registry", first_file),
            ("2. same file again", first_file),
            ("3. phones changed", changed_file),
        ]
        if args.xlsx:
            runs.append(("4. first file, xlsx", xlsx_file))
        for label, path in runs:
            started, cpu = time.perf_counter(), time.process_time()
            report = artisan_import(source=path, actor=None)
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert not report.problems, report.problems[:5]
            print(
                f"{label:20} validate {report.seconds['validate']:5.1f} s  "
                f"write {report.seconds.get('write', 0):5.1f} s  total {total:5.1f} s  "
                f"{report.rows / total:7,.0f} rows/s  (CPU {cpu:5.1f} s)  "
                f"(created {report.created:,}, updated {report.updated:,}, unchanged {report.unchanged:,})"
            )
        assert Artisan.objects.count() == args.rows
        print(
            f"load average at the end {os.getloadavg()[0]:.1f} (other work on the machine slows the wall clock)"
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
