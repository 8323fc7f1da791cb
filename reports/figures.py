"""The region's figures for a period: what the summary PDF, its page, its API and the dashboard show.

Definitions (the summary PDF prints them in its notes; keep both in step):

- **Fairs held**: fairs that are not cancelled, whose first day falls in the period and that
  have started (status running or closed). Counted by year (of the first day) and scope, and
  split between fairs the delegation organised and others' exhibitions it took part in.
  The province and craft filters do not change this count (a fair is held or not).
- **Participation**: a confirmed application at a fair held in the period. An artisan at three
  fairs makes three participations.
- **Artisans featured**: distinct artisans with at least one participation in the period.
- **Women's share / rural share**: women (rural artisans) among the distinct artisans
  featured, and among participations.
- **First-time participants**: artisans featured whose first participation ever (at any fair
  held, before or during the period) falls in the period.
- **National / international participations**: participations at fairs of that scope (local
  and regional ones are the delegation's region).
- **Sales reported**: sums of the outcomes reported for the participations (sales in MAD,
  items sold, orders taken, export contacts), and how many participations reported one.
  Participations without an outcome count as not reported, not as zero sales.
- **Leading crafts**: the ten main crafts with the most participations (names in the active
  language).
- **Provinces**: artisans featured and their participations by the artisan's province.
- **Attendance rate**: at fairs that kept check-ins, the share of participations with an
  accepted entry scan. Fairs without check-ins (before Souk, others' exhibitions) are left out.
- **Filters**: ``province`` is the artisan's province; ``craft`` is the artisan's main craft,
  or any craft of it when a sector is given. Both narrow participations, artisans, outcomes
  and crafts.

The figures come from three queries, whatever the data size: the fairs held; participations,
entry scans and outcomes grouped by fair; and the artisans featured, counted once each in
groups by gender, area, main craft, the year of their first participation and the years and
scopes they took part in (bit masks), with their participations by year and scope. Those
attributes split the artisans into disjoint groups, so every distinct count (overall, by year,
by scope, by craft, first-timers) and every women's or rural count adds up exactly from the
group rows. The same query groups the same per-artisan sums by province too (a second
grouping of one materialized CTE). Python only adds up group rows (a few thousand at most),
never rows per artisan or per application. Only that last query reads the artisans (without a
filter): a pass joining 180,000 artisans to 17,000 participations costs 40–80 ms on SQLite,
so there is one.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from badges.models import CheckIn, CheckInResult, Direction
from core.models import CraftCategory, Province
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus, Artisan
from reports.services import ReportError

HELD_STATUSES = (Fair.Status.RUNNING, Fair.Status.CLOSED)
PARTICIPATING = ApplicationStatus.CONFIRMED
SCOPES = tuple(Fair.Scope.values)  # local, regional, national, international
LEADING_CRAFTS = 10
MAX_YEARS = 30  # a longer period is a typing slip (1024 for 2024), not a report

ZERO = Decimal("0.00")


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, or None when there is nothing to divide."""
    return part / whole if whole else None


@dataclass
class Outcomes:
    """Totals of the outcomes reported for a set of participations."""

    sales_mad: Decimal = ZERO
    items_sold: int = 0
    orders: int = 0
    export_contacts: int = 0
    reported: int = 0  # participations with an outcome
    participations: int = 0

    @property
    def reported_share(self) -> float | None:
        return share(self.reported, self.participations)

    def add(self, other: "Outcomes") -> None:
        self.sales_mad += other.sales_mad
        self.items_sold += other.items_sold
        self.orders += other.orders
        self.export_contacts += other.export_contacts
        self.reported += other.reported
        self.participations += other.participations


@dataclass
class FairsHeld:
    """Fairs held in one year and scope (``year`` None: the whole period)."""

    year: int | None
    scope: str
    organised: int = 0
    participated: int = 0

    @property
    def total(self) -> int:
        return self.organised + self.participated

    @property
    def scope_label(self) -> str:
        return str(Fair.Scope(self.scope).label)


