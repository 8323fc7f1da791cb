"""The staff dashboard: key figures equal the database, filters change them, a bad period is
a form error on a page that still renders, charts are SVG with their numbers, the query
count does not grow with the data, and only staff get in (web and API)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from badges import services as badge_services
from badges.models import Badge, CheckIn, CheckInResult, Direction
from booths.models import Assignment
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus, Artisan
from reports import charts
from reports.models import Outcome
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, craft, province
from tests.reports.test_figures import QUERIES as FIGURES_QUERIES

pytestmark = pytest.mark.django_db

URL = "/staff/dashboard/"
API = "/api/v1/reports/dashboard/"
F, M = Artisan.Gender.FEMALE, Artisan.Gender.MALE
RURAL, URBAN = Artisan.Area.RURAL, Artisan.Area.URBAN
# The page's queries whatever the data: session, user, roles (3); the filter form's choices
# (provinces, crafts) and the default period (3); region_figures' own budget (the artisans by
# province come with it).
DASHBOARD_QUERIES = 3 + 3 + FIGURES_QUERIES


# --- A small region -------------------------------------------------------------------------


def held_fair(starts_on: dt.date, days: int, **kwargs) -> Fair:
    return FairFactory(
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        status=Fair.Status.CLOSED,
        applications_open_at=None,
        applications_close_at=None,
        **kwargs,
    )


def take_part(artisan, fair, status=ApplicationStatus.CONFIRMED) -> Application:
    return ApplicationFactory(artisan=artisan, fair=fair, status=status)


def badge_for(application) -> Badge:
    fair = application.fair
    return Badge.objects.create(
        fair=fair,
        kind="exhibitor",
        serial=f"T{application.pk:07d}"[:8],
        application=application,
        name=application.artisan.full_name,
        name_ar=application.artisan.full_name_ar,
        valid_from=fair.starts_on,
        valid_until=fair.ends_on,
    )


def scan(badge, day: dt.date, at: dt.time, *, direction=Direction.IN, result=CheckInResult.OK) -> CheckIn:
    return CheckIn.objects.create(
        fair=badge.fair,
        badge=badge,
        gate="A",
        direction=direction,
        result=result,
        origin="user:1",
        nonce=f"n{CheckIn.objects.count()}",
        scanned_at=timezone.make_aware(dt.datetime.combine(day, at)),
    )


def build_region() -> dict:
    """A local fair in Settat (May 2023, six days, with check-ins and a booth) and an
    international exhibition (March 2024, no check-ins): four artisans, five participations,
    one rejected application, two outcomes."""
    settat, casa, jadida = province("settat"), province("casablanca"), province("el-jadida")
    fatima = ArtisanFactory(
        first_name="Fatima", last_name="Bennani", first_name_ar="فاطمة", last_name_ar="بناني",
        gender=F, area=RURAL, province=settat, main_craft=craft("pottery"), commune="Oulad Merrah",
        birth_year=1975,
    )  # fmt: skip
    youssef = ArtisanFactory(
        first_name="Youssef", last_name="Alaoui", first_name_ar="يوسف", last_name_ar="العلوي",
        gender=M, area=URBAN, province=casa, main_craft=craft("carpets"),
    )  # fmt: skip
    khadija = ArtisanFactory(
        first_name="Khadija", last_name="Tazi", first_name_ar="خديجة", last_name_ar="التازي",
        gender=F, area=URBAN, province=settat, main_craft=craft("pottery"),
    )  # fmt: skip
    omar = ArtisanFactory(
        first_name="Omar", last_name="Ait Ali", first_name_ar="عمر", last_name_ar="آيت علي",
        gender=M, area=RURAL, province=jadida, main_craft=craft("embroidery"),
    )  # fmt: skip
    settat_fair = held_fair(
        dt.date(2023, 5, 10), 6, name="Foire de Settat 2023", name_ar="معرض سطات 2023", scope=Fair.Scope.LOCAL
    )
    paris = held_fair(
        dt.date(2024, 3, 1), 5, name="Salon de Paris 2024", name_ar="معرض باريس 2024",
        scope=Fair.Scope.INTERNATIONAL, role=Fair.Role.PARTICIPANT, venue=None, city="Paris", country="FR",
    )  # fmt: skip
    fatima_settat = take_part(fatima, settat_fair)
    youssef_settat = take_part(youssef, settat_fair)
    khadija_settat = take_part(khadija, settat_fair)
    take_part(omar, settat_fair, status=ApplicationStatus.REJECTED)
    fatima_paris = take_part(fatima, paris)
    omar_paris = take_part(omar, paris)

    booth = BoothFactory(zone__fair=settat_fair, code="A12")
    Assignment.objects.create(booth=booth, application=fatima_settat, fair=settat_fair, method="manual")

    day1, day2 = settat_fair.starts_on, settat_fair.starts_on + dt.timedelta(days=1)
    badge = badge_for(fatima_settat)
    scan(badge, day1, dt.time(9, 30))
    scan(badge, day1, dt.time(17, 0), direction=Direction.OUT)
    scan(badge, day2, dt.time(10, 45))  # late
    scan(badge_for(youssef_settat), day1, dt.time(9, 0))
    scan(badge_for(khadija_settat), day1, dt.time(9, 5), result=CheckInResult.REVOKED)  # refused: not there

    Outcome.objects.create(
        application=fatima_settat, sales_mad=Decimal("12500.00"), items_sold=40, orders=3, notes="Bon salon"
    )
    Outcome.objects.create(
        application=youssef_settat, sales_mad=Decimal("3000.50"), items_sold=10, orders=1, export_contacts=2
    )
    return {
        "fairs": (settat_fair, paris),
        "artisans": (fatima, youssef, khadija, omar),
        "participations": (fatima_settat, youssef_settat, khadija_settat, fatima_paris, omar_paris),
        "provinces": (settat, casa, jadida),
    }


@pytest.fixture(autouse=True)
def _no_cached_figures(settings):
    """Every test computes the figures afresh (one test below turns the cache back on)."""
    settings.SOUK_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def region():
    return build_region()


@pytest.fixture
def english(settings):
    """English pages (users are created in the site's language, so this comes first)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def tiles(response) -> dict[str, str]:
    """The key figures as the page shows them: {key: value text}."""
    html = response.content.decode()
    found = re.findall(
        r'data-figure="(\w+)">\s*<div class="card-body[^"]*">\s*<div class="dash-value">([^<]*)<', html
    )
    return dict(found)


def db_figures(participations) -> dict:
    """The key figures counted straight from the rows, independently of reports.figures."""
    artisans = {p.artisan for p in participations}
    fairs = {p.fair_id for p in participations}
    outcomes = Outcome.objects.filter(application__in=participations)
    return {
        "fairs": len(fairs),
        "artisans": len(artisans),
        "participations": len(participations),
        "women": sum(a.gender == F for a in artisans) / len(artisans),
        "rural": sum(a.area == RURAL for a in artisans) / len(artisans),
        "sales": sum(o.sales_mad for o in outcomes),
    }


def confirmed(**filters):
    return list(
        Application.objects.filter(status=ApplicationStatus.CONFIRMED, **filters).select_related("artisan")
    )


# --- Figures ----------------------------------------------------------------------------------


def test_key_figures_equal_the_database(english, staff_client, region):
    response = staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    shown = tiles(response)
    expected = db_figures(confirmed())
    assert shown["fairs"] == charts.fmt_int(expected["fairs"]) == "2"
    assert shown["artisans"] == charts.fmt_int(expected["artisans"]) == "4"
    assert shown["participations"] == charts.fmt_int(expected["participations"]) == "5"
    assert shown["abroad"] == "2"  # both at the international exhibition
    assert shown["women"] == charts.fmt_percent(expected["women"]) == "50%"
    assert shown["rural"] == charts.fmt_percent(expected["rural"]) == "50%"
    assert shown["sales"] == charts.fmt_mad(expected["sales"]) == "15,501 MAD"
    # At the one fair that kept check-ins, two of three exhibitors had an accepted entry.
    assert shown["attendance"] == "67%"


def test_filters_change_the_figures(english, staff_client, region):
    settat = region["provinces"][0]
    by_province = tiles(
        staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31", "province": settat.pk})
    )
    expected = db_figures(confirmed(artisan__province=settat))
    assert by_province["artisans"] == str(expected["artisans"]) == "2"
    assert by_province["participations"] == str(expected["participations"]) == "3"
    assert by_province["rural"] == "50%"

    # A sector stands for its crafts: "textiles" sector holds carpets, not pottery.
    carpets = craft("carpets")
    by_sector = tiles(
        staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31", "craft": carpets.parent_id})
    )
    assert by_sector["artisans"] == "1"
    assert by_sector["sales"] == "3,001 MAD"

    year_2024 = tiles(staff_client.get(URL, {"start": "2024-01-01", "end": "2024-12-31"}))
    assert year_2024["fairs"] == "1"
    assert year_2024["participations"] == str(len(confirmed(fair__starts_on__year=2024))) == "2"
    assert year_2024["attendance"] == "—"  # the exhibition kept no check-ins: unknown, not 0 %
    assert year_2024["sales"] == "0 MAD"


def test_without_filters_the_page_covers_every_year_up_to_this_one(english, staff_client, region):
    response = staff_client.get(URL)
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.start == dt.date(2023, 1, 1)
    assert filters.end == dt.date(timezone.localdate().year, 12, 31)
    assert tiles(response)["participations"] == "5"


def test_a_period_ending_before_it_starts_is_a_form_error_and_the_page_still_renders(
    english, staff_client, region
):
    response = staff_client.get(URL, {"start": "2024-12-31", "end": "2023-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The period cannot end before it starts" in html
    assert response.context["form"].errors["end"]
    # The figures of the default period are shown meanwhile.
    assert tiles(response)["participations"] == "5"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "31/31/2024"}, "start"),
        ({"start": "1024-01-01"}, "start"),
        ({"start": "1990-01-01", "end": "2026-01-01"}, "start"),
        ({"province": "999999"}, "province"),
        ({"craft": "pottery"}, "craft"),
    ],
)
def test_bad_filters_are_named_and_never_a_500(english, staff_client, region, params, field):
    response = staff_client.get(URL, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    api = staff_client.get(API, params)
    assert api.status_code == 400
    assert api.json()["code"] == "invalid"
    assert field in api.json()["errors"]


def test_an_empty_period_says_so(english, staff_client, region):
    response = staff_client.get(URL, {"start": "2010-01-01", "end": "2010-12-31"})
    assert response.status_code == 200
    assert "No fair was held in this period" in response.content.decode()
    assert tiles(response)["participations"] == "0"
    assert tiles(response)["women"] == "—"


# --- Charts -----------------------------------------------------------------------------------


def test_charts_are_accessible_svg_with_their_numbers(english, staff_client, region):
    response = staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31"})
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="souk-chart"') == 6
    per_year, shares, fairs, crafts, provinces, sales = response.context["charts"]
    for chart in response.context["charts"]:
        assert 'role="img"' in chart.svg
        assert "<title id=" in chart.svg and "<desc id=" in chart.svg
        assert escape_free(chart.title) in chart.svg
    # Participations per year: 3 in 2023, 2 in 2024, printed above the bars.
    assert re.search(r">3</text>.*>2023</text>", per_year.svg)
    assert re.search(r">2</text>.*>2024</text>", per_year.svg)
    assert per_year.rows == [["2023", "3"], ["2024", "2"]]
    # Women and rural shares by year: 2023 → Fatima, Youssef, Khadija (2/3 women, 1/3 rural).
    assert shares.rows == [["2023", "67%", "33%"], ["2024", "50%", "100%"]]
    assert ">67%</text>" in shares.svg and ">100%</text>" in shares.svg
    assert fairs.rows == [["2023", "1", "0", "1"], ["2024", "0", "1", "1"]]
    assert crafts.rows[0][1] == "3"  # pottery: Fatima twice, Khadija once
    assert [row[0] for row in provinces.rows][:1] == [region["provinces"][0].name]
    assert sales.rows == [["2023", "15,501 MAD"], ["2024", "0 MAD"]]
    assert ">16 k</text>" in sales.svg  # the label under a narrow bar is short


def escape_free(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#x27;")


def test_charts_mirror_on_arabic_pages(staff_client, region):
    staff_client.cookies["django_language"] = "ar"
    response = staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    per_year = response.context["charts"][0]
    assert 'direction="rtl"' in per_year.svg
    # The first year sits on the right: its bar's x is past the middle.
    first_bar = re.search(r'<rect x="([\d.]+)%"', per_year.svg)
    assert float(first_bar.group(1)) > 50
    # Arabic names of crafts and provinces are in the labels.
    assert region["provinces"][0].name_ar in response.context["charts"][4].svg


def test_chart_text_is_escaped():
    chart = charts.bar_chart(title="<b>", desc="x & y", labels=["<script>"], values=[3], rtl=False)
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg and "x &amp; y" in chart.svg


def test_a_chart_of_nothing_draws_no_bar():
    chart = charts.column_chart(title="t", desc="d", labels=["2023"], values=[0], rtl=False)
    assert 'height="0.0"' in chart.svg
    assert chart.rows == [["2023", "0"]]


def test_no_sales_reported_shows_a_note_instead_of_empty_bars(english, staff_client, region):
    Outcome.objects.all().delete()
    response = staff_client.get(URL, {"start": "2023-01-01", "end": "2024-12-31"})
    sales = response.context["charts"][5]
    assert sales.empty
    assert "No sales have been reported" in response.content.decode()


# --- Query budget ------------------------------------------------------------------------------


def add_fair(n: int) -> None:
    fair = held_fair(dt.date(2022, 3, 1) + dt.timedelta(days=30 * n), 3, scope=Fair.Scope.REGIONAL)
    for _ in range(3):
        application = take_part(ArtisanFactory(), fair)
        scan(badge_for(application), fair.starts_on, dt.time(9, 0))
        Outcome.objects.create(application=application, sales_mad=Decimal("100"))


def test_query_budget_is_the_same_with_one_fair_and_with_three(staff_client, django_assert_num_queries):
    add_fair(0)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert staff_client.get(URL).status_code == 200
    add_fair(1)
    add_fair(2)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = staff_client.get(URL)
    assert tiles(response)["fairs"] == "3"


def test_api_query_budget_is_constant(staff_client):
    add_fair(0)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(API)
    add_fair(1)
    add_fair(2)
    with CaptureQueriesContext(connection) as three:
        response = staff_client.get(API)
    assert len(one) == len(three)
    assert response.json()["fairs"]["total"] == 3


# --- API -----------------------------------------------------------------------------------------


def test_api_gives_the_figures_of_the_page(staff_client, region):
    response = staff_client.get(API, {"start": "2023-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    data = response.json()
    assert data["fairs"]["total"] == 2
    assert data["artisans"] == 4
    assert data["participations"] == 5
    assert data["women_share"] == 0.5
    assert Decimal(data["outcomes"]["sales_mad"]) == Decimal("15500.50")
    assert data["attendance"]["rate"] == pytest.approx(2 / 3)
    provinces = {row["province_id"]: row for row in data["provinces"]}
    assert provinces[region["provinces"][0].pk]["artisans"] == 2
    assert provinces[region["provinces"][0].pk]["participations"] == 3


def test_api_period_ending_before_it_starts_is_400(english, staff_client, region):
    response = staff_client.get(API, {"start": "2024-12-31", "end": "2023-01-01"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "cannot end before it starts" in body["errors"]["end"][0]


# --- Who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "scanner", None])
def test_only_staff_see_the_dashboard(client, make_user, role):
    user = make_user(role) if role else make_user()
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(API).status_code == 403


def test_an_artisan_gets_403(client, make_user):
    user = make_user()
    ArtisanFactory(user=user)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_goes_to_login_and_the_api_refuses(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert client.get(API).status_code in (401, 403)


def test_a_scanner_device_token_is_refused(client, staff_user):
    _device, token = badge_services.device_create(name="Gate A", fair=None, actor=staff_user)
    response = client.get(API, HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code in (401, 403)
    assert "participations" not in response.json()


def test_grouped_numbers_stay_in_one_piece_on_arabic_pages():
    # A plain space between digit groups is a bidi word break: "1 616" read "616 1" in Arabic.
    with translation.override("ar"):
        assert charts.fmt_int(1616) in ("1616", "1\u00a0616", "1\u202f616")
        assert charts.fmt_mad(Decimal("1234567.50")).split(" ")[0] in ("1234568", "1\u00a0234\u00a0568")
    with translation.override("fr"):
        assert " " not in charts.fmt_int(1616)


def test_figures_are_kept_for_a_minute_per_filters(english, staff_client, region, settings):
    settings.SOUK_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    params = {"start": "2023-01-01", "end": "2024-12-31"}
    with CaptureQueriesContext(connection) as first:
        assert tiles(staff_client.get(URL, params))["participations"] == "5"
    take_part(ArtisanFactory(), region["fairs"][0])
    with CaptureQueriesContext(connection) as again:
        response = staff_client.get(URL, params)
    assert tiles(response)["participations"] == "5"  # a minute-old figure, and the page says so
    assert "Figures computed at" in response.content.decode()
    assert len(again) < len(first)
    # Other filters are other figures; the exports are never cached.
    assert tiles(staff_client.get(URL, {**params, "end": "2024-12-30"}))["participations"] == "6"
    cache.clear()
    assert tiles(staff_client.get(URL, params))["participations"] == "6"
