"""Outcomes after a fair: the service's checks, the artisan's form, the staff table of a fair
(all rows or none), its CSV and totals, and the API with its permissions."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from badges import services as badge_services
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import ApplicationStatus
from reports import services
from reports.models import Outcome
from tests.factories import ApplicationFactory, ArtisanFactory, FairFactory, UserFactory

CONFIRMED = ApplicationStatus.CONFIRMED


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def closed_fair(**kwargs) -> Fair:
    today = timezone.localdate()
    defaults = {
        "status": Fair.Status.CLOSED,
        "starts_on": today - dt.timedelta(days=12),
        "ends_on": today - dt.timedelta(days=10),
        "applications_open_at": timezone.now() - dt.timedelta(days=90),
        "applications_close_at": timezone.now() - dt.timedelta(days=60),
    }
    return FairFactory(**{**defaults, **kwargs})


def participant(fair, **artisan):
    return ApplicationFactory(
        fair=fair, status=CONFIRMED, artisan=ArtisanFactory(user=UserFactory(), **artisan)
    )


@pytest.fixture
def fair(db):
    return closed_fair(name="Foire de Settat")


@pytest.fixture
def mine(fair):
    return participant(fair, first_name="Khadija", last_name="Ait Taleb")


@pytest.fixture
def theirs(fair):
    return participant(fair, first_name="Rachid", last_name="Alaoui")


GOOD = {
    "sales_mad": "12 500,50",
    "items_sold": "40",
    "orders": "3",
    "export_contacts": "1",
    "notes": "Bonne foire",
}


# --- The service -------------------------------------------------------------------------------


def test_an_outcome_is_saved_parsed_and_audited(mine):
    outcome = services.outcome_save(application=mine, actor=mine.artisan.user, **GOOD)
    outcome.refresh_from_db()
    assert outcome.sales_mad == Decimal("12500.50")
    assert (outcome.items_sold, outcome.orders, outcome.export_contacts) == (40, 3, 1)
    assert outcome.reported_by == mine.artisan.user
    entry = AuditEntry.objects.get(action="outcome.save")
    assert entry.changes["sales_mad"] == [None, "12500.50"]


@pytest.mark.parametrize(
    "typed, expected",
    [("12000", "12000"), ("12 000", "12000"), ("12,000", "12000"), ("12,5", "12.5"), ("1.234,56", "1234.56"),
     ("5000 DH", "5000"), ("٥٠٠٠", "5000"), (7500, "7500"), ("", "0")],
)  # fmt: skip
def test_sales_are_read_as_people_type_them(mine, typed, expected):
    outcome = services.outcome_save(application=mine, actor=None, sales_mad=typed)
    assert outcome.sales_mad == Decimal(expected)


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("sales_mad", "-100", "sales_negative"),
        ("sales_mad", "5000000.01", "sales_too_high"),
        ("sales_mad", "1e9", "sales_too_high"),
        ("sales_mad", "beaucoup", "sales_invalid"),
        ("sales_mad", "NaN", "sales_invalid"),
        ("sales_mad", "Infinity", "sales_invalid"),
        ("items_sold", "-1", "count_negative"),
        ("items_sold", "100001", "count_too_high"),
        ("orders", "2.5", "count_invalid"),
        ("orders", "trois", "count_invalid"),
        ("export_contacts", True, "count_invalid"),
        ("export_contacts", "9" * 5000, "count_invalid"),
    ],
)
def test_bad_figures_are_refused_naming_the_field_and_change_nothing(mine, field, value, code):
    before = services.outcome_save(application=mine, actor=None, **GOOD)
    entries = AuditEntry.objects.count()
    with pytest.raises(services.ReportError) as refused:
        services.outcome_save(application=mine, actor=None, **{**GOOD, field: value})
    assert refused.value.code == code
    assert refused.value.field == field
    after = Outcome.objects.get(pk=before.pk)
    assert (after.sales_mad, after.items_sold, after.orders, after.export_contacts, after.notes) == (
        Decimal("12500.50"), 40, 3, 1, "Bonne foire",
    )  # fmt: skip
    assert AuditEntry.objects.count() == entries


def test_results_wait_for_the_fair_to_begin(db):
    upcoming = FairFactory(status=Fair.Status.PUBLISHED)
    application = ApplicationFactory(fair=upcoming, status=CONFIRMED)
    with pytest.raises(services.ReportError) as refused:
        services.outcome_save(application=application, actor=None, sales_mad="100")
    assert refused.value.code == "fair_not_started"
    assert not Outcome.objects.exists()


def test_only_a_participation_reports_results(fair):
    declined = ApplicationFactory(fair=fair, status=ApplicationStatus.DECLINED)
    with pytest.raises(services.ReportError) as refused:
        services.outcome_save(application=declined, actor=None, sales_mad="100")
    assert refused.value.code == "not_a_participation"


def test_saving_the_same_figures_again_writes_nothing(mine):
    services.outcome_save(application=mine, actor=None, **GOOD)
    services.outcome_save(application=mine, actor=None, **GOOD)
    assert AuditEntry.objects.filter(action="outcome.save").count() == 1


# --- The artisan's page ------------------------------------------------------------------------


def my_outcome_url(application):
    return reverse("reports:my_outcome", args=[application.pk])


def test_the_artisan_reports_their_sales(client, mine):
    client.force_login(mine.artisan.user)
    assert client.get(my_outcome_url(mine)).status_code == 200
    response = client.post(my_outcome_url(mine), GOOD)
    assert response.status_code == 302
    assert response["Location"] == mine.get_absolute_url()
    assert Outcome.objects.get(application=mine).sales_mad == Decimal("12500.50")
    page = client.get(my_outcome_url(mine)).content.decode()
    assert 'value="12500.50"' in page  # the recorded figure, ready to correct


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("sales_mad", "-5", "Sales cannot be negative."),
        ("sales_mad", "99999999", "is more than a fair&#x27;s sales can be"),
        ("items_sold", "abc", "Give a whole number."),
        ("orders", "-2", "A count cannot be negative."),
    ],
)
def test_a_bad_figure_shows_under_its_field_and_saves_nothing(client, mine, field, value, message):
    client.force_login(mine.artisan.user)
    response = client.post(my_outcome_url(mine), {**GOOD, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="error_1_id_{field}"' in page  # crispy puts the error under the field
    assert not Outcome.objects.exists()


def test_another_artisans_results_are_not_found(client, mine, theirs):
    client.force_login(mine.artisan.user)
    assert client.get(my_outcome_url(theirs)).status_code == 404
    assert client.post(my_outcome_url(theirs), GOOD).status_code == 404
    assert not Outcome.objects.exists()


def test_a_fair_not_begun_shows_why_and_offers_no_form(client, db):
    application = ApplicationFactory(
        fair=FairFactory(status=Fair.Status.PUBLISHED),
        status=CONFIRMED,
        artisan=ArtisanFactory(user=UserFactory()),
    )
    client.force_login(application.artisan.user)
    page = client.get(my_outcome_url(application)).content.decode()
    assert "Results can be reported once the fair has begun." in page
    assert 'name="sales_mad"' not in page
    client.post(my_outcome_url(application), GOOD)
    assert not Outcome.objects.exists()


# --- Staff: the fair's table -------------------------------------------------------------------


def table_url(fair):
    return reverse("reports:fair_outcomes", args=[fair.pk])


def row(application, seen="", **figures):
    data = {f"o-{application.pk}-seen": seen}
    for name in ("sales_mad", "items_sold", "orders", "export_contacts", "notes"):
        data[f"o-{application.pk}-{name}"] = figures.get(name, "")
    return data


@pytest.fixture
def three(fair, mine, theirs):
    return [mine, theirs, participant(fair, first_name="Zineb", last_name="Tazi")]


def test_staff_enter_a_whole_fair_at_once(staff_client, fair, three):
    a, b, c = three
    data = {
        **row(a, sales_mad="10000", items_sold="20", orders="2", export_contacts="1"),
        **row(b, sales_mad="4 000,00", items_sold="8"),
        **row(c),  # left empty: not reported
    }
    response = staff_client.post(table_url(fair), data)
    assert response.status_code == 302
    outcomes = {o.application_id: o for o in Outcome.objects.all()}
    assert set(outcomes) == {a.pk, b.pk}
    assert outcomes[b.pk].sales_mad == Decimal("4000") and outcomes[b.pk].orders == 0
    page = staff_client.get(table_url(fair)).content.decode()
    assert "2 / 3" in page  # reported / participants
    assert "14,000" in page  # total sales (grouped)
    assert "7,000" in page  # mean per reporting artisan


def test_one_bad_row_saves_nothing_and_names_the_row(staff_client, fair, three):
    a, b, c = three
    services.outcome_save(application=c, actor=None, sales_mad="300")
    data = {
        **row(a, sales_mad="10000"),
        **row(b, sales_mad="-20", orders="x"),
        **row(c, seen=services.outcome_version(c.outcome), sales_mad="999"),
    }
    response = staff_client.post(table_url(fair), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    number = [x.pk for x in sorted(three, key=lambda x: (x.artisan.last_name, x.artisan.first_name))].index(
        b.pk
    ) + 1
    assert f"Row {number}" in page and "Rachid Alaoui" in page
    assert "Sales cannot be negative." in page and "Give a whole number." in page
    assert 'value="-20"' in page and 'value="10000"' in page  # what was typed stays
    assert list(Outcome.objects.values_list("application_id", "sales_mad")) == [(c.pk, Decimal("300.00"))]


def test_a_row_changed_meanwhile_is_not_overwritten(staff_client, fair, mine, theirs):
    services.outcome_save(application=mine, actor=None, sales_mad="100")
    seen = services.outcome_version(Outcome.objects.get(application=mine))
    Outcome.objects.filter(application=mine).update(
        sales_mad=Decimal("8000"), updated_at=timezone.now() + dt.timedelta(seconds=1)
    )
    response = staff_client.post(
        table_url(fair), {**row(mine, seen=seen, sales_mad="100"), **row(theirs, sales_mad="50")}
    )
    assert response.status_code == 400
    assert "Changed by someone else" in response.content.decode()
    assert 'value="8000"' in response.content.decode()  # the figures now recorded are shown
    assert Outcome.objects.get(application=mine).sales_mad == Decimal("8000")
    assert not Outcome.objects.filter(application=theirs).exists()


def test_emptying_a_row_removes_its_figures(staff_client, fair, mine):
    outcome = services.outcome_save(application=mine, actor=None, sales_mad="100")
    response = staff_client.post(table_url(fair), row(mine, seen=services.outcome_version(outcome)))
    assert response.status_code == 302
    assert not Outcome.objects.exists()
    assert AuditEntry.objects.filter(action="outcome.delete").count() == 1


def test_a_row_of_another_fair_is_refused(staff_client, fair, mine):
    elsewhere = participant(closed_fair())
    response = staff_client.post(
        table_url(fair), {**row(mine, sales_mad="5"), **row(elsewhere, sales_mad="5")}
    )
    assert response.status_code == 400
    assert not Outcome.objects.exists()


def test_the_table_waits_for_the_fair_to_begin(staff_client, db):
    upcoming = FairFactory(status=Fair.Status.PUBLISHED)
    application = ApplicationFactory(fair=upcoming, status=CONFIRMED)
    page = staff_client.get(table_url(upcoming)).content.decode()
    assert "Results can be reported once the fair has begun." in page
    staff_client.post(table_url(upcoming), row(application, sales_mad="5"))
    assert not Outcome.objects.exists()


def test_the_table_is_for_staff_only(client, mine, fair):
    client.force_login(mine.artisan.user)
    assert client.get(table_url(fair)).status_code == 403
    assert client.post(table_url(fair), row(mine, sales_mad="1")).status_code == 403
    assert client.get(reverse("reports:fair_outcomes_csv", args=[fair.pk])).status_code == 403
    assert not Outcome.objects.exists()


def test_a_big_fair_is_split_into_pages_that_fit_one_request(staff_client, settings, fair, three):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 22  # room for two rows of six fields a page
    first = staff_client.get(table_url(fair)).content.decode()
    assert "Page 1 of 2" in first
    second = staff_client.get(table_url(fair) + "?page=2").content.decode()
    assert second.count('-seen"') == 1


def test_the_table_runs_the_same_queries_for_one_or_three_rows(staff_client, fair):
    counts = []
    for new in (1, 2):
        for _ in range(new):
            services.outcome_save(application=participant(fair), actor=None, sales_mad="10")
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(table_url(fair)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_csv_holds_the_table(staff_client, fair, three):
    a, b, _c = three
    services.outcome_save(application=a, actor=None, sales_mad="1500", items_sold="3")
    response = staff_client.get(reverse("reports:fair_outcomes_csv", args=[fair.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Row", "Name", "Name (Arabic)"]
    assert len(rows) == 4
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[a.artisan.full_name][6:10] == ["yes", "1500", "3", "0"]
    assert by_name[b.artisan.full_name][6:8] == ["no", ""]


# --- API -----------------------------------------------------------------------------------------


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def outcome_api(application):
    return reverse("api_outcome", args=[application.pk])


def test_the_artisan_reads_and_writes_their_own_results_by_api(mine):
    client = api(mine.artisan.user)
    body = client.get(outcome_api(mine)).json()
    assert body["reported"] is False and body["sales_mad"] is None
    response = client.put(
        outcome_api(mine), {"sales_mad": 2500, "items_sold": 7, "notes": "ok"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["sales_mad"] == "2500.00" and response.json()["items_sold"] == 7
    assert client.get(outcome_api(mine)).json()["reported"] is True


def test_a_bad_figure_by_api_answers_400_with_the_field(mine):
    response = api(mine.artisan.user).put(outcome_api(mine), {"sales_mad": -1}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "sales_negative"
    assert "sales_mad" in response.json()["errors"]
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    "who, read, write, fair_list",
    [
        ("owner", 200, 200, 403),
        ("other", 404, 404, 403),
        ("staff", 200, 200, 200),
        ("anonymous", 403, 403, 403),
    ],
)
def test_api_permissions(mine, theirs, staff_user, who, read, write, fair_list):
    user = {"owner": mine.artisan.user, "other": theirs.artisan.user, "staff": staff_user, "anonymous": None}[
        who
    ]
    client = api(user)
    assert client.get(outcome_api(mine)).status_code in (read, 401 if read == 403 else read)
    assert client.put(outcome_api(mine), {"sales_mad": "10"}, format="json").status_code in (
        write, 401 if write == 403 else write,
    )  # fmt: skip
    assert client.get(reverse("api_fair_outcomes", args=[mine.fair_id])).status_code in (
        fair_list, 401 if fair_list == 403 else fair_list,
    )  # fmt: skip
    assert Outcome.objects.exists() == (write == 200)


def test_a_scanner_device_token_is_refused(mine, staff_user):
    _device, token = badge_services.device_create(name="Porte A", fair=None, actor=staff_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    assert client.get(reverse("api_fair_outcomes", args=[mine.fair_id])).status_code in (401, 403)
    assert client.put(outcome_api(mine), {"sales_mad": "10"}, format="json").status_code in (401, 403)
    assert not Outcome.objects.exists()


def test_the_fair_api_lists_everyone_with_totals(fair, three, staff_user):
    a, b, _c = three
    services.outcome_save(application=a, actor=None, sales_mad="3000", items_sold="4", export_contacts="2")
    services.outcome_save(application=b, actor=None, sales_mad="1000", orders="1")
    body = api(staff_user).get(reverse("api_fair_outcomes", args=[fair.pk])).json()
    assert body["totals"] == {
        "participants": 3, "reported": 2, "sales_mad": "4000.00", "items_sold": 4, "orders": 1,
        "export_contacts": 2, "mean_sales_mad": "2000.00",
    }  # fmt: skip
    assert len(body["results"]) == 3
    assert sum(r["reported"] for r in body["results"]) == 2


def test_the_fair_api_runs_the_same_queries_for_one_or_three_rows(fair, staff_user):
    client = api(staff_user)
    client.get(reverse("api_fair_outcomes", args=[fair.pk]))  # the user's roles are read once, then kept
    counts = []
    for new in (1, 2):
        for _ in range(new):
            services.outcome_save(application=participant(fair), actor=None, sales_mad="10")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api_fair_outcomes", args=[fair.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The tags other apps' pages load -----------------------------------------------------------


def render_tag(source: str, user, **context) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load report_tags %}" + source).render(Context({"request": request, **context}))


def test_the_application_page_offers_the_owner_to_report_and_download(mine, theirs):
    from badges.models import Badge, CheckIn

    html = render_tag("{% after_the_fair application %}", mine.artisan.user, application=mine, is_owner=True)
    assert reverse("reports:my_outcome", args=[mine.pk]) in html
    assert reverse("reports:my_attestation_pdf", args=[mine.pk]) in html  # no check-ins kept: attended
    services.outcome_save(application=mine, actor=None, sales_mad="900")
    html = render_tag("{% after_the_fair application %}", mine.artisan.user, application=mine, is_owner=True)
    assert "Results reported: 900 MAD" in html and "Correct my results" in html
    # A fair that kept check-ins, none of hers: no attestation, and why.
    badge = Badge.objects.create(fair=mine.fair, kind="exhibitor", serial="THEIRS01", application=theirs,
                                 name="x", valid_from=mine.fair.starts_on, valid_until=mine.fair.ends_on)  # fmt: skip
    CheckIn.objects.create(fair=mine.fair, badge=badge, gate="A", direction="in", result="ok", origin="user:1",
                           nonce="n1", scanned_at=timezone.now() - dt.timedelta(days=11))  # fmt: skip
    html = render_tag("{% after_the_fair application %}", mine.artisan.user, application=mine, is_owner=True)
    assert reverse("reports:my_attestation_pdf", args=[mine.pk]) not in html
    assert "No attestation: no entry was recorded for you" in html


def test_the_application_page_links_staff_to_the_fairs_table(mine, staff_user):
    html = render_tag("{% after_the_fair application %}", staff_user, application=mine, is_owner=False)
    assert reverse("reports:fair_outcomes", args=[mine.fair_id]) + f"#row-{mine.pk}" in html
    assert reverse("reports:staff_attestation_pdf", args=[mine.pk]) in html


def test_the_application_page_shows_nothing_to_others_or_before_the_fair(mine, theirs, db):
    assert (
        render_tag(
            "{% after_the_fair application %}", theirs.artisan.user, application=mine, is_owner=False
        ).strip()
        == ""
    )
    owner = UserFactory()
    upcoming = ApplicationFactory(
        fair=FairFactory(status=Fair.Status.PUBLISHED), status=CONFIRMED, artisan=ArtisanFactory(user=owner)
    )
    assert (
        render_tag("{% after_the_fair application %}", owner, application=upcoming, is_owner=True).strip()
        == ""
    )


def test_my_space_lists_attestations_and_fairs_waiting_for_results(mine, fair):
    html = render_tag("{% my_after_fairs artisan %}", mine.artisan.user, artisan=mine.artisan)
    assert "My attestation (1)" in html
    assert reverse("reports:my_outcome", args=[mine.pk]) in html
    services.outcome_save(application=mine, actor=None, sales_mad="10")
    html = render_tag("{% my_after_fairs artisan %}", mine.artisan.user, artisan=mine.artisan)
    assert reverse("reports:my_outcome", args=[mine.pk]) not in html
    assert render_tag("{% my_after_fairs artisan %}", mine.artisan.user, artisan=None).strip() == ""
