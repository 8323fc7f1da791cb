"""Importing staff, press, visitor and VIP badges from a CSV file: the parser and the page."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges.imports import BadgeFileRefused, import_problems, parse_badge_csv
from badges.models import Badge, BadgeKind
from core.models import AuditEntry
from fairs.models import Fair
from tests.factories import FairFactory

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def fair():
    """Fixed dates, so the sample files can name real days."""
    return FairFactory(
        status=Fair.Status.PUBLISHED, starts_on=dt.date(2031, 5, 14), ends_on=dt.date(2031, 5, 18)
    )


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    data = content if content is not None else (DATA / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def import_url(fair) -> str:
    return reverse("badges:badge_import", args=[fair.pk])


# --- The parser -------------------------------------------------------------------------------


def test_parser_reads_english_headers_arabic_names_and_empty_dates():
    parsed = parse_badge_csv((DATA / "good.csv").read_bytes())
    assert parsed.problems == []
    assert [number for number, _fields in parsed.rows] == [2, 3, 4, 5]
    first = parsed.rows[0][1]
    assert first["kind"] == BadgeKind.PRESS
    assert first["name_ar"] == "سلمى الإدريسي"
    assert first["role_label"] == "photographer"
    assert first["valid_from"] == dt.date(2031, 5, 14)
    staff = parsed.rows[2][1]
    assert staff["valid_from"] is None and staff["valid_until"] is None  # the fair's dates


def test_parser_reads_french_headers_labels_semicolons_and_day_first_dates():
    parsed = parse_badge_csv((DATA / "good_fr.csv").read_bytes())
    assert parsed.problems == []
    kinds = [fields["kind"] for _n, fields in parsed.rows]
    assert kinds == [BadgeKind.PRESS, BadgeKind.STAFF]
    assert parsed.rows[0][1]["valid_until"] == dt.date(2031, 5, 16)
    assert parsed.column("kind") == "Catégorie"  # problems name the column as the file does


def test_parser_names_row_and_column_of_what_it_cannot_read():
    parsed = parse_badge_csv((DATA / "bad.csv").read_bytes())
    found = {(p.row, p.field) for p in parsed.problems}
    assert found == {(3, "kind"), (5, "valid_from"), (6, "email")}


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"kind,name\n", "import_empty"),
        (b"name,colour\nAli,red\n", "bad_header"),
        ("kind,name\npress,Ali Fassi\n".encode("utf-16"), "not_utf8"),
    ],
)
def test_parser_refuses_a_file_it_cannot_use(content, code):
    with pytest.raises(BadgeFileRefused) as caught:
        parse_badge_csv(content)
    assert caught.value.code == code


def test_parser_refuses_a_file_over_the_size_limit(monkeypatch):
    from badges import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(BadgeFileRefused) as caught:
        parse_badge_csv(b"kind,name\n" + b"press,Ali Fassi\n" * 10)
    assert caught.value.code == "file_too_big"


def test_bad_header_says_which_columns_are_missing_and_unknown():
    with pytest.raises(BadgeFileRefused) as caught:
        parse_badge_csv(b"nom,colour\nAli,red\n")
    message = str(caught.value.message)
    assert "kind" in message and "colour" in message


def test_check_merges_parser_and_service_problems_and_writes_nothing(fair, staff_user):
    parsed = parse_badge_csv((DATA / "bad.csv").read_bytes())
    problems = import_problems(fair=fair, parsed=parsed, actor=staff_user)
    assert [(p.row, p.field) for p in problems] == [
        (3, "kind"),
        (4, "name"),
        (5, "valid_from"),
        (6, "email"),
        (7, "valid_until"),
        (8, "kind"),
        (9, "valid_until"),
    ]
    assert not Badge.objects.exists()
    assert not AuditEntry.objects.filter(action="badges.import").exists()


# --- The page ---------------------------------------------------------------------------------


def test_good_file_imports_every_row(staff_client, fair):
    response = staff_client.post(import_url(fair), {"file": upload("good.csv")})
    assert response.status_code == 302
    assert response["Location"] == reverse("badges:badge_list", args=[fair.pk])
    badges = {b.name: b for b in Badge.objects.filter(fair=fair)}
    assert set(badges) == {"Salma Idrissi", "Karim Benjelloun", "Nadia Tazi", "Omar Alaoui"}
    assert badges["Karim Benjelloun"].kind == BadgeKind.VIP
    assert badges["Karim Benjelloun"].valid_until == dt.date(2031, 5, 14)
    assert badges["Nadia Tazi"].valid_from == fair.starts_on  # empty cells: the fair's dates
    assert badges["Nadia Tazi"].valid_until == fair.ends_on
    assert badges["Salma Idrissi"].name_ar == "سلمى الإدريسي"
    assert AuditEntry.objects.filter(action="badges.import").count() == 1


def test_bad_file_lists_problems_by_row_and_column_and_imports_nothing(staff_client, fair):
    response = staff_client.post(import_url(fair), {"file": upload("bad.csv")})
    assert response.status_code == 200
    assert not Badge.objects.exists()
    report = response.context["report"]
    rows = [(p["row"], p["column"]) for p in report["problems"]]
    assert rows == [
        (3, "kind"),
        (4, "name"),
        (5, "valid_from"),
        (6, "email"),
        (7, "valid_until"),
        (8, "kind"),
        (9, "valid_until"),
    ]
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "“reporter” is not a kind of badge" in html
    assert "not-an-email" in html


def test_french_file_problems_name_the_french_column(staff_client, fair):
    content = "Catégorie;Nom;Du\nPresse;Ali Fassi;2001-01-01\n".encode()
    response = staff_client.post(import_url(fair), {"file": upload("fr.csv", content)})
    assert response.status_code == 200
    assert [(p["row"], p["column"]) for p in response.context["report"]["problems"]] == [(2, "Du")]
    assert not Badge.objects.exists()


def test_check_only_previews_and_writes_nothing(staff_client, fair):
    response = staff_client.post(import_url(fair), {"file": upload("good.csv"), "dry_run": "on"})
    assert response.status_code == 200
    assert not Badge.objects.exists()
    preview = response.context["report"]["preview"]
    assert [row["name"] for row in preview] == [
        "Salma Idrissi",
        "Karim Benjelloun",
        "Nadia Tazi",
        "Omar Alaoui",
    ]
    assert preview[2]["valid_from"] == fair.starts_on
    assert "Nothing was written" in response.content.decode()


def test_unreadable_file_is_a_field_error(staff_client, fair):
    response = staff_client.post(import_url(fair), {"file": upload("x.csv", b"name,colour\nAli,red\n")})
    assert response.status_code == 200
    assert "Missing columns: kind" in " ".join(response.context["form"].errors["file"])
    assert not Badge.objects.exists()


def test_fair_that_no_longer_issues_refuses_the_import(staff_client, fair):
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.CLOSED)
    response = staff_client.post(import_url(fair), {"file": upload("good.csv")})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Badge.objects.exists()


def test_sample_file_is_a_file_the_import_takes(staff_client, fair):
    response = staff_client.get(reverse("badges:badge_import_sample", args=[fair.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    parsed = parse_badge_csv(response.content)
    assert parsed.problems == []
    response = staff_client.post(import_url(fair), {"file": upload("sample.csv", response.content)})
    assert response.status_code == 302
    assert Badge.objects.filter(fair=fair).count() == len(parsed.rows)
