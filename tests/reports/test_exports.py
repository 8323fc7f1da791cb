"""Exports of the dashboard: CSV and XLSX read back equal the database, Arabic names
intact, filters apply, the query count does not grow with the rows, formulas stay text,
and only staff get the files (web and API)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from badges import services as badge_services
from registrations.models import Application, ApplicationStatus
from reports.models import Outcome
from tests.factories import ArtisanFactory
from tests.reports.test_dashboard import add_fair, build_region

pytestmark = pytest.mark.django_db

WEB = "/staff/dashboard/exports/{kind}.{fmt}"
API = "/api/v1/reports/exports/{kind}.{fmt}"
PERIOD = {"start": "2023-01-01", "end": "2024-12-31"}


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def region():
    return build_region()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[dict]:
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    width = len(rows[0])  # empty cells at the end of a row are not written: pad them back
    return [dict(zip(rows[0], (*row, *(None,) * (width - len(row))), strict=True)) for row in rows[1:]]


def get(client, kind, fmt, url=WEB, **params):
    response = client.get(url.format(kind=kind, fmt=fmt), {**PERIOD, **params})
    assert response.status_code == 200, body(response)[:300]
    return response


# --- Participants ----------------------------------------------------------------------------


def test_participants_csv_equals_the_database(english, staff_client, region):
    response = get(staff_client, "participants", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="souk-participants-2023-01-01_2024-12-31.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    participations = Application.objects.filter(status=ApplicationStatus.CONFIRMED)
    assert len(rows) == participations.count() == 5
    by_key = {(row["fair no."], row["artisan no."]): row for row in rows}
    for application in participations.select_related("artisan", "fair"):
        row = by_key[(str(application.fair_id), str(application.artisan_id))]
        artisan = application.artisan
        assert row["last name"] == artisan.last_name
        assert row["first name (Arabic)"] == artisan.first_name_ar
        assert row["last name (Arabic)"] == artisan.last_name_ar
        assert row["fair"] == application.fair.name
        assert row["fair (Arabic)"] == application.fair.name_ar
        assert row["first day"] == application.fair.starts_on.isoformat()
        assert row["year of birth"] == str(artisan.birth_year)
        outcome = Outcome.objects.filter(application=application).first()
        assert row["sales (MAD)"] == (f"{outcome.sales_mad:.2f}" if outcome else "")
        assert row["items sold"] == (str(outcome.items_sold) if outcome else "")
    fatima_settat, youssef_settat, khadija_settat, fatima_paris, _omar = region["participations"]
    fatima = by_key[(str(fatima_settat.fair_id), str(fatima_settat.artisan_id))]
    assert (fatima["last name (Arabic)"], fatima["first name (Arabic)"]) == ("بناني", "فاطمة")
    assert fatima["booth"] == "A12"
    assert (fatima["attended"], fatima["days present"], fatima["days expected"]) == ("yes", "2", "6")
    assert fatima["province"] == fatima_settat.artisan.province.name
    assert fatima["gender"] == "woman" and fatima["urban or rural"] == "rural"
    assert fatima["sales (MAD)"] == "12500.00"
    youssef = by_key[(str(youssef_settat.fair_id), str(youssef_settat.artisan_id))]
    assert (youssef["attended"], youssef["days present"], youssef["sales (MAD)"]) == ("yes", "1", "3000.50")
    khadija = by_key[(str(khadija_settat.fair_id), str(khadija_settat.artisan_id))]
    assert (khadija["attended"], khadija["days present"]) == ("no", "0")  # her only scan was refused
    # The exhibition kept no check-ins: nobody knows, so the cells are empty (not "no", not 0).
    paris = by_key[(str(fatima_paris.fair_id), str(fatima_paris.artisan_id))]
    assert (paris["attended"], paris["days present"], paris["scope"]) == ("", "", "international")
    # Personal data beyond the names stays out of the file.
    assert "CIN" not in rows[0] and "phone" not in rows[0]
    assert fatima_settat.artisan.cin not in body(response).decode("utf-8-sig")


def test_participants_xlsx_holds_the_same_rows_typed(english, staff_client, region):
    csv_rows = read_csv(get(staff_client, "participants", "csv"))
    response = get(staff_client, "participants", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    xlsx_rows = read_xlsx(response)
    assert len(xlsx_rows) == len(csv_rows) == 5
    for from_csv, from_xlsx in zip(csv_rows, xlsx_rows, strict=True):
        assert from_xlsx["last name (Arabic)"] == from_csv["last name (Arabic)"]
        assert from_xlsx["first name (Arabic)"] == from_csv["first name (Arabic)"]
        assert from_xlsx["fair (Arabic)"] == from_csv["fair (Arabic)"]
        assert from_xlsx["first day"].date().isoformat() == from_csv["first day"]  # a real date
        sales = from_xlsx["sales (MAD)"]
        assert (f"{Decimal(str(sales)):.2f}" if sales is not None else "") == from_csv["sales (MAD)"]
    assert {row["sales (MAD)"] for row in xlsx_rows} == {12500, 3000.5, None}


def test_an_arabic_page_gets_a_right_to_left_sheet_with_arabic_headers(staff_client, region):
    staff_client.cookies["django_language"] = "ar"
    response = get(staff_client, "participants", "xlsx")
    workbook = load_workbook(io.BytesIO(body(response)))
    sheet = workbook.worksheets[0]
    assert sheet.sheet_view.rightToLeft is True
    assert sheet.freeze_panes == "A2"
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert "بناني" in values and "فاطمة" in values and "آيت علي" in values


def test_filters_narrow_the_rows(english, staff_client, region):
    settat = region["provinces"][0]
    rows = read_csv(get(staff_client, "participants", "csv", province=settat.pk))
    assert len(rows) == 3
    assert {row["province"] for row in rows} == {settat.name}
    rows = read_csv(get(staff_client, "participants", "csv", start="2024-01-01"))
    assert {row["fair"] for row in rows} == {"Salon de Paris 2024"}
    rows = read_xlsx(get(staff_client, "participants", "xlsx", craft=region["artisans"][0].main_craft_id))
    assert {row["last name"] for row in rows} == {"Bennani", "Tazi"}


# --- Attendance ------------------------------------------------------------------------------------


def test_attendance_has_one_row_per_exhibitor_and_day_of_fairs_with_check_ins(english, staff_client, region):
    rows = read_csv(get(staff_client, "attendance", "csv"))
    settat_fair, _paris = region["fairs"]
    assert len(rows) == 3 * 6  # three exhibitors, six days; the exhibition kept no check-ins
    assert {row["fair"] for row in rows} == {settat_fair.name}
    fatima = [row for row in rows if row["last name"] == "Bennani"]
    assert [(row["day"], row["attendance"], row["first entry"]) for row in fatima[:3]] == [
        (settat_fair.starts_on.isoformat(), "present", "09:30"),
        ((settat_fair.starts_on + dt.timedelta(days=1)).isoformat(), "late", "10:45"),
        ((settat_fair.starts_on + dt.timedelta(days=2)).isoformat(), "absent", ""),
    ]
    assert fatima[0]["last name (Arabic)"] == "بناني" and fatima[0]["booth"] == "A12"
    khadija = [row for row in rows if row["last name"] == "Tazi"]
    assert {row["attendance"] for row in khadija} == {"absent"}
    xlsx = read_xlsx(get(staff_client, "attendance", "xlsx"))
    assert [(r["last name"], r["attendance"], r["first entry"]) for r in xlsx] == [
        (r["last name"], r["attendance"], r["first entry"] or None) for r in rows
    ]


def test_attendance_leaves_out_days_outside_the_badge(english, staff_client, region):
    fatima_settat = region["participations"][0]
    badge = fatima_settat.badges.get()
    badge.valid_from = fatima_settat.fair.starts_on + dt.timedelta(days=4)
    badge.save(update_fields=["valid_from"])
    rows = read_csv(get(staff_client, "attendance", "csv"))
    assert len([row for row in rows if row["last name"] == "Bennani"]) == 2
    participants = read_csv(get(staff_client, "participants", "csv"))
    fatima = next(r for r in participants if r["last name"] == "Bennani" and r["fair"].startswith("Foire"))
    # Her scans fell on days before her badge was valid: the attendance core does not count them.
    assert (fatima["days present"], fatima["days expected"]) == ("0", "2")


# --- Outcomes ---------------------------------------------------------------------------------------


def test_outcomes_export_one_row_per_outcome(english, staff_client, region):
    rows = read_csv(get(staff_client, "outcomes", "csv"))
    outcomes = Outcome.objects.select_related("application__artisan")
    assert len(rows) == outcomes.count() == 2
    by_name = {row["last name"]: row for row in rows}
    for outcome in outcomes:
        row = by_name[outcome.application.artisan.last_name]
        assert row["sales (MAD)"] == f"{outcome.sales_mad:.2f}"
        assert row["orders taken"] == str(outcome.orders)
        assert row["export contacts"] == str(outcome.export_contacts)
        assert row["notes"] == outcome.notes
    xlsx = read_xlsx(get(staff_client, "outcomes", "xlsx"))
    assert sorted(r["sales (MAD)"] for r in xlsx) == [3000.5, 12500]
    assert isinstance(xlsx[0]["reported"], dt.datetime)


# --- Safety -------------------------------------------------------------------------------------------


def test_a_name_typed_as_a_formula_stays_text(english, staff_client, region):
    artisan = region["artisans"][0]
    artisan.last_name = '=HYPERLINK("http://evil.example","x")'
    artisan.save(update_fields=["last_name"])
    rows = read_csv(get(staff_client, "participants", "csv"))
    assert '\'=HYPERLINK("http://evil.example","x")' in {row["last name"] for row in rows}
    sheet = load_workbook(io.BytesIO(body(get(staff_client, "participants", "xlsx")))).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK")]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_bad_filters_send_staff_back_to_the_dashboard_and_the_api_answers_400(english, staff_client, region):
    response = staff_client.get(
        WEB.format(kind="participants", fmt="csv"), {"start": "2024-12-31", "end": "2023-01-01"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/dashboard/?")
    api = staff_client.get(
        API.format(kind="participants", fmt="csv"), {"start": "2024-12-31", "end": "2023-01-01"}
    )
    assert api.status_code == 400
    assert api.json()["code"] == "invalid" and "end" in api.json()["errors"]


def test_unknown_export_kind_is_404(staff_client):
    assert staff_client.get("/staff/dashboard/exports/artisans.csv").status_code == 404
    assert staff_client.get("/api/v1/reports/exports/participants.pdf").status_code == 404


# --- Query budget -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["participants", "attendance", "outcomes"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_the_rows(staff_client, kind, fmt):
    add_fair(0)
    with CaptureQueriesContext(connection) as one:
        one_rows = body(get(staff_client, kind, fmt, start="2020-01-01"))
    add_fair(1)
    add_fair(2)
    with CaptureQueriesContext(connection) as three:
        three_rows = body(get(staff_client, kind, fmt, start="2020-01-01"))
    assert len(one) == len(three)
    assert len(three_rows) > len(one_rows)


# --- Who gets the files ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [WEB, API])
@pytest.mark.parametrize("role", ["reviewer", "scanner", None])
def test_only_staff_get_the_files(client, make_user, role, url):
    client.force_login(make_user(role) if role else make_user())
    assert client.get(url.format(kind="participants", fmt="csv")).status_code == 403


def test_an_artisan_gets_no_file(client, make_user):
    user = make_user()
    ArtisanFactory(user=user)
    client.force_login(user)
    for url in (WEB, API):
        assert client.get(url.format(kind="outcomes", fmt="xlsx")).status_code == 403


def test_staff_get_the_files_through_the_api(english, staff_client, region):
    rows = read_csv(get(staff_client, "participants", "csv", url=API))
    assert len(rows) == 5
    response = staff_client.get(
        API.format(kind="outcomes", fmt="xlsx"), PERIOD, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert len(read_xlsx(response)) == 2


def test_a_scanner_device_token_gets_no_file(client, staff_user):
    _device, token = badge_services.device_create(name="Gate A", fair=None, actor=staff_user)
    response = client.get(API.format(kind="participants", fmt="csv"), HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code in (401, 403)
    assert not response.streaming


def test_anonymous_gets_no_file(client):
    assert client.get(WEB.format(kind="participants", fmt="csv")).status_code == 302
    assert client.get(API.format(kind="participants", fmt="csv")).status_code in (401, 403)
