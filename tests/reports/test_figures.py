"""reports.figures: every figure of region_figures checked against a small region built by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from badges.models import Badge, CheckIn, CheckInResult, Direction
from core.models import CraftCategory
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus
from reports.figures import region_figures
from reports.models import Outcome
from reports.services import ReportError
from tests.factories import ApplicationFactory, ArtisanFactory, FairFactory, craft, province

pytestmark = pytest.mark.django_db

S = ApplicationStatus
START, END = dt.date(2021, 1, 1), dt.date(2024, 12, 31)
QUERIES = 3  # region_figures' budget, whatever the size of the data


def held(starts_on, *, scope=Fair.Scope.LOCAL, role=Fair.Role.ORGANIZER, status=Fair.Status.CLOSED, **kw):
    return FairFactory(
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=4),
        scope=scope,
        role=role,
        status=status,
        applications_open_at=None,
        applications_close_at=None,
        **kw,
    )


def take_part(artisan, fair, status=S.CONFIRMED, **outcome):
    application = ApplicationFactory(artisan=artisan, fair=fair, status=status)
    if outcome:
        Outcome.objects.create(application=application, **outcome)
    return application


def enter(application, *, result=CheckInResult.OK, direction=Direction.IN):
    fair = application.fair
    badge, _ = Badge.objects.get_or_create(
        application=application,
        defaults={
            "fair": fair,
            "kind": "exhibitor",
            "serial": f"S{application.pk:07d}"[:8],
            "name": application.artisan.full_name,
            "valid_from": fair.starts_on,
            "valid_until": fair.ends_on,
        },
    )
    CheckIn.objects.create(
        fair=fair,
        badge=badge,
        gate="A",
        direction=direction,
        result=result,
        origin="user:1",
        nonce=f"n{CheckIn.objects.count()}",
        scanned_at=timezone.make_aware(dt.datetime.combine(fair.starts_on, dt.time(9, 30))),
    )


@pytest.fixture
def region():
    return build_region()


def build_region():
    """Two local fairs (2021, 2023; the 2021 one kept check-ins), a national and an
    international exhibition, and fairs that must not count: cancelled, not started yet,
    before and after the period."""
    pottery, carpets = craft("pottery"), craft("carpets")
    settat, casa = province("settat"), province("casablanca")
    fairs = {
        "local21": held(dt.date(2021, 6, 1)),
        "local23": held(dt.date(2023, 6, 1)),
        "national22": held(dt.date(2022, 11, 1), scope=Fair.Scope.NATIONAL, role=Fair.Role.PARTICIPANT),
        "intl24": held(dt.date(2024, 1, 20), scope=Fair.Scope.INTERNATIONAL, role=Fair.Role.PARTICIPANT),
        "before": held(dt.date(2020, 5, 1)),
        "after": held(dt.date(2025, 2, 1)),
        "cancelled": held(dt.date(2022, 3, 1), status=Fair.Status.CANCELLED),
        "published": held(dt.date(2024, 12, 20), status=Fair.Status.PUBLISHED),
    }
    woman_rural = ArtisanFactory(gender="F", area="rural", main_craft=pottery, province=settat)
    woman_urban = ArtisanFactory(gender="F", area="urban", main_craft=carpets, province=casa)
    man_rural = ArtisanFactory(gender="M", area="rural", main_craft=pottery, province=casa)
    man_urban = ArtisanFactory(gender="M", area="urban", main_craft=pottery, province=settat)
    veteran = ArtisanFactory(gender="M", area="urban", main_craft=carpets, province=settat)

    take_part(veteran, fairs["before"])  # took part before the period: not a first-timer
    a = take_part(woman_rural, fairs["local21"], sales_mad=Decimal("1200.50"), items_sold=7, orders=2)
    b = take_part(man_rural, fairs["local21"])
    take_part(veteran, fairs["local21"], sales_mad=Decimal("300"), export_contacts=1)
    take_part(woman_urban, fairs["local21"], status=S.WITHDRAWN)
    take_part(man_urban, fairs["local21"], status=S.REJECTED)
    take_part(woman_rural, fairs["national22"], sales_mad=Decimal("5000"), items_sold=20, orders=5)
    take_part(woman_urban, fairs["local23"])
    take_part(man_urban, fairs["local23"], sales_mad=Decimal("0"), items_sold=0)
    take_part(woman_urban, fairs["intl24"], export_contacts=4, sales_mad=Decimal("800"))
    for fair in ("after", "cancelled", "published"):
        take_part(man_urban, fairs[fair])
    enter(a)  # local21 kept check-ins: a entered, b never did
    enter(b, result=CheckInResult.REVOKED)
    return {"fairs": fairs, "settat": settat, "casa": casa, "pottery": pottery, "carpets": carpets}


def test_fairs_held_by_year_and_scope(region):
    figures = region_figures(start=START, end=END)
    assert (figures.fairs, figures.fairs_organised, figures.fairs_participated) == (4, 2, 2)
    cells = [(f.year, f.scope, f.organised, f.participated) for f in figures.fairs_held]
    assert cells == [
        (2021, "local", 1, 0),
        (2022, "national", 0, 1),
        (2023, "local", 1, 0),
        (2024, "international", 0, 1),
    ]
    assert [(row.key, row.fairs) for row in figures.years] == [(2021, 1), (2022, 1), (2023, 1), (2024, 1)]


def test_participations_artisans_and_shares(region):
    figures = region_figures(start=START, end=END)
    # local21: woman_rural, man_rural, veteran; national22: woman_rural; local23: woman_urban,
    # man_urban; intl24: woman_urban.
    assert figures.participations == 7
    assert figures.artisans == 5
    assert (figures.women, figures.rural) == (2, 2)
    assert figures.women_share == pytest.approx(2 / 5)
    assert (figures.women_participations, figures.rural_participations) == (4, 3)
    assert figures.women_participation_share == pytest.approx(4 / 7)
    assert figures.first_timers == 4  # all but the veteran
    assert (figures.national_participations, figures.international_participations) == (1, 1)
    assert (figures.national_artisans, figures.international_artisans) == (1, 1)


def test_per_year_rows(region):
    years = {row.key: row for row in region_figures(start=START, end=END).years}
    assert [years[y].participations for y in (2021, 2022, 2023, 2024)] == [3, 1, 2, 1]
    assert [years[y].artisans for y in (2021, 2022, 2023, 2024)] == [3, 1, 2, 1]
    assert [years[y].first_timers for y in (2021, 2022, 2023, 2024)] == [2, 0, 2, 0]
    assert years[2022].national_participations == 1
    assert years[2024].international_participations == 1
    assert years[2021].outcomes.sales_mad == Decimal("1500.50")


def test_outcomes_reported(region):
    figures = region_figures(start=START, end=END)
    o = figures.outcomes
    assert o.sales_mad == Decimal("7300.50")
    assert (o.items_sold, o.orders, o.export_contacts) == (27, 7, 5)
    assert (o.reported, o.participations) == (5, 7)
    scopes = {row.key: row for row in figures.scopes}
    assert scopes["national"].outcomes.sales_mad == Decimal("5000")
    assert scopes["international"].outcomes.export_contacts == 4
    assert scopes["local"].outcomes.sales_mad == Decimal("1500.50")
    assert scopes["regional"].participations == 0


def test_leading_crafts_in_the_active_language(region):
    with translation.override("ar"):
        figures = region_figures(start=START, end=END)
    rows = [(row.name, row.participations, row.artisans) for row in figures.crafts]
    assert rows == [(region["pottery"].name_ar, 4, 3), (region["carpets"].name_ar, 3, 2)]


def test_attendance_counts_only_fairs_with_check_ins(region):
    figures = region_figures(start=START, end=END)
    assert figures.fairs_with_check_ins == 1
    assert (figures.participations_scanned, figures.participations_attended) == (3, 1)
    assert figures.attendance_rate == pytest.approx(1 / 3)


def test_province_filter(region):
    figures = region_figures(start=START, end=END, province=region["settat"])
    # woman_rural (2), man_urban (local23), veteran (local21): the artisans of Settat.
    assert (figures.participations, figures.artisans) == (4, 3)
    assert figures.fairs == 4  # the fairs held do not depend on the artisans' filters
    assert region_figures(start=START, end=END, province=region["settat"].pk).participations == 4


def test_artisans_by_province_under_each_filter(region):
    settat, casa = region["settat"], region["casa"]
    figures = region_figures(start=START, end=END)
    # Settat: woman_rural (2 participations), man_urban (1), veteran (1); Casablanca:
    # man_rural (1), woman_urban (2). Most artisans first.
    assert [(p.province_id, p.name, p.artisans, p.participations) for p in figures.provinces] == [
        (settat.pk, settat.name, 3, 4), (casa.pk, casa.name, 2, 3),
    ]  # fmt: skip
    assert sum(p.artisans for p in figures.provinces) == figures.artisans
    assert sum(p.participations for p in figures.provinces) == figures.participations
    only_casa = region_figures(start=START, end=END, province=casa)
    assert [(p.province_id, p.artisans) for p in only_casa.provinces] == [(casa.pk, 2)]
    carpets = region_figures(start=START, end=END, craft=region["carpets"])
    assert [(p.province_id, p.artisans, p.participations) for p in carpets.provinces] == [
        (casa.pk, 1, 2), (settat.pk, 1, 1),
    ]  # fmt: skip
    assert figures.as_dict()["provinces"][0] == {
        "province_id": settat.pk, "name": settat.name, "artisans": 3, "participations": 4,
    }  # fmt: skip


def test_craft_filter_by_craft_and_by_sector(region):
    by_craft = region_figures(start=START, end=END, craft=region["carpets"])
    assert (by_craft.participations, by_craft.artisans) == (3, 2)
    sector = region["pottery"].parent
    assert sector is not None
    in_period = [region["fairs"][k] for k in ("local21", "local23", "national22", "intl24")]
    expected = Application.objects.filter(
        artisan__main_craft__parent=sector, status=S.CONFIRMED, fair__in=in_period
    ).count()
    by_sector = region_figures(start=START, end=END, craft=sector.pk)
    assert by_sector.participations == expected
    assert by_sector.participations >= 4


def test_period_narrows_everything(region):
    figures = region_figures(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31))
    assert (figures.fairs, figures.participations, figures.artisans) == (1, 1, 1)
    assert figures.first_timers == 0  # woman_rural took part in 2021 first
    assert [row.key for row in figures.years] == [2022]


def test_empty_period():
    figures = region_figures(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
    assert figures.is_empty
    assert figures.women_share is None and figures.attendance_rate is None
    assert figures.outcomes.sales_mad == 0


def test_end_before_start_is_refused():
    with pytest.raises(ReportError) as refused:
        region_figures(start=END, end=START)
    assert (refused.value.code, refused.value.field) == ("period_end_before_start", "end")


def test_a_period_of_centuries_is_refused():
    with pytest.raises(ReportError) as refused:
        region_figures(start=dt.date(1024, 1, 1), end=END)
    assert refused.value.code == "period_too_long"


def test_one_day_period_is_fine(region):
    day = region["fairs"]["local21"].starts_on
    assert region_figures(start=day, end=day).participations == 3


def test_as_dict_is_json_ready(region):
    import json

    data = json.loads(json.dumps(region_figures(start=START, end=END).as_dict()))
    assert data["fairs"]["total"] == 4
    assert data["outcomes"]["sales_mad"] == "7300.50"
    assert data["attendance"]["attended"] == 1
    assert [row["key"] for row in data["years"]] == [2021, 2022, 2023, 2024]


@pytest.mark.parametrize("size", [1, 4])
def test_query_budget_does_not_grow_with_the_data(size, django_assert_num_queries):
    crafts = list(CraftCategory.objects.filter(parent__isnull=False)[:3])
    for year in range(2021, 2021 + size):
        fair = held(dt.date(year, 5, 1))
        for n in range(size * 3):
            application = take_part(ArtisanFactory(main_craft=crafts[n % 3]), fair, sales_mad=Decimal(n))
            enter(application)
    settat = province("settat")
    with django_assert_num_queries(QUERIES):
        figures = region_figures(start=START, end=END, province=settat, craft=crafts[0].pk)
    assert figures.fairs == size


def test_first_timers_when_the_period_starts_mid_year(region):
    figures = region_figures(start=dt.date(2021, 7, 1), end=END)
    # In the period: national22 (woman_rural, who began at local21 before it), local23
    # (woman_urban, man_urban: both new) and intl24 (woman_urban again).
    assert (figures.participations, figures.artisans, figures.first_timers) == (4, 3, 2)
    years = {row.key: row for row in figures.years}
    assert [years[y].first_timers for y in (2021, 2022, 2023, 2024)] == [0, 0, 2, 0]
    assert years[2021].participations == 0


def test_distinct_counts_by_scope_and_year(region):
    figures = region_figures(start=START, end=END)
    scopes = {row.key: row for row in figures.scopes}
    local = scopes["local"]
    assert (local.participations, local.artisans, local.women, local.rural) == (5, 5, 2, 2)
    assert (local.women_participations, local.rural_participations) == (2, 2)
    years = {row.key: row for row in figures.years}
    assert (years[2023].women, years[2023].women_participations) == (1, 1)
    assert years[2022].women_share == 1.0
