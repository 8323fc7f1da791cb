"""The demo region's venues, fairs and exhibitions (``manage.py seed_demo``; see core.demo)."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db.models import Count

from core.demo import DemoContext, at
from core.models import CraftCategory, Province
from core.services import audit_log
from fairs.models import Fair, Venue
from fairs.services import fair_create, fair_transition

# --- Venues -----------------------------------------------------------------------------

# key: (name, Arabic name, kind, province code, address, capacity in booths)
VENUES = {
    "settat": (
        "Complexe de l'artisanat de Settat", "مجمع الصناعة التقليدية بسطات",
        Venue.Kind.COMPLEX, "settat", "Centre-ville, Settat", 100,
    ),
    "oulad-merrah": (
        "Village des artisans d'Oulad Merrah", "قرية الصناع التقليديين بأولاد امراح",
        Venue.Kind.VILLAGE, "settat", "Centre d'Oulad Merrah, province de Settat", 40,
    ),
    "sidi-ismail": (
        "Espace d'exposition de Sidi Ismail", "فضاء العرض بسيدي إسماعيل",
        Venue.Kind.EXHIBITION_SPACE, "el-jadida", "Centre de Sidi Ismail, province d'El Jadida", 50,
    ),
    "medina-casablanca": (
        "Ancienne médina de Casablanca", "المدينة القديمة للدار البيضاء",
        Venue.Kind.MEDINA, "casablanca", "Bab Marrakech, ancienne médina, Casablanca", 70,
    ),
    "el-jadida": (
        "Complexe de l'artisanat d'El Jadida", "مجمع الصناعة التقليدية بالجديدة",
        Venue.Kind.COMPLEX, "el-jadida", "El Jadida", 120,
    ),
    "mohammedia": (
        "Complexe de l'artisanat de Mohammedia", "مجمع الصناعة التقليدية بالمحمدية",
        Venue.Kind.COMPLEX, "mohammedia", "Mohammedia", 60,
    ),
    "berrechid": (
        "Esplanade municipale de Berrechid", "الساحة البلدية ببرشيد",
        Venue.Kind.OUTDOOR, "berrechid", "Centre-ville, Berrechid", 80,
    ),
    "casablanca-expo": (
        "Parc des expositions de Casablanca", "فضاء المعارض بالدار البيضاء",
        Venue.Kind.HALL, "casablanca", "Casablanca", 150,
    ),
}  # fmt: skip


def seed_venues(ctx: DemoContext) -> None:
    """The delegation's venues across the region, keyed by name."""
    provinces = {p.code: p for p in Province.objects.filter(code__in={v[3] for v in VENUES.values()})}
    for key, (name, name_ar, kind, province, address, capacity) in VENUES.items():
        venue, created = Venue.objects.get_or_create(
            name=name,
            defaults={
                "name_ar": name_ar,
                "kind": kind,
                "province": provinces[province],
                "address": address,
                "capacity": capacity,
            },
        )
        if created:
            ctx.created["venues"] += 1
        ctx.venues[key] = venue


# --- Fairs ------------------------------------------------------------------------------

ALL_CRAFTS = "*"