@dataclass
class GroupRow:
    """Participations of one year or one scope; ``key`` is the year (int) or the scope (str)."""

    key: int | str
    fairs_organised: int = 0
    fairs_participated: int = 0
    participations: int = 0
    women_participations: int = 0
    rural_participations: int = 0
    artisans: int = 0
    women: int = 0
    rural: int = 0
    first_timers: int = 0
    national_participations: int = 0
    international_participations: int = 0
    outcomes: Outcomes = field(default_factory=Outcomes)

    @property
    def fairs(self) -> int:
        return self.fairs_organised + self.fairs_participated

    @property
    def women_share(self) -> float | None:
        return share(self.women, self.artisans)

    @property
    def rural_share(self) -> float | None:
        return share(self.rural, self.artisans)

    @property
    def label(self) -> str:
        if isinstance(self.key, str):
            return str(Fair.Scope(self.key).label)
        return str(self.key)


@dataclass
class CraftRow:
    craft_id: int
    name: str
    participations: int
    artisans: int


@dataclass
class ProvinceRow:
    """Artisans featured from one province (the artisan's), and their participations."""

    province_id: int
    name: str
    artisans: int
    participations: int


@dataclass
class RegionFigures:
    """Every figure of the region for the period [start, end] (both days included)."""

    start: dt.date
    end: dt.date
    province_id: int | None
    craft_id: int | None
    fairs_organised: int
    fairs_participated: int
    fairs_held: list[FairsHeld]  # by year and scope, only the non-empty ones
    participations: int
    women_participations: int
    rural_participations: int
    artisans: int
    women: int
    rural: int
    first_timers: int
    national_participations: int
    international_participations: int
    national_artisans: int
    international_artisans: int
    outcomes: Outcomes
    years: list[GroupRow]  # every year of the period, empty ones included
    scopes: list[GroupRow]  # every scope, empty ones included
    crafts: list[CraftRow]  # leading crafts, most participations first
    provinces: list[ProvinceRow]  # every province with an artisan featured, most artisans first
    fairs_with_check_ins: int
    participations_scanned: int  # participations at fairs that kept check-ins
    participations_attended: int  # of those, with an accepted entry scan

    @property
    def fairs(self) -> int:
        return self.fairs_organised + self.fairs_participated

    @property
    def women_share(self) -> float | None:
        return share(self.women, self.artisans)

    @property
    def rural_share(self) -> float | None:
        return share(self.rural, self.artisans)

    @property
    def women_participation_share(self) -> float | None:
        return share(self.women_participations, self.participations)

    @property
    def rural_participation_share(self) -> float | None:
        return share(self.rural_participations, self.participations)

    @property
    def first_timer_share(self) -> float | None:
        return share(self.first_timers, self.artisans)

    @property
    def attendance_rate(self) -> float | None:
        return share(self.participations_attended, self.participations_scanned)

    @property
    def is_empty(self) -> bool:
        return self.fairs == 0 and self.participations == 0

    def as_dict(self) -> dict:
        """Plain JSON-ready data (Decimal as a string, dates ISO, shares as fractions)."""

        def outcomes(o: Outcomes) -> dict:
            return {**asdict(o), "sales_mad": str(o.sales_mad), "reported_share": o.reported_share}

        def group(row: GroupRow) -> dict:
            data = asdict(row)
            data.update(
                fairs=row.fairs,
                women_share=row.women_share,
                rural_share=row.rural_share,
                outcomes=outcomes(row.outcomes),
            )
            return data

        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "province": self.province_id,
            "craft": self.craft_id,
            "fairs": {
                "total": self.fairs,
                "organised": self.fairs_organised,
                "participated": self.fairs_participated,
                "by_year_and_scope": [
                    {
                        "year": f.year,
                        "scope": f.scope,
                        "organised": f.organised,
                        "participated": f.participated,
                        "total": f.total,
                    }
                    for f in self.fairs_held
                ],
            },
            "participations": self.participations,
            "artisans": self.artisans,
            "women": self.women,
            "rural": self.rural,
            "women_share": self.women_share,
            "rural_share": self.rural_share,
            "women_participations": self.women_participations,
            "rural_participations": self.rural_participations,
            "women_participation_share": self.women_participation_share,
            "rural_participation_share": self.rural_participation_share,
            "first_timers": self.first_timers,
            "national_participations": self.national_participations,
            "international_participations": self.international_participations,
            "national_artisans": self.national_artisans,
            "international_artisans": self.international_artisans,
            "outcomes": outcomes(self.outcomes),
            "years": [group(row) for row in self.years],
            "scopes": [group(row) for row in self.scopes],
            "crafts": [asdict(row) for row in self.crafts],
            "provinces": [asdict(row) for row in self.provinces],
            "attendance": {
                "fairs_with_check_ins": self.fairs_with_check_ins,
                "participations": self.participations_scanned,
                "attended": self.participations_attended,
                "rate": self.attendance_rate,
            },
        }


