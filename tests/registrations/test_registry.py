"""Staff pages of the registry: artisan search and filters, profile, create/edit, cooperatives."""

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image

from core.models import AuditEntry
from fairs.models import Fair
from registrations.images import clean_image
from registrations.models import Application, Artisan, Cooperative
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    CooperativeFactory,
    FairFactory,
    craft,
    province,
)

pytestmark = pytest.mark.django_db
services_message = gettext  # the service's own wording, in the language of the request (fr)
S = Application.Status

LIST = reverse("registrations:artisan_list")
CREATE = reverse("registrations:artisan_create")


def names(response):
    return sorted(a.full_name for a in response.context["artisans"])


def png_bytes(width, height, mode="RGB", color=(180, 90, 40)):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def closed_fair(**kwargs):
    starts = kwargs.pop("starts_on", dt.date(2023, 5, 10))
    return FairFactory(
        status=Fair.Status.CLOSED,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=5),
        applications_open_at=None,
        applications_close_at=None,
        **kwargs,
    )


# --- Permissions ----------------------------------------------------------------------------


@pytest.fixture
def artisan_account(make_user):
    user = make_user(username="artisan")
    ArtisanFactory(user=user)
    return user


PAGES = [
    ("registrations:artisan_list", False),
    ("registrations:artisan_create", False),
    ("registrations:artisan_detail", "artisan"),
    ("registrations:artisan_update", "artisan"),
    ("registrations:cooperative_list", False),
    ("registrations:cooperative_create", False),
    ("registrations:cooperative_update", "cooperative"),
]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("artisan", 403), ("reviewer", 403), ("scanner", 403), ("staff", 200)],
)
@pytest.mark.parametrize(("url_name", "needs"), PAGES)
def test_registry_pages_are_for_staff_only(
    client, make_user, artisan_account, role, expected, url_name, needs
):
    objects = {"artisan": ArtisanFactory(), "cooperative": CooperativeFactory()}
    kwargs = {"pk": objects[needs].pk} if needs else {}
    if role == "artisan":
        client.force_login(artisan_account)
    elif role:
        client.force_login(make_user(role))
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def test_a_reviewer_cannot_create_an_artisan_by_posting(client, reviewer_user):
    client.force_login(reviewer_user)
    response = client.post(CREATE, {"first_name": "X", "last_name": "Y", "cin": "AB1234"})
    assert response.status_code == 403
    assert not Artisan.objects.exists()


# --- Search ---------------------------------------------------------------------------------


def test_search_by_arabic_name(staff_client):
    ArtisanFactory(first_name="Khadija", last_name="Alaoui", first_name_ar="خديجة", last_name_ar="العلوي")
    ArtisanFactory(first_name="Fatima", last_name="Bennani", first_name_ar="فاطمة", last_name_ar="بناني")
    assert names(staff_client.get(LIST, {"q": "العلوي"})) == ["Khadija Alaoui"]
    assert names(staff_client.get(LIST, {"q": "خديجة العلوي"})) == ["Khadija Alaoui"]
    assert names(staff_client.get(LIST, {"q": "فاطمة العلوي"})) == []


def test_search_by_latin_full_name_matches_every_word_in_any_order(staff_client):
    ArtisanFactory(first_name="Fatima", last_name="Bennani")
    ArtisanFactory(first_name="Fatima", last_name="Alaoui")
    ArtisanFactory(first_name="Karim", last_name="Bennani")
    assert names(staff_client.get(LIST, {"q": "Fatima Bennani"})) == ["Fatima Bennani"]
    assert names(staff_client.get(LIST, {"q": "  bennani   FATIMA "})) == ["Fatima Bennani"]
    assert names(staff_client.get(LIST, {"q": "bennani"})) == ["Fatima Bennani", "Karim Bennani"]


@pytest.mark.parametrize("q", ["BE123456", "be123456", "be 123456", "Be-123 456", "be1234"])
def test_search_by_cin_in_any_case_and_spacing(staff_client, q):
    ArtisanFactory(first_name="Fatima", last_name="Bennani", cin="BE123456")
    ArtisanFactory(first_name="Karim", last_name="Zahri", cin="BK654321")
    assert names(staff_client.get(LIST, {"q": q})) == ["Fatima Bennani"]


def test_search_by_registry_number(staff_client):
    ArtisanFactory(first_name="Fatima", last_name="Bennani", registry_number="CS-2019-0042")
    ArtisanFactory(first_name="Karim", last_name="Zahri", registry_number="CS-2020-0100")
    assert names(staff_client.get(LIST, {"q": "cs-2019-0042"})) == ["Fatima Bennani"]
    assert names(staff_client.get(LIST, {"q": "2019"})) == ["Fatima Bennani"]


