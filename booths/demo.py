"""Floor plans and booth assignments of the demo region (``manage.py seed_demo``; see core.demo).

What it builds on the fairs of ``fairs.demo`` and the applications of ``registrations.demo``:

* every fair the delegation organizes, past or open now, gets a plan: 2 to 4 zones named after
  the venue's halls and the craft areas of the fair's theme (French and Arabic, a colour, the
  crafts of the fair they take), and booths laid out in rows back to back with aisles between,
  their traffic tier set by their distance from the entrance (front rows tier 1, middle 2,
  back 3), mostly standard 9 m² booths, corners at the ends of rows, a few islands;
* the closed fairs' plans are drawn from what their confirmed exhibitors asked for (per zone,
  booth kind and size, and how many need power or step-free access), so every one of them
  fits: the engine matches kind and size exactly. The editions at one venue share its zones
  and the shape of its halls; prices follow the fair's fee and the booth's size, kind and tier;
* an upcoming fair copies the plan of the last edition at the same venue and theme, as staff
  do (``plan_copy``), then gets rows added at the back for what its accepted and confirmed
  exhibitors need beyond that plan, and a few booths held or blocked with a reason;
* the closed fairs' confirmed exhibitors are placed by the real allocation engine (one
  ``AllocationRun`` per fair, fixed seed), fair after fair in date order, so the tier an
  artisan had last time is known to the next run and rotation shows in the later fairs;
* the calls open now get no assignment (their exhibitors are not all confirmed and the fair is
  not allocating), and the draft fair no plan: building it, or copying the last edition's, is
  left for the staff demo. The exhibitions the delegation only takes part in are laid out by
  their organizers.

Idempotent like the other demo parts: a fair that has any zone or booth already has a plan
and is left alone, a fair that has any assignment or allocation run is already allocated. A
second run reads a few rows and writes nothing.
"""

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q

from booths import engine
from booths.allocation import build_inputs
from booths.models import AllocationRun, Assignment, Booth, Zone
from core.demo import DemoContext, at
from core.models import CraftCategory
from core.reference import CRAFTS as REFERENCE_CRAFTS
from core.services import audit_log
from fairs.demo import ALL_CRAFTS, LOCAL_FAIRS, RUNNING_FAIR, THEMES, UPCOMING_FAIRS
from fairs.models import Fair
from registrations.models import Application, BoothKind

S = Application.Status
K = BoothKind

# --- The venues' halls and the fairs' craft areas ---------------------------------------

# The halls (or areas) of each venue, front to back of the list: zone i of a fair there is
# named after hall i and the craft area it hosts.
VENUE_HALLS = {
    "settat": [("Salle principale", "القاعة الرئيسية"), ("Galerie nord", "الرواق الشمالي"),
               ("Galerie sud", "الرواق الجنوبي"), ("Patio", "الفناء")],
    "oulad-merrah": [("Ateliers", "الورشات"), ("Place du village", "ساحة القرية"), ("Préau", "السقيفة")],
    "sidi-ismail": [("Salle d'exposition", "قاعة العرض"), ("Cour des potiers", "ساحة الفخارين"),
                    ("Auvent", "المظلة")],
    "medina-casablanca": [("Place Bab Marrakech", "ساحة باب مراكش"), ("Fondouk", "الفندق"),
                          ("Allée du souk", "ممر السوق"), ("Borj", "البرج")],
    "el-jadida": [("Hall A", "القاعة أ"), ("Hall B", "القاعة ب"), ("Hall C", "القاعة ج"),
                  ("Esplanade", "الساحة")],
    "mohammedia": [("Salle des expositions", "قاعة المعارض"), ("Galerie", "الرواق"), ("Patio", "الفناء")],
    "berrechid": [("Allée centrale", "الممر المركزي"), ("Allée est", "الممر الشرقي"),
                  ("Allée ouest", "الممر الغربي"), ("Kiosque", "الكشك")],
    "casablanca-expo": [("Hall 1", "القاعة 1"), ("Hall 2", "القاعة 2"), ("Hall 3", "القاعة 3"),
                        ("Hall 4", "القاعة 4")],
}  # fmt: skip

_SECTOR_CRAFTS = {sector[0]: [craft[0] for craft in sector[4]] for sector in REFERENCE_CRAFTS}


def _of_sectors(*sectors: str) -> tuple[str, ...]:
    return tuple(code for sector in sectors for code in _SECTOR_CRAFTS[sector])


@dataclass(frozen=True)
class Area:
    """A craft area of a fair: its name, colour on the plan and the crafts it takes."""

    name: str
    name_ar: str
    colour: str
    crafts: tuple[str, ...]


