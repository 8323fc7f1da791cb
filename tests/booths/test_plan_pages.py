"""The staff pages of the floor plan, the booth page's actions, and the artisan's booth."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from booths import selectors, services
from booths.models import Assignment, Booth, Zone
from booths.plan import HIGHLIGHT, STATUS_COLOURS
from booths.services import GridSpec
from fairs.models import Fair
from registrations.models import Application
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    BoothFactory,
    FairFactory,
    UserFactory,
    ZoneFactory,
    craft,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; French (the default) and Arabic have their own tests."""
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db
S = Application.Status


def confirmed(fair, **kwargs):
    return ApplicationFactory(fair=fair, status=S.CONFIRMED, **kwargs)


def exhibitor(fair, first_name="Fatima", last_name="Bennani", **kwargs):
    artisan = ArtisanFactory(first_name=first_name, last_name=last_name, **kwargs)
    return confirmed(fair, artisan=artisan)


def url(name, *args):
    return reverse(f"booths:{name}", args=args)


@pytest.fixture
def zone():
    return ZoneFactory(name="Hall des tapis", name_ar="قاعة الزرابي", colour="#1d4e89")


@pytest.fixture
def fair(zone):
    return zone.fair  # allocating


def assigned(booth, application, staff_user, lock=True):
    return services.booth_assign(booth=booth, application=application, actor=staff_user, lock=lock)


