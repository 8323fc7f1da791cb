"""The attendance report of a fair (reports/pdf/attendance.py), its staff page and its API.

The figures are read back from the PDF's text (tests/pdf_text.py: pypdf, NFKC for Arabic; each
table cell comes out on its own line) and compared with figures counted here straight from the
check-ins, with the site's day bounds — not through reports.selectors.
"""

import datetime as dt
import io
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader
from rest_framework.test import APIClient

from badges import services as badge_services
from badges.models import CheckIn, CheckInResult, Direction
from badges.selectors import day_bounds
from booths.models import Assignment
from core import pdf as core_pdf
from fairs.models import Fair
from registrations.models import ApplicationStatus
from reports.attendance import LATE_AFTER, fair_days
from reports.pdf import attendance as report
from reports.services import ReportError
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, ZoneFactory
from tests.pdf_text import ARABIC_NAME, pages_text

pytestmark = pytest.mark.django_db

CELL = re.compile(r"^(✓|✗|—|\d\d:\d\d)$")


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read English wording."""
    settings.LANGUAGE_CODE = "en"
    badge_services._public_keys.clear()
    with translation.override("en"):
        yield


# --- Building fairs and their scans ----------------------------------------------------------


def make_fair(people, *, days, start=None, status=Fair.Status.CLOSED):
    """A fair of ``days`` days (by default over a week ago) with one confirmed exhibitor per
    (first name, last name, Arabic name) in ``people``, a booth each and their badges."""
    start = start or timezone.localdate() - dt.timedelta(days=days + 7)
    fair = FairFactory(
        name="Foire de test", name_ar="معرض الاختبار", status=Fair.Status.RUNNING,
        starts_on=start, ends_on=start + dt.timedelta(days=days - 1), capacity=max(1, len(people)),
    )  # fmt: skip
    zone = ZoneFactory(fair=fair)
    for number, (first, last, arabic) in enumerate(people):
        first_ar, _, last_ar = arabic.rpartition(" ")
        artisan = ArtisanFactory(
            first_name=first, last_name=last, first_name_ar=first_ar, last_name_ar=last_ar
        )
        application = ApplicationFactory(fair=fair, artisan=artisan, status=ApplicationStatus.CONFIRMED)
        booth = BoothFactory(zone=zone, code=f"T{number:03d}")
        Assignment.objects.create(
            booth=booth, application=application, fair=fair, method=Assignment.Method.MANUAL
        )
    badges = badge_services.badges_issue_for_fair(fair=fair, actor=None)
    Fair.objects.filter(pk=fair.pk).update(status=status)
    fair.refresh_from_db()
    by_last_name = {badge.application.artisan.last_name: badge for badge in badges}
    return fair, by_last_name


def scan(fair, badge, day, clock, *, direction=Direction.IN, result=CheckInResult.OK):
    hour, minute = (int(part) for part in clock.split(":"))
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return CheckIn(fair=fair, badge=badge, gate="Porte A", direction=direction, result=result,
                   origin="test", nonce=uuid.uuid4().hex, scanned_at=when)  # fmt: skip


PEOPLE = [
    ("Fatima Zahra", "Bennani", ARABIC_NAME),
    ("Youssef", "Tazi", "يوسف التازي"),
    ("Khadija", "Alaoui", "خديجة العلوي"),
    ("Omar", "Berrada", "عمر برادة"),
]


@pytest.fixture
def small_fair():
    """Three days, four exhibitors: Bennani every day on time; Tazi late (10:37) on day 1 and
    absent on day 3; Alaoui never let in (a refused scan and an exit only); Berrada absent on
    day 1, late (11:05) on day 2, and in just after midnight on day 3 (the local day counts)."""
    fair, badge = make_fair(PEOPLE, days=3)
    d1, d2, d3 = fair_days(fair.starts_on, fair.ends_on)
    CheckIn.objects.bulk_create([
        scan(fair, badge["Bennani"], d1, "08:50"), scan(fair, badge["Bennani"], d2, "09:05"),
        scan(fair, badge["Bennani"], d2, "14:30"), scan(fair, badge["Bennani"], d3, "09:59"),
        scan(fair, badge["Tazi"], d1, "10:37"), scan(fair, badge["Tazi"], d2, "09:12"),
        scan(fair, badge["Alaoui"], d1, "09:00", result=CheckInResult.REVOKED),
        scan(fair, badge["Alaoui"], d2, "18:00", direction=Direction.OUT),
        scan(fair, badge["Berrada"], d2, "11:05"), scan(fair, badge["Berrada"], d3, "00:40"),
    ])  # fmt: skip
    return fair


# --- Reading the PDF back ------------------------------------------------------------------


def truth(fair, late_after=LATE_AFTER):
    """{(application id, day): first local entry time} counted from the check-ins directly."""
    firsts = {}
    for day in fair_days(fair.starts_on, fair.ends_on):
        start, end = day_bounds(day)
        for application_id, at in CheckIn.objects.filter(
            fair=fair,
            result=CheckInResult.OK,
            direction=Direction.IN,
            scanned_at__gte=start,
            scanned_at__lt=end,
        ).values_list("badge__application_id", "scanned_at"):
            local = timezone.localtime(at).time()
            firsts[(application_id, day)] = min(local, firsts.get((application_id, day), local))
    return firsts


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def grid_cells(page_text: str, name: str, days: int) -> list[str]:
    """The day cells of ``name``'s row on a grid page (the cells after the name's lines)."""
    tokens = lines(page_text)
    start = tokens.index(name)
    cells = []
    for token in tokens[start + 1 :]:
        if CELL.match(token):
            cells.append(token)
            if len(cells) == days:
                return cells
        elif cells:
            break
    raise AssertionError(f"{name}: {cells}")


def cover_rows(page_text: str, days: int) -> list[list[str]]:
    """The per-day table of the cover: day, expected, present, late, absent, rate."""
    tokens = lines(page_text)
    start = tokens.index("Attendance rate") + 1
    return [tokens[start + 6 * n : start + 6 * n + 6] for n in range(days + 1)]


def render(fair, language="en", **kwargs) -> bytes:
    with translation.override(language):
        return report.attendance_pdf(fair, **kwargs)


# --- Figures --------------------------------------------------------------------------------


def test_the_cover_figures_equal_the_check_ins(small_fair):
    fair = small_fair
    days = fair_days(fair.starts_on, fair.ends_on)
    firsts = truth(fair)
    applications = fair.applications.filter(status=ApplicationStatus.CONFIRMED).count()
    text = pages_text(render(fair))
    rows = cover_rows(text[0], len(days))
    for day, row in zip(days, rows, strict=False):
        present = sum(1 for (_app, when) in firsts if when == day)
        late = sum(1 for (_app, when), first in firsts.items() if when == day and first > LATE_AFTER)
        assert row[1:5] == [str(applications), str(present), str(late), str(applications - present)], row
    # Day by day 2, 3 and 2 of 4 came: 7 of 12 exhibitor-days.
    assert [row[2] for row in rows[:3]] == ["2", "3", "2"]
    assert rows[3][0] == "All days" and rows[3][1:] == ["12", "7", "2", "5", "58.3 %"]
    assert "7 exhibitor-days present out of 12 expected (58.3 %)." in text[0]


def test_the_grid_shows_each_exhibitors_days(small_fair):
    fair = small_fair
    days = fair_days(fair.starts_on, fair.ends_on)
    firsts = truth(fair)
    text = "\n".join(page for page in pages_text(render(fair)) if "Annex 1" in page)
    by_name = {a.artisan.full_name: a.pk for a in fair.applications.select_related("artisan")}
    for name, application_id in by_name.items():
        expected = []
        for day in days:
            first = firsts.get((application_id, day))
            expected.append("✗" if first is None else first.strftime("%H:%M") if first > LATE_AFTER else "✓")
        assert grid_cells(text, name, len(days)) == expected, name
    assert grid_cells(text, "Youssef Tazi", 3) == ["10:37", "✓", "✗"]
    assert grid_cells(text, "Omar Berrada", 3) == ["✗", "11:05", "✓"]  # 00:40 is day 3, local time
    tokens = lines(text)
    assert {"0 / 3", "2 / 3", "3 / 3"} <= set(tokens)  # days present, of days expected
    present = tokens.index("Present")
    assert tokens[present : present + 10] == ["Present", "2", "3", "2", "7", "Expected", "4", "4", "4", "12"]


def test_the_absences_list_names_who_missed_a_day_and_flags_who_never_came(small_fair):
    pages = [page for page in pages_text(render(small_fair)) if "Annex 2" in page]
    assert pages
    tokens = lines("\n".join(pages))
    for name in ("Youssef Tazi", "Khadija Alaoui", "Omar Berrada"):
        assert name in tokens
    assert "Fatima Zahra Bennani" not in tokens
    # Never came: listed first, flagged, every day counted.
    alaoui = tokens.index("Khadija Alaoui")
    assert alaoui < tokens.index("Youssef Tazi") and alaoui < tokens.index("Omar Berrada")
    assert tokens[alaoui + 1 : alaoui + 4] == ["خديجة العلوي", "Absent every day", "3 of 3"]
    assert "5 absences (exhibitor-days) of 3 exhibitors; 1 absent every day, listed first." in tokens


def test_the_breakdowns_count_exhibitors_and_days(small_fair):
    text = pages_text(render(small_fair))
    page = next(p for p in text if "Breakdowns" in p)
    tokens = lines(page)
    # Four women (the factory's default): 12 days expected, 7 present.
    woman = tokens.index("woman")
    assert tokens.index("Gender") < woman
    assert tokens[woman : woman + 5] == ["woman", "4", "12", "7", "58.3 %"]
    rural = tokens.index("rural")
    assert tokens.index("Urban or rural") < rural
    assert tokens[rural : rural + 5] == ["rural", "4", "12", "7", "58.3 %"]


def test_the_late_threshold_can_be_moved(small_fair):
    text = pages_text(render(small_fair, late_after=dt.time(9, 0)))
    assert "arrivals after 09:00" in text[0]
    grid = "\n".join(page for page in text if "Annex 1" in page)
    assert grid_cells(grid, "Fatima Zahra Bennani", 3) == ["✓", "09:05", "09:59"]


def test_the_arabic_name_is_shaped_and_reads_back(small_fair):
    for language in ("en", "ar"):
        data = render(small_fair, language)
        assert ARABIC_NAME in "\n".join(pages_text(data)), language
        # Shaped: the PDF carries the joined presentation forms, not the bare letters.
        raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "\ufed3\ufe8e\ufec3\ufee4\ufe94" in raw  # فاطمة: initial fa, alef, tah, meem, teh marbuta


def test_in_arabic_the_report_runs_right_to_left(small_fair):
    def booth_x(data):
        """Where the first booth code starts on the first grid page."""
        reader = PdfReader(io.BytesIO(data))
        page = next(p for p in reader.pages if "T000" in p.extract_text())
        found = []
        page.extract_text(
            visitor_text=lambda text, cm, tm, *_: (
                found.append(tm[4] + cm[4]) if text.strip() == "T000" else None
            )
        )
        return found[0], float(page.mediabox.width)

    x_en, width = booth_x(render(small_fair, "en"))
    x_ar, _ = booth_x(render(small_fair, "ar"))
    assert x_en < width / 4 and x_ar > 3 * width / 4  # the booth column: first on the left, or on the right
    text = "\n".join(pages_text(render(small_fair, "ar")))
    with translation.override("ar"):
        month = formats.date_format(small_fair.starts_on, "F")
    assert month in text and "معرض الاختبار" in text


def test_a_running_fair_covers_the_days_held_so_far(make_user):
    today = timezone.localdate()
    fair, badge = make_fair(
        PEOPLE[:2], days=4, start=today - dt.timedelta(days=1), status=Fair.Status.RUNNING
    )
    scan(fair, badge["Tazi"], today, "09:00").save()
    text = pages_text(render(fair))
    assert "this report covers its first 2 days of 4" in text[0]
    grid = "\n".join(page for page in text if "Annex 1" in page)
    assert grid_cells(grid, "Youssef Tazi", 2) == ["✗", "✓"]
    assert "✗\n✗\n✗" not in grid  # days not held yet are not absences


# --- Pagination and width --------------------------------------------------------------------


def test_column_widths_fill_the_frame_and_days_never_get_too_narrow():
    width, _height = report.frame_size()
    for days in range(1, 41):
        groups = report.column_groups(days, width)
        assert [index for group in groups for index in group] == list(range(days))
        assert max(map(len, groups)) - min(map(len, groups)) <= 1  # balanced
        for group in groups:
            widths = report.grid_widths(len(group), width)
            assert sum(widths) == pytest.approx(width)
            assert all(w >= report.DAY_MIN_WIDTH for w in widths[2:-1])
            assert widths[1] >= report.NAME_MIN_WIDTH - 1e-6
    assert len(report.column_groups(15, width)) == 1  # 1 to 15 days: one set of pages
    assert len(report.column_groups(31, width)) == 3


def test_wrapped_lines_never_exceed_their_cell():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    core_pdf.register_fonts()
    names = [
        "Abderrahim Ait Ben Haddou El Mansouri Zemmouri de la Coopérative des Potiers de Safi",
        "عبد الرحيم آيت بن حدو المنصوري الزموري تعاونية الخزافين",
        "Supercalifragilisticexpialidocious-Anticonstitutionnellement",
    ]
    for name in names:
        for width in (40, 90, 176):
            wrapped = report.wrap(name, core_pdf.FONT, 8, width)
            assert wrapped and all(stringWidth(line, core_pdf.FONT, 8) <= width + 0.01 for line in wrapped)


def test_pages_are_cut_to_fit_their_room():
    header = report.Cells([["Booth"], ["Exhibitor"]])
    rows = [report.Cells([["B"], ["x"] * (1 + n % 3)]) for n in range(200)]
    pages = report.paginate(rows, header, first_room=300, room=420)
    assert sum(len(page) for page in pages) == 200
    for number, page in enumerate(pages):
        room = 300 if number == 0 else 420
        assert header.height + sum(row.height for row in page) <= room


@pytest.fixture
def long_fair():
    """15 days, 40 exhibitors: present at 09:00 except a pattern of absences and late days;
    the last exhibitor (Zouhair Zemmouri) is late at 11:47 on day 15."""
    people = [(f"Artisan{n:02d}", f"Famille{n:02d}", f"حرفي عائلة{n:02d}") for n in range(39)]
    people.append(("Zouhair", "Zemmouri", "زهير الزموري"))
    fair, badges = make_fair(people, days=15)
    days = fair_days(fair.starts_on, fair.ends_on)
    last = badges["Zemmouri"]
    scans = [scan(fair, last, days[-1], "11:47")]
    for number, badge in enumerate(sorted(badges.values(), key=lambda b: b.application_id)):
        for offset, day in enumerate(days):
            if (number + offset) % 7 == 0 or (badge == last and day == days[-1]):
                continue  # absent, or the late entry above
            clock = "10:15" if (number * offset) % 11 == 1 else "09:00"
            scans.append(scan(fair, badge, day, clock))
    CheckIn.objects.bulk_create(scans)
    return fair


def test_a_fifteen_day_fair_with_many_exhibitors_paginates_with_headers(long_fair):
    text = pages_text(render(long_fair))
    grid = [page for page in text if "Annex 1" in page]
    assert len(grid) >= 3
    for page in grid:
        tokens = lines(page)
        assert {"Booth", "Exhibitor", "Days", "present"} <= set(tokens)  # the header row, on every page
        assert len(set(re.findall(r"\b\d\d/\d\d\b", page))) == 15  # every day's column
    last = next(page for page in grid if "Zouhair Zemmouri" in page)
    assert grid_cells(last, "Zouhair Zemmouri", 15)[-1] == "11:47"
    # Every exhibitor's row is somewhere, once.
    names = [token for page in grid for token in lines(page) if token.startswith("Artisan")]
    assert len(names) == len(set(names)) == 39


def test_no_text_leaves_the_page(long_fair):
    """Every line of Latin text starts and ends inside the frame's margins (measured with the
    font it was set in); Arabic runs (which pypdf cuts into pieces) start inside the page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for language in ("en", "ar"):
        reader = PdfReader(io.BytesIO(render(long_fair, language)))
        for page in reader.pages:
            width = float(page.mediabox.width)
            chunks = []

            def visit(text, cm, tm, font, size, chunks=chunks):
                if text.strip():
                    name = str((font or {}).get("/BaseFont", ""))
                    chunks.append(
                        (text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4], name, size * tm[0] * cm[0])
                    )

            page.extract_text(visitor_text=visit)
            assert chunks
            for text, x, name, size in chunks:
                assert 0 <= x <= width, (text, x)
                if core_pdf.has_arabic(text):
                    continue
                font = core_pdf.FONT_BOLD if "Bold" in name else core_pdf.FONT
                end = x + stringWidth(text, font, size)
                assert x >= 15 * 72 / 25.4 - 1 and end <= width - 15 * 72 / 25.4 + 1, (language, text, x, end)


