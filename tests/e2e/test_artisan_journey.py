"""Issue 3's "Done when", in a browser: an artisan on a phone, in Arabic, signs up, applies,
is accepted and confirms; a reviewer scores blind and staff decide in bulk; a phone number
written the usual way opens an artisan's account.

As in the other browser tests, elements are found by URL, id, name and value, and any text
compared is what Django itself translates, never a hard-coded translation.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from fairs.models import Fair
from fairs.services import fair_transition
from registrations import services
from registrations.models import Application, Artisan, Notification
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    CooperativeFactory,
    FairFactory,
    UserFactory,
    craft,
    open_fair,
    province,
)

pytestmark = pytest.mark.e2e

S = Application.Status
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
APPLICATION_URL = re.compile(r"/applications/(\d+)/$")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def assert_fits_phone_in_arabic(page):
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert horizontal_overflow(page) == 0, page.url


def in_arabic(message: str) -> str:
    """``message`` as Django translates it into Arabic."""
    with translation.override("ar"):
        return gettext(message)


def status_label(status, language) -> str:
    with translation.override(language):
        return str(S(status).label)


def phone_page_in_arabic(new_page, live_server):
    page = new_page(**PHONE, locale="ar-MA")
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    return page


@pytest.fixture
def staff_member(make_user):
    return make_user("staff", username="nadia")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", username="karim")


# --- 1. The artisan's journey on a phone ---------------------------------------------------


@pytest.fixture
def carpet_fair():
    """An open call for carpets and weaving, with an Arabic name."""
    fair = open_fair(
        name="Salon régional du tapis",
        name_ar="المعرض الجهوي للزربية",
        slug="salon-regional-tapis",
        offer_days=5,
    )
    fair.craft_categories.set([craft("carpets"), craft("weaving")])
    return fair


def fill_sign_up_form(page, *, carpets, settat):
    page.fill("#id_first_name", "Khadija")
    page.fill("#id_last_name", "El Amrani")
    page.fill("#id_first_name_ar", "خديجة")
    page.fill("#id_last_name_ar", "العمراني")
    page.fill("#id_cin", "bk 482913")
    page.fill("#id_phone", "06 61 23 45 67")
    page.fill("#id_email", "khadija.elamrani@example.ma")
    page.fill("#id_password1", "Zarbiya-Settat-24")
    page.fill("#id_password2", "Zarbiya-Settat-24")
    page.check(f'input[name="gender"][value="{Artisan.Gender.FEMALE}"]')
    page.fill("#id_birth_year", "1979")
    page.select_option("#id_main_craft", str(carpets.pk))
    page.select_option("#id_province", str(settat.pk))
    page.check(f'input[name="area"][value="{Artisan.Area.RURAL}"]')


def test_artisan_signs_up_on_a_phone_in_arabic_applies_is_accepted_and_confirms(
    new_page, live_server, log_in, save_screenshot, staff_member, carpet_fair
):
    fair = carpet_fair
    page = phone_page_in_arabic(new_page, live_server)

    # Sign up.
    page.goto("/signup/")
    assert_fits_phone_in_arabic(page)
    fill_sign_up_form(page, carpets=craft("carpets"), settat=province("settat"))
    save_screenshot(page, "artisan-signup-ar")
    page.locator('main form[method="post"] button[type="submit"]').tap()

    # "My space": the new artisan is logged in and sees the open call for their craft.
    expect(page).to_have_url(re.compile(r"/me/$"))
    assert_fits_phone_in_arabic(page)
    artisan = Artisan.objects.select_related("user").get(cin="BK482913")
    assert (artisan.phone, artisan.language, artisan.user.username, artisan.main_craft) == (
        "+212661234567",
        "ar",
        "BK482913",
        craft("carpets"),
    )
    expect(page.locator('main [role="alert"].alert-success')).to_contain_text("خديجة العمراني")
    calls = page.locator('main section[aria-labelledby="open-calls"]')
    expect(calls.locator("h3")).to_have_text("المعرض الجهوي للزربية")
    expect(page.locator("main section.border-warning")).to_have_count(0)  # no offer yet

    # Apply.
    calls.locator(f'a[href$="/fairs/{fair.pk}/apply/"]').tap()
    expect(page).to_have_url(re.compile(rf"/fairs/{fair.pk}/apply/$"))
    assert_fits_phone_in_arabic(page)
    expect(page.locator("main .alert-danger")).to_have_count(0)  # no refusal: the profile is complete
    page.fill("#id_products", "زرابي الشاوية المنسوجة يدويا، وسائد وأغطية")
    page.check("#id_needs_electricity")
    page.locator('main form button[name="action"][value="submit"]').tap()

    expect(page).to_have_url(APPLICATION_URL)
    assert_fits_phone_in_arabic(page)
    application = Application.objects.get(artisan=artisan, fair=fair)
    assert page.url.endswith(f"/applications/{application.pk}/")
    assert (application.status, application.needs_electricity) == (S.SUBMITTED, True)
    assert application.products == "زرابي الشاوية المنسوجة يدويا، وسائد وأغطية"
    expect(page.locator("main h1 + span .badge")).to_have_text(status_label(S.SUBMITTED, "ar"))

    page.goto("/me/")
    mine = page.locator('main section[aria-labelledby="my-applications"]')
    expect(mine.locator(f'a[href$="/applications/{application.pk}/"]')).to_have_text("المعرض الجهوي للزربية")
    expect(mine.locator(".badge")).to_have_text(status_label(S.SUBMITTED, "ar"))

    # The call closes; staff, on a desktop in another browser, accept on the decision board.
    fair_transition(fair=fair, to_status=Fair.Status.REVIEWING, actor=staff_member)
    staff_page = new_page(**DESKTOP)
    log_in(staff_page, staff_member)
    staff_page.goto(f"/staff/fairs/{fair.pk}/applications/")
    expect(staff_page.locator("html")).to_have_attribute("dir", "ltr")
    staff_page.check(f"#tick-{application.pk}")
    staff_page.select_option("#decision", "accept")
    staff_page.fill("#reason", "Très beau travail de tissage")
    staff_page.locator('#decide-form button[type="submit"]:not([name="preview"])').click()
    expect(staff_page.locator('main [role="alert"].alert-success')).to_contain_text("Khadija El Amrani")
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert application.decision_reason == "Très beau travail de tissage"
    assert application.offer_deadline > timezone.now() + dt.timedelta(days=4)
    # The offer was mailed in the artisan's language.
    offer_mail = Notification.objects.get(application=application, event="accepted")
    with translation.override("ar"):
        expected_subject = gettext("You are selected for %(fair)s: please confirm") % {
            "fair": "المعرض الجهوي للزربية"
        }
    assert (offer_mail.language, offer_mail.to, offer_mail.subject) == (
        "ar",
        "khadija.elamrani@example.ma",
        expected_subject,
    )

    # Back on the phone: my space shows the offer, with its deadline.
    page.goto("/me/")
    assert_fits_phone_in_arabic(page)
    offer = page.locator("main section.border-warning")
    expect(offer).to_have_count(1)
    expect(offer.locator("h2")).to_have_text("المعرض الجهوي للزربية")
    confirm = offer.locator(f'form[action$="/applications/{application.pk}/offer/"] button[type="submit"]')
    expect(confirm).to_be_visible()
    save_screenshot(page, "artisan-my-space-offer-ar")

    # The artisan opens the offer page, then confirms.
    offer.locator(f'a[href$="/applications/{application.pk}/offer/"]').tap()
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/offer/$"))
    assert_fits_phone_in_arabic(page)
    page.locator('main form button[name="accept"][value="1"]').tap()

    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    assert_fits_phone_in_arabic(page)
    application.refresh_from_db()
    assert application.status == S.CONFIRMED
    assert application.confirmed_at is not None
    expect(page.locator("main h1 + span .badge")).to_have_text(status_label(S.CONFIRMED, "ar"))
    expect(page.locator('main [role="alert"].alert-success')).to_have_text(
        in_arabic("Your place is confirmed. See you at the fair!")
    )
    # The staff member's reason reaches the artisan as written.
    expect(page.locator('main section[aria-labelledby="next"] bdi')).to_have_text(
        "Très beau travail de tissage"
    )
    # What was mailed is listed on the page: received, offer, confirmation.
    expect(page.locator('main section[aria-labelledby="sent"] details')).to_have_count(3)

    page.goto("/me/")
    expect(page.locator("main section.border-warning")).to_have_count(0)  # nothing left to confirm
    expect(page.locator('main section[aria-labelledby="my-applications"] .badge')).to_have_text(
        status_label(S.CONFIRMED, "ar")
    )
    assert horizontal_overflow(page) == 0


# --- 2. Blind review and decisions in bulk --------------------------------------------------


@pytest.fixture
def blind_fair():
    """A blind-review fair whose call has closed: the jury is at work."""
    now = timezone.now()
    return FairFactory(
        name="Foire de la poterie de Safi à Casablanca",
        name_ar="معرض فخار آسفي بالدار البيضاء",
        slug="foire-poterie-blind",
        status=Fair.Status.REVIEWING,
        blind_review=True,
        score_max=5,
        applications_open_at=now - dt.timedelta(days=30),
        applications_close_at=now - dt.timedelta(days=1),
    )


@pytest.fixture
def three_applications(blind_fair):
    cooperative = CooperativeFactory(name="Coopérative Tafilalt du fakhar", name_ar="تعاونية تافيلالت للفخار")
    artisans = [
        ArtisanFactory(
            first_name="Zineb", last_name="Ouazzani", first_name_ar="زينب", last_name_ar="الوزاني"
        ),
        ArtisanFactory(
            first_name="Hassan",
            last_name="Benjelloun",
            first_name_ar="حسن",
            last_name_ar="بنجلون",
            gender=Artisan.Gender.MALE,
            cooperative=cooperative,
        ),
        ArtisanFactory(first_name="Malika", last_name="Tazi", first_name_ar="مليكة", last_name_ar="التازي"),
    ]
    return [ApplicationFactory(artisan=artisan, fair=blind_fair) for artisan in artisans]


def identity_strings(artisan: Artisan) -> list[str]:
    strings = [artisan.full_name, artisan.last_name, artisan.full_name_ar, artisan.cin, artisan.phone]
    if artisan.cooperative:
        strings += [artisan.cooperative.name, artisan.cooperative.name_ar]
    return strings


def assert_no_identity(page, applications):
    html = page.content()
    for application in applications:
        for secret in identity_strings(application.artisan):
            assert secret not in html, f"{secret!r} shown to a reviewer of a blind fair on {page.url}"


def score(page, application, points):
    page.goto(f"/review/applications/{application.pk}/")
    expect(page.locator("main h1")).to_contain_text(re.compile(rf"(?<!\d){application.pk}(?!\d)"))
    page.check(f'input[name="score"][value="{points}"]')
    page.fill("#id_comment", "Belles pièces, finitions régulières")
    page.locator('main form input[type="submit"][name="save"]').click()
    expect(page.locator('main [role="alert"].alert-success')).to_contain_text(
        re.compile(rf"(?<!\d){application.pk}(?!\d)")
    )


def board_row(page, application):
    return page.locator(f"#decide-form tbody tr:has(#tick-{application.pk})")


def decide(page, applications, decision, reason):
    for application in applications:
        page.check(f"#tick-{application.pk}")
    page.select_option("#decision", decision)
    page.fill("#reason", reason)
    page.locator('#decide-form button[type="submit"]:not([name="preview"])').click()
    expect(page.locator('main [role="alert"].alert-success')).to_be_visible()


def test_reviewer_scores_blind_and_staff_waitlist_then_accept_in_bulk(
    new_page, live_server, log_in, make_user, reviewer, staff_member, blind_fair, three_applications
):
    fair = blind_fair
    zineb, hassan, malika = three_applications
    # Another juror scored Zineb already, so her mean mixes two scores.
    other_juror = make_user("reviewer", username="samira")
    services.review_save(application=zineb, reviewer=other_juror, score=3)

    # The reviewer scores two applications; nothing on the jury pages says who applied.
    jury = new_page(**DESKTOP)
    log_in(jury, reviewer)
    expect(jury).to_have_url(re.compile(r"/review/$"))
    jury.locator(f'main a[href$="/review/fairs/{fair.pk}/"]').click()
    expect(jury.locator("main tbody tr")).to_have_count(3)
    assert_no_identity(jury, three_applications)
    score(jury, zineb, 4)
    assert_no_identity(jury, three_applications)
    score(jury, hassan, 2)
    assert_no_identity(jury, three_applications)
    jury.goto(f"/review/applications/{malika.pk}/")
    assert_no_identity(jury, three_applications)
    # A reviewer does not decide.
    assert jury.goto(f"/staff/fairs/{fair.pk}/applications/").status == 403
    assert sorted(zineb.reviews.values_list("score", flat=True)) == [3, 4]
    assert list(hassan.reviews.values_list("score", flat=True)) == [2]
    assert not malika.reviews.exists()

    # Staff see the names and the mean scores, best first.
    board = new_page(**DESKTOP)
    log_in(board, staff_member)
    board.goto(f"/staff/fairs/{fair.pk}/applications/")
    rows = board.locator("#decide-form tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Zineb Ouazzani")
    expect(board_row(board, zineb).locator("td").nth(2)).to_contain_text(re.compile(r"^3[.,]50"))
    expect(board_row(board, hassan).locator("td").nth(2)).to_contain_text(re.compile(r"^2[.,]00"))
    expect(board_row(board, malika).locator("td").nth(2)).to_contain_text(re.compile(r"^—"))
    expect(board_row(board, hassan)).to_contain_text("Hassan Benjelloun")

    # Two waitlisted at once, then one more accepted.
    decide(board, [hassan, malika], "waitlist", "Stands complets pour la poterie")
    expect(board.locator("#decide-form input.tick:checked")).to_have_count(0)  # the ticks were cleared
    decide(board, [zineb], "accept", "Meilleure note du jury")

    for application in three_applications:
        application.refresh_from_db()
    assert (zineb.status, zineb.waitlist_rank) == (S.ACCEPTED, None)
    assert zineb.offer_deadline is not None
    assert (hassan.status, hassan.waitlist_rank) == (S.WAITLISTED, 1)
    assert (malika.status, malika.waitlist_rank) == (S.WAITLISTED, 2)
    assert hassan.decision_reason == malika.decision_reason == "Stands complets pour la poterie"
    with translation.override("fr"):
        expect(board_row(board, zineb).locator("td").nth(5)).to_contain_text(str(S.ACCEPTED.label))
        waitlisted = board_row(board, malika).locator("td").nth(5)
        expect(waitlisted).to_contain_text(str(S.WAITLISTED.label))
        expect(waitlisted).to_contain_text(gettext("rank %(rank)s") % {"rank": 2})


# --- 3. Logging in with a phone number ------------------------------------------------------


def test_artisan_logs_in_with_a_phone_number_written_with_spaces(new_page, live_server):
    user = UserFactory(username="BJ204518")
    artisan = ArtisanFactory(
        user=user, cin="BJ204518", phone="+212612345678", first_name="Naima", last_name="Chraibi"
    )
    # A relative shares the phone with another password: the password decides the account.
    relative = UserFactory(username="BJ204519")
    relative.set_password("another-pass-2024")
    relative.save()
    ArtisanFactory(
        user=relative, cin="BJ204519", phone="+212612345678", first_name="Said", last_name="Chraibi"
    )

    page = new_page(**PHONE)
    page.goto("/accounts/login/")
    page.fill("#id_username", "06 12 34 56 78")
    page.fill("#id_password", "wrong-password")
    page.locator('main form[method="post"] button[type="submit"]').tap()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("main .alert-danger, main .invalid-feedback").first).to_be_visible()

    page.fill("#id_username", "06 12 34 56 78")
    page.fill("#id_password", "souk-test-pass")
    page.locator('main form[method="post"] button[type="submit"]').tap()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator("main h1 + p")).to_contain_text(artisan.full_name)
    assert horizontal_overflow(page) == 0
