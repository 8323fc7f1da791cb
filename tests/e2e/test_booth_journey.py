"""Issue 4's "Done when", in a browser: staff build the plan of an upcoming fair, run the
allocation, adjust two booths by hand and publish; an artisan sees their booth on the plan
from a phone.

As in the other browser tests, elements are found by URL, id, name and value; the only text
compared is booth codes and names the test itself chose.
"""

import re

import pytest
from playwright.sync_api import expect

from booths.models import Assignment, Booth
from fairs.models import Fair
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, FairFactory, ZoneFactory

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SUBMIT = 'main form[method="post"] button[type="submit"]'


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def booth_of(application) -> Booth:
    return Assignment.objects.select_related("booth").get(application=application).booth


@pytest.fixture
def staff_member(make_user):
    return make_user("staff", username="nadia")


@pytest.fixture
def fair_in_allocation():
    """An upcoming fair in its allocation step, with one hall and no booth yet."""
    fair = FairFactory(name="Foire de l'artisanat de Settat", slug="foire-settat-booths", status="allocating")
    zone = ZoneFactory(fair=fair, name="Hall des potiers", colour="#b5562e")
    return fair, zone


@pytest.fixture
def confirmed_applications(make_user, fair_in_allocation):
    """Four confirmed exhibitors; the first (Amina) has an account."""
    fair, _zone = fair_in_allocation
    amina = ArtisanFactory(
        user=make_user(username="BH310245"), cin="BH310245", first_name="Amina", last_name="Berrada"
    )
    others = [
        ArtisanFactory(first_name="Youssef", last_name="Alaoui"),
        ArtisanFactory(first_name="Rachida", last_name="Fassi"),
        ArtisanFactory(first_name="Omar", last_name="Kettani"),
    ]
    return [
        ApplicationFactory(fair=fair, status=Application.Status.CONFIRMED, artisan=artisan)
        for artisan in [amina, *others]
    ]


def add_grid(page, fair, zone):
    """Six 3 × 3 m booths, two rows of three, in the hall, through the grid generator."""
    page.goto(f"/staff/fairs/{fair.pk}/plan/")
    page.locator(f'main a[href$="/staff/fairs/{fair.pk}/booths/grid/"]').first.click()
    expect(page).to_have_url(re.compile(rf"/staff/fairs/{fair.pk}/booths/grid/$"))
    page.select_option("#id_zone", str(zone.pk))
    page.fill("#id_prefix", "A")
    page.fill("#id_start", "1")
    page.fill("#id_rows", "2")
    page.fill("#id_columns", "3")
    page.fill("#id_x", "0")
    page.fill("#id_y", "0")
    page.fill("#id_width", "3")
    page.fill("#id_depth", "3")
    page.fill("#id_aisle", "2")
    page.select_option("#id_size", "9")
    page.fill("#id_price", "500")
    page.locator(SUBMIT).click()
    expect(page).to_have_url(re.compile(rf"/staff/fairs/{fair.pk}/plan/"))
    expect(page.locator('main [role="alert"].alert-success')).to_be_visible()