# Fairs open to every craft split the sectors over four areas.
ALL_CRAFT_AREAS = [
    Area("Tapis, tissage et habillement", "الزرابي والنسيج واللباس", "#b5562e",
         _of_sectors("carpets-weaving", "clothing-embroidery")),
    Area("Poterie, zellige, plâtre et pierre", "الفخار والزليج والجبس والحجر", "#c98b2b",
         _of_sectors("pottery-ceramics", "plaster-stone")),
    Area("Bois, métal et luminaires", "الخشب والمعادن والإنارة", "#2e6f8e",
         _of_sectors("wood", "copper-metal", "other-crafts")),
    Area("Cuir, bijoux et vannerie", "الجلد والحلي والسلالة", "#6b4c9a",
         _of_sectors("leather", "jewellery", "basketry-fibres")),
]  # fmt: skip

# The themed fairs' areas: together they take exactly the theme's crafts (fairs.demo.THEMES).
THEME_AREAS = {
    "ramadan": [
        Area("Habillement et broderie", "اللباس والطرز", "#b5562e",
             ("traditional-clothing", "embroidery", "passementerie")),
        Area("Cuir, babouches et bijoux", "الجلد والبلغة والحلي", "#6b4c9a",
             ("babouches", "leather-goods", "silver-jewellery")),
        Area("Arts de la table et luminaires", "أواني المائدة والإنارة", "#c98b2b",
             ("copperware", "pottery", "ceramics", "lanterns")),
    ],
    "carpets": [
        Area("Tapis", "الزرابي", "#b5562e", ("carpets",)),
        Area("Tissage et passementerie", "النسيج والسفيفة", "#2e6f8e", ("weaving", "passementerie")),
    ],
    "women": [
        Area("Broderie et couture", "الطرز والخياطة", "#b5562e",
             ("embroidery", "traditional-clothing", "passementerie")),
        Area("Tapis et tissage", "الزرابي والنسيج", "#2e6f8e", ("carpets", "weaving")),
        Area("Vannerie, doum et poterie", "السلالة والدوم والفخار", "#5b8c3a", ("basketry", "doum-raffia", "pottery")),
    ],
    "pottery": [
        Area("Poterie culinaire", "الفخار", "#b5562e", ("pottery",)),
        Area("Céramique et zellige", "الخزف والزليج", "#2e6f8e", ("ceramics", "zellige")),
    ],
    "basketry": [
        Area("Vannerie et doum", "السلالة والدوم", "#5b8c3a", ("basketry", "doum-raffia")),
        Area("Tissage", "النسيج", "#b5562e", ("weaving",)),
    ],
    "heritage": [
        Area("Dinanderie et fer forgé", "النحاسيات والحدادة الفنية", "#c98b2b",
             ("copperware", "wrought-iron", "lanterns")),
        Area("Bois et marqueterie", "الخشب والترصيع", "#7a5230", ("woodwork", "marquetry", "musical-instruments")),
        Area("Plâtre, pierre et zellige", "الجبس والحجر والزليج", "#2e6f8e",
             ("plaster-carving", "stone-carving", "zellige")),
    ],
    "wedding": [
        Area("Caftans et broderie", "القفاطين والطرز", "#b5562e",
             ("traditional-clothing", "embroidery", "passementerie")),
        Area("Bijoux", "الحلي", "#c98b2b", ("gold-jewellery", "silver-jewellery")),
        Area("Babouches, cuir et dinanderie", "البلغة والجلد والنحاسيات", "#6b4c9a",
             ("babouches", "leather-goods", "copperware")),
    ],
    "leather": [
        Area("Maroquinerie", "المصنوعات الجلدية", "#7a5230", ("leather-goods",)),
        Area("Babouches", "البلغة", "#6b4c9a", ("babouches",)),
    ],
}  # fmt: skip


def theme_areas(theme: str) -> list[Area]:
    return ALL_CRAFT_AREAS if THEMES[theme][0] == ALL_CRAFTS else THEME_AREAS[theme]


# --- Which fairs ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoFair:
    slug: str
    theme: str
    venue: str  # key of fairs.demo.VENUES

    @property
    def layout_key(self) -> tuple[str, str]:
        """Editions with the same key (same venue, same craft areas) share their zones and the
        shape of their halls; an upcoming fair copies the plan of the last one."""
        return self.venue, "*" if THEMES[self.theme][0] == ALL_CRAFTS else self.theme


def demo_fairs() -> list[DemoFair]:
    """The fairs the delegation organizes (``fairs.demo``): the past local fairs and the
    upcoming ones. The exhibitions it only takes part in are laid out by their organizers."""
    fairs = [DemoFair(slug, theme, venue) for slug, _n, _a, theme, venue, *_rest in LOCAL_FAIRS]
    fairs += [DemoFair(slug, theme, venue) for slug, _n, _a, theme, _s, venue, *_rest in UPCOMING_FAIRS]
    slug, _n, _a, theme, venue, *_rest = RUNNING_FAIR
    fairs.append(DemoFair(slug, theme, venue))
    return fairs