# theme: (craft codes, women %, rural %, first-timers % as (low, high) ranges, description)
THEMES = {
    "general": (
        ALL_CRAFTS, (30, 45), (20, 35), (15, 25),
        "La foire provinciale réunit les artisans de tous les métiers : poterie, tapis, broderie, "
        "cuir, bois, cuivre, bijouterie et vannerie.",
    ),
    "summer": (
        ALL_CRAFTS, (30, 45), (15, 30), (15, 25),
        "Le rendez-vous d'été des artisans de la région avec les estivants de la côte, "
        "tous métiers, ouvert en soirée.",
    ),
    "year-end": (
        ALL_CRAFTS, (30, 40), (10, 25), (10, 20),
        "La grande vente de fin d'année des artisans de la région, tous métiers.",
    ),
    "regional": (
        ALL_CRAFTS, (35, 45), (25, 35), (20, 30),
        "La foire régionale réunit les artisans des neuf provinces et préfectures de Casablanca-Settat.",
    ),
    "ramadan": (
        ["traditional-clothing", "embroidery", "passementerie", "babouches", "leather-goods",
         "copperware", "pottery", "ceramics", "lanterns", "silver-jewellery"],
        (40, 55), (10, 20), (10, 20),
        "Foire du mois de Ramadan, ouverte après le ftour : habillement traditionnel, babouches, "
        "dinanderie et arts de la table.",
    ),
    "carpets": (
        ["carpets", "weaving", "passementerie"], (60, 80), (40, 60), (15, 30),
        "Tapis et tissages de la Chaouia, des Doukkala et des autres terroirs de la région, "
        "avec démonstrations sur métier à tisser.",
    ),
    "women": (
        ["embroidery", "traditional-clothing", "passementerie", "weaving", "carpets", "basketry",
         "doum-raffia", "pottery"],
        (100, 100), (30, 50), (20, 35),
        "Une semaine consacrée aux artisanes et aux coopératives féminines : broderie, couture "
        "traditionnelle, tissage et vannerie.",
    ),
    "pottery": (
        ["pottery", "ceramics", "zellige"], (20, 35), (40, 60), (15, 25),
        "Les potiers de Sidi Ismail et des Doukkala : poterie culinaire, céramique émaillée et "
        "zellige, avec ateliers de tournage.",
    ),
    "basketry": (
        ["basketry", "doum-raffia", "weaving"], (50, 70), (70, 90), (25, 40),
        "Vannerie, doum et fibres végétales au village des artisans, pour les artisans ruraux et "
        "leurs coopératives.",
    ),
    "heritage": (
        ["copperware", "wrought-iron", "woodwork", "marquetry", "plaster-carving", "stone-carving",
         "zellige", "lanterns", "musical-instruments"],
        (10, 25), (5, 15), (10, 20),
        "Les métiers du patrimoine dans la médina : dinanderie, fer forgé, bois sculpté, plâtre, "
        "zellige et luminaires.",
    ),
    "wedding": (
        ["traditional-clothing", "embroidery", "passementerie", "gold-jewellery", "silver-jewellery",
         "babouches", "leather-goods", "copperware"],
        (50, 70), (5, 15), (10, 25),
        "Tout pour le mariage traditionnel : caftans et takchitas, broderie, sfifa, bijoux, "
        "babouches et dinanderie.",
    ),
    "leather": (
        ["leather-goods", "babouches"], (15, 30), (5, 15), (15, 30),
        "Maroquinerie et babouches : les artisans du cuir de la région et leurs collections.",
    ),
    "national": (
        ALL_CRAFTS, (35, 50), (20, 30), (10, 20),
        "Participation de la délégation : les artisans de Casablanca-Settat sur le pavillon de la région.",
    ),
    "export": (
        ["carpets", "weaving", "pottery", "ceramics", "embroidery", "traditional-clothing",
         "leather-goods", "babouches", "copperware", "lanterns", "basketry", "doum-raffia",
         "silver-jewellery"],
        (40, 50), (20, 30), (0, 10),
        "La délégation accompagne une sélection d'artisans de la région sur le pavillon marocain.",
    ),
}  # fmt: skip