def validate_period(*, start: dt.date, end: dt.date) -> None:
    """Refuse a period that ends before it starts, or one too long to report year by year."""
    if end < start:
        raise ReportError(
            code="period_end_before_start",
            field="end",
            message=_("The period cannot end before it starts."),
        )
    if end.year - start.year >= MAX_YEARS:
        raise ReportError(
            code="period_too_long",
            field="start",
            message=_("A period covers at most %(years)s years.") % {"years": MAX_YEARS},
        )


def _pk(value) -> int | None:
    if value in (None, ""):
        return None
    return int(getattr(value, "pk", value))


def participation_queryset(*, start: dt.date, end: dt.date, province=None, craft=None):
    """Confirmed applications at fairs held in [start, end], narrowed by the artisan filters."""
    applications = Application.objects.filter(
        status=PARTICIPATING,
        fair__status__in=HELD_STATUSES,
        fair__starts_on__gte=start,
        fair__starts_on__lte=end,
    )
    province_id, craft_id = _pk(province), _pk(craft)
    if province_id is not None:
        applications = applications.filter(artisan__province_id=province_id)
    if craft_id is not None:
        # A craft matches itself; a sector matches its crafts (a craft is nobody's parent).
        applications = applications.filter(
            Q(artisan__main_craft_id=craft_id) | Q(artisan__main_craft__parent_id=craft_id)
        )
    return applications


BEFORE, AFTER = 0, 9999  # year buckets of dates outside the period


def _year_of(date: str, *, start: dt.date, end: dt.date):
    """The year of a date field, as plain SQL comparisons (no per-row function call, which
    SQLite would run in Python): BEFORE for a date before ``start``, AFTER after ``end``."""
    field = F(date)
    whens = [When(LessThan(field, start), then=Value(BEFORE))]
    whens += [
        When(LessThanOrEqual(field, min(end, dt.date(year, 12, 31))), then=Value(year))
        for year in range(start.year, end.year + 1)
    ]
    return Case(*whens, default=Value(AFTER), output_field=IntegerField())