# Fair statuses that get a plan (the draft is left for staff to plan) and those whose
# confirmed exhibitors the seed places (the allocation is history: the fair is over, or running today).
PLANNED_STATUSES = (Fair.Status.OPEN, Fair.Status.REVIEWING, Fair.Status.ALLOCATING, Fair.Status.PUBLISHED,
                    Fair.Status.RUNNING, Fair.Status.CLOSED)  # fmt: skip
ALLOCATED_STATUSES = (Fair.Status.RUNNING, Fair.Status.CLOSED)
# Applications that tell what an upcoming fair will need: anyone who may still exhibit.
LIVE_STATUSES = (S.SUBMITTED, S.WAITLISTED, S.ACCEPTED, S.CONFIRMED)

# Booths staff keep out of an open fair's allocation: (status, reason). The regional fair
# holds one more for its guest of honour.
HOLDS = [(Booth.Status.HELD, "Ministère — invités"), (Booth.Status.BLOCKED, "Pilier")]
EXTRA_HOLDS = {"foire-regionale-casablanca-settat": [(Booth.Status.HELD, "Coopérative invitée d'honneur")]}

# --- The layout (a pure function of the demand) -----------------------------------------

WIDTH = {6: 2, 9: 3, 12: 4, 18: 6}  # metres along the row; every booth is 3 m deep
DEPTH = 3
AISLE = 3  # between two double rows
MAIN_AISLE = 4  # between zones
ISLAND_GAP = 2  # around an island
ZONE_LETTERS = "ABCD"

# Share of the booths no exhibitor needed step-free or with power that lack it: outdoors has
# less power, the old medina more steps.
NO_POWER = {"indoor": 0.2, "outdoor": 0.45}
OUTDOOR_VENUES = {"berrechid"}
STEPS = {"medina-casablanca": 0.3, "default": 0.08}


@dataclass
class Need:
    """What a plan must hold for one (zone, kind, size): booths, and how many of them must
    have both step-free access and electricity (enough for whoever needs either)."""

    booths: int = 0
    equipped: int = 0


@dataclass(frozen=True)
class PlannedBooth:
    zone: int | None  # index into the fair's zones
    code: str
    kind: str
    size: int
    x: Decimal
    y: Decimal
    width: Decimal
    depth: Decimal
    tier: int
    accessible: bool
    has_electricity: bool


@dataclass(frozen=True)
class PlannedZone:
    name: str
    name_ar: str
    colour: str
    crafts: tuple[int, ...]  # CraftCategory ids


def _rows(items: list[tuple[str, int]], length: float) -> list[list[tuple[str, int]]]:
    """Fill rows of ``length`` metres: corners at the ends of rows, the rest in order."""
    corners = [item for item in items if item[0] == K.CORNER]
    others = [item for item in items if item[0] != K.CORNER]
    rows = []
    while corners or others:
        row, used = [], 0
        if corners:
            item = corners.pop(0)
            row.append(item)
            used += WIDTH[item[1]]
        end = WIDTH[corners[0][1]] if corners else 0
        while others and used + WIDTH[others[0][1]] + end <= length:
            item = others.pop(0)
            row.append(item)
            used += WIDTH[item[1]]
        if corners and used + WIDTH[corners[0][1]] <= length:
            row.append(corners.pop(0))
        if not row and others:  # wider than a row: it gets one of its own
            row.append(others.pop(0))
        rows.append(row)
    return rows


def zone_widths(needs: dict[tuple[int, str, int], Need]) -> Counter:
    """Metres of row each zone's booths take (islands stand apart)."""
    widths = Counter()
    for (zone, kind, size), need in needs.items():
        if kind != K.ISLAND:
            widths[zone] += WIDTH[size] * need.booths
    return widths


def row_lengths(widths: Counter) -> dict[int, int]:
    """The length of a zone's rows, so that every zone of the hall is about as deep (its
    rows as many) and the largest rows about 27 m."""
    rows = max(4, math.ceil(max(widths.values(), default=0) / 27))
    return {zone: max(12, math.ceil(width / rows) + 3) for zone, width in widths.items()}