def staff_in(client, user, language="fr"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def svg_of(html: str) -> str:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no SVG on the page"
    return match.group(0)


def booth_cell(svg: str, booth) -> str:
    match = re.search(rf'<g class="booth[^"]*" data-booth="{booth.pk}">.*?</g>', svg, re.S)
    assert match, f"booth {booth.code} not on the plan"
    return match.group(0)


# --- The plan page ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_plan_of_a_fair_without_booths_offers_to_copy_an_earlier_edition(client, staff_user, language):
    old = ZoneFactory(name="Hall A", fair__starts_on=dt.date(2020, 4, 1))
    BoothFactory.create_batch(2, zone=old)
    fair = FairFactory(status=Fair.Status.ALLOCATING, venue=old.fair.venue)
    FairFactory(status=Fair.Status.CLOSED, venue=old.fair.venue, starts_on=dt.date(2021, 4, 1))  # no booths
    response = staff_in(client, staff_user, language).get(url("plan", fair.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" not in html
    assert 'dir="rtl"' in html if language == "ar" else 'dir="ltr"' in html
    assert [f.pk for f in response.context["copy_form"].fields["source"].queryset] == [old.fair.pk]
    assert url("plan_copy", fair.pk) in html and url("booths_grid", fair.pk) in html


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_plan_draws_every_booth_with_a_link_counts_and_legend(client, staff_user, zone, fair, language):
    booths = BoothFactory.create_batch(4, zone=zone)
    other_zone = ZoneFactory(fair=fair, name="Cour", colour="#aa3300")
    outside = BoothFactory(zone=other_zone, code="OUT1")
    assigned(booths[0], exhibitor(fair), staff_user)
    services.booth_set_status(booth=booths[1], status="held", reason="Invité d'honneur", actor=staff_user)
    response = staff_in(client, staff_user, language).get(url("plan", fair.pk))
    assert response.status_code == 200
    html = response.content.decode()
    svg = svg_of(html)
    assert 'direction="ltr"' in svg  # booth codes are never mirrored on an Arabic page
    for booth in [*booths, outside]:
        assert f">{booth.code}</text>" in svg
        assert f'href="{url("booth_detail", booth.pk)}"' in svg
    assert 'fill="#1d4e89"' in svg and 'fill="#aa3300"' in svg  # by zone
    assert response.context["counts"] == {
        "booths": 5, "free": 3, "taken": 1, "locked": 1, "held": 1, "blocked": 0, "unavailable": 1,
    }  # fmt: skip
    name = "فاطمة بناني" if language == "ar" else "Fatima Bennani"
    assert name in booth_cell(svg, booths[0])  # staff see who is where
    expected_zone_name = "قاعة الزرابي" if language == "ar" else "Hall des tapis"
    assert expected_zone_name in html and "Cour" in html
    for name in ("booth_list", "zone_create", "booths_grid", "booth_create"):
        assert url(name, fair.pk) in html


def test_plan_coloured_by_status(staff_client, zone, fair, staff_user):
    free, taken = BoothFactory.create_batch(2, zone=zone)
    assigned(taken, exhibitor(fair), staff_user, lock=False)
    svg = svg_of(staff_client.get(url("plan", fair.pk), {"colour": "status"}).content.decode())
    assert f'fill="{STATUS_COLOURS["free"]}"' in booth_cell(svg, free)
    assert f'fill="{STATUS_COLOURS["taken"]}"' in booth_cell(svg, taken)
    assert 'fill="#1d4e89"' not in svg


def test_a_closed_fair_shows_its_plan_without_edit_buttons(staff_client, zone, fair):
    BoothFactory(zone=zone)
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.CLOSED)
    html = staff_client.get(url("plan", fair.pk)).content.decode()
    assert url("booths_grid", fair.pk) not in html and "<svg" in html


# --- Zones ------------------------------------------------------------------------------------


def test_create_a_zone_with_crafts_and_an_arabic_name(staff_client, fair):
    response = staff_client.get(url("zone_create", fair.pk))
    html = response.content.decode()
    assert 'type="color"' in html and 'dir="rtl"' in html
    assert craft("carpets").parent.name in html  # crafts grouped by sector
    response = staff_client.post(
        url("zone_create", fair.pk),
        {"name": "Hall du cuir", "name_ar": "قاعة الجلد", "colour": "#884422",
         "crafts": [craft("carpets").pk, craft("pottery").parent_id]},
    )  # fmt: skip
    assert response.status_code == 302
    zone = Zone.objects.get(fair=fair, name="Hall du cuir")
    assert (zone.name_ar, zone.colour) == ("قاعة الجلد", "#884422")
    assert set(zone.craft_categories.values_list("pk", flat=True)) == {
        craft("carpets").pk,
        craft("pottery").parent_id,
    }


def test_edit_a_zone(staff_client, zone, fair):
    zone.craft_categories.set([craft("carpets")])
    page = staff_client.get(url("zone_update", fair.pk, zone.pk)).content.decode()
    assert f'value="{craft("carpets").pk}" id="craft-{craft("carpets").pk}" checked' in page
    response = staff_client.post(
        url("zone_update", fair.pk, zone.pk), {"name": "Hall des tapis", "colour": "#000000", "crafts": []}
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.colour == "#000000" and not zone.craft_categories.exists()


def test_a_zone_name_used_twice_is_a_form_error(staff_client, zone, fair):
    response = staff_client.post(url("zone_create", fair.pk), {"name": "Hall des tapis", "colour": "#123456"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Zone.objects.filter(fair=fair).count() == 1


def test_a_zone_of_another_fair_is_not_found(staff_client, zone):
    other = FairFactory(status=Fair.Status.ALLOCATING)
    assert staff_client.get(url("zone_update", other.pk, zone.pk)).status_code == 404


# --- Booths: grid, one booth, copy -------------------------------------------------------------


def grid_data(zone, **overrides):
    data = {
        "zone": zone.pk if zone else "", "prefix": "A", "start": 1, "rows": 2, "columns": 3,
        "x": "0", "y": "0", "width": "3", "depth": "3", "aisle": "2", "kind": "standard", "size": 9,
        "price": "800", "tier": 1, "accessible": "on", "has_electricity": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_grid_from_the_page_creates_the_booths(staff_client, zone, fair):
    response = staff_client.post(url("booths_grid", fair.pk), grid_data(zone))
    assert response.status_code == 302 and response["Location"] == url("plan", fair.pk)
    booths = list(Booth.objects.filter(fair=fair).order_by("code"))
    assert [b.code for b in booths] == ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert (booths[4].x, booths[4].y, booths[4].tier, booths[4].price) == (
        Decimal(3),
        Decimal(5),
        1,
        Decimal(800),
    )
    assert all(b.zone == zone for b in booths)


def test_an_overlapping_grid_shows_both_booths_and_creates_nothing(staff_client, zone, fair, staff_user):
    services.booths_create_grid(
        fair=fair, zone=zone, grid=GridSpec(prefix="A", rows=1, columns=4), actor=staff_user
    )
    response = staff_client.post(url("booths_grid", fair.pk), grid_data(zone, prefix="B", x="6", rows=1))
    assert response.status_code == 200
    errors = str(response.context["form"].errors)
    assert "B01" in errors and "A03" in errors
    assert Booth.objects.filter(fair=fair).count() == 4


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"prefix": "A", "y": "20"}, "prefix", "A01"),  # A01 exists already
        ({"rows": 30, "columns": 20}, "rows", "500"),
        ({"size": 18}, "size", "18"),  # 3 × 3 m is not 18 m²
        ({"width": "0.2"}, "width", ""),
    ],
)
def test_grid_mistakes_are_form_errors_and_create_nothing(
    staff_client, zone, fair, staff_user, overrides, field, words
):
    services.booths_create_grid(
        fair=fair, zone=zone, grid=GridSpec(prefix="A", rows=1, columns=1), actor=staff_user
    )
    response = staff_client.post(url("booths_grid", fair.pk), grid_data(zone, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert Booth.objects.filter(fair=fair).count() == 1


def test_grid_page_suggests_a_free_prefix_below_the_plan(staff_client, zone, fair):
    BoothFactory(zone=zone, code="A01", y=Decimal("4"))
    form = staff_client.get(url("booths_grid", fair.pk), {"zone": zone.pk}).context["form"]
    assert form.initial["prefix"] == "B" and form.initial["y"] == 9 and form.initial["zone"] == zone.pk


def test_add_one_booth(staff_client, zone, fair):
    data = {"zone": zone.pk, "code": "K1", "kind": "corner", "size": 12, "price": "1200", "tier": 2,
            "accessible": "on", "x": "10", "y": "10", "width": "4", "depth": "3"}  # fmt: skip
    response = staff_client.post(url("booth_create", fair.pk), data)
    booth = Booth.objects.get(fair=fair, code="K1")
    assert response["Location"] == url("booth_detail", booth.pk)
    assert (booth.kind, booth.size, booth.has_electricity) == ("corner", 12, False)
    response = staff_client.post(url("booth_create", fair.pk), {**data, "code": "K2", "x": "11"})
    assert response.status_code == 200 and "K1" in str(response.context["form"].errors)
    assert not Booth.objects.filter(code="K2").exists()


def test_copy_the_plan_of_an_earlier_edition_from_the_page(staff_client, staff_user):
    old = ZoneFactory(fair__status=Fair.Status.CLOSED, fair__starts_on=dt.date(2020, 4, 1))
    BoothFactory.create_batch(3, zone=old)
    fair = FairFactory(status=Fair.Status.ALLOCATING, venue=old.fair.venue)
    response = staff_client.post(url("plan_copy", fair.pk), {"source": old.fair.pk}, follow=True)
    assert Booth.objects.filter(fair=fair).count() == 3
    assert "3" in response.content.decode()
    response = staff_client.post(url("plan_copy", fair.pk), {"source": old.fair.pk}, follow=True)
    assert Booth.objects.filter(fair=fair).count() == 3
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_copy_from_a_fair_at_another_venue_is_refused(staff_client, staff_user):
    elsewhere = ZoneFactory()
    BoothFactory(zone=elsewhere)
    fair = FairFactory(status=Fair.Status.ALLOCATING)
    response = staff_client.post(url("plan_copy", fair.pk), {"source": elsewhere.fair.pk}, follow=True)
    assert response.status_code == 200
    assert not Booth.objects.filter(fair=fair).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_copy_is_post_only(staff_client, fair):
    assert staff_client.get(url("plan_copy", fair.pk)).status_code == 405


# --- The booth list --------------------------------------------------------------------------


def test_booth_list_shows_exhibitors_in_both_scripts_and_filters(staff_client, zone, fair, staff_user):
    a, b, c = BoothFactory.create_batch(3, zone=zone)
    court = ZoneFactory(fair=fair, name="Cour")
    d = BoothFactory(zone=court)
    assigned(a, exhibitor(fair, last_name="Alaoui", last_name_ar="العلوي"), staff_user)
    services.booth_set_status(booth=b, status="blocked", reason="Pilier", actor=staff_user)
    html = staff_client.get(url("booth_list", fair.pk)).content.decode()
    assert "Fatima Alaoui" in html and "فاطمة العلوي" in html and "Pilier" in html
    assert craft().name in html

    def codes(**query):
        return [
            row["booth"].code for row in staff_client.get(url("booth_list", fair.pk), query).context["rows"]
        ]

    assert codes() == sorted([a.code, b.code, c.code, d.code])
    assert codes(status="taken") == [a.code]
    assert codes(status="free") == sorted([c.code, d.code])
    assert codes(status="blocked") == [b.code]
    assert codes(status="held") == []
    assert codes(zone=court.pk) == [d.code]
    assert codes(status="nonsense", zone="x") == sorted([a.code, b.code, c.code, d.code])


# --- The booth page and its actions ----------------------------------------------------------


def test_booth_page_shows_exhibitor_method_lock_and_explanation(staff_client, zone, fair, staff_user):
    booth = BoothFactory(zone=zone)
    application = exhibitor(fair, last_name="Tazi")
    Assignment.objects.create(
        booth=booth, application=application, fair=fair, method="auto", locked=False,
        explanation=["preferred_zone", "rotation_upgrade", "lottery"],
    )  # fmt: skip
    response = staff_client.get(url("booth_detail", booth.pk))
    html = response.content.decode()
    assert "Fatima Tazi" in html and application.get_absolute_url() in html
    assert reverse("registrations:artisan_detail", args=[application.artisan.pk]) in html
    assert response.context["explanation"] == [
        str(selectors.EXPLANATION_LABELS[c]) for c in ("preferred_zone", "rotation_upgrade", "lottery")
    ]
    assert "preferred_zone" not in html
    assert f'stroke="{HIGHLIGHT}"' in booth_cell(svg_of(html), booth)
    for action in ("move", "swap", "vacate"):
        assert url(f"booth_{action}", booth.pk) in html
    assert url("booth_assign", booth.pk) not in html


def test_hold_needs_a_reason(staff_client, zone):
    booth = BoothFactory(zone=zone)
    response = staff_client.post(
        url("booth_status", booth.pk), {"status-status": "held", "status-reason": " "}
    )
    assert response.status_code == 200
    assert "reason" in response.context["forms"]["status"].errors
    assert Booth.objects.get(pk=booth.pk).status == "available"
    response = staff_client.post(
        url("booth_status", booth.pk), {"status-status": "held", "status-reason": "Délégation"}
    )
    assert response.status_code == 302
    assert Booth.objects.get(pk=booth.pk).status_reason == "Délégation"
    staff_client.post(url("booth_status", booth.pk), {"status-status": "available"})
    assert Booth.objects.get(pk=booth.pk).status == "available"


def test_assign_a_confirmed_exhibitor_from_the_booth_page(staff_client, zone, fair):
    booth = BoothFactory(zone=zone)
    waiting = exhibitor(fair, last_name="Sqalli")
    placed = exhibitor(fair, last_name="Fassi")
    Assignment.objects.create(booth=BoothFactory(zone=zone), application=placed, fair=fair, method="auto")
    ApplicationFactory(
        fair=fair, status=S.ACCEPTED, offer_deadline="2030-01-01T00:00Z"
    )  # not confirmed: not offered
    page = staff_client.get(url("booth_detail", booth.pk))
    offered = [
        value for value, _label in page.context["forms"]["assign"].fields["application"].widget.choices
    ]
    assert offered == ["", waiting.pk]
    response = staff_client.post(
        url("booth_assign", booth.pk), {"assign-application": waiting.pk, "assign-lock": "on"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(booth=booth)
    assert (assignment.application, assignment.method, assignment.locked) == (waiting, "manual", True)


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("held", "held"),
        ("taken", "already taken"),
        ("not_confirmed", "confirmed"),
        ("other_fair", "another fair"),
        ("fair_draft", "cannot change"),
    ],
)
def test_assign_refusals_show_the_reason_and_change_nothing(client, staff_user, zone, fair, setup, words):
    client.cookies["django_language"] = "en"
    client.force_login(staff_user)
    booth = BoothFactory(zone=zone)
    application = exhibitor(fair)
    if setup == "held":
        services.booth_set_status(booth=booth, status="held", reason="VIP", actor=staff_user)
    elif setup == "taken":
        assigned(booth, exhibitor(fair, last_name="Other"), staff_user)
    elif setup == "not_confirmed":
        application = ApplicationFactory(fair=fair, status=S.ACCEPTED, offer_deadline="2030-01-01T00:00Z")
    elif setup == "other_fair":
        application = exhibitor(FairFactory(status=Fair.Status.ALLOCATING))
    elif setup == "fair_draft":
        Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.DRAFT)
    before = list(Assignment.objects.values_list("booth_id", "application_id"))
    response = client.post(url("booth_assign", booth.pk), {"assign-application": application.pk})
    assert response.status_code == 200
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and words in errors[0], errors
    assert list(Assignment.objects.values_list("booth_id", "application_id")) == before


def test_assign_an_unknown_application_is_a_form_error(staff_client, zone):
    booth = BoothFactory(zone=zone)
    response = staff_client.post(url("booth_assign", booth.pk), {"assign-application": 999999})
    assert response.status_code == 200 and response.context["forms"]["assign"].errors
    assert not Assignment.objects.exists()


def test_vacate_asks_for_confirmation(staff_client, zone, fair, staff_user):
    booth = BoothFactory(zone=zone)
    assigned(booth, exhibitor(fair), staff_user)
    response = staff_client.post(url("booth_vacate", booth.pk), {"vacate-reason": "Erreur"})
    assert response.status_code == 200 and "confirm" in response.context["forms"]["vacate"].errors
    assert Assignment.objects.filter(booth=booth).exists()
    response = staff_client.post(
        url("booth_vacate", booth.pk), {"vacate-reason": "Erreur", "vacate-confirm": "on"}
    )
    assert response.status_code == 302
    assert not Assignment.objects.filter(booth=booth).exists()


def test_move_to_a_free_booth_and_its_refusals(client, staff_user, zone, fair):
    client.cookies["django_language"] = "en"
    client.force_login(staff_user)
    here, free, held = BoothFactory.create_batch(3, zone=zone)
    elsewhere = BoothFactory()  # another fair
    application = exhibitor(fair)
    assigned(here, application, staff_user)
    services.booth_set_status(booth=held, status="held", reason="VIP", actor=staff_user)
    page = client.get(url("booth_detail", here.pk))
    offered = [value for value, _label in page.context["forms"]["move"].fields["to_booth"].widget.choices]
    assert offered == ["", free.pk]
    for target, words in ((held, "held"), (elsewhere, "another fair")):
        response = client.post(url("booth_move", here.pk), {"move-to_booth": target.pk})
        assert response.status_code == 200
        assert any(words in str(m) for m in response.context["messages"]), target
        assert Assignment.objects.get(application=application).booth == here
    response = client.post(url("booth_move", here.pk), {"move-to_booth": free.pk})
    assert response["Location"] == url("booth_detail", free.pk)
    assert Assignment.objects.get(application=application).booth == free


def test_swap_two_taken_booths_and_refuse_a_free_one(client, staff_user, zone, fair):
    client.cookies["django_language"] = "en"
    client.force_login(staff_user)
    a, b, free = BoothFactory.create_batch(3, zone=zone)
    first, second = exhibitor(fair, last_name="Un"), exhibitor(fair, last_name="Deux")
    assigned(a, first, staff_user)
    assigned(b, second, staff_user)
    offered = client.get(url("booth_detail", a.pk)).context["forms"]["swap"].fields["other"].widget.choices
    assert [value for value, _label in offered] == ["", b.pk]
    assert "Fatima Deux" in offered[1][1]
    response = client.post(url("booth_swap", a.pk), {"swap-other": free.pk})
    assert response.status_code == 200
    assert any("Both booths must be taken" in str(m) for m in response.context["messages"])
    response = client.post(url("booth_swap", a.pk), {"swap-other": b.pk})
    assert response.status_code == 302
    assert Assignment.objects.get(booth=a).application == second
    assert Assignment.objects.get(booth=b).application == first


def test_actions_on_a_free_booth_that_need_an_exhibitor_are_refused(staff_client, zone):
    booth = BoothFactory(zone=zone)
    other = BoothFactory(zone=zone)
    for action, data in (("move", {"move-to_booth": other.pk}), ("vacate", {"vacate-confirm": "on"})):
        response = staff_client.post(url(f"booth_{action}", booth.pk), data)
        assert response.status_code == 200
        assert any(m.level_tag == "error" for m in response.context["messages"])


# --- The artisan's booth -------------------------------------------------------------------


def render_tag(application, user, is_owner=True):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load booth_tags %}{% my_booth application %}")
    return template.render(Context({"application": application, "request": request, "is_owner": is_owner}))


@pytest.fixture
def published_plan(zone, fair, staff_user):
    """Three exhibitors in three booths, the fair published."""
    booths = BoothFactory.create_batch(4, zone=zone)
    mine = exhibitor(fair, first_name="Khadija", last_name="Amrani")
    others = [exhibitor(fair, first_name="Other", last_name=f"Exhibitor{i}") for i in range(2)]
    for booth, application in zip(booths, [mine, *others], strict=False):
        assigned(booth, application, staff_user)
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.PUBLISHED)
    mine.refresh_from_db()
    mine.fair.refresh_from_db()
    return mine, booths


def test_the_artisan_sees_their_booth_highlighted_and_nobody_else(published_plan):
    mine, booths = published_plan
    user = UserFactory()
    html = render_tag(mine, user)
    assert "Hall des tapis" in html and f'<bdi class="fw-bold">{booths[0].code}</bdi>' in html
    svg = svg_of(html)
    assert f'stroke="{HIGHLIGHT}"' in booth_cell(svg, booths[0])
    for booth in booths[1:]:
        assert f'stroke="{HIGHLIGHT}"' not in booth_cell(svg, booth)
        assert f"<title>{booth.code}</title>" in booth_cell(svg, booth)  # the code only
    assert "Exhibitor" not in html and "Khadija" not in svg
    assert "<a " not in svg and "booth-taken" not in svg and "booth-locked" not in svg


def test_the_fragment_included_with_a_dict(published_plan):
    mine, _booths = published_plan
    html = Template('{% include "booths/includes/my_booth.html" %}').render(
        Context({"my_booth": selectors.artisan_booth(mine)})
    )
    assert "Hall des tapis" in html and "<svg" in html


@pytest.mark.parametrize(
    ("fair_status", "app_status", "shown"),
    [
        (Fair.Status.ALLOCATING, S.CONFIRMED, False),  # may still change
        (Fair.Status.PUBLISHED, S.CONFIRMED, True),
        (Fair.Status.RUNNING, S.CONFIRMED, True),
        (Fair.Status.PUBLISHED, S.WITHDRAWN, False),
    ],
)
def test_the_artisan_sees_their_booth_once_the_plan_is_published(
    zone, fair, staff_user, fair_status, app_status, shown
):
    booth = BoothFactory(zone=zone)
    application = exhibitor(fair)
    assigned(booth, application, staff_user)
    Fair.objects.filter(pk=fair.pk).update(status=fair_status)
    Application.objects.filter(pk=application.pk).update(status=app_status)
    application = Application.objects.select_related("fair").get(pk=application.pk)
    assert (selectors.artisan_booth(application) is not None) == shown
    assert ("<svg" in render_tag(application, UserFactory())) == shown


def test_no_booth_no_fragment(zone, fair):
    BoothFactory(zone=zone)
    application = exhibitor(fair)
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.PUBLISHED)
    application.fair.refresh_from_db()
    assert selectors.artisan_booth(application) is None
    assert render_tag(application, UserFactory()).strip() == ""


