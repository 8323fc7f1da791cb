"""The regional summary: its page, its PDF and its API agree with reports.figures and the
database; bad periods are form errors or 400s; only staff get it. The last tests build the
demo region once (about a minute) and check the 2021–2024 summary against its facts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from badges import services as badge_services
from core.models import CraftCategory, Province
from fairs.models import Fair
from registrations.models import Application, Artisan
from reports.figures import region_figures
from reports.forms import PeriodForm, default_period, period_presets
from reports.pdf.summary import mad, para, percent, render_summary, shape
from tests.factories import ArtisanFactory
from tests.pdf_text import pages_text
from tests.reports.test_figures import END, START, build_region, enter, held, take_part
from tests.seeding import seeded_demo

PAGE = "/staff/reports/summary/"
PDF = "/staff/reports/summary.pdf"
API = "/api/v1/reports/summary/"
API_PDF = "/api/v1/reports/summary.pdf"
PERIOD = {"start": "2021-01-01", "end": "2024-12-31"}


def flat(pdf_bytes) -> str:
    """The PDF's text on one line: pypdf gives one table cell per line."""
    return " ".join(" ".join(pages_text(pdf_bytes)).split())


def norm(text: str) -> str:
    return " ".join(text.split())


def row_text(*cells, rtl=False) -> str:
    cells = [str(cell) for cell in cells]
    return " ".join(cells[::-1] if rtl else cells)


@pytest.fixture
def region(db):
    return build_region()


@pytest.fixture
def api(db):
    return APIClient()


@pytest.fixture
def staff_api(api, staff_user):
    api.force_authenticate(staff_user)
    return api


# --- The PDF ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_pdf_numbers_equal_the_figures_and_the_database(region, language):
    with translation.override(language):
        figures = region_figures(start=START, end=END)
        text = flat(render_summary(figures, rtl=language == "ar"))
    rtl = language == "ar"
    # The database, counted here without reports.figures.
    participations = Application.objects.filter(
        status="confirmed",
        fair__status__in=["running", "closed"],
        fair__starts_on__range=(START, END),
    )
    assert figures.participations == participations.count() == 7
    assert figures.artisans == participations.values("artisan").distinct().count() == 5
    # Participants by year: year, fairs, participations, artisans, women, rural, first time.
    for row in figures.years:
        cells = (row.key, row.fairs, row.participations, row.artisans, row.women, row.rural, row.first_timers)
        assert row_text(*cells, rtl=rtl) in text
    # Fairs held, total row: total, local, regional, national, international, organised, others', all.
    with translation.override(language):
        total = translation.gettext("Total")
    assert row_text(total, 2, 0, 1, 1, 2, 2, 4, rtl=rtl) in text
    with translation.override(language):
        amount = norm(mad(figures.outcomes.sales_mad))
    # pypdf reads a grouped number inside Arabic text with its groups in visual order
    # ("7 300 درهم" comes back as "درهم300 7"): the PDF shows it right, the reader reorders.
    groups = [token for token in amount.split() if token.isdigit()]
    assert amount in text or (rtl and " ".join(reversed(groups)) in text)