def test_days_that_do_not_fit_across_are_split_into_groups():
    people = [("Amina", "Ouchen", "أمينة أوشن"), ("Driss", "Skalli", "إدريس السقلي")]
    fair, badges = make_fair(people, days=31)
    days = fair_days(fair.starts_on, fair.ends_on)
    CheckIn.objects.bulk_create(
        [scan(fair, badges["Ouchen"], day, "09:00") for day in days[:-1]]
        + [scan(fair, badges["Ouchen"], days[-1], "11:47"), scan(fair, badges["Skalli"], days[0], "09:00")]
    )
    grid = [page for page in pages_text(render(fair)) if "Annex 1" in page]
    width, _height = report.frame_size()
    groups = report.column_groups(31, width)
    assert len(grid) == len(groups) == 3
    seen = []
    for page, group in zip(grid, groups, strict=True):
        assert f"days {group[0] + 1}–{group[-1] + 1} of 31" in page
        assert {"Booth", "Exhibitor", "Amina Ouchen", "Driss Skalli"} <= set(lines(page))  # repeated
        cells = grid_cells(page, "Amina Ouchen", len(group))
        seen += cells
    assert len(seen) == 31 and seen[-1] == "11:47" and seen[:-1] == ["✓"] * 30


# --- Bad input -----------------------------------------------------------------------------


