"""Importing artisans from CSV and XLSX: the engine, the command and the staff page."""

import io
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.models import AuditEntry
from registrations.imports import ImportRefused, artisan_import
from registrations.models import Artisan
from tests.factories import ArtisanFactory, CooperativeFactory, craft, province

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HEADER = [
    "cin", "first_name", "last_name", "first_name_ar", "last_name_ar", "gender", "birth_year", "phone",
    "email", "province", "commune", "area", "craft", "registry_number", "cooperative",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, the source language."""
    with translation.override("en"):
        yield


def row(**cells) -> dict:
    """A good row for a new artisan; keyword arguments change cells."""
    base = {
        "cin": "BK112233",
        "first_name": "Naima",
        "last_name": "Ouchen",
        "first_name_ar": "نعيمة",
        "last_name_ar": "أوشن",
        "gender": "F",
        "birth_year": "1984",
        "phone": "0661122334",
        "email": "",
        "province": "settat",
        "commune": "Ben Ahmed",
        "area": "rural",
        "craft": "carpets",
        "registry_number": "",
        "cooperative": "",
    }
    return {**base, **cells}


def csv_upload(rows, *, header=HEADER, delimiter=",", name="artisans.csv") -> io.BytesIO:
    lines = [delimiter.join(header)]
    lines += [delimiter.join(str(r.get(column, "")) for column in header) for r in rows]
    upload = io.BytesIO(("\n".join(lines) + "\n").encode())
    upload.name = name
    return upload


def run(rows, **kwargs):
    return artisan_import(source=csv_upload(rows), filename="artisans.csv", **kwargs)


def snapshot():
    """Everything an import could change."""
    return (
        list(Artisan.objects.order_by("pk").values_list()),
        AuditEntry.objects.count(),
    )


def problems_of(report):
    return [(p.row, p.column) for p in report.problems]


# --- Good files -------------------------------------------------------------------------------


def test_good_csv_in_french_creates_artisans_with_stored_forms(staff_user):
    report = artisan_import(source=DATA / "artisans-good.csv", actor=staff_user)

    assert (report.created, report.updated, report.unchanged, report.refused) == (3, 0, 0, 0)
    assert report.problems == []
    fatima = Artisan.objects.get(cin="BE123456")  # "be 123456" in the file
    assert fatima.phone == "+212612345678"
    assert fatima.email == "fatima@example.ma"
    assert fatima.registry_number == "CS-2019-000123"
    assert (fatima.gender, fatima.area, fatima.birth_year) == ("F", "rural", 1980)
    assert fatima.province == province("settat") and fatima.main_craft == craft("pottery")
    assert fatima.full_name_ar == "فاطمة بناني"
    youssef = Artisan.objects.get(cin="W234567")
    assert youssef.gender == "M" and youssef.area == "urban"
    assert youssef.province == province("el-jadida")  # by its Arabic name
    assert youssef.main_craft == craft("zellige")
    assert Artisan.objects.get(cin="MC345678").main_craft == craft("carpets")  # English name


def test_good_xlsx_creates_artisans(staff_user):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["CIN", "Prénom", "Nom", "Sexe", "Année de naissance", "Téléphone", "Province", "Métier", None]
    )
    sheet.append(["BE654321", "Zineb", "Tazi", "F", 1979, 612345678, "Province de Settat", "Broderie", None])
    sheet.append(["T765432", "Omar", "Sebti", "M", 1968.0, "0700112233", "mohammedia", "copperware", None])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)

    report = artisan_import(source=upload, filename="registre.xlsx", actor=staff_user)

    assert report.problems == []
    assert report.created == 2
    zineb = Artisan.objects.get(cin="BE654321")
    assert zineb.phone == "+212612345678"  # the spreadsheet had dropped the leading zero
    assert zineb.birth_year == 1979 and zineb.main_craft == craft("embroidery")
    assert Artisan.objects.get(cin="T765432").birth_year == 1968


def test_semicolons_and_a_byte_order_mark_are_read():
    upload = csv_upload([row()], delimiter=";")
    upload = io.BytesIO(b"\xef\xbb\xbf" + upload.getvalue())
    report = artisan_import(source=upload, filename="x.csv")
    assert report.created == 1 and Artisan.objects.filter(cin="BK112233").exists()


def test_an_import_writes_one_audit_entry_about_the_registry(staff_user):
    ArtisanFactory(cin="BK112233", last_name="Old")
    run([row(), row(cin="BK445566", phone="0661122335")], actor=staff_user)

    entry = AuditEntry.objects.get(action="artisan.import")
    assert entry.actor == staff_user
    assert entry.content_type == ContentType.objects.get_for_model(ContentType)
    assert entry.object_id == str(ContentType.objects.get_for_model(Artisan).pk)
    assert entry.changes["created"] == 1 and entry.changes["updated"] == 1
    assert entry.changes["file"] == "artisans.csv"
    assert AuditEntry.objects.count() == 1  # no entry per artisan


def test_the_number_of_queries_does_not_grow_with_the_rows():
    def queries(rows):
        with CaptureQueriesContext(connection) as context:
            run(rows)
        return len(context.captured_queries)

    one = queries([row(cin="BK100001", phone="0661000001")])
    Artisan.objects.all().delete()
    three = queries([row(cin=f"BK10000{n}", phone=f"066100000{n}") for n in (1, 2, 3)])
    assert one == three


# --- Updates ----------------------------------------------------------------------------------


@pytest.fixture(params=["looked up", "registry read whole"])
def lookup_mode(request, monkeypatch):
    """Small files look their artisans up; big ones read the registry whole: same answers."""
    if request.param == "registry read whole":
        monkeypatch.setattr("registrations.imports.LOOKUP_LIMIT", 0)
    return request.param


def test_an_artisan_registered_with_the_cin_is_updated_with_the_filled_cells_only(lookup_mode):
    artisan = ArtisanFactory(cin="BK112233", last_name="Old", phone="+212600000001", commune="Settat")
    untouched = ArtisanFactory(cin="BK999999")
    report = run([row(last_name="Ouchen", phone="", commune="", first_name_ar="")])

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    artisan.refresh_from_db()
    assert artisan.last_name == "Ouchen" and artisan.main_craft == craft("carpets")
    assert artisan.phone == "+212600000001" and artisan.commune == "Settat"  # empty cells keep values
    assert artisan.first_name_ar == "فاطمة"
    assert Artisan.objects.get(pk=untouched.pk).last_name == untouched.last_name


def test_the_same_file_twice_changes_nothing_the_second_time():
    run([row(), row(cin="BK445566", phone="0661122335")])
    before = snapshot()
    report = run([row(), row(cin="BK445566", phone="0661122335")])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert snapshot() == before  # not even an audit entry


def test_an_existing_artisan_may_leave_required_cells_empty_but_a_new_one_may_not():
    ArtisanFactory(cin="BK112233")
    report = run([row(first_name="", craft=""), row(cin="BK445566", first_name="", craft="")])
    assert problems_of(report) == [(3, "first_name"), (3, "craft")]


# --- Bad rows: reported with row and column, and nothing changes -----------------------------


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"cin": "123456"}, "cin", "CIN"),
        ({"phone": "0812"}, "phone", "phone"),
        ({"registry_number": "CS-OWNED-1"}, "registry_number", "BE777777"),
        ({"province": "Setat"}, "province", "did you mean “Settat”"),
        ({"craft": "poterrie"}, "craft", "did you mean “Poterie”"),
        ({"craft": "leather"}, "craft", "Babouches"),  # a sector: its crafts are listed
        ({"gender": "X"}, "gender", "F or M"),
        ({"birth_year": "1850"}, "birth_year", "1920"),
        ({"birth_year": "soixante"}, "birth_year", "four digits"),
        ({"area": "desert"}, "area", "rural"),
        ({"email": "not-an-email"}, "email", "email address"),
        ({"first_name": "N" * 81}, "first_name", "80"),
        ({"cooperative": "COOP-9"}, "cooperative", "COOP-9"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_imported(cells, column, words, lookup_mode):
    ArtisanFactory(cin="BE777777", registry_number="CS-OWNED-1")
    existing = ArtisanFactory(cin="BK000001", last_name="Before")
    before = snapshot()

    report = run(
        [
            row(cin="BK000001", last_name="After"),  # an update that must not happen
            row(cin="BK445566", phone="0661122335"),  # a good new row that must not be created
            row(**cells),  # the bad one, row 4 of the file
        ]
    )

    assert report.file_refused and report.refused == 1
    assert problems_of(report) == [(4, column)]
    assert words in report.problems[0].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot() == before
    assert Artisan.objects.get(pk=existing.pk).last_name == "Before"


def test_a_cin_twice_in_the_file_names_both_rows():
    before = snapshot()
    report = run([row(), row(cin="BK445566", phone="0661122335"), row(cin="bk 112233")])
    assert problems_of(report) == [(2, "cin"), (4, "cin")]
    assert "rows 2, 4" in report.problems[0].message
    assert snapshot() == before


def test_a_registry_number_twice_in_the_file_names_both_rows():
    report = run([row(registry_number="CS-1"), row(cin="BK445566", registry_number="cs-1")])
    assert problems_of(report) == [(2, "registry_number"), (3, "registry_number")]
    assert Artisan.objects.count() == 0


def test_the_cooperative_is_found_by_its_registration_number_written_loosely():
    cooperative = CooperativeFactory(registration_number="COOP-00042")
    report = run(
        [row(cooperative="coop 00042"), row(cin="BK445566", phone="0661122335", cooperative="COOP-0042")]
    )
    assert problems_of(report) == [(3, "cooperative")]
    assert "did you mean “COOP-00042”" in report.problems[0].message
    report = run([row(cooperative="coop 00042")])
    assert Artisan.objects.get(cin="BK112233").cooperative == cooperative


def test_problems_name_the_columns_as_the_file_writes_them():
    header = ["CIN", "Prénom", "Nom", "Sexe", "Province", "Métier"]
    upload = csv_upload([{"CIN": "BK1", "Prénom": "A", "Nom": "B", "Sexe": "?", "Province": "settat",
                          "Métier": "pottery"}], header=header)  # fmt: skip
    report = artisan_import(source=upload, filename="x.csv")
    assert problems_of(report) == [(2, "Sexe")]


def test_skip_bad_rows_imports_the_good_rows_and_reports_the_others(staff_user):
    report = run(
        [row(), row(cin="BK445566", phone="0661122335", gender="?"), row(cin="BK778899", phone="0661122336")],
        skip_bad_rows=True,
        actor=staff_user,
    )
    assert (report.created, report.refused) == (2, 1)
    assert problems_of(report) == [(3, "gender")]
    assert set(Artisan.objects.values_list("cin", flat=True)) == {"BK112233", "BK778899"}
    assert AuditEntry.objects.get(action="artisan.import").changes["refused"] == 1


def test_dry_run_counts_but_writes_nothing():
    ArtisanFactory(cin="BK112233", last_name="Old")
    before = snapshot()
    report = run([row(), row(cin="BK445566", phone="0661122335")], dry_run=True)
    assert (report.created, report.updated) == (1, 1)
    assert snapshot() == before


def test_blank_lines_are_not_rows_but_row_numbers_follow_the_file():
    report = run([row(), {}, row(cin="BK445566", phone="0661122335", gender="?")])
    assert report.rows == 2
    assert problems_of(report) == [(4, "gender")]


# --- The file as a whole ----------------------------------------------------------------------


def test_a_wrong_header_is_refused_naming_the_columns():
    with pytest.raises(ImportRefused) as refused:
        artisan_import(source=DATA / "artisans-bad-header.csv")
    message = str(refused.value.message)
    assert refused.value.code == "bad_header"
    assert "last_name" in message and "province" in message  # missing
    assert "surname" in message and "colour" in message  # unknown
    assert Artisan.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        ("cin;prénom\n".encode("cp1252"), "x.csv", "not_utf8"),
        (b"", "x.csv", "empty_file"),
        (b"PK\x03\x04 not really a workbook", "x.xlsx", "unreadable_file"),
        (b"\xd0\xcf\x11\xe0 old excel", "x.xls", "unsupported_format"),
    ],
)
def test_unreadable_files_are_refused(content, name, code):
    with pytest.raises(ImportRefused) as refused:
        artisan_import(source=io.BytesIO(content), filename=name)
    assert refused.value.code == code


def test_an_artisan_registered_meanwhile_refuses_the_whole_write():
    def someone_registers_her_while_the_file_is_checked(stage, done, total):
        if stage == "write" and done == 0:
            ArtisanFactory(cin="BK445566")

    with pytest.raises(ImportRefused) as refused:
        run(
            [row(), row(cin="BK445566", phone="0661122335")],
            progress=someone_registers_her_while_the_file_is_checked,
        )
    assert refused.value.code == "registry_changed"
    assert list(Artisan.objects.values_list("cin", flat=True)) == ["BK445566"]
    assert not AuditEntry.objects.filter(action="artisan.import").exists()


def test_more_rows_than_allowed_is_refused():
    with pytest.raises(ImportRefused) as refused:
        run([row(), row(cin="BK445566")], max_rows=1)
    assert refused.value.code == "too_many_rows"
    assert Artisan.objects.count() == 0


# --- The command ------------------------------------------------------------------------------


def test_command_imports_prints_a_summary_and_shows_progress():
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_artisans", str(DATA / "artisans-good.csv"), stdout=stdout, stderr=stderr)
    assert Artisan.objects.count() == 3
    out = stdout.getvalue()
    assert "created: 3" in out and "updated: 0" in out and "refused: 0" in out
    assert "3/3" in stderr.getvalue()  # the progress bar


def test_command_exits_non_zero_and_lists_the_problems_of_a_refused_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_upload([row(), row(cin="BK445566", phone="0661122335", province="Setat")]).getvalue()
    )
    stdout = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_artisans", str(path), "--no-progress", stdout=stdout)
    assert refused.value.returncode == 1  # manage.py exits with it
    assert "3\tprovince\t" in stdout.getvalue() and "Settat" in stdout.getvalue()
    assert "--skip-bad-rows" in str(refused.value)
    assert Artisan.objects.count() == 0


def test_command_skip_bad_rows_succeeds(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_upload([row(), row(cin="BK445566", phone="0661122335", gender="?")]).getvalue())
    stdout = io.StringIO()
    call_command("import_artisans", str(path), "--skip-bad-rows", "--no-progress", stdout=stdout)
    assert "refused: 1" in stdout.getvalue()
    assert list(Artisan.objects.values_list("cin", flat=True)) == ["BK112233"]


def test_command_refuses_a_wrong_header_with_exit_status_1():
    with pytest.raises(CommandError) as refused:
        call_command("import_artisans", str(DATA / "artisans-bad-header.csv"), "--no-progress")
    assert refused.value.returncode == 1
    assert "colour" in str(refused.value)


def test_command_records_the_user_it_is_given(staff_user):
    call_command("import_artisans", str(DATA / "artisans-good.csv"), "--user", "staff", "--no-progress")
    assert AuditEntry.objects.get(action="artisan.import").actor == staff_user
    with pytest.raises(CommandError, match="nobody"):
        call_command("import_artisans", str(DATA / "artisans-good.csv"), "--user", "nobody")


def test_command_dry_run_writes_nothing():
    call_command("import_artisans", str(DATA / "artisans-good.csv"), "--dry-run", "--no-progress")
    assert Artisan.objects.count() == 0


# --- The staff page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), ("artisan", 403), ("reviewer", 403), ("scanner", 403), ("staff", 200)]
)
@pytest.mark.parametrize(
    "url_name", ["registrations:artisan_import", "registrations:artisan_import_template"]
)
def test_import_pages_are_for_staff(client, make_user, role, expected, url_name):
    if role == "artisan":
        user = make_user()
        ArtisanFactory(user=user)
        client.force_login(user)
    elif role:
        client.force_login(make_user(role))
    response = client.get(reverse(url_name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def test_only_staff_can_post_a_file(client, make_user):
    client.force_login(make_user("reviewer"))
    response = client.post(reverse("registrations:artisan_import"), {"file": csv_upload([row()])})
    assert response.status_code == 403
    assert Artisan.objects.count() == 0


def test_upload_page_imports_and_shows_the_report(staff_client, staff_user):
    response = staff_client.post(reverse("registrations:artisan_import"), {"file": csv_upload([row()])})
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert Artisan.objects.filter(cin="BK112233").exists()
    assert AuditEntry.objects.get(action="artisan.import").actor == staff_user


def test_upload_page_shows_the_problems_of_a_refused_file(staff_client):
    rows = [row(), row(cin="BK445566", phone="0661122335", craft="poterrie")]
    response = staff_client.post(reverse("registrations:artisan_import"), {"file": csv_upload(rows)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-problems"' in html and "poterrie" in html
    assert response.context["problems"][0].row == 3
    assert Artisan.objects.count() == 0


def test_upload_page_caps_the_problem_table(staff_client):
    rows = [row(cin=f"BK{n:06d}", gender="?", phone="") for n in range(205)]
    response = staff_client.post(reverse("registrations:artisan_import"), {"file": csv_upload(rows)})
    assert len(response.context["problems"]) == 200
    assert response.context["hidden_problems"] == 5


def test_upload_page_refuses_a_wrong_header_as_a_form_error(staff_client):
    with (DATA / "artisans-bad-header.csv").open("rb") as upload:
        response = staff_client.post(reverse("registrations:artisan_import"), {"file": upload})
    assert response.status_code == 200
    assert "colour" in " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(("name", "content"), [("artisans.txt", b"cin\n"), ("artisans.csv", b"x" * 101)])
def test_upload_page_refuses_other_files_and_big_files(staff_client, monkeypatch, name, content):
    monkeypatch.setattr("registrations.forms.imports.MAX_FILE_SIZE", 100)
    upload = io.BytesIO(content)
    upload.name = name
    response = staff_client.post(reverse("registrations:artisan_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "report" not in response.context


def test_upload_page_advises_csv_for_a_workbook_over_its_row_limit(staff_client, monkeypatch):
    from openpyxl import Workbook

    monkeypatch.setattr("registrations.views.imports.WEB_MAX_ROWS", {"csv": 10, "xlsx": 1})
    workbook = Workbook()
    workbook.active.append(HEADER)
    for n in range(2):
        workbook.active.append(list(row(cin=f"BK11223{n}", phone=f"066112233{n}").values()))
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "registre.xlsx"
    response = staff_client.post(reverse("registrations:artisan_import"), {"file": upload})
    assert "CSV" in " ".join(response.context["form"].errors["file"])
    assert Artisan.objects.count() == 0


def test_upload_page_dry_run(staff_client):
    response = staff_client.post(
        reverse("registrations:artisan_import"), {"file": csv_upload([row()]), "dry_run": "on"}
    )
    assert response.context["report"].dry_run and response.context["report"].created == 1
    assert Artisan.objects.count() == 0


def test_the_template_csv_has_the_header_and_two_examples_that_import(staff_client):
    response = staff_client.get(reverse("registrations:artisan_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER) and len(lines) == 3
    assert "فاطمة" in lines[1]
    CooperativeFactory()
    report = artisan_import(source=io.BytesIO(response.content), filename="template.csv")
    assert report.problems == [] and report.created == 2