# --- Filters --------------------------------------------------------------------------------


def test_filter_by_craft_matches_main_and_other_crafts(staff_client):
    ArtisanFactory(first_name="Potter", last_name="A", main_craft=craft("pottery"))
    weaver = ArtisanFactory(first_name="Weaver", last_name="B", main_craft=craft("carpets"))
    weaver.other_crafts.add(craft("pottery"))
    ArtisanFactory(first_name="Tiler", last_name="C", main_craft=craft("zellige"))
    assert names(staff_client.get(LIST, {"craft": "pottery"})) == ["Potter A", "Weaver B"]


def test_filter_by_sector_selects_all_its_crafts(staff_client):
    ArtisanFactory(first_name="Potter", last_name="A", main_craft=craft("pottery"))
    ArtisanFactory(first_name="Tiler", last_name="C", main_craft=craft("zellige"))
    ArtisanFactory(first_name="Weaver", last_name="B", main_craft=craft("carpets"))
    assert names(staff_client.get(LIST, {"craft": "pottery-ceramics"})) == ["Potter A", "Tiler C"]


def test_filters_by_province_cooperative_gender_area_and_account(staff_client, make_user):
    coop = CooperativeFactory()
    ArtisanFactory(
        first_name="Amina",
        last_name="Settat",
        province=province("settat"),
        cooperative=coop,
        gender="F",
        area="rural",
    )
    ArtisanFactory(
        first_name="Omar",
        last_name="Casa",
        province=province("casablanca"),
        gender="M",
        area="urban",
        user=make_user(username="omar"),
    )
    assert names(staff_client.get(LIST, {"province": "casablanca"})) == ["Omar Casa"]
    assert names(staff_client.get(LIST, {"cooperative": coop.pk})) == ["Amina Settat"]
    assert names(staff_client.get(LIST, {"gender": "F"})) == ["Amina Settat"]
    assert names(staff_client.get(LIST, {"area": "urban"})) == ["Omar Casa"]
    assert names(staff_client.get(LIST, {"has_account": "yes"})) == ["Omar Casa"]
    assert names(staff_client.get(LIST, {"has_account": "no"})) == ["Amina Settat"]
    assert names(staff_client.get(LIST, {"gender": "F", "area": "urban"})) == []


def test_unknown_filter_values_are_form_errors_with_an_empty_list(staff_client):
    ArtisanFactory()
    response = staff_client.get(
        LIST,
        {
            "craft": "spaceships",
            "province": "atlantis",
            "cooperative": "not-a-number",
            "gender": "X",
            "area": "moon",
            "has_account": "maybe",
        },
    )
    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {
        "craft",
        "province",
        "cooperative",
        "gender",
        "area",
        "has_account",
    }
    assert list(response.context["artisans"]) == []
    response = staff_client.get(LIST, {"cooperative": "999999", "page": "abc"})
    assert response.status_code in (200, 404)  # a bad page number is Django's 404, never a 500


def test_list_shows_participations_formatted_phone_and_both_scripts(staff_client):
    artisan = ArtisanFactory(
        first_name="Fatima", last_name="Bennani", last_name_ar="بناني", phone="+212612345678"
    )
    ApplicationFactory(artisan=artisan, fair=closed_fair(), status=S.CONFIRMED)
    ApplicationFactory(artisan=artisan, fair=closed_fair(starts_on=dt.date(2022, 4, 1)), status=S.CONFIRMED)
    ApplicationFactory(artisan=artisan, fair=closed_fair(starts_on=dt.date(2021, 4, 1)), status=S.REJECTED)
    ApplicationFactory(artisan=artisan, status=S.SUBMITTED)  # an open fair: not a participation yet
    response = staff_client.get(LIST)
    (row,) = response.context["artisans"]
    assert row.participations == 2
    content = response.content.decode()
    assert "06 12 34 56 78" in content
    assert "بناني" in content


@pytest.mark.parametrize("rows", [1, 3])
def test_artisan_list_query_budget(staff_client, django_assert_num_queries, rows):
    coop = CooperativeFactory()
    for _ in range(rows):
        artisan = ArtisanFactory(cooperative=coop)
        artisan.other_crafts.add(craft("zellige"))
        ApplicationFactory(artisan=artisan, fair=closed_fair(), status=S.CONFIRMED)
    # session, user, roles, the province of the filter, count, rows (with participations),
    # the filter's choices: crafts, provinces, cooperatives
    with django_assert_num_queries(9):
        response = staff_client.get(LIST, {"q": "fatima", "province": "settat"})
    assert response.status_code == 200
    assert len(response.context["artisans"]) == rows
    assert all(a.participations == 1 for a in response.context["artisans"])