def test_a_fair_without_check_ins_is_refused_with_a_code():
    fair, _badges = make_fair(PEOPLE[:1], days=2)
    with pytest.raises(ReportError) as refused:
        render(fair)
    assert refused.value.code == "no_check_ins"


def test_a_fair_not_begun_is_refused_with_a_code():
    start = timezone.localdate() + dt.timedelta(days=3)
    fair, badge = make_fair(PEOPLE[:1], days=2, start=start, status=Fair.Status.PUBLISHED)
    CheckIn.objects.bulk_create([scan(fair, badge["Bennani"], timezone.localdate(), "09:00",
                                      result=CheckInResult.NOT_VALID_NOW)])  # fmt: skip
    with pytest.raises(ReportError) as refused:
        render(fair)
    assert refused.value.code == "fair_not_started"


def test_the_report_reads_the_same_few_queries_whatever_the_size(small_fair):
    fair, badge = make_fair(PEOPLE[:1], days=3)
    CheckIn.objects.bulk_create([scan(fair, badge["Bennani"], fair.starts_on, "09:00")])
    counts = []
    for each in (fair, small_fair):
        each = Fair.objects.select_related("venue").get(pk=each.pk)
        with CaptureQueriesContext(connection) as queries:
            render(each)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


# --- The staff page and the API --------------------------------------------------------------