@pytest.mark.django_db
def test_pdf_prints_shares_and_crafts_in_english(region, settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        figures = region_figures(start=START, end=END)
        text = flat(render_summary(figures))
        assert percent(0.4) == "40.0 %"
    assert "40.0 %" in text  # women: 2 of 5 artisans
    assert "33.3 %" in text  # attendance: 1 of 3 participations at the fair with scans
    pottery = region["pottery"].name_en
    assert f"1 {pottery} 4 3 57.1 %" in text  # rank, craft, participations, artisans, share
    assert "Definitions and notes" in text


def test_brackets_in_an_arabic_label_face_the_right_way():
    # Drawn left to right, the visual string of a right-to-left label opens with the mirrored
    # closing bracket: "(" on the left of "القفطان، الجلابة", ")" on its right.
    visual = shape("اللباس التقليدي (القفطان، الجلابة)")
    assert visual.index("(") < visual.index(")")
    assert shape("Poterie (fine)") == "Poterie (fine)"


def test_brackets_in_an_arabic_paragraph_face_the_right_way():
    from core.pdf import styles

    paragraph = para("27 مشاركة في معارض وطنية (27 صانعاً)", styles(rtl=True)["body"])
    paragraph.wrap(400, 100)
    visual = "".join(getattr(fragment, "text", "") for fragment in paragraph.frags)
    assert visual.index("(") < visual.index(")"), visual
    latin = para("Foires (locales)", styles()["body"])
    latin.wrap(400, 100)
    assert "".join(f.text for f in latin.frags) == "Foires (locales)"


@pytest.mark.django_db
def test_arabic_pdf_prints_arabic_craft_names(region):
    craft = CraftCategory.objects.filter(name_ar__contains="(").first()
    take_part(ArtisanFactory(main_craft=craft), region["fairs"]["local21"])
    with translation.override("ar"):
        text = flat(render_summary(region_figures(start=START, end=END), rtl=True))
    assert region["pottery"].name_ar in text
    inside = craft.name_ar[craft.name_ar.index("(") + 1 : craft.name_ar.index(")")]
    assert inside in text


@pytest.mark.django_db
def test_pdf_of_an_empty_period_says_so():
    with translation.override("en"):
        figures = region_figures(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
        text = flat(render_summary(figures))
    assert "No fair was held in this period." in text
    assert len(pages_text(render_summary(figures))) == 1


# --- The page ----------------------------------------------------------------------------------


def test_reverse_names():
    assert reverse("reports:summary") == PAGE
    assert reverse("reports:summary_pdf") == PDF


@pytest.mark.django_db
def test_page_shows_the_default_period_figures(staff_client, settings):
    settings.LANGUAGE_CODE = "en"
    start, end = default_period()
    assert (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    assert end.year - start.year == 3 and end.year < dt.date.today().year
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    assert response.context["figures"].start == start
    assert "Download PDF" in response.content.decode()


@pytest.mark.django_db
def test_page_shows_the_figures_of_the_period(staff_client, region, settings):
    settings.LANGUAGE_CODE = "en"
    response = staff_client.get(PAGE, {**PERIOD, "province": region["settat"].pk})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.participations, figures.artisans) == (4, 3)
    html = response.content.decode()
    assert f'href="{PDF}?start=2021-01-01&amp;end=2024-12-31&amp;province={region["settat"].pk}"' in html
    assert "Fairs held by year and scope" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2024-12-31", "end": "2021-01-01"}, "end"),
        ({"start": "2024-02-30", "end": "2024-12-31"}, "start"),
        ({"start": "", "end": "2024-12-31"}, "start"),
        ({"start": "1024-01-01", "end": "2024-12-31"}, "start"),
        ({**PERIOD, "province": "999999"}, "province"),
        ({**PERIOD, "craft": "pottery"}, "craft"),
    ],
)
def test_bad_period_is_a_form_error_and_nothing_else(staff_client, query, field):
    for url in (PAGE, PDF):
        response = staff_client.get(url, query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "figures" not in response.context
        assert field in response.context["form"].errors


def test_end_before_start_message(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        form = PeriodForm({"start": "2024-12-31", "end": "2021-01-01"})
        assert not form.is_valid()
        assert form.errors["end"] == ["The period cannot end before it starts."]


def test_presets_are_whole_years_and_valid():
    presets = period_presets(dt.date(2025, 6, 1))
    assert presets[0] == ("2021–2024", dt.date(2021, 1, 1), dt.date(2024, 12, 31))
    assert presets[-1] == ("2025", dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    assert all(start <= end for _label, start, end in presets)


@pytest.mark.django_db
def test_web_pdf_is_in_the_users_language(staff_client, region):
    staff_client.cookies["django_language"] = "ar"
    response = staff_client.get(PDF, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(response.content)
    assert "السنة" in text  # "Year", in the Arabic document
    assert row_text(2021, 1, 3, 3, 1, 2, 2, rtl=True) in text  # mirrored columns


@pytest.mark.django_db
def test_page_and_pdf_are_for_staff_only(client, make_user):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    for roles in [(), ("reviewer",), ("scanner",)]:
        client.force_login(make_user(*roles))
        assert client.get(PAGE).status_code == 403
        assert client.get(PDF, PERIOD).status_code == 403


@pytest.mark.django_db
def test_page_and_pdf_query_counts_do_not_grow_with_the_data(staff_client, django_assert_num_queries, region):
    # Session, user, roles; the three of region_figures; the province and craft choices.
    page_queries, pdf_queries = 8, 6
    staff_client.get(PAGE, PERIOD)
    for more in (0, 6):
        fair = held(dt.date(2022, 8, 1))
        for _ in range(more):
            enter(take_part(ArtisanFactory(), fair, sales_mad=5))
        with django_assert_num_queries(page_queries):
            assert staff_client.get(PAGE, PERIOD).status_code == 200
        with django_assert_num_queries(pdf_queries):
            assert staff_client.get(PDF, PERIOD).status_code == 200


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_figures_equal_region_figures(staff_api, region):
    response = staff_api.get(API, PERIOD)
    assert response.status_code == 200
    data = response.json()
    assert data == region_figures(start=START, end=END).as_dict()
    assert (data["participations"], data["artisans"], data["fairs"]["total"]) == (7, 5, 4)


@pytest.mark.django_db
def test_api_filters(staff_api, region):
    data = staff_api.get(API, {**PERIOD, "craft": region["carpets"].pk}).json()
    assert (data["participations"], data["artisans"], data["craft"]) == (3, 2, region["carpets"].pk)
    data = staff_api.get(API, {**PERIOD, "province": region["settat"].pk}).json()
    assert data["participations"] == 4


@pytest.mark.django_db
def test_api_refuses_a_period_ending_before_it_starts(staff_api):
    response = staff_api.get(API, {"start": "2024-12-31", "end": "2021-01-01"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "period_end_before_start"
    assert list(body["errors"]) == ["end"]
    response = staff_api.get(API_PDF, {"start": "2024-12-31", "end": "2021-01-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "period_end_before_start"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"end": "2024-12-31"}, "start"),
        ({"start": "31/12/2024", "end": "2024-12-31x"}, "start"),
        ({**PERIOD, "province": 999999}, "province"),
        ({**PERIOD, "craft": "x"}, "craft"),
        ({**PERIOD, "lang": "de"}, "lang"),
    ],
)
def test_api_bad_query_names_the_field(staff_api, query, field):
    response = staff_api.get(API_PDF if "lang" in query else API, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_api_pdf_in_the_requested_language(staff_api, region):
    response = staff_api.get(API_PDF, {**PERIOD, "lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Regional summary" in flat(response.content)
    response = staff_api.get(API_PDF, {**PERIOD, "lang": "ar"}, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert row_text(2021, 1, 3, 3, 1, 2, 2, rtl=True) in flat(response.content)


@pytest.mark.django_db
def test_api_pdf_follows_a_token_users_language(api, make_user, region):
    user = make_user("staff", language="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = api.get(API_PDF, PERIOD)
    assert response.status_code == 200
    assert "Regional summary" in flat(response.content)


@pytest.mark.django_db
def test_api_is_for_staff_only(api, make_user, region):
    assert api.get(API, PERIOD).status_code in (401, 403)
    for roles in [(), ("reviewer",), ("scanner",)]:
        api.force_authenticate(make_user(*roles))
        assert api.get(API, PERIOD).status_code == 403
        assert api.get(API_PDF, PERIOD).status_code == 403


@pytest.mark.django_db
def test_a_scanner_device_token_is_refused(api, region):
    _device, token = badge_services.device_create(name="Gate A", fair=None, actor=None)
    api.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    for url in (API, API_PDF):
        response = api.get(url, PERIOD)
        assert response.status_code in (401, 403)
        assert "participations" not in response.content.decode()


# --- The demo region, 2021–2024 ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo region, seeded once for these tests and rolled back after them."""
    with seeded_demo(django_db_blocker, None):
        yield


@pytest.mark.django_db
def test_demo_2021_2024_shows_the_23_local_fairs_and_1610_artisans(demo, staff_client, settings):
    settings.LANGUAGE_CODE = "en"
    figures = region_figures(start=START, end=END)
    local = figures.scopes[0]
    assert local.key == Fair.Scope.LOCAL
    assert local.fairs_organised == 23
    assert (
        figures.fairs_organised
        == Fair.objects.filter(
            role=Fair.Role.ORGANIZER, status=Fair.Status.CLOSED, starts_on__range=(START, END)
        ).count()
    )
    assert figures.artisans >= 1610
    assert figures.artisans == (
        Artisan.objects.filter(
            applications__status="confirmed",
            applications__fair__status__in=["running", "closed"],
            applications__fair__starts_on__range=(START, END),
        )
        .distinct()
        .count()
    )
    assert figures.national_participations > 0 and figures.international_participations > 0
    assert figures.women_share and 0.3 < figures.women_share < 0.7
    staff_client.cookies["django_language"] = "en"
    text = flat(staff_client.get(PDF, PERIOD).content)
    assert f"{figures.artisans:,} artisans featured" in text
    assert "23 organised" in text


@pytest.mark.django_db
def test_demo_summary_in_arabic_and_french(demo, staff_client):
    for language in ("fr", "ar"):
        staff_client.cookies["django_language"] = language
        response = staff_client.get(PDF, PERIOD)
        assert response.status_code == 200
        pages = pages_text(response.content)
        assert 2 <= len(pages) <= 5
        if language == "ar":
            assert any(re.search("[\u0600-\u06ff]", page) for page in pages)
    province = Province.objects.get(code="settat")
    with translation.override("fr"):
        text = flat(
            render_summary(region_figures(start=START, end=END, province=province), province=province)
        )
    assert province.name_fr in text