# The 23 local fairs the delegation held from 2021 to 2024 (5, 6, 6, 6).
# (slug, name, Arabic name, theme, venue key, first day, days, capacity, fee in MAD)
LOCAL_FAIRS = [
    ("foire-provinciale-settat-2021", "Foire provinciale de l'artisanat de Settat 2021",
     "المعرض الإقليمي للصناعة التقليدية بسطات 2021", "general", "settat", dt.date(2021, 6, 17), 10, 80, 300),
    ("foire-estivale-el-jadida-2021", "Foire estivale de l'artisanat d'El Jadida 2021",
     "المعرض الصيفي للصناعة التقليدية بالجديدة 2021", "summer", "el-jadida", dt.date(2021, 7, 22), 10, 100, 500),
    ("foire-poterie-sidi-ismail-2021", "Foire de la poterie de Sidi Ismail 2021",
     "معرض الفخار بسيدي إسماعيل 2021", "pottery", "sidi-ismail", dt.date(2021, 9, 16), 7, 40, 0),
    ("semaine-artisanat-feminin-2021", "Semaine de l'artisanat féminin 2021",
     "أسبوع الصناعة التقليدية النسائية 2021", "women", "mohammedia", dt.date(2021, 10, 14), 7, 50, 0),
    ("foire-fin-annee-casablanca-2021", "Foire de fin d'année de l'artisanat de Casablanca 2021",
     "معرض نهاية السنة للصناعة التقليدية بالدار البيضاء 2021", "year-end", "casablanca-expo",
     dt.date(2021, 12, 16), 10, 120, 800),
    # 2022 (Ramadan: 2 April – 1 May)
    ("foire-ramadan-2022", "Foire du Ramadan de l'artisanat 2022",
     "معرض رمضان للصناعة التقليدية 2022", "ramadan", "medina-casablanca", dt.date(2022, 4, 14), 10, 60, 400),
    ("salon-tapis-tissage-2022", "Salon du tapis et du tissage 2022",
     "معرض الزربية والنسيج 2022", "carpets", "settat", dt.date(2022, 5, 19), 7, 50, 200),
    ("foire-provinciale-settat-2022", "Foire provinciale de l'artisanat de Settat 2022",
     "المعرض الإقليمي للصناعة التقليدية بسطات 2022", "general", "settat", dt.date(2022, 6, 16), 10, 90, 300),
    ("foire-estivale-el-jadida-2022", "Foire estivale de l'artisanat d'El Jadida 2022",
     "المعرض الصيفي للصناعة التقليدية بالجديدة 2022", "summer", "el-jadida", dt.date(2022, 7, 21), 10, 110, 500),
    ("journees-vannerie-oulad-merrah-2022", "Journées de la vannerie et du doum d'Oulad Merrah 2022",
     "أيام السلالة والدوم بأولاد امراح 2022", "basketry", "oulad-merrah", dt.date(2022, 9, 22), 5, 30, 0),
    ("foire-provinciale-berrechid-2022", "Foire provinciale de l'artisanat de Berrechid 2022",
     "المعرض الإقليمي للصناعة التقليدية ببرشيد 2022", "general", "berrechid", dt.date(2022, 11, 3), 8, 70, 250),
    # 2023 (Ramadan: 23 March – 20 April)
    ("foire-ramadan-2023", "Foire du Ramadan de l'artisanat 2023",
     "معرض رمضان للصناعة التقليدية 2023", "ramadan", "medina-casablanca", dt.date(2023, 3, 30), 10, 60, 400),
    ("semaine-artisanat-feminin-2023", "Semaine de l'artisanat féminin 2023",
     "أسبوع الصناعة التقليدية النسائية 2023", "women", "mohammedia", dt.date(2023, 5, 11), 7, 60, 0),
    ("foire-provinciale-settat-2023", "Foire provinciale de l'artisanat de Settat 2023",
     "المعرض الإقليمي للصناعة التقليدية بسطات 2023", "general", "settat", dt.date(2023, 6, 15), 10, 100, 300),
    ("foire-estivale-el-jadida-2023", "Foire estivale de l'artisanat d'El Jadida 2023",
     "المعرض الصيفي للصناعة التقليدية بالجديدة 2023", "summer", "el-jadida", dt.date(2023, 7, 20), 10, 120, 600),
    ("foire-poterie-sidi-ismail-2023", "Foire de la poterie de Sidi Ismail 2023",
     "معرض الفخار بسيدي إسماعيل 2023", "pottery", "sidi-ismail", dt.date(2023, 9, 14), 7, 45, 0),
    ("salon-artisanat-mariage-2023", "Salon de l'artisanat du mariage 2023",
     "معرض حرف العرس التقليدي 2023", "wedding", "casablanca-expo", dt.date(2023, 12, 7), 10, 90, 1000),
    # 2024 (Ramadan: 11 March – 9 April)
    ("foire-ramadan-2024", "Foire du Ramadan de l'artisanat 2024",
     "معرض رمضان للصناعة التقليدية 2024", "ramadan", "medina-casablanca", dt.date(2024, 3, 21), 10, 70, 400),
    ("salon-tapis-tissage-2024", "Salon du tapis et du tissage 2024",
     "معرض الزربية والنسيج 2024", "carpets", "settat", dt.date(2024, 5, 2), 7, 55, 200),
    ("foire-provinciale-settat-2024", "Foire provinciale de l'artisanat de Settat 2024",
     "المعرض الإقليمي للصناعة التقليدية بسطات 2024", "general", "settat", dt.date(2024, 6, 13), 10, 100, 300),
    ("foire-estivale-el-jadida-2024", "Foire estivale de l'artisanat d'El Jadida 2024",
     "المعرض الصيفي للصناعة التقليدية بالجديدة 2024", "summer", "el-jadida", dt.date(2024, 7, 18), 10, 120, 600),
    ("salon-metiers-patrimoine-medina-2024", "Salon des métiers du patrimoine de la médina 2024",
     "معرض حرف التراث بالمدينة القديمة 2024", "heritage", "medina-casablanca", dt.date(2024, 10, 17), 8, 50, 300),
    ("salon-cuir-babouche-2024", "Salon du cuir et de la babouche 2024",
     "معرض الجلد والبلغة 2024", "leather", "mohammedia", dt.date(2024, 11, 21), 7, 40, 300),
]  # fmt: skip