# --- The artisan page -----------------------------------------------------------------------


def test_artisan_page_shows_applications_across_fairs_and_participations(staff_client):
    artisan = ArtisanFactory(first_name="Fatima", last_name="Bennani", phone="+212612345678")
    past = closed_fair(name="Foire de Settat 2023")
    ApplicationFactory(artisan=artisan, fair=past, status=S.CONFIRMED)
    ApplicationFactory(
        artisan=artisan,
        fair=FairFactory(name="Salon de Casablanca", status=Fair.Status.REVIEWING),
        status=S.REJECTED,
        decision_reason="Trop de stands de poterie",
    )
    ApplicationFactory(artisan=artisan, fair=FairFactory(name="Foire d'El Jadida", status=Fair.Status.OPEN))
    ApplicationFactory(fair=past, status=S.CONFIRMED)  # someone else's
    response = staff_client.get(artisan.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Foire de Settat 2023", "Salon de Casablanca", "Foire d&#x27;El Jadida", "Trop de stands"):
        assert text in content
    assert len(response.context["applications"]) == 3
    assert [a.fair for a in response.context["participations"]] == [past]
    assert "06 12 34 56 78" in content and artisan.cin in content


@pytest.mark.parametrize("rows", [1, 3])
def test_artisan_page_query_budget(staff_client, django_assert_num_queries, rows):
    artisan = ArtisanFactory(cooperative=CooperativeFactory())
    artisan.other_crafts.add(craft("zellige"), craft("carpets"))
    for _ in range(rows):
        ApplicationFactory(artisan=artisan, fair=closed_fair(), status=S.CONFIRMED)
    ContentType.objects.get_for_model(Artisan)  # cached per process: warm it for a fixed count
    # session, user, roles, artisan, other crafts, product photos, applications, audit
    with django_assert_num_queries(8):
        response = staff_client.get(artisan.get_absolute_url())
    assert len(response.context["applications"]) == rows


def test_artisan_page_of_an_unknown_artisan_is_404(staff_client):
    assert staff_client.get(reverse("registrations:artisan_detail", kwargs={"pk": 424242})).status_code == 404


# --- Create and edit ------------------------------------------------------------------------


def artisan_form_data(**overrides):
    data = {
        "first_name": "Fatima",
        "last_name": "Bennani",
        "first_name_ar": "فاطمة",
        "last_name_ar": "بناني",
        "cin": "be 123456",
        "registry_number": "cs 2019 0042",
        "gender": "F",
        "birth_year": "1978",
        "phone": "06 12 34 56 78",
        "email": "Fatima@Example.MA",
        "language": "ar",
        "province": province("settat").pk,
        "commune": "Ben Ahmed",
        "area": "rural",
        "main_craft": craft("pottery").pk,
        "other_crafts": [craft("zellige").pk],
        "languages": ["ar", "fr"],
        "bio": "",
        "shop_url": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+212 6 12 34 56 78", "0612-345-678"])
def test_create_normalizes_cin_and_phone_and_audits(staff_client, staff_user, phone):
    response = staff_client.post(CREATE, artisan_form_data(phone=phone))
    artisan = Artisan.objects.get()
    assert response.status_code == 302 and response["Location"] == artisan.get_absolute_url()
    assert artisan.cin == "BE123456"
    assert artisan.phone == "+212612345678"
    assert artisan.registry_number == "CS20190042"
    assert artisan.email == "fatima@example.ma"
    assert artisan.languages == ["ar", "fr"]
    assert list(artisan.other_crafts.all()) == [craft("zellige")]
    assert artisan.user is None
    entry = AuditEntry.objects.get(action="artisan.create")
    assert entry.actor == staff_user and entry.object_id == str(artisan.pk)


def test_create_with_a_taken_cin_is_a_field_error_and_creates_nothing(staff_client):
    ArtisanFactory(cin="BE123456")
    response = staff_client.post(CREATE, artisan_form_data(cin="be-123 456"))
    assert response.status_code == 200
    assert "cin" in response.context["form"].errors
    assert str(services_message("An artisan with this CIN is already registered.")) in str(
        response.context["form"].errors["cin"]
    )
    assert Artisan.objects.count() == 1
    assert not AuditEntry.objects.filter(action="artisan.create").exists()


def test_create_with_a_taken_registry_number_is_a_field_error(staff_client):
    ArtisanFactory(registry_number="CS20190042")
    response = staff_client.post(CREATE, artisan_form_data())
    assert set(response.context["form"].errors) == {"registry_number"}
    assert Artisan.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("phone", "+33 6 12 34 56 78"), ("cin", "123456"), ("cin", "ABC12")],
)
def test_malformed_phone_or_cin_is_a_field_error(staff_client, field, value):
    response = staff_client.post(CREATE, artisan_form_data(**{field: value}))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert not Artisan.objects.exists()


