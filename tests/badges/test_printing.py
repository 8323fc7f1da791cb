"""A fair's badges as one PDF, drawn in the background with its progress shown
(badges/printing.py): start, progress page, download, failures, who may, the thread."""

import datetime as dt
import io
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from badges import printing, services
from badges.models import BadgePrint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def start_url(fair):
    return reverse("badges:badge_print_start", args=[fair.pk])


def page_url(job):
    return reverse("badges:badge_print", args=[job.pk])


def test_staff_start_a_print_watch_it_and_download_it(staff_client, running_fair, badges, press):
    services.badge_revoke(badge=badges[0], actor=None, reason="lost")
    response = staff_client.post(start_url(running_fair), {"layout": "card", "kind": ""})

    job = BadgePrint.objects.get()
    assert response.status_code == 302 and response["Location"] == page_url(job)
    assert (job.status, job.done, job.total, job.layout, job.kind) == ("ready", 3, 3, "card", "")
    page = staff_client.get(page_url(job)).content.decode()
    assert "The PDF of 3 badges is ready." in page and 'http-equiv="refresh"' not in page
    download = staff_client.get(reverse("badges:badge_print_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert f'filename="badges-{running_fair.slug}.pdf"' in download["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 3  # revoked one left out


def test_one_kind_as_sheets(staff_client, running_fair, badges, press):
    staff_client.post(start_url(running_fair), {"layout": "sheet", "kind": "press"})
    job = BadgePrint.objects.get()
    assert (job.total, printing.print_filename(job)) == (1, f"badges-{running_fair.slug}-press-sheets.pdf")
    assert len(PdfReader(printing.print_path(job)).pages) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"layout": "card", "kind": "vip"}, "There is no valid badge to print."),
        ({"layout": "poster", "kind": ""}, "Choose cards or A4 sheets."),
        ({"layout": "card", "kind": "king"}, "Unknown kind of badge."),
    ],
)
def test_nothing_to_print_or_bad_input_says_why_and_records_nothing(
    staff_client, running_fair, badges, data, message
):
    response = staff_client.post(start_url(running_fair), data, follow=True)
    assert message in response.content.decode()
    assert not BadgePrint.objects.exists()


def drawing(fair, **changes) -> BadgePrint:
    fields = {
        "id": uuid.uuid4(),
        "fair": fair,
        "layout": "card",
        "status": "drawing",
        "done": 412,
        "total": 2000,
    }
    return BadgePrint.objects.create(**fields | {"progressed_at": timezone.now()} | changes)


def test_the_page_shows_progress_and_refreshes_itself_while_drawing(staff_client, running_fair):
    job = drawing(running_fair)
    page = staff_client.get(page_url(job)).content.decode()
    assert "412 of 2000 badges drawn" in page and 'aria-valuenow="412"' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    not_yet = staff_client.get(reverse("badges:badge_print_download", args=[job.pk]))
    assert not_yet.status_code == 404


def test_a_print_that_stopped_moving_offers_to_start_again(staff_client, running_fair, badges):
    job = drawing(
        running_fair, progressed_at=timezone.now() - printing.STALLED_AFTER - dt.timedelta(seconds=1)
    )
    page = staff_client.get(page_url(job)).content.decode()
    assert "Drawing this PDF stopped" in page and 'http-equiv="refresh"' not in page
    assert f'action="{start_url(running_fair)}"' in page and 'name="layout" value="card"' in page


def test_a_failure_is_shown_and_logged(staff_client, running_fair, badges, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(printing, "badges_pdf", broken)
    staff_client.post(start_url(running_fair), {"layout": "card"})
    job = BadgePrint.objects.get()
    assert job.status == "failed" and "could not be drawn" in job.error
    assert "could not be drawn" in staff_client.get(page_url(job)).content.decode()
    assert "disk full" in caplog.text and not printing.print_path(job).exists()


def test_prints_older_than_a_day_are_forgotten(staff_client, running_fair, badges):
    staff_client.post(start_url(running_fair), {"layout": "card"})
    old = BadgePrint.objects.get()
    BadgePrint.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - printing.KEPT_FOR - dt.timedelta(1)
    )
    assert printing.print_path(old).exists()
    staff_client.post(start_url(running_fair), {"layout": "sheet"})
    assert list(BadgePrint.objects.values_list("layout", flat=True)) == ["sheet"]
    assert not printing.print_path(old).exists()


@pytest.mark.parametrize("role", ["scanner", "reviewer", None])
def test_only_staff(client, make_user, running_fair, badges, role):
    job = drawing(running_fair, status="ready", done=2000)
    client.force_login(make_user(role) if role else make_user())
    assert client.post(start_url(running_fair), {"layout": "card"}).status_code == 403
    assert client.get(page_url(job)).status_code == 403
    assert client.get(reverse("badges:badge_print_download", args=[job.pk])).status_code == 403
    assert BadgePrint.objects.count() == 1


def test_the_list_page_offers_both_layouts_as_prints(staff_client, running_fair, badges):
    page = staff_client.get(reverse("badges:badge_list", args=[running_fair.pk])).content.decode()
    assert f'action="{start_url(running_fair)}"' in page
    assert 'name="layout" value="card"' in page and 'name="layout" value="sheet"' in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_the_background_the_request_returns_before_the_pdf_is_drawn(
    settings, running_fair, badges, staff_user, monkeypatch
):
    """The real thing: a thread of the process draws the PDF; the request does not wait."""
    settings.SOUK_BADGE_PRINT_INLINE = False
    real = printing.badges_pdf
    monkeypatch.setattr(printing, "badges_pdf", lambda *a, **kw: (time.sleep(0.3), real(*a, **kw))[1])
    job = printing.badge_print_start(fair=running_fair, layout="card", actor=staff_user)
    assert job.status in ("waiting", "drawing") and job.total == 3
    for _ in range(200):
        job.refresh_from_db()
        if job.status not in ("waiting", "drawing"):
            break
        time.sleep(0.05)
    assert (job.status, job.done, job.error) == ("ready", 3, "")
    assert len(PdfReader(printing.print_path(job)).pages) == 3