# Organized fairs ahead of today. Dates are counted from the day the seed creates them and
# never recomputed, so the slugs carry no year. The open calls began before today and close
# weeks before the fair; the draft's call is still to come.
# (slug, name and Arabic name with {year}, theme, scope, venue key, days, capacity, fee,
#  status, call opens / call closes / first day as days from today)
UPCOMING_FAIRS = [
    ("foire-regionale-casablanca-settat", "Foire régionale de l'artisanat Casablanca-Settat {year}",
     "المعرض الجهوي للصناعة التقليدية الدار البيضاء سطات {year}", "regional", Fair.Scope.REGIONAL,
     "casablanca-expo", 10, 150, 600, Fair.Status.OPEN, (-14, 21, 56)),
    ("salon-tapis-tissage-settat", "Salon du tapis et du tissage {year}",
     "معرض الزربية والنسيج {year}", "carpets", Fair.Scope.LOCAL,
     "settat", 7, 50, 200, Fair.Status.OPEN, (-7, 14, 42)),
    ("semaine-artisanat-feminin-mohammedia", "Semaine de l'artisanat féminin {year}",
     "أسبوع الصناعة التقليدية النسائية {year}", "women", Fair.Scope.LOCAL,
     "mohammedia", 7, 60, 0, Fair.Status.DRAFT, (30, 60, 95)),
]  # fmt: skip


# A fair at the gates today, so that an organizer can try the scanner and staff the live view
# the day they load the demo. Dated from the day the seed creates it, like the upcoming fairs
# (never recomputed): its call closed weeks ago, its first day is today.
# (slug, name and Arabic name with {year}, theme, venue key, days, capacity, fee,
#  call opens / call closes / first day as days from today)
RUNNING_FAIR = (
    "journees-vannerie-oulad-merrah", "Journées de la vannerie et du doum d'Oulad Merrah {year}",
    "أيام السلالة والدوم بأولاد امراح {year}", "basketry", "oulad-merrah", 5, 30, 0, (-70, -40, 0),
)  # fmt: skip


def _craft_categories(theme: str) -> list[CraftCategory]:
    codes = THEMES[theme][0]
    crafts = CraftCategory.objects.filter(parent__isnull=False)
    if codes == ALL_CRAFTS:
        return list(crafts)
    found = {craft.code: craft for craft in crafts.filter(code__in=codes)}
    return [found[code] for code in codes]  # a KeyError names a code missing from core.reference


def _quotas(rng: random.Random, theme: str) -> dict[str, int]:
    """Target shares drawn within the theme's ranges, in steps of 5 %."""
    _codes, women, rural, first_timers, _description = THEMES[theme]

    def pick(low: int, high: int) -> int:
        return rng.randrange(low, high + 1, 5)

    return {
        "quota_women": pick(*women),
        "quota_rural": pick(*rural),
        "quota_first_timers": pick(*first_timers),
    }


def _create_fair(ctx: DemoContext, *, slug: str, theme: str, **fields) -> Fair | None:
    """Create the fair as a draft through the service, unless its slug is already taken."""
    existing = Fair.objects.filter(slug=slug).first()
    if existing is not None:
        ctx.fairs[slug] = existing
        return None
    rng = ctx.rng(f"fair:{slug}")
    fields.setdefault("description", THEMES[theme][4])
    fair = fair_create(
        actor=ctx.actor,
        craft_categories=_craft_categories(theme),
        slug=slug,
        **_quotas(rng, theme),
        **fields,
    )
    ctx.created["fairs"] += 1
    ctx.fairs[slug] = fair
    return fair


