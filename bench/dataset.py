"""One fair full of exhibitors, for the benchmarks that need one (badge PDFs, check-in latency,
the attendance PDF): what each used to build its own way.

``fair_with_exhibitors`` makes a venue in Settat, a regional fair with the given dates and
status, ``exhibitors`` artisans with Moroccan names (three in four also in Arabic script, 46 %
women), a craft each (weighted as in ``import_artisans``), a confirmed application each, ten
zones ("Hall A" …) with a booth each, the booths assigned, and their badges issued through
``badges_issue_for_fair``. Options: the artisans' provinces (all Settat, or weighted over the
region with a rural share), cooperatives for one in five, a photo for a share of them.
Seeded: the same arguments give the same data. Call it with Django set up and migrated.
"""

import datetime as dt
import random
from dataclasses import dataclass

from import_artisans import CRAFTS, FAMILY, MEN, PROVINCES, WOMEN

ZONES = "ABCDEFGHIJ"


@dataclass
class BenchFair:
    fair: object
    artisans: list
    applications: list
    badges: list


def _weighted(rows, found: dict) -> tuple[list, list]:
    codes = [code for code, _name, _weight, *_rest in rows if code in found]
    weights = [weight for code, _name, weight, *_rest in rows if code in found]
    return codes, weights


def fair_with_exhibitors(
    exhibitors: int,
    *,
    rng: random.Random,
    starts_on: dt.date,
    ends_on: dt.date,
    status: str,
    across_the_region: bool = False,
    cooperatives: bool = False,
    photo_share: float = 0.0,
    photo=None,
) -> BenchFair:
    """See the module. ``photo(rng, index) -> bytes`` makes a photo's file for ``photo_share``
    of the artisans; without ``photo`` they get a photo's path and no file (what a scan's answer
    reads)."""
    from django.core.files.base import ContentFile

    from badges.services import badges_issue_for_fair
    from booths.models import Assignment, Booth, Zone
    from core.models import CraftCategory, Province
    from fairs.models import Fair, Venue
    from registrations.models import Application, ApplicationStatus, Artisan, Cooperative

    provinces = {p.code: p for p in Province.objects.filter(code__in=[row[0] for row in PROVINCES])}
    province_codes, province_weights = _weighted(PROVINCES, provinces)
    crafts = {c.code: c for c in CraftCategory.objects.filter(code__in=[row[0] for row in CRAFTS])}
    craft_codes, craft_weights = _weighted(CRAFTS, crafts)
    settat = provinces["settat"]
    venue = Venue.objects.create(name="Complexe artisanal de Settat", kind=Venue.Kind.COMPLEX,
                                 province=settat, capacity=exhibitors)  # fmt: skip
    fair = Fair.objects.create(
        name="Salon régional de l'artisanat de Casablanca-Settat", name_ar="المعرض الجهوي للصناعة التقليدية",
        slug="salon-regional-bench", scope=Fair.Scope.REGIONAL, role=Fair.Role.ORGANIZER, venue=venue,
        starts_on=starts_on, ends_on=ends_on,
        applications_open_at=dt.datetime(starts_on.year - 1, 1, 1, tzinfo=dt.UTC),
        applications_close_at=dt.datetime(starts_on.year - 1, 2, 1, tzinfo=dt.UTC),
        capacity=exhibitors, status=status,
    )  # fmt: skip
    coops = []
    if cooperatives:
        coops = Cooperative.objects.bulk_create(
            Cooperative(
                name=f"Coopérative Nour {n}",
                name_ar=f"تعاونية النور {n}",
                registration_number=f"BENCH-{n:05d}",
                province=settat,
            )
            for n in range(60)
        )
    artisans = []
    for n in range(exhibitors):
        woman = rng.random() < 0.46
        first, first_ar = rng.choice(WOMEN if woman else MEN)
        last, last_ar = rng.choice(FAMILY)
        arabic = rng.random() < 0.75
        artisan = Artisan(
            first_name=first, last_name=last, first_name_ar=first_ar if arabic else "",
            last_name_ar=last_ar if arabic else "", cin=f"W{100000 + n}", gender="F" if woman else "M",
            birth_year=rng.randrange(1955, 2000), province=settat,
            main_craft=crafts[rng.choices(craft_codes, craft_weights)[0]],
        )  # fmt: skip
        if across_the_region:
            artisan.province = provinces[rng.choices(province_codes, province_weights)[0]]
            artisan.area = Artisan.Area.RURAL if rng.random() < 0.38 else Artisan.Area.URBAN
        if coops and rng.random() < 0.2:
            artisan.cooperative = rng.choice(coops)
        artisans.append(artisan)
    artisans = Artisan.objects.bulk_create(artisans)
    if photo_share:
        with_photo = rng.sample(range(exhibitors), round(exhibitors * photo_share))
        for index in with_photo:
            if photo is None:
                artisans[index].photo.name = f"artisans/photos/bench-{index}.jpg"
            else:
                artisans[index].photo.save(f"bench-{index}.jpg", ContentFile(photo(rng, index)), save=False)
        Artisan.objects.bulk_update([artisans[index] for index in with_photo], ["photo"])
    applications = Application.objects.bulk_create(
        Application(artisan=artisan, fair=fair, status=ApplicationStatus.CONFIRMED, products="Poterie")
        for artisan in artisans
    )
    zones = Zone.objects.bulk_create(Zone(fair=fair, name=f"Hall {letter}") for letter in ZONES)
    per_zone = -(-exhibitors // len(zones))
    booths = Booth.objects.bulk_create(
        Booth(
            fair=fair,
            zone=zones[n // per_zone],
            code=f"{ZONES[n // per_zone]}-{n % per_zone + 1:03d}",
            x=3 * (n % per_zone),
            y=8 * (n // per_zone),
        )
        for n in range(exhibitors)
    )
    Assignment.objects.bulk_create(
        Assignment(booth=booth, application=application, fair=fair, method=Assignment.Method.AUTO)
        for booth, application in zip(booths, applications, strict=True)
    )
    badges = badges_issue_for_fair(fair=fair, actor=None)
    return BenchFair(fair=fair, artisans=artisans, applications=applications, badges=badges)