def test_staff_see_the_booth_early_with_a_warning(zone, fair, staff_user):
    booth = BoothFactory(zone=zone)
    application = exhibitor(fair)
    assigned(booth, application, staff_user)
    html = render_tag(application, staff_user, is_owner=False)
    assert "<svg" in html and "once the plan is published" in html


def test_compact_line_for_my_space(published_plan):
    mine, booths = published_plan
    request = RequestFactory().get("/")
    request.user = UserFactory()
    html = Template("{% load booth_tags %}{% my_booth application compact=True %}").render(
        Context({"application": mine, "request": request})
    )
    assert booths[0].code in html and "<svg" not in html


def test_artisan_booth_reads_in_two_queries_or_one_without_the_plan(
    published_plan, django_assert_num_queries
):
    mine, booths = published_plan
    with django_assert_num_queries(2):
        selectors.artisan_booth(mine)
    with django_assert_num_queries(1):
        line = selectors.artisan_booth(mine, with_plan=False)
    assert line["code"] == booths[0].code and "svg" not in line


# --- Permissions ---------------------------------------------------------------------------


@pytest.fixture
def users(make_user):
    artisan_user = make_user(username="artisan")
    ArtisanFactory(user=artisan_user)
    return {
        "artisan": artisan_user,
        "reviewer": make_user("reviewer", username="rev"),
        "scanner": make_user("scanner", username="scan"),
        "staff": make_user("staff", username="boss"),
    }