def layout(needs: dict[tuple[int, str, int], Need], zones: int, rng: random.Random, *,
           lengths: dict[int, int] | None = None, outdoor_venue: bool = False,
           steps_share: float = STEPS["default"]) -> list[PlannedBooth]:  # fmt: skip
    """Booths for ``needs`` ((zone, kind, size) → Need) in ``zones`` blocks side by side.

    Each zone is a block of double rows (booths back to back) with an aisle between them,
    starting at the entrance (y = 0); outdoor booths make the front rows (the forecourt),
    islands a row of their own half-way back. The tier comes from the distance to the
    entrance: the front rows are tier 1, the middle ones 2, the back ones 3, about a third
    of the booths each. The
    booths that must be equipped have power and step-free access; of the others, some lack
    one or the other.
    """
    lengths = lengths or row_lengths(zone_widths(needs))
    per_zone: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (zone, kind, size), need in sorted(needs.items()):
        per_zone[zone] += [(kind, size)] * need.booths
    placed: list[tuple[int, str, int, int, int]] = []  # zone, kind, size, x, y
    x0 = 0
    for zone in range(zones):
        items = per_zone.get(zone, [])
        if not items:
            continue
        row_length = lengths.get(zone, 12)
        outdoor = [item for item in items if item[0] == K.OUTDOOR]
        islands = [item for item in items if item[0] == K.ISLAND]
        rest = [item for item in items if item[0] not in (K.OUTDOOR, K.ISLAND)]
        rng.shuffle(rest)
        rows = _rows(outdoor + rest, row_length)
        island_rows, current, used = [], [], 0
        for item in islands:
            if current and used + WIDTH[item[1]] > row_length:
                island_rows.append(current)
                current, used = [], 0
            current.append(item)
            used += WIDTH[item[1]] + ISLAND_GAP
        if current:
            island_rows.append(current)
        pairs = [rows[i : i + 2] for i in range(0, len(rows), 2)]
        middle = math.ceil(len(pairs) / 2)
        bands = [(0, pair) for pair in pairs[:middle]]
        bands += [(ISLAND_GAP, [row]) for row in island_rows]
        bands += [(0, pair) for pair in pairs[middle:]]
        y, zone_width = 0, 0
        for gap, band_rows in bands:
            for offset, row in enumerate(band_rows):
                x = x0 + gap
                for kind, size in row:
                    placed.append((zone, kind, size, x, y + offset * DEPTH))
                    x += WIDTH[size] + gap
                zone_width = max(zone_width, x - x0)
            y += len(band_rows) * DEPTH + AISLE
        x0 += zone_width + MAIN_AISLE

    # Tiers by distance from the entrance, a row at a time: the rows nearest the entrance
    # holding the first third of the booths are tier 1, the next third 2, the rest 3.
    by_distance = Counter(y for *_rest, y in placed)
    tier_of, before = {}, 0
    for y in sorted(by_distance):
        middle = (before + by_distance[y] / 2) / len(placed)
        tier_of[y] = 1 if middle < 1 / 3 else 2 if middle < 2 / 3 else 3
        before += by_distance[y]
    numbers: Counter = Counter()
    booths_of: dict[tuple[int, str, int], list[dict]] = defaultdict(list)
    for zone, kind, size, x, y in sorted(placed, key=lambda p: (p[0], p[4], p[3])):
        numbers[zone] += 1
        booth = {
            "zone": zone, "code": f"{ZONE_LETTERS[zone]}{numbers[zone]:02d}", "kind": kind, "size": size,
            "x": Decimal(x), "y": Decimal(y), "width": Decimal(WIDTH[size]), "depth": Decimal(DEPTH),
            "tier": tier_of[y], "accessible": True, "has_electricity": True,
        }  # fmt: skip
        booths_of[(zone, kind, size)].append(booth)
    for key, booths in sorted(booths_of.items()):
        spare = rng.sample(booths, k=len(booths) - min(needs[key].equipped, len(booths)))
        no_power = NO_POWER["outdoor" if key[1] == K.OUTDOOR or outdoor_venue else "indoor"]
        for booth in sorted(spare, key=lambda b: b["code"]):
            booth["has_electricity"] = rng.random() >= no_power
            booth["accessible"] = rng.random() >= steps_share
    return sorted((PlannedBooth(**b) for booths in booths_of.values() for b in booths), key=_code_order)


def _code_order(booth: PlannedBooth) -> tuple:
    letters = booth.code.rstrip("0123456789")
    return letters, int(booth.code[len(letters) :] or 0)