def _past_window(rng: random.Random, starts_on: dt.date, *, opens=(49, 70), closes=(14, 28)):
    """An application window that opened some weeks before the fair and closed before it."""
    return {
        "applications_open_at": at(starts_on - dt.timedelta(days=rng.randint(*opens)), 9),
        "applications_close_at": at(starts_on - dt.timedelta(days=rng.randint(*closes)), 18),
    }


def _record_history(
    ctx: DemoContext, fair: Fair, status: str, reason: str = "past fair loaded by seed_demo"
) -> None:
    """Give a past fair its final status directly, and say so in the audit log.

    A fair that is already over cannot walk the lifecycle: the guard on "open" refuses an
    application window that has closed, and every past fair's window has. Rewriting the
    windows into the future and back just to pass the guards would leave a false history in
    the audit log; these fairs are records being loaded, not decisions being taken.
    """
    Fair.objects.filter(pk=fair.pk).update(status=status)
    old, fair.status = fair.status, status
    audit_log(
        actor=ctx.actor,
        action="fair.import",
        obj=fair,
        changes={"status": [old, status], "reason": reason},
    )


def seed_fairs(ctx: DemoContext) -> None:
    """The 23 closed local fairs of 2021 to 2024, then the upcoming ones: open calls and a draft."""
    for slug, name, name_ar, theme, venue, starts_on, days, capacity, fee in LOCAL_FAIRS:
        fair = _create_fair(
            ctx,
            slug=slug,
            theme=theme,
            name=name,
            name_ar=name_ar,
            scope=Fair.Scope.LOCAL,
            role=Fair.Role.ORGANIZER,
            venue=ctx.venues[venue],
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days - 1),
            capacity=capacity,
            fee=Decimal(fee),
            **_past_window(ctx.rng(f"window:{slug}"), starts_on),
        )
        if fair is not None:
            _record_history(ctx, fair, Fair.Status.CLOSED)

    for slug, name, name_ar, theme, scope, venue, days, capacity, fee, status, offsets in UPCOMING_FAIRS:
        opens, closes, starts = (ctx.today + dt.timedelta(days=offset) for offset in offsets)
        fair = _create_fair(
            ctx,
            slug=slug,
            theme=theme,
            name=name.format(year=starts.year),
            name_ar=name_ar.format(year=starts.year),
            scope=scope,
            role=Fair.Role.ORGANIZER,
            venue=ctx.venues[venue],
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=days - 1),
            applications_open_at=at(opens, 9),
            applications_close_at=at(closes, 18),
            capacity=capacity,
            fee=Decimal(fee),
        )
        if fair is not None and status == Fair.Status.OPEN:
            fair_transition(fair=fair, to_status=status, actor=ctx.actor)

    # The fair running today: its call and allocation are over, so it cannot walk the
    # lifecycle from here (the guard on "open" refuses a closed window); loaded as it stands.
    slug, name, name_ar, theme, venue, days, capacity, fee, offsets = RUNNING_FAIR
    opens, closes, starts = (ctx.today + dt.timedelta(days=offset) for offset in offsets)
    fair = _create_fair(
        ctx,
        slug=slug,
        theme=theme,
        name=name.format(year=starts.year),
        name_ar=name_ar.format(year=starts.year),
        scope=Fair.Scope.LOCAL,
        role=Fair.Role.ORGANIZER,
        venue=ctx.venues[venue],
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=days - 1),
        applications_open_at=at(opens, 9),
        applications_close_at=at(closes, 18),
        capacity=capacity,
        fee=Decimal(fee),
    )
    if fair is not None:
        _record_history(ctx, fair, Fair.Status.RUNNING, reason="fair running today, loaded by seed_demo")


# --- Participations ---------------------------------------------------------------------

