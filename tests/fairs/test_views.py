import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from fairs.models import Fair
from tests.factories import FairFactory, VenueFactory

S = Fair.Status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), ("artisan", 403), ("reviewer", 403), ("scanner", 403), ("staff", 200)]
)
@pytest.mark.parametrize("url_name", ["fairs:list", "fairs:timeline", "fairs:create"])
def test_staff_pages_are_for_staff(client, make_user, role, expected, url_name):
    if role:
        client.force_login(make_user(*([] if role == "artisan" else [role])))
    response = client.get(reverse(url_name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_fair_list_page_query_budget(staff_client, django_assert_num_queries, rows):
    FairFactory.create_batch(rows)
    # session, user, roles, filter years, provinces (filter form), count, rows
    with django_assert_num_queries(7):
        response = staff_client.get(reverse("fairs:list"))
    assert response.status_code == 200
    assert len(response.context["fairs"]) == rows


@pytest.mark.django_db
def test_fair_list_filters_and_bad_filter_values(staff_client):
    FairFactory(name="Foire de Settat", scope="local")
    FairFactory(
        name="Ambiente", scope="international", venue=None, city="Frankfurt", country="DE", role="participant"
    )
    response = staff_client.get(reverse("fairs:list"), {"scope": "international"})
    assert [f.name for f in response.context["fairs"]] == ["Ambiente"]
    response = staff_client.get(reverse("fairs:list"), {"q": "settat"})
    assert [f.name for f in response.context["fairs"]] == ["Foire de Settat"]
    response = staff_client.get(reverse("fairs:list"), {"scope": "galactic", "province": "atlantis"})
    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {"scope", "province"}
    assert list(response.context["fairs"]) == []


@pytest.mark.django_db
def test_timeline_groups_by_year(staff_client):
    FairFactory(
        starts_on=dt.date(2022, 3, 1),
        ends_on=dt.date(2022, 3, 5),
        status=S.CLOSED,
        applications_open_at=None,
        applications_close_at=None,
    )
    FairFactory(
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 3, 5),
        status=S.CLOSED,
        applications_open_at=None,
        applications_close_at=None,
    )
    response = staff_client.get(reverse("fairs:timeline"))
    assert [year for year, _ in response.context["timeline"]] == [2024, 2022]


def form_data(venue, **overrides):
    today = timezone.localdate()
    data = {
        "name": "Foire de Sidi Ismail",
        "name_ar": "معرض سيدي إسماعيل",
        "slug": "foire-sidi-ismail",
        "scope": "local",
        "role": "organizer",
        "venue": venue.pk,
        "country": "MA",
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=46)).isoformat(),
        "applications_open_at": (today + dt.timedelta(days=1)).strftime("%Y-%m-%dT09:00"),
        "applications_close_at": (today + dt.timedelta(days=20)).strftime("%Y-%m-%dT18:00"),
        "capacity": 45,
        "fee": "300",
        "quota_women": 40,
        "quota_rural": 30,
        "quota_first_timers": 20,
        "score_max": 5,
        "offer_days": 7,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_staff_creates_a_fair_through_the_form(staff_client):
    response = staff_client.post(reverse("fairs:create"), form_data(VenueFactory()))
    fair = Fair.objects.get(slug="foire-sidi-ismail")
    assert response.status_code == 302
    assert response["Location"] == fair.get_absolute_url()
    assert fair.status == S.DRAFT
    assert AuditEntry.objects.filter(action="fair.create").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"capacity": "0"}, "capacity"),
        ({"applications_close_at": "2099-01-01T10:00"}, "applications_close_at"),
        ({"applications_open_at": ""}, "applications_open_at"),
    ],
)
def test_form_errors_name_the_field_and_change_nothing(staff_client, overrides, field):
    response = staff_client.post(reverse("fairs:create"), form_data(VenueFactory(), **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Fair.objects.exists()


@pytest.mark.django_db
def test_staff_edits_a_fair(staff_client):
    fair = FairFactory()
    data = form_data(fair.venue, slug=fair.slug, name="Nouveau nom", capacity=99)
    response = staff_client.post(reverse("fairs:update", args=[fair.pk]), data)
    assert response.status_code == 302
    fair.refresh_from_db()
    assert (fair.name, fair.capacity) == ("Nouveau nom", 99)


@pytest.mark.django_db
def test_lifecycle_button_confirms_then_moves(staff_client):
    fair = FairFactory(applications_open_at=timezone.now() - dt.timedelta(hours=1))
    url = reverse("fairs:transition", args=[fair.pk, "open"])
    page = staff_client.get(url)
    assert page.status_code == 200 and page.context["allowed"]
    assert Fair.objects.get(pk=fair.pk).status == S.DRAFT  # GET changes nothing
    response = staff_client.post(url, {"reason": "go"})
    assert response.status_code == 302
    assert Fair.objects.get(pk=fair.pk).status == S.OPEN


@pytest.mark.django_db
def test_illegal_move_from_the_web_is_a_message_not_an_error(staff_client):
    fair = FairFactory(status=S.DRAFT)
    response = staff_client.post(reverse("fairs:transition", args=[fair.pk, "close"]), follow=True)
    assert response.status_code == 200
    assert Fair.objects.get(pk=fair.pk).status == S.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert staff_client.get(f"/staff/fairs/{fair.pk}/fly/").status_code == 404


@pytest.mark.django_db
def test_public_home_lists_open_calls_and_upcoming_not_drafts(client):
    now = timezone.now()
    FairFactory(name="Appel ouvert", status=S.OPEN, applications_open_at=now - dt.timedelta(days=1))
    FairFactory(name="Publié", status=S.PUBLISHED)
    FairFactory(name="Brouillon", status=S.DRAFT)
    response = client.get(reverse("fairs:public_home"))
    assert [f.name for f in response.context["calls"]] == ["Appel ouvert"]
    assert [f.name for f in response.context["upcoming"]] == ["Publié"]
    assert b"Brouillon" not in response.content


@pytest.mark.django_db
def test_public_detail_hides_drafts(client):
    draft = FairFactory(status=S.DRAFT)
    published = FairFactory(status=S.PUBLISHED)
    assert client.get(reverse("fairs:public_detail", args=[draft.slug])).status_code == 404
    assert client.get(reverse("fairs:public_detail", args=[published.slug])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_pages_carry_language_and_direction(client, language, direction):
    client.cookies["django_language"] = language
    response = client.get(reverse("fairs:public_home"))
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()
    if language == "ar":
        assert b"bootstrap.rtl.min.css" in response.content


@pytest.mark.django_db
def test_french_is_the_default_language(client):
    response = client.get(reverse("fairs:public_home"), HTTP_ACCEPT_LANGUAGE="")
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_language_choice_is_remembered_on_the_account(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/staff/fairs/"})
    assert response.status_code == 302 and response["Location"] == "/staff/fairs/"
    staff_user.refresh_from_db()
    assert staff_user.language == "ar"
    # A new device (no cookie) gets the saved language.
    other = client.__class__()
    other.force_login(staff_user)
    page = other.get(reverse("fairs:list"))
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_programme_pdf_for_staff(staff_client):
    FairFactory(name="Foire de Settat", name_ar="معرض سطات")
    response = staff_client.get(reverse("fairs:programme_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("language", "place"),
    [
        ("fr", "Ouagadougou, Burkina Faso"),
        ("ar", "Ouagadougou, بوركينا فاسو"),
        ("en", "Ouagadougou, Burkina Faso"),
    ],
)
def test_a_fair_abroad_names_its_country_in_the_readers_language(language, place):
    from django.utils import translation

    fair = Fair(city="Ouagadougou", country="BF")
    with translation.override(language):
        assert fair.place == place
    assert Fair(city="Marrakech", country="MA").place == "Marrakech"  # at home, no country


@pytest.mark.django_db
def test_the_fair_form_refuses_an_unknown_country(staff_client):
    response = staff_client.post(reverse("fairs:create"), {"name": "Salon", "country": "XX"})
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not Fair.objects.exists()
