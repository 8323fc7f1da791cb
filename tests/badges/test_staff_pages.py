"""Staff pages of badges and scanner devices, and the artisan's own badge download."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges import services
from badges.models import Badge, BadgeKind, BadgeSetup, CardFormat, ScannerDevice
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.factories import ApplicationFactory, ArtisanFactory, FairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def url(name, *args):
    return reverse(f"badges:{name}", args=args)


@pytest.fixture
def device(staff_user):
    device, _token = services.device_create(name="Gate A phone", fair=None, actor=staff_user)
    return device


# --- Who may see the pages --------------------------------------------------------------------

PAGES = [
    ("badge_list", "fair"),
    ("badges_issue", "fair"),
    ("badge_create", "fair"),
    ("badge_import", "fair"),
    ("badge_import_sample", "fair"),
    ("badge_detail", "badge"),
    ("badge_revoke", "badge"),
    ("badge_reissue", "badge"),
    ("device_list", None),
    ("device_create", None),
    ("device_revoke", "device"),
]


def page_url(name, arg, running_fair, badge, device):
    value = {"fair": running_fair.pk, "badge": badge.serial, "device": device.pk, None: None}[arg]
    return url(name, value) if value is not None else url(name)


@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_staff_get_every_page(client, staff_user, running_fair, badge, device, name, arg):
    client.force_login(staff_user)
    response = client.get(page_url(name, arg, running_fair, badge, device))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "arg"), PAGES)
@pytest.mark.parametrize("role", ["scanner", "reviewer", None])
def test_others_are_refused(client, make_user, running_fair, badge, device, name, arg, role):
    client.force_login(make_user(role) if role else make_user())
    assert client.get(page_url(name, arg, running_fair, badge, device)).status_code == 403


@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_anonymous_goes_to_login(client, running_fair, badge, device, name, arg):
    response = client.get(page_url(name, arg, running_fair, badge, device))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "arg"), [("badges_issue", "fair"), ("badge_revoke", "badge"), ("device_revoke", "device")]
)
def test_others_cannot_post(client, scanner_user, running_fair, badge, device, name, arg):
    client.force_login(scanner_user)
    response = client.post(page_url(name, arg, running_fair, badge, device), {"reason": "x"})
    assert response.status_code == 403
    badge.refresh_from_db()
    device.refresh_from_db()
    assert badge.revoked_at is None and device.revoked_at is None


# --- The list ---------------------------------------------------------------------------------


def test_list_counts_filters_and_search(staff_client, running_fair, badges, press, staff_user):
    services.badge_revoke(badge=badges[0], actor=staff_user, reason="lost")
    response = staff_client.get(url("badge_list", running_fair.pk))
    counts = {c["kind"]: (c["valid"], c["revoked"]) for c in response.context["counts"]}
    assert counts[BadgeKind.EXHIBITOR] == (2, 1)
    assert counts[BadgeKind.PRESS] == (1, 0)
    assert counts[BadgeKind.VIP] == (0, 0)
    assert len(response.context["badges"]) == 4

    response = staff_client.get(url("badge_list", running_fair.pk), {"kind": "press"})
    assert [b.serial for b in response.context["badges"]] == [press.serial]
    response = staff_client.get(url("badge_list", running_fair.pk), {"state": "revoked"})
    assert [b.serial for b in response.context["badges"]] == [badges[0].serial]
    response = staff_client.get(url("badge_list", running_fair.pk), {"q": "idriss"})
    assert [b.serial for b in response.context["badges"]] == [press.serial]
    response = staff_client.get(url("badge_list", running_fair.pk), {"q": badges[1].serial.lower()})
    assert [b.serial for b in response.context["badges"]] == [badges[1].serial]
    response = staff_client.get(url("badge_list", running_fair.pk), {"q": "سلمى"})
    assert [b.serial for b in response.context["badges"]] == [press.serial]


def test_list_paginates(staff_client, running_fair, staff_user, monkeypatch):
    from badges.views import staff as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for index in range(5):
        services.badge_create(fair=running_fair, actor=staff_user, kind=BadgeKind.VISITOR, name=f"V {index}")
    response = staff_client.get(url("badge_list", running_fair.pk), {"kind": "visitor", "page": 3})
    assert [b.name for b in response.context["badges"]] == ["V 4"]
    assert "kind=visitor&amp;page=2" in response.content.decode()


def test_list_query_count_does_not_grow_with_badges(
    client, staff_user, running_fair, django_assert_num_queries
):
    client.force_login(staff_user)
    services.badge_create(fair=running_fair, actor=staff_user, kind=BadgeKind.STAFF, name="One")
    target = url("badge_list", running_fair.pk)
    with CaptureQueriesContext(connection) as one:
        assert client.get(target).status_code == 200
    for name in ("Two", "Three"):
        services.badge_create(fair=running_fair, actor=staff_user, kind=BadgeKind.VIP, name=name)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(target)
    assert len(response.context["badges"]) == 3
    assert len(one.captured_queries) <= 10  # 8 today: session, user, roles, fair, counts, missing, page


def test_list_of_a_fair_that_no_longer_issues_offers_no_issuing(staff_client, running_fair):
    Fair.objects.filter(pk=running_fair.pk).update(status=Fair.Status.CLOSED)
    html = staff_client.get(url("badge_list", running_fair.pk)).content.decode()
    assert url("badges_issue", running_fair.pk) not in html
    assert "Badges are issued while the fair is allocating, published or running" in html


# --- Issuing the missing exhibitor badges ----------------------------------------------------


def test_issue_missing_confirms_then_issues_only_what_is_missing(staff_client, running_fair):
    page = staff_client.get(url("badges_issue", running_fair.pk))
    assert page.context["missing"] == 3
    assert "Issue 3 badges" in page.content.decode()
    assert not Badge.objects.exists()  # the GET is only the confirmation

    response = staff_client.post(url("badges_issue", running_fair.pk))
    assert response.status_code == 302
    assert Badge.objects.filter(fair=running_fair, kind=BadgeKind.EXHIBITOR).count() == 3

    ApplicationFactory(fair=running_fair, status=ApplicationStatus.CONFIRMED)
    assert staff_client.get(url("badges_issue", running_fair.pk)).context["missing"] == 1
    staff_client.post(url("badges_issue", running_fair.pk))
    assert Badge.objects.filter(fair=running_fair).count() == 4

    response = staff_client.post(url("badges_issue", running_fair.pk), follow=True)
    assert Badge.objects.filter(fair=running_fair).count() == 4
    assert "nothing was issued" in response.content.decode()


def test_issue_on_a_closed_fair_is_a_flash_error(staff_client, running_fair):
    Fair.objects.filter(pk=running_fair.pk).update(status=Fair.Status.CLOSED)
    response = staff_client.post(url("badges_issue", running_fair.pk), follow=True)
    assert not Badge.objects.exists()
    assert "cannot be issued or changed" in response.content.decode()


# --- Adding a badge by hand -------------------------------------------------------------------


def badge_data(fair, **changes):
    data = {
        "kind": "press", "name": "Youssef Amrani", "name_ar": "يوسف العمراني", "organisation": "Le Matin",
        "role_label": "journalist", "email": "y@example.ma",
        "valid_from": fair.starts_on.isoformat(), "valid_until": fair.ends_on.isoformat(),
    }  # fmt: skip
    return data | changes


def test_add_form_defaults_to_the_fairs_dates(staff_client, running_fair):
    form = staff_client.get(url("badge_create", running_fair.pk)).context["form"]
    assert form.initial["valid_from"] == running_fair.starts_on
    assert form.initial["valid_until"] == running_fair.ends_on
    assert BadgeKind.EXHIBITOR not in dict(form.fields["kind"].choices)


def test_add_badge(staff_client, running_fair):
    response = staff_client.post(url("badge_create", running_fair.pk), badge_data(running_fair))
    badge = Badge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("badge_detail", badge.serial)
    assert (badge.kind, badge.name_ar, badge.role_label) == ("press", "يوسف العمراني", "journalist")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": "+2", "valid_until": "0"}, "valid_until"),  # reversed
        ({"valid_from": "-30", "valid_until": "0"}, "valid_from"),  # a month before the fair
        ({"valid_from": "0", "valid_until": "+30"}, "valid_until"),  # long after it
    ],
)
def test_add_badge_with_bad_validity_shows_the_field_error(staff_client, running_fair, changes, field):
    today = timezone.localdate()
    dates = {k: (today + dt.timedelta(days=int(v))).isoformat() for k, v in changes.items()}
    response = staff_client.post(url("badge_create", running_fair.pk), badge_data(running_fair, **dates))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Badge.objects.exists()


def test_add_badge_without_a_name_creates_nothing(staff_client, running_fair):
    response = staff_client.post(url("badge_create", running_fair.pk), badge_data(running_fair, name=""))
    assert response.context["form"].errors["name"]
    assert not Badge.objects.exists()


def test_add_exhibitor_badge_by_hand_is_refused(staff_client, running_fair):
    response = staff_client.post(
        url("badge_create", running_fair.pk), badge_data(running_fair, kind="exhibitor")
    )
    assert response.context["form"].errors["kind"]
    assert not Badge.objects.exists()


# --- One badge: revoke, reissue -------------------------------------------------------------


def test_badge_page_shows_who_and_scans(staff_client, badge, running_fair, staff_user):
    services.check_in(
        fair=running_fair, code=badge.serial, gate="Gate A", direction="in", nonce="n1", scanner=staff_user
    )
    response = staff_client.get(url("badge_detail", badge.serial.lower()))
    html = response.content.decode()
    assert badge.name in html
    assert "Gate A" in html
    assert response.context["scans"][0].result == "ok"
    assert url("badge_pdf", badge.serial) in html


def test_revoke_needs_a_reason(staff_client, badge):
    response = staff_client.post(url("badge_revoke", badge.serial), {"reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    badge.refresh_from_db()
    assert badge.revoked_at is None


def test_revoke_through_the_page(staff_client, badge, staff_user):
    page = staff_client.get(url("badge_revoke", badge.serial))
    assert "cannot be undone" in page.content.decode()
    response = staff_client.post(url("badge_revoke", badge.serial), {"reason": "lost at the gate"})
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.revoked_at is not None and badge.revoke_reason == "lost at the gate"
    assert badge.revoked_by == staff_user
    html = staff_client.get(url("badge_detail", badge.serial)).content.decode()
    assert "lost at the gate" in html and "Revoked on" in html
    assert url("badge_revoke", badge.serial) not in html

    again = staff_client.post(url("badge_revoke", badge.serial), {"reason": "twice"})
    assert again.status_code == 200  # the page says it is already revoked; nothing changes
    badge.refresh_from_db()
    assert badge.revoke_reason == "lost at the gate"


def test_reissue_through_the_page_goes_to_the_new_badge(staff_client, badge):
    response = staff_client.post(url("badge_reissue", badge.serial), {"reason": "name misspelt"})
    badge.refresh_from_db()
    new = badge.replaced_by
    assert new is not None and new.serial != badge.serial
    assert response.status_code == 302
    assert response["Location"] == url("badge_detail", new.serial)
    assert badge.revoke_reason == "name misspelt"
    old_page = staff_client.get(url("badge_detail", badge.serial)).content.decode()
    assert url("badge_detail", new.serial) in old_page
    new_page = staff_client.get(url("badge_detail", new.serial))
    assert new_page.context["replaces"].serial == badge.serial


def test_reissue_needs_a_reason(staff_client, badge):
    response = staff_client.post(url("badge_reissue", badge.serial), {"reason": ""})
    assert response.context["form"].errors["reason"]
    assert Badge.objects.count() == 3


def test_unknown_serial_is_404_for_staff(staff_client):
    assert staff_client.get(url("badge_detail", "AAAAAAAA")).status_code == 404


def test_card_format_is_chosen_on_the_list(staff_client, running_fair, badge):
    response = staff_client.post(url("badge_format", running_fair.pk), {"card_format": "a6"})
    assert response.status_code == 302
    assert BadgeSetup.objects.get(fair=running_fair).card_format == CardFormat.A6
    staff_client.post(url("badge_format", running_fair.pk), {"card_format": "poster"})
    assert BadgeSetup.objects.get(fair=running_fair).card_format == CardFormat.A6


# --- One badge's PDF (a fair's: test_printing.py) ------------------------------------------------------------


def assert_pdf(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{filename}"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_one_badge_pdf(staff_client, badge):
    assert_pdf(staff_client.get(url("badge_pdf", badge.serial)), f"badge-{badge.serial}.pdf")


def test_revoked_badge_pdf_goes_back_with_a_message(staff_client, badge, staff_user):
    services.badge_revoke(badge=badge, actor=staff_user, reason="lost")
    response = staff_client.get(url("badge_pdf", badge.serial), follow=True)
    assert response.redirect_chain[-1][0] == url("badge_detail", badge.serial)
    assert "There is no valid badge to print." in response.content.decode()


def test_pdfs_are_for_staff_only(client, scanner_user, badge):
    client.force_login(scanner_user)
    assert client.get(url("badge_pdf", badge.serial)).status_code == 403


# --- Scanner devices --------------------------------------------------------------------------


def test_device_create_shows_the_token_once(staff_client, running_fair):
    response = staff_client.post(url("device_create"), {"name": "Gate B tablet", "fair": running_fair.pk})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["token"]
    device = ScannerDevice.objects.get()
    assert device.fair == running_fair
    assert device.token_hash == ScannerDevice.hash_token(token)
    html = response.content.decode()
    assert f"/scan/#device={token}" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg and "<path" in svg.group(0) and "<script" not in html.split("<main", 1)[1].split("</main>")[0]

    listing = staff_client.get(url("device_list")).content.decode()
    assert "Gate B tablet" in listing
    assert token not in listing
    assert token not in staff_client.get(url("device_revoke", device.pk)).content.decode()


def test_device_for_all_fairs(staff_client):
    staff_client.post(url("device_create"), {"name": "Roaming phone", "fair": ""})
    assert ScannerDevice.objects.get().fair is None
    assert "all fairs" in staff_client.get(url("device_list")).content.decode()


def test_device_without_a_name_is_a_field_error(staff_client):
    response = staff_client.post(url("device_create"), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert not ScannerDevice.objects.exists()


def test_device_revoke_confirms_then_revokes(staff_client, device):
    page = staff_client.get(url("device_revoke", device.pk))
    assert "stops working" in page.content.decode()
    device.refresh_from_db()
    assert device.revoked_at is None
    response = staff_client.post(url("device_revoke", device.pk))
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert url("device_revoke", device.pk) not in staff_client.get(url("device_list")).content.decode()


# --- The artisan's own badge ------------------------------------------------------------------


@pytest.fixture
def artisan_user(make_user):
    return make_user(username="fatima")


@pytest.fixture
def own_badge(running_fair, artisan_user, staff_user):
    application = ApplicationFactory(
        fair=running_fair, status=ApplicationStatus.CONFIRMED, artisan=ArtisanFactory(user=artisan_user)
    )
    services.badges_issue_for_fair(fair=running_fair, actor=staff_user)
    return Badge.objects.get(application=application)


def test_artisan_downloads_own_badge(client, artisan_user, own_badge):
    client.force_login(artisan_user)
    page = client.get(own_badge.application.get_absolute_url()).content.decode()
    link = url("my_badge_pdf", own_badge.serial)
    assert link in page and "Download my badge (PDF)" in page
    assert_pdf(client.get(link), f"badge-{own_badge.serial}.pdf")


def test_another_artisan_gets_404(client, make_user, own_badge, running_fair):
    other = make_user(username="other")
    ApplicationFactory(
        fair=running_fair, status=ApplicationStatus.CONFIRMED, artisan=ArtisanFactory(user=other)
    )
    client.force_login(other)
    assert client.get(url("my_badge_pdf", own_badge.serial)).status_code == 404


def test_staff_and_anonymous_do_not_use_the_artisans_link(client, staff_user, own_badge):
    response = client.get(url("my_badge_pdf", own_badge.serial))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(staff_user)
    assert client.get(url("my_badge_pdf", own_badge.serial)).status_code == 404


def test_revoked_badge_is_not_downloaded(client, artisan_user, own_badge, staff_user):
    services.badge_revoke(badge=own_badge, actor=staff_user, reason="lost")
    client.force_login(artisan_user)
    assert client.get(url("my_badge_pdf", own_badge.serial)).status_code == 404
    page = client.get(own_badge.application.get_absolute_url()).content.decode()
    assert "Download my badge" not in page


@pytest.mark.parametrize("status", [Fair.Status.ALLOCATING, Fair.Status.CLOSED])
def test_no_download_before_publication_or_after_the_fair(client, artisan_user, own_badge, status):
    Fair.objects.filter(pk=own_badge.fair_id).update(status=status)
    client.force_login(artisan_user)
    assert client.get(url("my_badge_pdf", own_badge.serial)).status_code == 404
    assert "Download my badge" not in client.get(own_badge.application.get_absolute_url()).content.decode()


def test_staff_see_a_link_to_the_badge_on_the_application(staff_client, own_badge):
    html = staff_client.get(own_badge.application.get_absolute_url()).content.decode()
    assert url("badge_detail", own_badge.serial) in html
    assert "Download my badge" not in html


# --- Navigation -------------------------------------------------------------------------------


def test_navigation(client, staff_user, scanner_user, running_fair):
    client.force_login(staff_user)
    html = client.get(running_fair.get_absolute_url()).content.decode()
    assert url("badge_list", running_fair.pk) in html
    assert url("device_list") in html
    client.force_login(scanner_user)
    html = client.get(reverse("fairs:public_home")).content.decode()
    assert "Scanner" in html and url("device_list") not in html


def test_pages_render_in_arabic_and_french(client, staff_user, running_fair, badge, press):
    client.force_login(staff_user)
    for language in ("ar", "fr"):
        client.cookies["django_language"] = language
        for target in (
            url("badge_list", running_fair.pk),
            url("badge_detail", badge.serial),
            url("device_list"),
        ):
            response = client.get(target)
            assert response.status_code == 200
            assert f'lang="{language}"' in response.content.decode()


def test_the_device_list_page_has_a_query_budget(staff_client, staff_user):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("badges:device_list")).status_code == 200
        return len(queries)

    services.device_create(name="Gate A", fair=FairFactory(), actor=staff_user)
    one = count()
    for n in range(3):
        services.device_create(name=f"Gate {n}", fair=FairFactory(), actor=staff_user)
    assert count() == one