def _featured_groups(*, start: dt.date, end: dt.date, province_id: int | None, craft_id: int | None):
    """The artisans featured in the period, counted once each in groups; and by province.

    One row per (gender, area, main craft, year of the first participation ever, years of
    the period with a participation, scopes with a participation) with ``people``, the
    number of artisans in it, and their participations in the period: in all
    (``participations``), by year (``by_year``, a list in period order) and by scope
    (``by_scope``, in SCOPES order). The year of the first participation is BEFORE when it
    came before the period; the years and the scopes are bit masks (bit i: the i-th year of
    the period, the i-th of SCOPES).

    One query: the inner part (built with the ORM) reads every participation once and sums it
    up per artisan; the outer part joins the artisans and groups them, so Python gets group
    rows (a few thousand at most), never a row per artisan. The same sums grouped by the
    artisans' province give the second list: ``main_craft_id`` is then the province's id, the
    names are the province's, ``people`` its artisans and ``participations`` theirs.
    """
    period_years = range(start.year, end.year + 1)
    in_period = Q(fair__starts_on__range=(start, end))
    in_year = [
        Q(fair__starts_on__range=(max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))))
        for year in period_years
    ]
    in_scope = [in_period & Q(fair__scope=scope) for scope in SCOPES]
    year_columns = [f"y{i}" for i in range(len(in_year))]
    scope_columns = [f"s{i}" for i in range(len(in_scope))]

    per_artisan = (
        Application.objects.filter(status=PARTICIPATING, fair__status__in=HELD_STATUSES)
        .values("artisan_id")
        .annotate(
            first_year=Min(_year_of("fair__starts_on", start=start, end=end)),
            n=Count("pk", filter=in_period),
            **{
                column: Count("pk", filter=condition)
                for column, condition in zip(year_columns, in_year, strict=True)
            },
            **{
                column: Count("pk", filter=condition)
                for column, condition in zip(scope_columns, in_scope, strict=True)
            },
        )
        .filter(n__gt=0)
        .order_by()
    )
    inner, params = per_artisan.query.sql_with_params()
    conditions, extra = [], []
    if province_id is not None:
        conditions.append("artisan.province_id = %s")
        extra.append(province_id)
    if craft_id is not None:
        conditions.append("(artisan.main_craft_id = %s OR craft.parent_id = %s)")
        extra += [craft_id, craft_id]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""

    def mask(columns):  # bit i set when the artisan took part in the i-th year (scope)
        return " + ".join(
            f"(CASE WHEN per_artisan.{c} > 0 THEN {1 << i} ELSE 0 END)" for i, c in enumerate(columns)
        )

    columns = ["n", *year_columns, *scope_columns]
    sums = ", ".join(f"SUM(featured.{column})" for column in columns)
    no_sums = ", ".join(["0"] * (len(year_columns) + len(scope_columns)))
    # The artisans featured are joined once, into a CTE used twice (so SQLite and PostgreSQL
    # alike materialize it), then grouped twice: the groups above, and by province.
    sql = f"""
        WITH per_artisan AS ({inner}),
        featured AS (
            SELECT artisan.gender, artisan.area, artisan.main_craft_id, artisan.province_id,
                   per_artisan.first_year, {mask(year_columns)} AS years, {mask(scope_columns)} AS scopes,
                   {", ".join(f"per_artisan.{column}" for column in columns)}
            FROM per_artisan
            INNER JOIN {Artisan._meta.db_table} artisan ON artisan.id = per_artisan.artisan_id
            INNER JOIN {CraftCategory._meta.db_table} craft ON craft.id = artisan.main_craft_id
            {where}
        )
        SELECT 0, featured.gender, featured.area, featured.main_craft_id, featured.first_year,
               featured.years, featured.scopes,
               MAX(craft.name_fr), MAX(craft.name_ar), MAX(craft.name_en), COUNT(*), {sums}
        FROM featured INNER JOIN {CraftCategory._meta.db_table} craft ON craft.id = featured.main_craft_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        UNION ALL
        SELECT 1, '', '', featured.province_id, 0, 0, 0,
               MAX(province.name_fr), MAX(province.name_ar), MAX(province.name_en), COUNT(*),
               SUM(featured.n), {no_sums}
        FROM featured INNER JOIN {Province._meta.db_table} province ON province.id = featured.province_id
        GROUP BY featured.province_id
    """  # noqa: S608 (table names come from the models; every value is a parameter)
    keys = ("part", "gender", "area", "main_craft_id", "first_year", "years", "scopes", "main_craft__name_fr",
            "main_craft__name_ar", "main_craft__name_en", "people", "participations")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *extra])
        rows = cursor.fetchall()
    groups, provinces = [], []
    for row in rows:
        group = dict(zip(keys, row[: len(keys)], strict=True))
        for key in ("first_year", "years", "scopes", "people", "participations"):
            group[key] = int(group[key])  # PostgreSQL sums counts as numeric (Decimal)
        if group.pop("part"):  # a province: its id where the craft's is, its names as the craft's
            provinces.append(group)
            continue
        counts = [int(n) for n in row[len(keys) :]]
        group["by_year"], group["by_scope"] = counts[: len(in_year)], counts[len(in_year) :]
        groups.append(group)
    return groups, provinces