PAGE = "reports:attendance_pdf"


def api_url(pk):
    return f"/api/v1/reports/fairs/{pk}/attendance.pdf"


def test_staff_download_the_report(small_fair, staff_client):
    response = staff_client.get(reverse(PAGE, kwargs={"pk": small_fair.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="attendance-{small_fair.slug}.pdf"' in response["Content-Disposition"]
    assert "Attendance report" in pages_text(response.content)[0]


def test_the_page_is_written_in_the_users_language(small_fair, make_user, client):
    user = make_user("staff", username="leila", first_name="Leila", last_name="Amrani", language="ar")
    client.force_login(user)
    response = client.get(reverse(PAGE, kwargs={"pk": small_fair.pk}))
    text = "\n".join(pages_text(response.content))
    with translation.override("ar"):
        month = formats.date_format(small_fair.starts_on, "F")
    assert month in text
    assert "Leila Amrani" in text  # prepared by


def test_who_may_download_the_page(small_fair, client, scanner_user, plain_user):
    url = reverse(PAGE, kwargs={"pk": small_fair.pk})
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    ArtisanFactory(user=plain_user)
    for user in (scanner_user, plain_user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_page_says_when_there_are_no_check_ins(staff_client):
    fair, _badges = make_fair(PEOPLE[:1], days=2)
    response = staff_client.get(reverse(PAGE, kwargs={"pk": fair.pk}))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "No check-ins recorded for this fair yet." in response.content.decode()


def test_the_page_refuses_a_bad_threshold_and_an_unknown_fair(small_fair, staff_client):
    response = staff_client.get(reverse(PAGE, kwargs={"pk": small_fair.pk}), {"late_after": "25:99"})
    assert response.status_code == 400 and "10:00" in response.content.decode()
    assert staff_client.get(reverse(PAGE, kwargs={"pk": 999_999})).status_code == 404


def api_client(user=None, **credentials):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if credentials:
        client.credentials(**credentials)
    return client


def test_the_api_answers_the_pdf_to_staff(small_fair, staff_user):
    response = api_client(staff_user).get(api_url(small_fair.pk), {"late_after": "09:00"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "arrivals after 09:00" in pages_text(response.content)[0]
    accepted = api_client(staff_user).get(api_url(small_fair.pk), HTTP_ACCEPT="application/pdf")
    assert accepted.status_code == 200 and accepted.content.startswith(b"%PDF")


def test_the_api_writes_the_language_asked(small_fair, staff_user):
    response = api_client(staff_user).get(api_url(small_fair.pk), {"lang": "ar"})
    with translation.override("ar"):
        month = formats.date_format(small_fair.starts_on, "F")
    assert month in "\n".join(pages_text(response.content))


def test_the_api_refuses_others(small_fair, scanner_user, plain_user, staff_user):
    ArtisanFactory(user=plain_user)
    assert api_client().get(api_url(small_fair.pk)).status_code in (401, 403)
    assert api_client(scanner_user).get(api_url(small_fair.pk)).status_code == 403
    assert api_client(plain_user).get(api_url(small_fair.pk)).status_code == 403
    _device, token = badge_services.device_create(name="Porte A", fair=small_fair, actor=staff_user)
    device = api_client(HTTP_AUTHORIZATION=f"Device {token}").get(api_url(small_fair.pk))
    assert device.status_code in (401, 403) and not device.content.startswith(b"%PDF")


def test_the_api_answers_codes_for_bad_requests(small_fair, staff_user):
    client = api_client(staff_user)
    fair, _badges = make_fair(PEOPLE[:1], days=2)
    empty = client.get(api_url(fair.pk))
    assert empty.status_code == 400 and empty.json()["code"] == "no_check_ins"
    assert "No check-ins recorded" in empty.json()["detail"]
    bad = client.get(api_url(small_fair.pk), {"late_after": "late"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "late_after" in bad.json()["errors"]
    assert client.get(api_url(999_999)).status_code == 404
    # Asked for a PDF, an error still answers JSON.
    pdf_error = client.get(api_url(fair.pk), HTTP_ACCEPT="application/pdf")
    assert pdf_error.status_code == 400 and pdf_error["Content-Type"] == "application/json"


def test_absent_days_are_joined_into_runs():
    days = fair_days(dt.date(2024, 5, 13), dt.date(2024, 5, 19))
    missed = [days[0], days[1], days[2], days[4], days[6]]
    assert report._day_ranges(missed, days, rtl=False) == "Mon 05/13 – Wed 05/15, Fri 05/17, Sun 05/19"


def test_a_months_long_exhibition_still_fits_its_pages():
    fair, badges = make_fair([("Amina", "Ouchen", "أمينة أوشن")], days=150)
    days = fair_days(fair.starts_on, fair.ends_on)
    CheckIn.objects.bulk_create([scan(fair, badges["Ouchen"], day, "09:00") for day in days[::2]])
    text = pages_text(render(fair))
    absences = "\n".join(page for page in text if "Annex 2" in page)
    assert "and more: see annex 1." in absences and "75 of 150" in absences
    grid = [page for page in text if "Annex 1" in page]
    assert len(grid) == len(report.column_groups(150, report.frame_size()[0])) == 10


def test_grouped_numbers_stay_whole_in_arabic_sentences():
    with translation.override("ar"):
        figure = report._number(1200)
    assert figure == "1\u00a0200"  # a no-break space: one number for the bidi algorithm
    assert "1\u00a0200" in core_pdf.shape(f"من أصل {figure} متوقعة")