PAGES = [
    ("get", "plan", "fair"),
    ("post", "plan_copy", "fair"),
    ("get", "zone_create", "fair"),
    ("get", "zone_update", "zone"),
    ("get", "booths_grid", "fair"),
    ("get", "booth_create", "fair"),
    ("get", "booth_list", "fair"),
    ("get", "booth_detail", "booth"),
    ("post", "booth_status", "booth"),
    ("post", "booth_assign", "booth"),
    ("post", "booth_vacate", "booth"),
    ("post", "booth_move", "booth"),
    ("post", "booth_swap", "booth"),
]


@pytest.mark.parametrize(("method", "name", "target"), PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("artisan", 403), ("reviewer", 403), ("scanner", 403), ("staff", None)],
)
def test_permission_matrix(client, users, zone, method, name, target, who, expected):
    booth = BoothFactory(zone=zone)
    args = {"fair": [zone.fair.pk], "zone": [zone.fair.pk, zone.pk], "booth": [booth.pk]}[target]
    if who != "anonymous":
        client.force_login(users[who])
    response = getattr(client, method)(url(name, *args))
    if expected is None:  # staff: the page, or the form again with its errors
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert "login" not in response["Location"]
    else:
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
    assert Booth.objects.get(pk=booth.pk).status == "available"