def extend(plan: list[PlannedBooth], extra: dict[tuple[int, str, int], int]) -> list[PlannedBooth]:
    """New booths for ``extra`` ((zone, kind, size) → count), in double rows behind each
    zone's booths, as staff add a grid to a copied plan: equipped, low traffic (tier 3),
    codes following the zone's last one."""
    new = []
    right = max((b.x + b.width for b in plan), default=Decimal(0))
    for zone in sorted({z for (z, _k, _s), n in extra.items() if n > 0}):
        items = [(k, s) for (z, k, s), n in sorted(extra.items()) if z == zone for _ in range(n)]
        mine = [b for b in plan if b.zone == zone]
        if mine:
            x0 = min(b.x for b in mine)
            y0 = max(b.y + b.depth for b in mine) + AISLE
            length = max(b.x + b.width for b in mine) - x0
            letters = _code_order(max(mine, key=_code_order))[0]
            number = max(_code_order(b)[1] for b in mine)
        else:  # a zone the copied plan left empty: a block of its own on the right
            x0, y0, length, letters, number = (
                right + MAIN_AISLE,
                Decimal(0),
                Decimal(12),
                ZONE_LETTERS[zone],
                0,
            )
            right += length + MAIN_AISLE
        for i, row in enumerate(_rows(items, float(length))):
            x = x0
            y = y0 + (i // 2) * (2 * DEPTH + AISLE) + (i % 2) * DEPTH
            for kind, size in row:
                number += 1
                new.append(
                    PlannedBooth(
                        zone=zone, code=f"{letters}{number:02d}", kind=kind, size=size, x=x, y=Decimal(y),
                        width=Decimal(WIDTH[size]), depth=Decimal(DEPTH), tier=3, accessible=True,
                        has_electricity=True,
                    )
                )  # fmt: skip
                x += WIDTH[size]
    return new


KIND_PRICE = {K.STANDARD: 1.0, K.CORNER: 1.15, K.ISLAND: 1.3, K.OUTDOOR: 0.7}
TIER_PRICE = {1: 1.25, 2: 1.0, 3: 0.8}
MAX_PRICE = 1500


def booth_price(fee: Decimal, booth: PlannedBooth) -> Decimal:
    """The fair's fee scaled by the booth's size, kind and tier, in steps of 10 MAD, at most
    1,500 MAD (the free fairs' booths are free)."""
    raw = float(fee) * 0.8 * booth.size / 9 * KIND_PRICE.get(booth.kind, 1) * TIER_PRICE.get(booth.tier, 1)
    return Decimal(min(MAX_PRICE, round(raw / 10) * 10))


# --- Reading what the fairs need --------------------------------------------------------


def _zone_of_craft(areas: list[Area], fair_crafts: set[str]) -> dict[str, int]:
    """Each of the fair's crafts → the index of the zone taking it."""
    return {code: i for i, area in enumerate(areas) for code in area.crafts if code in fair_crafts}


def _demand(fair: Fair, rows: list[tuple], zone_of: dict[str, int]) -> tuple[dict, dict]:
    """What this fair needs, (zone, kind, size) → Need: ``(placed, expected)``.

    ``placed``: a booth for each exhibitor who has (or, at an upcoming fair, is offered) a
    place — the confirmed ones of a closed fair, the accepted and confirmed ones of an
    upcoming one —, equipped for whoever needs power or step-free access. ``expected``, for
    an upcoming fair: its live applicants' wishes scaled to its capacity."""
    closed = fair.status in ALLOCATED_STATUSES
    places = (S.CONFIRMED,) if closed else (S.ACCEPTED, S.CONFIRMED)
    counts, equipped, held, held_equipped = Counter(), Counter(), Counter(), Counter()
    for status, kind, size, power, step_free, craft in rows:
        key = (zone_of.get(craft, 0), kind, size)
        counts[key] += 1
        equipped[key] += power or step_free
        held[key] += status in places
        held_equipped[key] += status in places and (power or step_free)
    placed = {key: Need(held[key], held_equipped[key]) for key in held if held[key]}
    if closed:
        return placed, placed
    scale = fair.capacity / max(1, sum(counts.values()))
    booths = _largest_remainder({key: n * scale for key, n in counts.items()})
    expected = {
        key: Need(max(held[key], booths[key]), max(held_equipped[key], min(booths[key], round(equipped[key] * scale))))
        for key in counts
    }  # fmt: skip
    return placed, expected


def _largest_remainder(shares: dict) -> Counter:
    """Whole numbers summing to the rounded total of ``shares``, each within 1 of its share."""
    whole = Counter({key: math.floor(share) for key, share in shares.items()})
    left = round(sum(shares.values())) - sum(whole.values())
    for key in sorted(shares, key=lambda k: (whole[k] - shares[k], k))[:left]:
        whole[key] += 1
    return whole


def _with_spares(needs: dict, zones: int) -> dict:
    """A spare standard booth in every zone: a plan with no free booth is no plan."""
    needs = {key: Need(need.booths, need.equipped) for key, need in needs.items()}
    for zone in range(zones):
        needs.setdefault((zone, K.STANDARD, 9), Need()).booths += 1
    return needs


# --- The parts --------------------------------------------------------------------------


def _fairs(specs: list[DemoFair]) -> dict[str, Fair]:
    return {
        fair.slug: fair
        for fair in Fair.objects.filter(slug__in=[s.slug for s in specs]).select_related("venue")
    }


def seed_plans(ctx: DemoContext) -> None:
    """Zones and booths for every organized fair that has none yet, in bulk.

    The closed fairs' plans are drawn for their exhibitors: the editions at one venue share
    the zones and the halls' shape, and each has the booths its exhibitors asked for (an
    exact copy of the last edition would either leave some without a booth of the kind and
    size they asked for — the engine matches both exactly — or need far more booths than
    the venue holds). An upcoming fair copies the plan of the last edition at the same venue
    and theme, as staff do, then gets a few rows added at the back for what its call asks
    for beyond that plan, and a few booths held or blocked.

    Written directly, not through booths.services: the services refuse plan edits once a
    fair is closed (PLANNING_STATUSES), and the past fairs are closed — like the past
    applications in registrations.demo, these are records being loaded, not plans being
    made. Each fair gets one ``plan.import`` audit entry.
    """
    specs = demo_fairs()
    fairs = _fairs(specs)
    specs = [s for s in specs if s.slug in fairs and fairs[s.slug].status in PLANNED_STATUSES]
    planned = set(
        Fair.objects.filter(pk__in=[fairs[s.slug].pk for s in specs])
        .filter(Q(zones__isnull=False) | Q(booths__isnull=False))
        .values_list("slug", flat=True)
        .distinct()
    )
    missing = [s for s in specs if s.slug not in planned]
    if not missing:
        return
    keys = {s.layout_key for s in missing}
    editions = sorted((s for s in specs if s.layout_key in keys), key=lambda s: fairs[s.slug].starts_on)
    fair_crafts: dict[int, set[str]] = defaultdict(set)
    for fair_id, code in Fair.craft_categories.through.objects.filter(
        fair_id__in=[fairs[s.slug].pk for s in editions]
    ).values_list("fair_id", "craftcategory__code"):
        fair_crafts[fair_id].add(code)
    rows: dict[int, list[tuple]] = defaultdict(list)
    for fair_id, *row in Application.objects.filter(
        fair_id__in=[fairs[s.slug].pk for s in editions], status__in=LIVE_STATUSES
    ).values_list(
        "fair_id", "status", "booth_kind", "booth_size", "needs_electricity", "needs_accessibility",
        "artisan__main_craft__code",
    ):  # fmt: skip
        rows[fair_id].append(tuple(row))
    needs, expects = {}, {}
    widths: dict[tuple, Counter] = defaultdict(Counter)
    for spec in editions:
        fair = fairs[spec.slug]
        zone_of = _zone_of_craft(theme_areas(spec.theme), fair_crafts[fair.pk])
        zones = len(theme_areas(spec.theme))
        placed, expected = _demand(fair, rows[fair.pk], zone_of)
        needs[spec.slug], expects[spec.slug] = _with_spares(placed, zones), _with_spares(expected, zones)
        widths[spec.layout_key] |= zone_widths(expects[spec.slug])
    crafts = dict(CraftCategory.objects.filter(parent__isnull=False).values_list("code", "pk"))

    def new_zones(spec: DemoFair) -> list[PlannedZone]:
        halls, taken = VENUE_HALLS[spec.venue], fair_crafts[fairs[spec.slug].pk]
        return [
            PlannedZone(
                name=f"{halls[i % len(halls)][0]} · {area.name}",
                name_ar=f"{halls[i % len(halls)][1]} · {area.name_ar}",
                colour=area.colour,
                crafts=tuple(crafts[c] for c in area.crafts if c in taken and c in crafts),
            )
            for i, area in enumerate(theme_areas(spec.theme))
        ]

    def draw(spec: DemoFair, wanted: dict) -> list[PlannedBooth]:
        return layout(
            wanted, len(theme_areas(spec.theme)), ctx.rng(f"booths:layout:{spec.slug}"),
            lengths=row_lengths(widths[spec.layout_key]), outdoor_venue=spec.venue in OUTDOOR_VENUES,
            steps_share=STEPS.get(spec.venue, STEPS["default"]),
        )  # fmt: skip

    past = [s for s in missing if fairs[s.slug].status in ALLOCATED_STATUSES]
    _write_plans(ctx, [(fairs[s.slug], new_zones(s), draw(s, needs[s.slug]), {}, {}) for s in past])

    # The upcoming fairs, once the past plans they copy are written.
    copies = []
    for spec in missing:
        fair = fairs[spec.slug]
        if fair.status in ALLOCATED_STATUSES:
            continue
        source = next(
            (
                fairs[s.slug]
                for s in reversed(editions)
                if s.layout_key == spec.layout_key and fairs[s.slug].starts_on < fair.starts_on
            ),
            None,
        )
        zones, plan = _read_plan(source) if source is not None else ([], [])
        if plan:
            allowed = {crafts[c] for c in fair_crafts[fair.pk] if c in crafts}
            zones = [PlannedZone(z.name, z.name_ar, z.colour, tuple(c for c in z.crafts if c in allowed))
                     for z in zones]  # fmt: skip
        else:  # no earlier edition: drawn like the past ones, for the call's applicants
            source, zones, plan = None, new_zones(spec), draw(spec, expects[spec.slug])
        have, equipped = Counter(), Counter()
        for booth in plan:
            have[booth.zone, booth.kind, booth.size] += 1
            equipped[booth.zone, booth.kind, booth.size] += booth.accessible and booth.has_electricity
        added = extend(
            plan,
            {
                key: max(need.booths - have[key], need.equipped - equipped[key], 0)
                for key, need in needs[spec.slug].items()
            },
        )
        plan = plan + added
        zone_of = _zone_of_craft(theme_areas(spec.theme), fair_crafts[fair.pk])
        offered = Counter()
        for status, kind, size, *_needs, craft in rows[fair.pk]:
            offered[zone_of.get(craft, 0), kind, size] += status in (S.ACCEPTED, S.CONFIRMED)
        holds = _holds(ctx.rng(f"booths:holds:{fair.slug}"), fair, plan, offered)
        copies.append(
            (fair, zones, plan, holds, {"copied_from": source.slug if source else None, "added": len(added)})
        )
    _write_plans(ctx, copies)


def _read_plan(fair: Fair) -> tuple[list[PlannedZone], list[PlannedBooth]]:
    """A fair's zones and booths as they are in the database (what ``plan_copy`` copies)."""
    zones = list(
        Zone.objects.filter(fair=fair).order_by("position", "pk").prefetch_related("craft_categories")
    )
    index = {zone.pk: i for i, zone in enumerate(zones)}
    booths = [
        PlannedBooth(
            zone=index.get(b.zone_id), code=b.code, kind=b.kind, size=b.size, x=b.x, y=b.y, width=b.width,
            depth=b.depth, tier=b.tier, accessible=b.accessible, has_electricity=b.has_electricity,
        )
        for b in Booth.objects.filter(fair=fair).order_by("code")
    ]  # fmt: skip
    planned = [
        PlannedZone(z.name, z.name_ar, z.colour, tuple(sorted(c.pk for c in z.craft_categories.all())))
        for z in zones
    ]
    return planned, booths


def _write_plans(ctx: DemoContext, plans: list[tuple]) -> None:
    """Write (fair, zones, booths, holds, audit details) in bulk: zones, their crafts, booths."""
    if not plans:
        return
    zones = [
        Zone(fair=fair, name=z.name, name_ar=z.name_ar, colour=z.colour, position=i + 1)
        for fair, planned, *_rest in plans
        for i, z in enumerate(planned)
    ]
    Zone.objects.bulk_create(zones)
    crafts = [c for _fair, planned, *_rest in plans for z in planned for c in [z.crafts]]
    Through = Zone.craft_categories.through
    Through.objects.bulk_create(
        [Through(zone_id=zone.pk, craftcategory_id=pk) for zone, pks in zip(zones, crafts, strict=True) for pk in pks]
    )  # fmt: skip
    zone_ids = {(zone.fair_id, zone.position - 1): zone.pk for zone in zones}
    booths = []
    for fair, _zones, plan, holds, _changes in plans:
        for b in plan:
            status, reason = holds.get(b.code, (Booth.Status.AVAILABLE, ""))
            booths.append(
                Booth(
                    fair=fair, zone_id=zone_ids.get((fair.pk, b.zone)), code=b.code, kind=b.kind, size=b.size,
                    price=booth_price(fair.fee, b), tier=b.tier, accessible=b.accessible,
                    has_electricity=b.has_electricity, x=b.x, y=b.y, width=b.width, depth=b.depth,
                    status=status, status_reason=reason,
                )
            )  # fmt: skip
    Booth.objects.bulk_create(booths, batch_size=500)
    ctx.created["zones"] += len(zones)
    ctx.created["booths"] += len(booths)
    for fair, planned, plan, holds, changes in plans:
        audit_log(
            actor=ctx.users.get("staff"), action="plan.import", obj=fair,
            changes={"zones": len(planned), "booths": len(plan), "held_or_blocked": len(holds), **changes,
                     "source": "seed_demo"},
        )  # fmt: skip


def _holds(rng: random.Random, fair: Fair, plan: list[PlannedBooth], wanted: Counter) -> dict[str, tuple]:
    """An upcoming fair's held and blocked booths, where the plan has a booth to spare over
    its accepted and confirmed exhibitors: the guests get a front booth, the pillar stands
    wherever it stands."""
    spare = Counter(
        {key: n - wanted[key] for key, n in Counter((b.zone, b.kind, b.size) for b in plan).items()}
    )
    holds = {}
    for status, reason in HOLDS + EXTRA_HOLDS.get(fair.slug, []):
        pool = [
            b for b in plan
            if b.code not in holds and spare[(b.zone, b.kind, b.size)] > 0 and b.kind == K.STANDARD
            and (status == Booth.Status.BLOCKED or b.tier == 1)
        ]  # fmt: skip
        if not pool:
            continue
        booth = rng.choice(pool)
        spare[(booth.zone, booth.kind, booth.size)] -= 1
        holds[booth.code] = (status, reason)
    return holds


def seed_assignments(ctx: DemoContext) -> None:
    """Place the closed fairs' confirmed exhibitors with the allocation engine, fair after
    fair in date order (each run knows the tiers the earlier runs gave), and record each run.

    Written directly for the reason ``seed_plans`` gives (allocation_commit refuses a closed
    fair): the engine and its inputs are the real ones, only the writing is the seed's. One
    ``allocation.import`` audit entry per fair, like an ``allocation.commit``.
    """
    specs = demo_fairs()
    fairs = _fairs(specs)
    closed = [fairs[s.slug] for s in specs if s.slug in fairs and fairs[s.slug].status in ALLOCATED_STATUSES]
    ids = [fair.pk for fair in closed]
    done = set(Assignment.objects.filter(fair_id__in=ids).values_list("fair_id", flat=True).distinct())
    done |= set(AllocationRun.objects.filter(fair_id__in=ids).values_list("fair_id", flat=True).distinct())
    with_plan = set(Booth.objects.filter(fair_id__in=ids).values_list("fair_id", flat=True).distinct())
    todo = [fair for fair in closed if fair.pk not in done and fair.pk in with_plan]
    if not todo:
        return
    actor = ctx.users.get("staff")
    last_confirmed = dict(
        Application.objects.filter(fair__in=todo, status=S.CONFIRMED)
        .values_list("fair_id")
        .annotate(latest=Max("confirmed_at"))
        .order_by()
    )
    for fair in sorted(todo, key=lambda f: (f.starts_on, f.slug)):
        booths, requests = build_inputs(fair)
        seed = fair.slug[:40]  # a fixed seed per fair (AllocationRun.seed holds 40 characters)
        result = engine.allocate(booths, requests, seed=seed)
        if result.metrics.hard_violations:  # the engine promises none: a broken demo is a bug
            raise RuntimeError(f"the allocation of {fair.slug} broke a hard constraint")
        # Run once the confirmations are in, and before the fair opens.
        latest = last_confirmed.get(fair.pk)
        when = at(fair.starts_on - dt.timedelta(days=1), 10)
        if latest is not None:
            when = min(when, at(latest.date() + dt.timedelta(days=1), 10))
        Assignment.objects.bulk_create(
            [
                Assignment(booth_id=p.booth_id, application_id=p.application_id, fair=fair,
                           method=Assignment.Method.AUTO, explanation=list(p.explanation), created_by=actor)
                for p in result.assignments
            ],
            batch_size=500,
        )  # fmt: skip
        run = AllocationRun.objects.create(
            fair=fair, seed=seed, placed=len(result.assignments), metrics=asdict(result.metrics),
            unplaced=[[u.application_id, u.reason] for u in result.unplaced], created_by=actor,
        )  # fmt: skip
        # auto_now_add stamped today: the run belongs to the fair's history.
        Assignment.objects.filter(fair=fair).update(created_at=when)
        AllocationRun.objects.filter(pk=run.pk).update(created_at=when)
        ctx.created["assignments"] += len(result.assignments)
        ctx.created["allocation runs"] += 1
        audit_log(
            actor=actor, action="allocation.import", obj=fair,
            changes={"seed": seed, "placed": run.placed, "unplaced": len(result.unplaced), "source": "seed_demo"},
        )  # fmt: skip


PARTS = (seed_plans, seed_assignments)


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    """Zones, booths, assignments and the fairs with a plan."""
    booths = Booth.objects.aggregate(
        n=Count("pk"), held=Count("pk", filter=~Q(status=Booth.Status.AVAILABLE))
    )
    planned = Counter(
        dict(
            Fair.objects.filter(booths__isnull=False)
            .values_list("status")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
    )
    runs = list(AllocationRun.objects.values_list("unplaced", flat=True))
    return [
        ("zones", str(Zone.objects.count())),
        ("booths", f"{booths['n']} ({booths['held']} held or blocked)"),
        ("assignments", str(Assignment.objects.count())),
        ("allocation runs", f"{len(runs)} ({sum(1 for u in runs if u)} leaving someone out)"),
        (
            "fairs with a plan",
            f"{sum(planned.values())} ("
            + ", ".join(f"{planned[s]} {s}" for s in Fair.Status.values if planned[s])
            + ")",
        ),
    ]