# National and international exhibitions the delegation took part in, with the artisans it
# selected through its own call. (slug, name, Arabic name, scope, city, country, first day,
# days, artisans sent)
PAST_PARTICIPATIONS = [
    ("artigiano-in-fiera-2022", "Artigiano in Fiera 2022, Milan", "معرض أرتيجانو إن فييرا بميلانو 2022",
     Fair.Scope.INTERNATIONAL, "Milan", "IT", dt.date(2022, 12, 3), 9, 10),
    ("siao-ouagadougou-2022", "Salon international de l'artisanat de Ouagadougou (SIAO) 2022",
     "المعرض الدولي للصناعة التقليدية بواغادوغو 2022", Fair.Scope.INTERNATIONAL, "Ouagadougou", "BF",
     dt.date(2022, 10, 28), 10, 8),
    ("semaine-nationale-artisanat-2022", "Semaine nationale de l'artisanat 2022",
     "الأسبوع الوطني للصناعة التقليدية 2022", Fair.Scope.NATIONAL, "Rabat", "MA", dt.date(2022, 11, 18), 10, 15),
    ("maison-objet-paris-2023", "Maison&Objet Paris, janvier 2023", "معرض ميزون إي أوبجي باريس، يناير 2023",
     Fair.Scope.INTERNATIONAL, "Paris", "FR", dt.date(2023, 1, 19), 5, 6),
    ("salon-national-artisanat-2023", "Salon national de l'artisanat 2023",
     "المعرض الوطني للصناعة التقليدية 2023", Fair.Scope.NATIONAL, "Marrakech", "MA", dt.date(2023, 5, 18), 10, 12),
    ("ambiente-francfort-2024", "Ambiente 2024, Francfort", "معرض أمبيينتي بفرانكفورت 2024",
     Fair.Scope.INTERNATIONAL, "Francfort-sur-le-Main", "DE", dt.date(2024, 1, 26), 5, 5),
]  # fmt: skip

# The next one, counted from the day the seed creates it (call opens / closes / first day).
UPCOMING_PARTICIPATION = (
    "semaine-nationale-artisanat", "Semaine nationale de l'artisanat {year}",
    "الأسبوع الوطني للصناعة التقليدية {year}", Fair.Scope.NATIONAL, "Casablanca", "MA", 10, 15,
    (-10, 42, 70),
)  # fmt: skip


def seed_participations(ctx: DemoContext) -> None:
    """National and international exhibitions: past ones closed, the next one with its call open."""
    for slug, name, name_ar, scope, city, country, starts_on, days, capacity in PAST_PARTICIPATIONS:
        fair = _create_fair(
            ctx,
            slug=slug,
            theme="export" if scope == Fair.Scope.INTERNATIONAL else "national",
            name=name,
            name_ar=name_ar,
            scope=scope,
            role=Fair.Role.PARTICIPANT,
            city=city,
            country=country,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days - 1),
            capacity=capacity,
            # Visas, shipping and stand building: the selection closes well ahead.
            **_past_window(ctx.rng(f"window:{slug}"), starts_on, opens=(100, 130), closes=(45, 60)),
        )
        if fair is not None:
            _record_history(ctx, fair, Fair.Status.CLOSED)

    slug, name, name_ar, scope, city, country, days, capacity, offsets = UPCOMING_PARTICIPATION
    opens, closes, starts = (ctx.today + dt.timedelta(days=offset) for offset in offsets)
    fair = _create_fair(
        ctx,
        slug=slug,
        theme="national",
        name=name.format(year=starts.year),
        name_ar=name_ar.format(year=starts.year),
        scope=scope,
        role=Fair.Role.PARTICIPANT,
        city=city,
        country=country,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=days - 1),
        applications_open_at=at(opens, 9),
        applications_close_at=at(closes, 18),
        capacity=capacity,
    )
    if fair is not None:
        fair_transition(fair=fair, to_status=Fair.Status.OPEN, actor=ctx.actor)


PARTS = (seed_venues, seed_fairs, seed_participations)


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    """Venues, fairs by scope and status, and users now in the database."""
    rows = [("venues", str(Venue.objects.count()))]
    counts = Counter(
        {
            (row["scope"], row["status"]): row["n"]
            for row in Fair.objects.values("scope", "status").annotate(n=Count("id"))
        }
    )
    rows.append(("fairs", str(sum(counts.values()))))
    for scope in Fair.Scope:
        by_status = [f"{counts[scope, status]} {status}" for status in Fair.Status if counts[scope, status]]
        if by_status:
            rows.append((f"  {scope}", ", ".join(by_status)))
    return rows