def test_unknown_fair_or_booth_is_404_for_staff_and_403_for_others(client, users):
    client.force_login(users["staff"])
    assert client.get(url("plan", 424242)).status_code == 404
    assert client.get(url("booth_detail", 424242)).status_code == 404
    client.force_login(users["artisan"])
    assert client.get(url("plan", 424242)).status_code == 403


# --- Query budgets ---------------------------------------------------------------------------


def plan_with(rows, zone, fair, staff_user):
    zone.craft_categories.set([craft("carpets"), craft("pottery")])
    ZoneFactory(fair=fair, name="Cour").craft_categories.set([craft("zellige")])
    for _ in range(rows):
        booth = BoothFactory(zone=zone)
        assigned(booth, exhibitor(fair), staff_user)
        BoothFactory(zone=zone)
    ContentType.objects.get_for_model(Fair)  # cached per process: warm it for a fixed count


@pytest.mark.parametrize("rows", [1, 3])
def test_plan_page_query_budget(staff_client, django_assert_num_queries, zone, fair, staff_user, rows):
    plan_with(rows, zone, fair, staff_user)
    # session, user, roles, fair, booths (with exhibitors), zones, their crafts
    with django_assert_num_queries(7):
        response = staff_client.get(url("plan", fair.pk))
    assert response.context["counts"]["taken"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_booth_list_query_budget(staff_client, django_assert_num_queries, zone, fair, staff_user, rows):
    plan_with(rows, zone, fair, staff_user)
    # session, user, roles, fair, zones (for the filter), booths (with exhibitors)
    with django_assert_num_queries(6):
        response = staff_client.get(url("booth_list", fair.pk))
    assert len(response.context["rows"]) == 2 * rows


@pytest.mark.parametrize("rows", [1, 3])
def test_booth_page_query_budget(staff_client, django_assert_num_queries, zone, fair, staff_user, rows):
    plan_with(rows, zone, fair, staff_user)
    for _ in range(rows):
        exhibitor(fair)  # waiting for a booth
    booth = Booth.objects.filter(fair=fair, assignment__isnull=False).first()
    # session, user, roles, booth (with exhibitor), the fair's booths, exhibitors without a booth
    with django_assert_num_queries(6):
        response = staff_client.get(url("booth_detail", booth.pk))
    assert response.status_code == 200
