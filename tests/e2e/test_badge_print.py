"""Staff print a fair's badges in the browser: the PDF is drawn in the background, the page
shows how far it is and refreshes itself, then offers the download (badges/printing.py)."""

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from badges import printing, services
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.factories import ApplicationFactory, FairFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def fair_with_badges():
    today = timezone.localdate()
    fair = FairFactory(
        name="Foire de la vannerie",
        status=Fair.Status.RUNNING,
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
    )
    for _ in range(12):
        ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
    services.badges_issue_for_fair(fair=fair, actor=None)
    return fair


def test_staff_watch_the_badges_pdf_being_drawn_then_download_it(
    page, live_server, log_in, make_user, fair_with_badges, settings, monkeypatch
):
    settings.SOUK_BADGE_PRINT_INLINE = False  # the real thing: a thread of the server draws it
    real = printing.badges_pdf

    def slow(*args, **kwargs):  # long enough to see the progress page refresh itself
        time.sleep(2.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(printing, "badges_pdf", slow)
    log_in(page, make_user("staff", username="nadia"))
    page.goto(f"/staff/fairs/{fair_with_badges.pk}/badges/")
    page.locator('button[name="layout"][value="sheet"]').click()

    expect(page).to_have_url(re.compile(r"/staff/badge-prints/[0-9a-f-]{36}/$"))
    expect(page.locator("#print-progress-text")).to_contain_text("12")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    download_link = page.locator("#print-download")
    expect(download_link).to_be_visible(timeout=20_000)  # the page refreshed itself until ready
    assert page.locator('meta[http-equiv="refresh"]').count() == 0

    with page.expect_download() as caught:
        download_link.click()
    download = caught.value
    assert download.suggested_filename == f"badges-{fair_with_badges.slug}-sheets.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