def test_staff_plan_allocate_adjust_publish_and_artisan_sees_booth_on_a_phone(
    new_page, live_server, log_in, save_screenshot, staff_member, fair_in_allocation, confirmed_applications
):
    fair, zone = fair_in_allocation
    amina_application = confirmed_applications[0]
    amina = amina_application.artisan

    # --- Staff, on a desktop: the plan. ---
    staff = new_page(**DESKTOP)
    log_in(staff, staff_member)
    staff.goto(f"/staff/fairs/{fair.pk}/plan/")
    expect(staff.locator("main .plan-frame svg")).to_have_count(0)  # no booth yet
    add_grid(staff, fair, zone)

    codes = ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert sorted(Booth.objects.filter(fair=fair).values_list("code", flat=True)) == codes
    assert set(Booth.objects.filter(fair=fair).values_list("zone", flat=True)) == {zone.pk}
    svg = staff.locator("main .plan-frame svg")
    expect(svg).to_have_count(1)
    for code in codes:
        expect(svg.locator("text", has_text=re.compile(rf"^{code}$"))).to_have_count(1)
    save_screenshot(staff, "booths-plan-built")

    # --- The allocation: preview, then commit. ---
    staff.goto(f"/staff/fairs/{fair.pk}/allocation/")
    expect(staff.locator("#confirmed-count")).to_have_text("4")
    expect(staff.locator("#engine-booths")).to_have_text("6")
    staff.fill("#id_seed", "settat-2025")
    staff.locator(
        f'main form[action$="/staff/fairs/{fair.pk}/allocation/preview/"] button[type="submit"]'
    ).click()
    expect(staff).to_have_url(re.compile(r"/allocation/preview/"))
    expect(staff.locator("#seed")).to_have_text("settat-2025")
    expect(staff.locator("#placements tbody tr")).to_have_count(4)
    assert not Assignment.objects.filter(fair=fair).exists()  # a preview writes nothing
    save_screenshot(staff, "booths-allocation-preview")
    staff.locator(
        f'main form[action$="/staff/fairs/{fair.pk}/allocation/commit/"] button[type="submit"]'
    ).first.click()
    expect(staff.locator('main [role="alert"].alert-success')).to_be_visible()

    for application in confirmed_applications:
        assignment = Assignment.objects.get(application=application)
        assert (assignment.fair_id, assignment.method, assignment.locked) == (fair.pk, "auto", False)
    assert Assignment.objects.filter(fair=fair).count() == 4

    # --- Two booths adjusted by hand: Amina swaps with Youssef. ---
    youssef_application = confirmed_applications[1]
    amina_before, youssef_before = booth_of(amina_application), booth_of(youssef_application)
    staff.goto(f"/staff/booths/{amina_before.pk}/")
    expect(staff.locator("main h1 bdi")).to_have_text(amina_before.code)
    staff.select_option("#id_swap-other", str(youssef_before.pk))
    staff.locator(f'main form[action$="/staff/booths/{amina_before.pk}/swap/"] button[type="submit"]').click()
    expect(staff.locator('main [role="alert"].alert-success')).to_be_visible()

    amina_after = Assignment.objects.get(application=amina_application)
    youssef_after = Assignment.objects.get(application=youssef_application)
    assert (amina_after.booth_id, youssef_after.booth_id) == (youssef_before.pk, amina_before.pk)
    for assignment in (amina_after, youssef_after):
        assert (assignment.method, assignment.locked) == (Assignment.Method.MANUAL, True)
    assert Assignment.objects.filter(fair=fair, locked=True).count() == 2
    assert Assignment.objects.filter(fair=fair).count() == 4
    staff.goto(f"/staff/booths/{youssef_before.pk}/")
    expect(staff.locator("#exhibitor-title + p")).to_contain_text(amina.full_name)

    # --- Publish. ---
    staff.goto(f"/staff/fairs/{fair.pk}/publish/")
    staff.locator(SUBMIT).click()
    expect(staff).to_have_url(re.compile(rf"/staff/fairs/{fair.pk}/$"))
    fair.refresh_from_db()
    assert fair.status == Fair.Status.PUBLISHED

    # --- Amina, on her phone: her booth on the plan, and nobody else's name. ---
    phone = new_page(**PHONE)
    log_in(phone, amina.user)
    phone.goto(f"/applications/{amina_application.pk}/")
    mine = phone.locator('main section[aria-labelledby="my-booth-title"]')
    expect(mine).to_have_count(1)
    expect(mine.locator("#my-booth-title bdi")).to_have_text(youssef_before.code)
    expect(mine.locator("#my-booth-title")).to_contain_text(zone.name)
    expect(mine.locator(".plan-frame svg")).to_have_count(1)
    expect(mine.locator(".plan-frame svg a")).to_have_count(0)  # no links to staff pages
    save_screenshot(phone, "booths-artisan-phone")
    html = phone.content()
    for application in confirmed_applications[1:]:
        other = application.artisan
        for secret in (other.full_name, other.last_name, other.cin):
            assert secret not in html, f"{secret!r} shown to another exhibitor"
    assert horizontal_overflow(phone) == 0