def test_main_craft_must_be_a_craft_not_a_sector(staff_client):
    sector = craft("pottery-ceramics")
    response = staff_client.post(CREATE, artisan_form_data(main_craft=sector.pk))
    assert set(response.context["form"].errors) == {"main_craft"}
    assert not Artisan.objects.exists()


def test_form_page_writes_arabic_names_right_to_left_and_groups_crafts(staff_client):
    content = staff_client.get(CREATE).content.decode()
    for name in ("first_name_ar", "last_name_ar"):
        tag = content.split(f'name="{name}"')[1].split(">")[0]
        assert 'dir="rtl"' in tag
    assert '<optgroup label="Poterie et céramique">' in content
    assert 'name="languages"' in content and 'type="checkbox"' in content


def test_upload_that_is_not_an_image_is_refused(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image at all", content_type="image/jpeg")
    response = staff_client.post(CREATE, {**artisan_form_data(), "photo": fake})
    assert response.context["form"].has_error("photo", code="not_an_image")
    assert not Artisan.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_upload_too_big_is_refused(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = png_bytes(10, 10) + b"\0" * (5 * 1024 * 1024)
    response = staff_client.post(
        CREATE, {**artisan_form_data(), "photo": SimpleUploadedFile("big.png", big, "image/png")}
    )
    assert set(response.context["form"].errors) == {"photo"}
    assert response.context["form"].has_error("photo", code="image_too_big")
    assert not Artisan.objects.exists()


def test_a_real_photo_is_resized_to_800_pixels(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Fatima Bennani.png", png_bytes(2000, 1000), "image/png")
    response = staff_client.post(CREATE, {**artisan_form_data(), "photo": upload})
    assert response.status_code == 302
    artisan = Artisan.objects.get()
    assert artisan.photo.name.startswith("artisans/") and "Bennani" not in artisan.photo.name
    with Image.open(artisan.photo.path) as saved:
        assert saved.size == (800, 400)
        assert saved.format == "JPEG"
    assert (tmp_path / artisan.photo.name).exists()


def test_clean_image_flattens_transparency_and_never_enlarges():
    small = SimpleUploadedFile("logo.png", png_bytes(300, 200, mode="RGBA", color=(0, 0, 0, 0)), "image/png")
    result = clean_image(small, max_side=800)
    with Image.open(result) as image:
        assert image.size == (300, 200) and image.mode == "RGB"
        assert image.getpixel((0, 0)) == (255, 255, 255)


def test_clean_image_refuses_too_many_pixels():
    from django.core.exceptions import ValidationError

    huge = SimpleUploadedFile("bomb.png", png_bytes(4000, 3000, mode="L", color=0), "image/png")
    with pytest.raises(ValidationError) as exc:
        clean_image(huge, max_pixels=10_000_000)
    assert exc.value.code == "image_too_many_pixels"


def edit_url(artisan):
    return reverse("registrations:artisan_update", kwargs={"pk": artisan.pk})


def test_edit_saves_through_the_service_and_audits_changed_fields(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    artisan = ArtisanFactory(cin="BE123456", phone="+212612345678")
    artisan.other_crafts.add(craft("carpets"))
    response = staff_client.get(edit_url(artisan))
    assert response.context["form"].initial["cin"] == "BE123456"
    assert response.context["form"].initial["phone"] == "06 12 34 56 78"  # shown as people read it
    data = artisan_form_data(
        cin="BE123456", registry_number="", phone="+212 7 00 11 22 33", other_crafts=[craft("zellige").pk]
    )
    response = staff_client.post(edit_url(artisan), data)
    assert response.status_code == 302
    artisan.refresh_from_db()
    assert artisan.phone == "+212700112233"
    assert list(artisan.other_crafts.all()) == [craft("zellige")]
    entry = AuditEntry.objects.get(action="artisan.update")
    assert "phone" in entry.changes["fields"] and "other_crafts" in entry.changes["fields"]
    assert "+212700112233" not in str(entry.changes)  # field names only: no personal data


def test_edit_keeps_the_photo_unless_a_new_one_or_clear_is_sent(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff_client.post(
        CREATE,
        {**artisan_form_data(), "photo": SimpleUploadedFile("p.png", png_bytes(100, 100), "image/png")},
    )
    artisan = Artisan.objects.get()
    first = artisan.photo.name
    staff_client.post(edit_url(artisan), artisan_form_data(commune="Settat"))
    artisan.refresh_from_db()
    assert artisan.photo.name == first and artisan.commune == "Settat"
    staff_client.post(edit_url(artisan), {**artisan_form_data(), "photo-clear": "on"})
    artisan.refresh_from_db()
    assert not artisan.photo


def test_edit_to_a_taken_cin_is_refused_and_changes_nothing(staff_client):
    ArtisanFactory(cin="BE111111")
    artisan = ArtisanFactory(cin="BE222222", commune="Berrechid")
    response = staff_client.post(edit_url(artisan), artisan_form_data(cin="be111111", commune="Settat"))
    assert set(response.context["form"].errors) == {"cin"}
    artisan.refresh_from_db()
    assert artisan.cin == "BE222222" and artisan.commune == "Berrechid"


# --- Cooperatives ---------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_cooperative_list_query_budget_and_member_counts(staff_client, django_assert_num_queries, rows):
    for _ in range(rows):
        coop = CooperativeFactory()
        ArtisanFactory.create_batch(2, cooperative=coop, gender="F")
        ArtisanFactory(cooperative=coop, gender="M")
    # session, user, roles, count, rows (with member counts), provinces (filter form)
    with django_assert_num_queries(6):
        response = staff_client.get(reverse("registrations:cooperative_list"))
    cooperatives = response.context["cooperatives"]
    assert len(cooperatives) == rows
    assert {(c.member_count, c.women_count) for c in cooperatives} == {(3, 2)}


def test_cooperative_list_search_and_bad_province(staff_client):
    CooperativeFactory(name="Coopérative Nisae Settat", registration_number="COOP-777")
    CooperativeFactory(name="Association Fakhar")
    url = reverse("registrations:cooperative_list")
    response = staff_client.get(url, {"q": "coop-777"})
    assert [c.name for c in response.context["cooperatives"]] == ["Coopérative Nisae Settat"]
    response = staff_client.get(url, {"province": "atlantis"})
    assert response.status_code == 200 and "province" in response.context["filter_form"].errors
    assert list(response.context["cooperatives"]) == []


def cooperative_data(**overrides):
    return {
        "name": "Coopérative  Al Baraka",
        "name_ar": "تعاونية البركة",
        "kind": "cooperative",
        "registration_number": "coop 2024 15",
        "province": province("settat").pk,
        "women_only": "on",
        **overrides,
    }


def test_create_cooperative_through_the_service(staff_client, staff_user):
    response = staff_client.post(reverse("registrations:cooperative_create"), cooperative_data())
    assert response.status_code == 302
    coop = Cooperative.objects.get()
    assert coop.name == "Coopérative Al Baraka"
    assert coop.registration_number == "COOP202415" and coop.women_only
    assert AuditEntry.objects.get(action="cooperative.create").actor == staff_user


def test_create_cooperative_with_a_taken_number_is_a_field_error(staff_client):
    CooperativeFactory(registration_number="COOP202415")
    response = staff_client.post(reverse("registrations:cooperative_create"), cooperative_data())
    assert set(response.context["form"].errors) == {"registration_number"}
    assert Cooperative.objects.count() == 1


def test_edit_cooperative_audits_old_and_new_values(staff_client):
    coop = CooperativeFactory(name="Ancien nom", registration_number="COOP-1")
    url = reverse("registrations:cooperative_update", kwargs={"pk": coop.pk})
    response = staff_client.post(url, cooperative_data(name="Nouveau nom", registration_number="COOP-1"))
    assert response.status_code == 302
    coop.refresh_from_db()
    assert coop.name == "Nouveau nom"
    entry = AuditEntry.objects.get(action="cooperative.update")
    assert entry.changes["name"] == ["Ancien nom", "Nouveau nom"]


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_registry_pages_render_in_every_language(staff_client, language):
    artisan = ArtisanFactory()
    staff_client.cookies["django_language"] = language
    for url in (LIST, CREATE, artisan.get_absolute_url(), reverse("registrations:cooperative_list")):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()
