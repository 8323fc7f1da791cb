"""What an artisan sees without logging in: the calls page in Arabic, and on a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fairs.models import Fair
from tests.factories import FairFactory

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def open_call():
    """A fair whose call for applications is open right now, with an Arabic name."""
    now = timezone.now()
    return FairFactory(
        name="Salon national du tapis et du tissage",
        name_ar="المعرض الوطني للزربية والنسيج",
        slug="salon-tapis",
        scope=Fair.Scope.NATIONAL,
        status=Fair.Status.OPEN,
        applications_open_at=now - dt.timedelta(days=2),
        applications_close_at=now + dt.timedelta(days=20),
    )


@pytest.fixture
def draft_fair():
    return FairFactory(name="Foire en préparation", name_ar="معرض قيد الإعداد", slug="en-preparation")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def test_bootstrap_and_souk_css_load_from_the_live_server(page, live_server):
    page.goto("/")
    for link in page.locator('link[rel="stylesheet"]').all():
        response = page.request.get(link.get_attribute("href"))
        assert response.status == 200, link.get_attribute("href")
        assert response.headers["content-type"].startswith("text/css")
    navbar = page.locator("nav.navbar")
    expect(navbar).to_have_css("display", "flex")  # Bootstrap's rule
    expect(navbar).to_have_css("background-color", "rgb(11, 110, 79)")  # souk.css's green
    # Bootstrap's JavaScript is there too: the collapse plugin is defined.
    assert page.evaluate("typeof window.bootstrap?.Collapse") == "function"


def test_public_page_in_arabic_shows_the_arabic_name_of_an_open_call(
    page, live_server, choose_language, open_call, draft_fair
):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    choose_language(page, "ar")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator('link[rel="stylesheet"][href*="bootstrap.rtl"]')).to_have_count(1)
    calls = page.locator('section[aria-labelledby="calls"]')
    link = calls.locator(f'a[href$="/f/{open_call.slug}/"]')
    expect(link).to_have_text("المعرض الوطني للزربية والنسيج")
    expect(page.locator(f'a[href$="/f/{draft_fair.slug}/"]')).to_have_count(0)  # drafts stay private

    link.click()
    expect(page).to_have_url(re.compile(rf"/f/{open_call.slug}/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_have_text("المعرض الوطني للزربية والنسيج")
    expect(page.locator('main .alert-success[role="status"]')).to_be_visible()  # the call is open


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_public_page_fits_a_phone(new_page, live_server, save_screenshot, open_call, language):
    page = new_page(**PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The navbar is collapsed behind its toggler…
    toggler = page.locator("nav .navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    expect(page.locator(f'a[href$="/f/{open_call.slug}/"]')).to_be_visible()
    assert horizontal_overflow(page) == 0
    save_screenshot(page, f"public-phone-{language}")

    # …and opens on a tap, language selector included.
    toggler.tap()
    expect(page.locator("#nav")).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    assert horizontal_overflow(page) == 0
    save_screenshot(page, f"public-phone-{language}-menu")

    page.goto(f"/f/{open_call.slug}/")
    expect(page.locator("main h1")).to_be_visible()
    assert horizontal_overflow(page) == 0
