"""A staff member plans a fair in the browser: log in, create it, open its call — in French and Arabic.

Translations are written in parallel with the code, so elements are found by URL, id and role,
and messages are compared with what Django itself translates, never with hard-coded text.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from fairs.models import Fair
from tests.factories import VenueFactory

pytestmark = pytest.mark.e2e

FAIR_DETAIL_URL = re.compile(r"/staff/fairs/(\d+)/$")


@pytest.fixture
def staff_member(make_user):
    return make_user("staff", username="nadia")


@pytest.fixture
def venue():
    return VenueFactory(name="Complexe artisanal de Settat", name_ar="المجمع الحرفي بسطات")


def fair_dates():
    """A fair two months ahead whose call opens tomorrow and closes a month before it."""
    today = timezone.localdate()
    starts = today + dt.timedelta(days=60)
    return {
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=4),
        "opens_at": dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9, 0)),
        "closes_at": dt.datetime.combine(today + dt.timedelta(days=30), dt.time(18, 30)),
    }


def fill_fair_form(page, *, name, name_ar, slug, venue, starts_on, ends_on, opens_at, closes_at):
    page.fill("#id_name", name)
    page.fill("#id_name_ar", name_ar)
    page.fill("#id_slug", slug)
    page.select_option("#id_scope", Fair.Scope.REGIONAL)
    page.select_option("#id_role", Fair.Role.ORGANIZER)
    page.select_option("#id_venue", str(venue.pk))
    page.fill("#id_starts_on", starts_on.isoformat())
    page.fill("#id_ends_on", ends_on.isoformat())
    page.fill("#id_applications_open_at", opens_at.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_applications_close_at", closes_at.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_capacity", "40")
    page.fill("#id_fee", "350.50")


def save_fair_form(page):
    page.locator('main form[method="post"] button[type="submit"]').click()


def open_new_fair_form(page):
    page.locator('main a[href$="/staff/fairs/new/"]').click()
    expect(page).to_have_url(re.compile(r"/staff/fairs/new/$"))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_creates_a_fair_in_french_and_opens_its_call(page, live_server, log_in, staff_member, venue):
    log_in(page, staff_member)
    expect(page).to_have_url(re.compile(r"/staff/fairs/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    open_new_fair_form(page)
    dates = fair_dates()
    fill_fair_form(
        page,
        name="Foire régionale de la poterie",
        name_ar="المعرض الجهوي للفخار",
        slug="foire-poterie",
        venue=venue,
        **dates,
    )
    save_fair_form(page)

    expect(page).to_have_url(FAIR_DETAIL_URL)
    fair = Fair.objects.get(slug="foire-poterie")
    assert page.url.endswith(f"/staff/fairs/{fair.pk}/")
    assert (fair.status, fair.name_ar, fair.venue, fair.scope) == (
        "draft",
        "المعرض الجهوي للفخار",
        venue,
        "regional",
    )
    assert (fair.starts_on, fair.ends_on, fair.capacity, fair.fee) == (
        dates["starts_on"],
        dates["ends_on"],
        40,
        Decimal("350.50"),
    )
    # datetime-local values are wall-clock times in the delegation's time zone.
    assert timezone.localtime(fair.applications_open_at).replace(tzinfo=None) == dates["opens_at"]
    assert timezone.localtime(fair.applications_close_at).replace(tzinfo=None) == dates["closes_at"]
    expect(page.locator("main h1")).to_have_text("Foire régionale de la poterie")
    expect(page.locator("main .badge.status-draft")).to_be_visible()
    expect(page.locator('main [role="alert"].alert-success')).to_be_visible()

    page.locator(f'main a[href$="/staff/fairs/{fair.pk}/open/"]').click()
    expect(page).to_have_url(re.compile(rf"/staff/fairs/{fair.pk}/open/$"))
    page.locator('main form[method="post"] button[type="submit"]').click()

    expect(page).to_have_url(re.compile(rf"/staff/fairs/{fair.pk}/$"))
    fair.refresh_from_db()
    assert fair.status == Fair.Status.OPEN
    expect(page.locator("main .badge.status-open")).to_be_visible()
    with translation.override("fr"):
        expect(page.locator("main .badge.status-open")).to_have_text(str(Fair.Status.OPEN.label))
    # The next step is offered; opening again is not.
    expect(page.locator(f'main a[href$="/staff/fairs/{fair.pk}/review/"]')).to_be_visible()
    expect(page.locator(f'main a[href$="/staff/fairs/{fair.pk}/open/"]')).to_have_count(0)


def test_last_day_before_first_day_is_shown_next_to_the_field(page, live_server, log_in, staff_member, venue):
    log_in(page, staff_member)
    page.goto("/staff/fairs/")
    open_new_fair_form(page)
    dates = fair_dates()
    dates["ends_on"] = dates["starts_on"] - dt.timedelta(days=1)
    fill_fair_form(page, name="Foire à l'envers", name_ar="", slug="foire-envers", venue=venue, **dates)
    save_fair_form(page)

    expect(page).to_have_url(re.compile(r"/staff/fairs/new/$"))
    ends_on = page.locator("#id_ends_on")
    expect(ends_on).to_have_class(re.compile(r"\bis-invalid\b"))
    with translation.override("fr"):
        message = gettext("The last day cannot be before the first day.")
    expect(page.locator("#id_ends_on_error.invalid-feedback")).to_have_text(message)
    expect(page.locator("#id_starts_on")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_name")).to_have_value("Foire à l'envers")  # what was typed is kept
    assert not Fair.objects.exists()


def test_staff_creates_a_fair_in_arabic(
    page, live_server, log_in, choose_language, save_screenshot, staff_member, venue
):
    log_in(page, staff_member)
    expect(page).to_have_url(re.compile(r"/staff/fairs/$"))

    choose_language(page, "ar")
    expect(page).to_have_url(re.compile(r"/staff/fairs/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator('link[rel="stylesheet"][href*="bootstrap.rtl"]')).to_have_count(1)
    staff_member.refresh_from_db()
    assert staff_member.language == "ar"  # the choice follows the user to another device

    open_new_fair_form(page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fill_fair_form(
        page,
        name="Salon du tapis de Settat",
        name_ar="معرض الزربية بسطات",
        slug="salon-tapis-settat",
        venue=venue,
        **fair_dates(),
    )
    save_screenshot(page, "fair-form-ar")
    assert no_horizontal_scroll(page)
    save_fair_form(page)

    expect(page).to_have_url(FAIR_DETAIL_URL)
    fair = Fair.objects.get(slug="salon-tapis-settat")
    assert (fair.name_ar, fair.fee, fair.status) == (
        "معرض الزربية بسطات",
        Decimal("350.50"),
        Fair.Status.DRAFT,
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # In Arabic the breadcrumb names the fair by its Arabic name.
    expect(page.locator('main [aria-current="page"]')).to_have_text("معرض الزربية بسطات")
    expect(page.locator(f'main a[href$="/staff/fairs/{fair.pk}/open/"]')).to_be_visible()