def _attended() -> Q:
    """The participation has an accepted entry scan (as a semi-join: one pass over the scans)."""
    entered = CheckIn.objects.filter(result=CheckInResult.OK, direction=Direction.IN)
    return Q(pk__in=entered.values("badge__application_id"))


def _craft_name(row: dict, lang: str) -> str:
    return row.get(f"main_craft__name_{lang}") or row["main_craft__name_fr"]


def region_figures(*, start: dt.date, end: dt.date, province=None, craft=None) -> RegionFigures:
    """The figures for fairs whose first day is in [start, end] (see the module's definitions).

    ``province`` and ``craft`` are instances or ids (None: no filter). Three queries whatever
    the size of the data.
    """
    validate_period(start=start, end=end)
    province_id, craft_id = _pk(province), _pk(craft)

    # 1. The fairs held, with whether each kept check-ins.
    fairs = list(
        Fair.objects.filter(status__in=HELD_STATUSES, starts_on__gte=start, starts_on__lte=end)
        # A semi-join, not EXISTS … LIMIT 1 per fair: PostgreSQL planned that one as a
        # sequential scan of the check-ins for every fair (100 ms for 100 fairs).
        .annotate(
            scanned=ExpressionWrapper(
                Q(pk__in=CheckIn.objects.values("fair_id")), output_field=BooleanField()
            )
        )
        .values("pk", "starts_on", "scope", "role", "scanned")
        .order_by()
    )

    applications = participation_queryset(start=start, end=end, province=province_id, craft=craft_id)
    period_years = range(start.year, end.year + 1)

    # 2. Participations, entries and outcomes, one row per fair (reads no artisan unless a
    # filter needs it).
    per_fair = {
        row["fair_id"]: row
        for row in applications.values("fair_id")
        .annotate(
            n=Count("pk"),
            attended_n=Count("pk", filter=_attended()),
            reported=Count("outcome"),
            sales=Coalesce(Sum("outcome__sales_mad"), ZERO),
            items=Coalesce(Sum("outcome__items_sold"), 0),
            orders=Coalesce(Sum("outcome__orders"), 0),
            contacts=Coalesce(Sum("outcome__export_contacts"), 0),
        )
        .order_by()
    }

    years = {year: GroupRow(key=year) for year in period_years}
    scopes = {scope: GroupRow(key=scope) for scope in SCOPES}

    # 3. The artisans featured, in disjoint groups (see _featured_groups): every count of
    # distinct artisans, and of women's and rural artisans' participations, adds up from them.
    lang = (get_language() or settings.LANGUAGE_CODE)[:2]
    people = {"artisans": 0, "women": 0, "rural": 0}
    participations = {"women": 0, "rural": 0}
    first_timers = 0
    craft_people: dict[int, int] = {}
    craft_participations: dict[int, int] = {}
    craft_names: dict[int, str] = {}
    groups, by_province = _featured_groups(start=start, end=end, province_id=province_id, craft_id=craft_id)
    provinces = sorted(
        (
            ProvinceRow(
                province_id=row["main_craft_id"], name=_craft_name(row, lang), artisans=row["people"],
                participations=row["participations"],
            )
            for row in by_province
        ),
        key=lambda row: (-row.artisans, row.name),
    )  # fmt: skip
    for row in groups:
        woman, rural = row["gender"] == Artisan.Gender.FEMALE, row["area"] == Artisan.Area.RURAL
        n = row["people"]
        people["artisans"] += n
        people["women"] += n if woman else 0
        people["rural"] += n if rural else 0
        participations["women"] += row["participations"] if woman else 0
        participations["rural"] += row["participations"] if rural else 0
        for masks, taken, groups in (
            (row["years"], row["by_year"], years.values()),
            (row["scopes"], row["by_scope"], scopes.values()),
        ):
            for i, group in enumerate(groups):
                if masks & (1 << i):  # these artisans took part that year (in that scope)
                    group.artisans += n
                    group.women += n if woman else 0
                    group.rural += n if rural else 0
                group.women_participations += taken[i] if woman else 0
                group.rural_participations += taken[i] if rural else 0
        if row["first_year"] in years:
            years[row["first_year"]].first_timers += n
            first_timers += n
        craft = row["main_craft_id"]
        craft_people[craft] = craft_people.get(craft, 0) + n
        craft_participations[craft] = craft_participations.get(craft, 0) + row["participations"]
        if craft not in craft_names:
            craft_names[craft] = _craft_name(row, lang)
    crafts = sorted(
        (
            CraftRow(craft_id=pk, name=craft_names[pk], participations=n, artisans=craft_people[pk])
            for pk, n in craft_participations.items()
        ),
        key=lambda row: (-row.participations, row.name),
    )[:LEADING_CRAFTS]

    # Adding up, in Python, over the fairs.
    held: dict[tuple[int, str], FairsHeld] = {}
    total = Outcomes()
    counts = {"n": 0, "national": 0, "international": 0}
    scanned = attended = 0
    for fair in sorted(fairs, key=lambda f: f["starts_on"]):
        year, scope = fair["starts_on"].year, fair["scope"]
        organised = fair["role"] == Fair.Role.ORGANIZER
        cell = held.setdefault((year, scope), FairsHeld(year=year, scope=scope))
        cell.organised += organised
        cell.participated += not organised
        for group in (years[year], scopes[scope]):
            group.fairs_organised += organised
            group.fairs_participated += not organised
        row = per_fair.get(fair["pk"])
        if row is None:
            continue
        outcome = Outcomes(
            sales_mad=Decimal(row["sales"]),
            items_sold=row["items"],
            orders=row["orders"],
            export_contacts=row["contacts"],
            reported=row["reported"],
            participations=row["n"],
        )
        national = row["n"] if scope == Fair.Scope.NATIONAL else 0
        international = row["n"] if scope == Fair.Scope.INTERNATIONAL else 0
        for group in (years[year], scopes[scope]):
            group.participations += row["n"]
            group.national_participations += national
            group.international_participations += international
            group.outcomes.add(outcome)
        total.add(outcome)
        counts["n"] += row["n"]
        counts["national"] += national
        counts["international"] += international
        if fair["scanned"]:
            scanned += row["n"]
            attended += row["attended_n"]

    return RegionFigures(
        start=start,
        end=end,
        province_id=province_id,
        craft_id=craft_id,
        fairs_organised=sum(f.organised for f in held.values()),
        fairs_participated=sum(f.participated for f in held.values()),
        fairs_held=[held[key] for key in sorted(held, key=lambda k: (k[0], SCOPES.index(k[1])))],
        participations=counts["n"],
        women_participations=participations["women"],
        rural_participations=participations["rural"],
        artisans=people["artisans"],
        women=people["women"],
        rural=people["rural"],
        first_timers=first_timers,
        national_participations=counts["national"],
        international_participations=counts["international"],
        national_artisans=scopes[Fair.Scope.NATIONAL].artisans,
        international_artisans=scopes[Fair.Scope.INTERNATIONAL].artisans,
        outcomes=total,
        years=list(years.values()),
        scopes=list(scopes.values()),
        crafts=crafts,
        provinces=provinces,
        fairs_with_check_ins=sum(1 for fair in fairs if fair["scanned"]),
        participations_scanned=scanned,
        participations_attended=attended,
    )


__all__ = [
    "CraftRow",
    "FairsHeld",
    "GroupRow",
    "Outcomes",
    "ProvinceRow",
    "RegionFigures",
    "participation_queryset",
    "region_figures",
    "share",
    "validate_period",
]
