"""The artisan's own pages: sign-up, log-in by CIN/phone/email, my space, profile and photos,
applying, editing, withdrawing, answering an offer, and staff applying on someone's behalf."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.models import AuditEntry, User
from core.services import audit_log
from fairs.models import Fair
from registrations import services
from registrations.models import Application, ApplicationPhoto, Artisan, Notification, ProductPhoto
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    FairFactory,
    UserFactory,
    craft,
    open_fair,
    province,
)

S = Application.Status
PASSWORD = "Argile-de-Safi-2024"
BACKEND = "registrations.auth.ArtisanBackend"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_backend_language(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUTHENTICATION_BACKENDS = [BACKEND]
    client.cookies["django_language"] = "en"  # the assertions read English text


def account_for(artisan: Artisan) -> User:
    user = UserFactory(username=artisan.cin, email=artisan.email)
    artisan.user = user
    artisan.save(update_fields=["user"])
    return user


@pytest.fixture
def artisan(db):
    return ArtisanFactory()


@pytest.fixture
def artisan_client(client, artisan):
    client.force_login(account_for(artisan))
    return client


def picture(width=300, height=200, fmt="JPEG", name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def apply_data(**extra):
    return {
        "booth_kind": "standard",
        "booth_size": "9",
        "products": "Tajines de Safi",
        "action": "submit",
        **extra,
    }


def reviewing(**kwargs):
    kwargs.setdefault("status", Fair.Status.REVIEWING)
    return FairFactory(**kwargs)


# --- Sign-up ------------------------------------------------------------------------------


def signup_data(**overrides):
    data = {
        "first_name": "Khadija",
        "last_name": "El Amrani",
        "first_name_ar": "خديجة",
        "last_name_ar": "العمراني",
        "cin": "bk 654321",
        "phone": "06 12 34 56 78",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "gender": "F",
        "birth_year": "1979",
        "main_craft": craft("pottery").pk,
        "province": province("settat").pk,
        "area": "rural",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_the_account_logs_in_and_lands_in_my_space(client):
    client.cookies["django_language"] = "ar"
    response = client.post(reverse("registrations:signup"), signup_data())
    assert response.status_code == 302 and response["Location"] == reverse("registrations:my_space")
    artisan = Artisan.objects.get()
    assert (artisan.cin, artisan.phone, artisan.area) == ("BK654321", "+212612345678", "rural")
    assert artisan.full_name_ar == "خديجة العمراني"
    assert artisan.language == "ar" and artisan.user.language == "ar"
    assert artisan.user.username == "BK654321"
    assert client.session["_auth_user_id"] == str(artisan.user.pk)
    page = client.get(reverse("registrations:my_space"))
    assert page.status_code == 200 and page.context["artisan"] == artisan


def test_sign_up_form_groups_crafts_by_sector_and_writes_arabic_right_to_left(client):
    response = client.get(reverse("registrations:signup"))
    html = response.content.decode()
    assert "<optgroup" in html
    assert 'name="first_name_ar"' in html and 'dir="rtl"' in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cin": "BE100"}, "cin"),  # taken (set up below)
        ({"cin": "123"}, "cin"),  # malformed
        ({"phone": "06 12 34"}, "phone"),
        ({"phone": "+33 6 12 34 56 78"}, "phone"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"password1": "password", "password2": "password"}, "password1"),
        ({"password2": "something-else-2024"}, "password2"),
        ({"phone": "", "email": ""}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"birth_year": "1850"}, "birth_year"),
        ({"main_craft": ""}, "main_craft"),
    ],
)
def test_bad_sign_up_names_the_field_and_creates_nothing(client, overrides, field):
    ArtisanFactory(cin="BE100", user=UserFactory(username="BE100"))
    users, artisans = User.objects.count(), Artisan.objects.count()
    response = client.post(reverse("registrations:signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (User.objects.count(), Artisan.objects.count()) == (users, artisans)
    assert "_auth_user_id" not in client.session


def test_every_sign_up_mistake_shows_at_once(client):
    response = client.post(
        reverse("registrations:signup"), signup_data(phone="0612", password1="123456", password2="123456")
    )
    assert {"phone", "password1"} <= set(response.context["form"].errors)
    assert not Artisan.objects.exists()


def test_sign_up_with_an_email_taken_by_another_account_is_refused(client):
    UserFactory(username="someone", email="khadija@example.ma")
    response = client.post(reverse("registrations:signup"), signup_data(email="Khadija@example.ma"))
    assert "email" in response.context["form"].errors
    assert not Artisan.objects.exists()


def test_a_logged_in_user_is_sent_from_sign_up_to_my_space(artisan_client):
    response = artisan_client.get(reverse("registrations:signup"))
    assert response.status_code == 302 and response["Location"] == reverse("registrations:my_space")


# --- Log in by CIN, phone or email ----------------------------------------------------------


@pytest.fixture
def signed_up():
    return services.artisan_sign_up(
        password=PASSWORD,
        language="fr",
        first_name="Khadija",
        last_name="El Amrani",
        cin="BK654321",
        phone="0612345678",
        email="khadija@example.ma",
        gender="F",
        birth_year=1979,
        main_craft=craft("pottery"),
        province=province("settat"),
    )


@pytest.mark.parametrize(
    "login",
    ["BK654321", "bk 654321", "06 12 34 56 78", "+212 6 12 34 56 78", "0612345678", "Khadija@Example.ma"],
)
def test_an_artisan_logs_in_with_cin_phone_or_email(client, signed_up, login):
    response = client.post(reverse("login"), {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(signed_up.user.pk)


@pytest.mark.parametrize("login", ["BK654321", "06 12 34 56 78", "nobody@example.ma", "BK999999"])
def test_a_wrong_password_or_unknown_login_does_not_log_in(client, signed_up, login):
    password = "wrong-password" if login in ("BK654321", "06 12 34 56 78") else PASSWORD
    response = client.post(reverse("login"), {"username": login, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_still_log_in_with_their_username(client, staff_user):
    response = client.post(reverse("login"), {"username": "staff", "password": "souk-test-pass"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_two_accounts_sharing_a_phone_each_open_with_their_own_password(client, signed_up):
    sister = ArtisanFactory(phone=signed_up.phone)
    sister_user = account_for(sister)
    sister_user.set_password("Sister-password-2024")
    sister_user.save()
    client.post(reverse("login"), {"username": "0612345678", "password": "Sister-password-2024"})
    assert client.session["_auth_user_id"] == str(sister_user.pk)


# --- My space -------------------------------------------------------------------------------


def test_my_space_shows_open_calls_and_only_my_applications(artisan_client, artisan):
    applied = open_fair(name="Foire de Settat")
    mine = ApplicationFactory(artisan=artisan, fair=applied)
    not_yet = open_fair(name="Salon d'El Jadida")
    other = ApplicationFactory(fair=applied)  # another artisan's, same fair
    FairFactory(name="Brouillon caché")  # draft: no call
    response = artisan_client.get(reverse("registrations:my_space"))
    calls = {c["fair"].name: c for c in response.context["calls"]}
    assert set(calls) == {"Foire de Settat", "Salon d'El Jadida"}
    assert calls["Foire de Settat"]["application"] == mine
    assert calls["Salon d'El Jadida"]["application"] is None
    assert response.context["applications"] == [mine]
    html = response.content.decode()
    assert reverse("registrations:application_create", args=[not_yet.pk]) in html
    assert mine.get_absolute_url() in html and other.get_absolute_url() not in html
    assert other.artisan.last_name not in html


def test_my_space_puts_an_offer_to_confirm_first(artisan_client, artisan, staff_user):
    application = ApplicationFactory(artisan=artisan, fair=reviewing(), waitlist_rank=None)
    services.application_decide(application=application, decision="accept", actor=staff_user)
    response = artisan_client.get(reverse("registrations:my_space"))
    assert [a.pk for a in response.context["offers"]] == [application.pk]
    assert "Confirm my place" in response.content.decode()


def test_my_space_shows_the_waitlist_position_and_past_fairs(artisan_client, artisan):
    ApplicationFactory(artisan=artisan, fair=reviewing(), status=S.WAITLISTED, waitlist_rank=4)
    past = ApplicationFactory(
        artisan=artisan, fair=FairFactory(status=Fair.Status.CLOSED), status=S.CONFIRMED
    )
    response = artisan_client.get(reverse("registrations:my_space"))
    html = response.content.decode()
    assert "number 4 on the waiting list" in html
    assert list(response.context["past"]) == [past]


def test_my_space_says_which_profile_fields_are_missing(client):
    artisan = ArtisanFactory(birth_year=None, phone="", email="")
    client.force_login(account_for(artisan))
    response = client.get(reverse("registrations:my_space"))
    assert set(map(str, response.context["missing"])) == {"year of birth", "phone"}
    assert reverse("registrations:my_profile") in response.content.decode()


def test_my_space_for_someone_without_a_profile_explains(staff_client):
    response = staff_client.get(reverse("registrations:my_space"))
    assert response.status_code == 200
    assert "has no artisan profile" in response.content.decode()


def test_my_space_needs_a_login(client):
    response = client.get(reverse("registrations:my_space"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [1, 3])
def test_my_space_query_budget(artisan_client, artisan, django_assert_num_queries, rows):
    for _ in range(rows):
        fair = open_fair()
        ApplicationFactory(artisan=artisan, fair=fair)
        ApplicationFactory(artisan=artisan, fair=FairFactory(status=Fair.Status.CLOSED), status=S.CONFIRMED)
        open_fair().craft_categories.add(craft("pottery"))
    # session, user, artisan, roles, my applications, other crafts, calls, their crafts,
    # past fairs, main craft, then reports' "after the fair" block: attestations, results to report
    with django_assert_num_queries(12):
        response = artisan_client.get(reverse("registrations:my_space"))
    assert len(response.context["applications"]) == rows
    assert len(response.context["calls"]) == 2 * rows
    assert len(response.context["past"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_application_page_query_budget(artisan_client, artisan, django_assert_num_queries, rows):
    application = ApplicationFactory(artisan=artisan)
    for n in range(rows):
        audit_log(actor=artisan.user, action="application.update", obj=application, changes={"fields": []})
        Notification.objects.create(
            artisan=artisan, application=application, event="submitted", language="fr",
            to=artisan.email, subject=f"Reçu {n}", body="…", delivery="sent",
        )  # fmt: skip
        ApplicationPhoto.objects.create(application=application, image=picture())
    # session, user, roles, application, photos, history, notifications (content type is cached)
    with django_assert_num_queries(7):
        response = artisan_client.get(reverse("registrations:application_detail", args=[application.pk]))
    assert len(response.context["history"]) == rows
    assert len(response.context["notifications"]) == rows and len(response.context["photos"]) == rows


# --- Applying -------------------------------------------------------------------------------


def test_apply_submits_and_mails(artisan_client, artisan, django_capture_on_commit_callbacks):
    fair = open_fair(name="Foire de Settat")
    with django_capture_on_commit_callbacks(execute=True):
        response = artisan_client.post(
            reverse("registrations:application_create", args=[fair.pk]),
            apply_data(booth_size="12", needs_electricity="on"),
        )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert (
        application.status == S.SUBMITTED and application.booth_size == 12 and application.needs_electricity
    )
    assert application.created_by.pk == artisan.user_id
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [artisan.email]
    page = artisan_client.get(application.get_absolute_url())
    html = page.content.decode()
    assert Notification.objects.get().subject in html  # the page shows what was sent
    assert "Sent to the jury" in html


def test_save_as_draft_then_submit_from_the_page(artisan_client, django_capture_on_commit_callbacks):
    fair = open_fair()
    with django_capture_on_commit_callbacks(execute=True):
        artisan_client.post(
            reverse("registrations:application_create", args=[fair.pk]), apply_data(action="draft")
        )
    application = Application.objects.get()
    assert application.status == S.DRAFT and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        artisan_client.post(reverse("registrations:application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and len(mail.outbox) == 1


def test_apply_form_asks_more_only_when_the_fair_does(artisan_client):
    local = open_fair()
    international = open_fair(
        scope="international", asks_passport=True, asks_languages=True, asks_export=True
    )
    local_form = artisan_client.get(reverse("registrations:application_create", args=[local.pk])).context[
        "form"
    ]
    assert not {"passport_valid_until", "languages", "export_experience"} & set(local_form.fields)
    url = reverse("registrations:application_create", args=[international.pk])
    response = artisan_client.post(url, apply_data())
    assert {"passport_valid_until", "languages", "export_experience"} <= set(response.context["form"].errors)
    assert not Application.objects.exists()
    passport = (international.ends_on + dt.timedelta(days=30)).isoformat()  # too short
    response = artisan_client.post(
        url, apply_data(passport_valid_until=passport, languages=["fr", "en"], export_experience="aucune")
    )
    assert "passport_valid_until" in response.context["form"].errors
    passport = (international.ends_on + dt.timedelta(days=400)).isoformat()
    artisan_client.post(
        url, apply_data(passport_valid_until=passport, languages=["fr", "en"], export_experience="aucune")
    )
    assert Application.objects.get().languages == ["fr", "en"]


def test_applying_twice_is_refused_and_leads_to_the_application(artisan_client, artisan):
    fair = open_fair()
    existing = ApplicationFactory(artisan=artisan, fair=fair)
    url = reverse("registrations:application_create", args=[fair.pk])
    response = artisan_client.post(url, apply_data(), follow=True)
    assert response.redirect_chain[-1][0] == existing.get_absolute_url()
    assert "already exists" in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("fair_kwargs", "message"),
    [
        (
            {
                "applications_open_at": timezone.now() - dt.timedelta(days=9),
                "applications_close_at": timezone.now() - dt.timedelta(hours=1),
            },
            "The application deadline has passed.",
        ),
        ({"status": Fair.Status.REVIEWING}, "This fair is not taking applications now."),
    ],
)
def test_apply_outside_the_call_shows_why_and_creates_nothing(artisan_client, fair_kwargs, message):
    fair = open_fair(**fair_kwargs)
    url = reverse("registrations:application_create", args=[fair.pk])
    page = artisan_client.get(url)
    assert message in page.content.decode() and 'name="products"' not in page.content.decode()
    response = artisan_client.post(url, apply_data())
    assert response.status_code == 200 and message in response.content.decode()
    assert not Application.objects.exists()


def test_apply_with_an_incomplete_profile_points_to_the_profile(client):
    artisan = ArtisanFactory(birth_year=None)
    client.force_login(account_for(artisan))
    fair = open_fair()
    response = client.post(reverse("registrations:application_create", args=[fair.pk]), apply_data())
    html = response.content.decode()
    assert "Complete the profile first: year of birth." in html
    assert reverse("registrations:my_profile") in html
    assert not Application.objects.exists()


def test_apply_for_a_craft_the_fair_does_not_take_is_refused(artisan_client):
    fair = open_fair()
    fair.craft_categories.set([craft("zellige")])
    response = artisan_client.post(reverse("registrations:application_create", args=[fair.pk]), apply_data())
    assert "This fair does not take your craft." in response.content.decode()
    assert not Application.objects.exists()


def test_apply_with_photos_keeps_them_resized(artisan_client):
    fair = open_fair()
    artisan_client.post(
        reverse("registrations:application_create", args=[fair.pk]),
        apply_data(photos=[picture(2400, 1600), picture(fmt="PNG", name="b.png")]),
    )
    photos = list(ApplicationPhoto.objects.all())
    assert len(photos) == 2
    with Image.open(photos[0].image.path) as image:
        assert max(image.size) == 1200


def test_a_bad_photo_refuses_the_whole_application(artisan_client):
    fair = open_fair()
    bad = SimpleUploadedFile("cv.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = artisan_client.post(
        reverse("registrations:application_create", args=[fair.pk]), apply_data(photos=[picture(), bad])
    )
    errors = response.context["form"].errors["photos"]
    assert "Photo 2 (cv.jpg)" in errors[0]
    assert not Application.objects.exists() and not ApplicationPhoto.objects.exists()


def test_more_than_four_application_photos_are_refused(artisan_client):
    fair = open_fair()
    response = artisan_client.post(
        reverse("registrations:application_create", args=[fair.pk]),
        apply_data(photos=[picture(name=f"{n}.jpg") for n in range(5)]),
    )
    assert "photos" in response.context["form"].errors
    assert not Application.objects.exists()


# --- Editing, withdrawing -------------------------------------------------------------------


def test_edit_before_the_deadline_then_refused(artisan_client, artisan):
    application = ApplicationFactory(artisan=artisan)
    url = reverse("registrations:application_update", args=[application.pk])
    assert artisan_client.get(url).context["form"].initial["products"] == application.products
    response = artisan_client.post(url, apply_data(booth_size="6", products="Plats peints", action="save"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.booth_size, application.products) == (6, "Plats peints")
    assert AuditEntry.objects.filter(action="application.update").exists()
    Fair.objects.filter(pk=application.fair_id).update(applications_close_at=timezone.now())
    response = artisan_client.post(url, apply_data(booth_size="18", action="save"))
    assert "The application deadline has passed." in response.content.decode()
    application.refresh_from_db()
    assert application.booth_size == 6


def test_edit_adds_and_removes_photos(artisan_client, artisan):
    application = ApplicationFactory(artisan=artisan)
    url = reverse("registrations:application_update", args=[application.pk])
    artisan_client.post(url, apply_data(action="save", photos=[picture(), picture()]))
    first, second = application.photos.all()
    artisan_client.post(url, apply_data(action="save", remove_photos=[first.pk], photos=[picture()]))
    assert application.photos.count() == 2 and not application.photos.filter(pk=first.pk).exists()
    assert application.photos.filter(pk=second.pk).exists()


def test_withdraw_asks_for_a_reason_then_withdraws(artisan_client, artisan):
    application = ApplicationFactory(artisan=artisan)
    url = reverse("registrations:application_withdraw", args=[application.pk])
    assert artisan_client.get(url).status_code == 200
    response = artisan_client.post(url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    artisan_client.post(url, {"reason": "Je suis malade"})
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN and application.decision_reason == "Je suis malade"


def test_withdrawing_a_rejected_application_is_refused_on_the_page(artisan_client, artisan):
    application = ApplicationFactory(artisan=artisan, status=S.REJECTED)
    url = reverse("registrations:application_withdraw", args=[application.pk])
    assert "cannot be withdrawn" in artisan_client.get(url).content.decode()
    response = artisan_client.post(url, {"reason": "x"}, follow=True)
    assert Application.objects.get(pk=application.pk).status == S.REJECTED
    assert "cannot become" in response.content.decode()


# --- Offers ---------------------------------------------------------------------------------


@pytest.fixture
def offer(artisan, staff_user):
    """My application accepted at a full fair (capacity 1) with two artisans waitlisted."""
    fair = reviewing(capacity=1)
    mine = ApplicationFactory(artisan=artisan, fair=fair)
    waiting = ApplicationFactory.create_batch(2, fair=fair)
    services.application_decide(application=mine, decision="accept", actor=staff_user)
    services.applications_decide(applications=waiting, decision="waitlist", actor=staff_user)
    return mine, waiting


def test_confirm_the_offer(artisan_client, offer):
    mine, _waiting = offer
    url = reverse("registrations:application_offer", args=[mine.pk])
    page = artisan_client.get(url)
    assert "Yes, I confirm my place" in page.content.decode()
    artisan_client.post(url, {"accept": "1"})
    mine.refresh_from_db()
    assert mine.status == S.CONFIRMED and mine.confirmed_at


def test_decline_the_offer_promotes_the_waitlisted(artisan_client, offer):
    mine, waiting = offer
    artisan_client.post(reverse("registrations:application_offer", args=[mine.pk]), {"accept": "0"})
    statuses = [Application.objects.get(pk=a.pk).status for a in (mine, *waiting)]
    assert statuses == [S.DECLINED, S.ACCEPTED, S.WAITLISTED]


def test_a_late_answer_is_refused_with_a_message(artisan_client, offer):
    mine, waiting = offer
    Application.objects.filter(pk=mine.pk).update(offer_deadline=timezone.now() - dt.timedelta(minutes=1))
    response = artisan_client.post(
        reverse("registrations:application_offer", args=[mine.pk]), {"accept": "1"}, follow=True
    )
    assert "expired" in response.content.decode()
    assert Application.objects.get(pk=mine.pk).status == S.EXPIRED
    assert Application.objects.get(pk=waiting[0].pk).status == S.ACCEPTED


def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(artisan_client, offer):
    mine, _waiting = offer
    artisan_client.post(reverse("registrations:application_offer", args=[mine.pk]), {"accept": "maybe"})
    assert Application.objects.get(pk=mine.pk).status == S.ACCEPTED


@pytest.mark.parametrize("status", S.values)
def test_every_status_renders_with_its_next_step(artisan_client, artisan, status):
    fair = open_fair() if status in (S.DRAFT, S.SUBMITTED) else reviewing()
    extra = {"waitlist_rank": 1} if status == S.WAITLISTED else {}
    if status == S.ACCEPTED:
        extra["offer_deadline"] = timezone.now() + dt.timedelta(days=3)
    application = ApplicationFactory(artisan=artisan, fair=fair, status=status, **extra)
    detail = artisan_client.get(reverse("registrations:application_detail", args=[application.pk]))
    assert detail.status_code == 200
    assert application.get_status_display() in detail.content.decode()
    assert artisan_client.get(reverse("registrations:my_space")).status_code == 200


# --- Who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("application_detail", "get"),
        ("application_update", "get"),
        ("application_update", "post"),
        ("application_submit", "post"),
        ("application_withdraw", "get"),
        ("application_withdraw", "post"),
        ("application_offer", "get"),
        ("application_offer", "post"),
    ],
)
def test_an_artisan_gets_404_for_another_artisans_application(artisan_client, url_name, method):
    others = ApplicationFactory(status=S.DRAFT)
    url = reverse(f"registrations:{url_name}", args=[others.pk])
    response = getattr(artisan_client, method)(url, {"reason": "x", "accept": "0", **apply_data()})
    assert response.status_code == 404
    assert Application.objects.get(pk=others.pk).status == S.DRAFT


def test_a_reviewer_gets_404_and_an_anonymous_visitor_the_login(client, reviewer_user):
    application = ApplicationFactory()
    url = reverse("registrations:application_detail", args=[application.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(reviewer_user)
    assert client.get(url).status_code == 404


def test_staff_see_any_application_with_its_full_history(staff_client, reviewer_user):
    application = ApplicationFactory(fair=reviewing())
    services.review_save(application=application, reviewer=reviewer_user, score=4)
    response = staff_client.get(reverse("registrations:application_detail", args=[application.pk]))
    assert response.status_code == 200
    assert application.artisan.cin in response.content.decode()
    assert "review.create" in [item["entry"].action for item in response.context["history"]]


def test_the_artisan_does_not_see_jury_scores_in_the_history(artisan_client, artisan, reviewer_user):
    application = ApplicationFactory(artisan=artisan, fair=reviewing())
    services.review_save(application=application, reviewer=reviewer_user, score=4)
    response = artisan_client.get(reverse("registrations:application_detail", args=[application.pk]))
    assert not [item for item in response.context["history"] if item["entry"].action.startswith("review")]


def test_staff_apply_on_an_artisans_behalf(staff_client, staff_user, django_capture_on_commit_callbacks):
    walk_in = ArtisanFactory()  # no account
    fair = open_fair()
    url = reverse("registrations:application_create_for", args=[walk_in.pk, fair.pk])
    assert "on behalf of" in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, apply_data())
    application = Application.objects.get()
    assert response["Location"] == application.get_absolute_url()
    assert application.artisan == walk_in and application.created_by == staff_user
    assert application.status == S.SUBMITTED
    assert AuditEntry.objects.get(action="application.submitted").actor == staff_user


def test_only_staff_apply_on_someone_elses_behalf(artisan_client):
    url = reverse("registrations:application_create_for", args=[ArtisanFactory().pk, open_fair().pk])
    assert artisan_client.post(url, apply_data()).status_code == 403
    assert not Application.objects.exists()


# --- Profile and photos ---------------------------------------------------------------------


def profile_data(artisan, **overrides):
    data = {
        "first_name": artisan.first_name,
        "last_name": artisan.last_name,
        "first_name_ar": artisan.first_name_ar,
        "last_name_ar": artisan.last_name_ar,
        "phone": artisan.phone,
        "email": artisan.email,
        "gender": artisan.gender,
        "birth_year": artisan.birth_year,
        "province": artisan.province_id,
        "commune": "",
        "area": artisan.area,
        "main_craft": artisan.main_craft_id,
        "language": "ar",
        "bio": "",
        "shop_url": "",
    }
    data.update(overrides)
    return data


def test_edit_my_profile(artisan_client, artisan):
    url = reverse("registrations:my_profile")
    page = artisan_client.get(url)
    assert artisan.cin in page.content.decode()
    assert page.context["form"].initial["last_name"] == artisan.last_name
    assert page.context["form"].initial["phone"].startswith("06 ")
    response = artisan_client.post(
        url,
        profile_data(
            artisan,
            phone="0661 22 33 44",
            commune="Oulad Said",
            other_crafts=[craft("zellige").pk],
            languages=["ar", "fr"],
            cin="ZZ999999",  # not a field of the form: ignored
        ),
    )
    assert response.status_code == 302
    artisan.refresh_from_db()
    assert (artisan.phone, artisan.commune, artisan.language) == ("+212661223344", "Oulad Said", "ar")
    assert artisan.languages == ["ar", "fr"] and list(artisan.other_crafts.all()) == [craft("zellige")]
    assert artisan.cin.startswith("BE")
    assert AuditEntry.objects.filter(action="artisan.update").exists()


def test_a_bad_profile_edit_names_the_field_and_changes_nothing(artisan_client, artisan):
    response = artisan_client.post(reverse("registrations:my_profile"), profile_data(artisan, phone="12"))
    assert "phone" in response.context["form"].errors
    assert Artisan.objects.get(pk=artisan.pk).phone == artisan.phone


def test_profile_photo_is_resized_and_can_be_removed(artisan_client, artisan):
    url = reverse("registrations:my_profile")
    artisan_client.post(url, profile_data(artisan, photo=picture(3000, 2000)))
    artisan.refresh_from_db()
    with Image.open(artisan.photo.path) as image:
        assert image.size == (1200, 800)
    artisan_client.post(url, profile_data(artisan, remove_photo="on"))
    artisan.refresh_from_db()
    assert not artisan.photo


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"hello, not a picture", content_type="image/jpeg"), "not an image"),
        (SimpleUploadedFile("x.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"), "too big"),
    ],
)
def test_bad_images_are_refused(artisan_client, artisan, upload, message):
    response = artisan_client.post(reverse("registrations:my_profile"), profile_data(artisan, photo=upload))
    assert message in " ".join(response.context["form"].errors["photo"])
    assert not Artisan.objects.get(pk=artisan.pk).photo
    upload.seek(0)
    response = artisan_client.post(reverse("registrations:product_photo_add"), {"image": upload})
    assert message in " ".join(response.context["photo_form"].errors["image"])
    assert not response.context["form"].is_bound  # the profile form is not the one in error
    assert not ProductPhoto.objects.exists()


def test_product_photos_up_to_eight_and_deleted(artisan_client, artisan):
    url = reverse("registrations:product_photo_add")
    for n in range(8):
        artisan_client.post(url, {"image": picture(1600, 1600), "caption": f"Plat {n}"})
    assert artisan.product_photos.count() == 8
    response = artisan_client.post(url, {"image": picture()})
    assert "at most 8" in " ".join(response.context["photo_form"].errors["image"])
    assert artisan.product_photos.count() == 8
    photo = artisan.product_photos.first()
    with Image.open(photo.image.path) as image:
        assert image.size == (1200, 1200)
    artisan_client.post(reverse("registrations:product_photo_delete", args=[photo.pk]))
    assert not ProductPhoto.objects.filter(pk=photo.pk).exists()


def test_no_one_deletes_another_artisans_product_photo(artisan_client):
    someone = ArtisanFactory()
    photo = ProductPhoto.objects.create(artisan=someone, image=picture())
    response = artisan_client.post(reverse("registrations:product_photo_delete", args=[photo.pk]))
    assert response.status_code == 404 and ProductPhoto.objects.filter(pk=photo.pk).exists()
