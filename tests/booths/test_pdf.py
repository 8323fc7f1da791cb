"""The printable floor plan and booth list of a fair (booths/pdf.py and their staff URLs).

How the text checks read a PDF: see tests/core/test_pdf.py — after NFKC normalisation an
Arabic name extracted by pypdf comes out as typed; the tests compare whole names.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from booths import pdf as booths_pdf
from booths import services
from booths.models import Booth, Zone
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, ZoneFactory
from tests.pdf_text import ARABIC_NAME, pages_text

pytestmark = pytest.mark.django_db

ARABIC_ZONE = "قاعة الفخار"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def plan(staff_user):
    """A fair in allocation with two zones, five booths (one held) and one exhibitor placed."""
    pottery = ZoneFactory(name="Pottery hall", name_ar=ARABIC_ZONE, colour="#b5562e")
    fair = pottery.fair
    fair.name_ar = "معرض الصناعة التقليدية"
    fair.save(update_fields=["name_ar"])
    weaving = ZoneFactory(fair=fair, name="Weaving", colour="#0b6e4f")
    booths = [BoothFactory(zone=pottery, code=f"A{i:02d}", x=Decimal(3 * i)) for i in range(1, 4)]
    booths += [
        BoothFactory(zone=weaving, code=f"W{i:02d}", x=Decimal(3 * i), y=Decimal(8)) for i in range(1, 3)
    ]
    artisan = ArtisanFactory(first_name="Fatima", last_name="Zahra", first_name_ar="فاطمة الزهراء",
                             last_name_ar="بناني")  # fmt: skip
    application = ApplicationFactory(fair=fair, artisan=artisan, status=Application.Status.CONFIRMED)
    services.booth_assign(booth=booths[0], application=application, actor=staff_user)
    services.booth_set_status(booth=booths[4], status="held", reason="Partner stand", actor=staff_user)
    return fair


def render_plan(fair, rtl=False):
    zones = list(Zone.objects.filter(fair=fair).order_by("position", "name"))
    return booths_pdf.render_plan(fair, booths_pdf.print_booths(fair), zones, rtl=rtl)


# --- The booth list -------------------------------------------------------------------------


def test_booth_list_lists_every_booth_with_the_exhibitor_in_both_scripts(plan):
    data = booths_pdf.render_booth_list(plan, booths_pdf.print_booths(plan))

    assert data.startswith(b"%PDF")
    text = "\n".join(pages_text(data))
    for code in ("A01", "A02", "A03", "W01", "W02"):
        assert code in text
    assert "Fatima Zahra" in text
    assert ARABIC_NAME in text
    assert "Pottery hall" in text and "Pottery" in text  # zone, and the exhibitor's craft
    assert "Partner stand" in text  # a held booth says why
    assert plan.name in text  # the header


def test_booth_list_in_arabic_puts_the_arabic_names_first(plan):
    with translation.override("ar"):
        data = booths_pdf.render_booth_list(plan, booths_pdf.print_booths(plan), rtl=True)

    text = pages_text(data)[0]
    assert ARABIC_NAME in text and "Fatima Zahra" in text
    assert ARABIC_ZONE in text  # the zone's Arabic name in an Arabic document
    assert "معرض الصناعة التقليدية" in text  # the fair's Arabic name is the title
    assert text.index(ARABIC_NAME) < text.index("Fatima Zahra")


def test_a_list_of_300_booths_runs_over_pages_with_the_header_on_each(plan):
    zone = Zone.objects.get(fair=plan, name="Weaving")
    Booth.objects.bulk_create(
        Booth(fair=plan, zone=zone, code=f"L{i:03d}", x=Decimal(3 * (i % 30)), y=Decimal(20 + 4 * (i // 30)))
        for i in range(295)
    )

    data = booths_pdf.render_booth_list(plan, booths_pdf.print_booths(plan))

    pages = pages_text(data)
    assert len(pages) >= 4
    assert all("Exhibitor" in page and "Booth" in page for page in pages)  # header repeated
    text = "\n".join(pages)
    assert all(f"L{i:03d}" in text for i in range(295))
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "300 booths" in pages[0]


# --- The floor plan -------------------------------------------------------------------------


def test_plan_draws_every_booth_code_and_a_legend_of_zones(plan):
    data = render_plan(plan)

    pages = pages_text(data)
    assert len(pages) == 1
    for code in ("A01", "A02", "A03", "W01", "W02"):
        assert code in pages[0]
    assert "Pottery hall" in pages[0] and "Weaving" in pages[0]
    assert ARABIC_ZONE in pages[0]  # the legend's Arabic zone name, shaped
    assert "Held or blocked (1 booth)" in pages[0]
    assert plan.name in pages[0]


def test_plan_in_arabic_has_the_arabic_title_and_zone_names(plan):
    with translation.override("ar"):
        data = render_plan(plan, rtl=True)

    text = pages_text(data)[0]
    assert "معرض الصناعة التقليدية" in text
    assert ARABIC_ZONE in text
    assert "A01" in text


def test_a_large_plan_goes_to_a3_and_stays_on_one_page(plan):
    zone = Zone.objects.get(fair=plan, name="Weaving")
    Booth.objects.bulk_create(
        Booth(fair=plan, zone=zone, code=f"L{i:03d}", x=Decimal(3 * (i % 40)), y=Decimal(20 + 5 * (i // 40)))
        for i in range(400)
    )

    data = render_plan(plan)

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert width > height and round(width) == 1191  # A3 landscape
    text = pages_text(data)[0]
    assert "L000" in text and "L399" in text


def test_plan_of_a_fair_without_booths_says_so():
    zone = ZoneFactory()
    data = render_plan(zone.fair)
    assert "no booths on its plan yet" in pages_text(data)[0]


# --- The staff URLs -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["booths:plan_pdf", "booths:booth_list_pdf"])
def test_staff_download_the_pdfs(staff_client, plan, name):
    response = staff_client.get(reverse(name, args=[plan.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "A01" in "\n".join(pages_text(response.content))


@pytest.mark.parametrize("name", ["booths:plan_pdf", "booths:booth_list_pdf"])
def test_the_pdfs_follow_the_users_language(client, staff_user, plan, name):
    client.force_login(staff_user)
    client.cookies["django_language"] = "ar"
    response = client.get(reverse(name, args=[plan.pk]))

    assert response.status_code == 200
    assert "معرض الصناعة التقليدية" in pages_text(response.content)[0]


@pytest.mark.parametrize("name", ["booths:plan_pdf", "booths:booth_list_pdf"])
def test_the_pdfs_are_for_staff_only(client, make_user, plan, name):
    url = reverse(name, args=[plan.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (make_user("reviewer"), make_user("scanner"), make_user()):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_pdf_of_an_unknown_fair_is_a_404(staff_client):
    assert staff_client.get(reverse("booths:plan_pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize("taken", [1, 3])
def test_booth_list_pdf_query_budget(staff_client, django_assert_num_queries, staff_user, taken):
    zone = ZoneFactory()
    for _ in range(taken):
        application = ApplicationFactory(fair=zone.fair, status=Application.Status.CONFIRMED)
        services.booth_assign(booth=BoothFactory(zone=zone), application=application, actor=staff_user)
    url = reverse("booths:booth_list_pdf", args=[zone.fair.pk])
    # session, user, roles, the fair, the booths with zone, exhibitor and craft
    with django_assert_num_queries(5):
        response = staff_client.get(url)
    assert response.status_code == 200
