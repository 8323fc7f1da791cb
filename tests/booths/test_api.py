"""The booths API: zones, booths and their moves, the allocation preview and commit.

One permission matrix (role × endpoint → status), the filters, every refusal code with
nothing changed, the preview/commit contract, and the query budget of the booth list.
"""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from booths import allocation, services
from booths.models import AllocationRun, Assignment, Booth, Zone
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, FairFactory, ZoneFactory, craft


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; French (the default) and Arabic have their own tests."""
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db
S = Application.Status

ROLES = ["anonymous", "artisan", "reviewer", "scanner", "staff"]


@pytest.fixture
def people(make_user):
    artisan_user = make_user(username="artisan")
    ArtisanFactory(user=artisan_user)
    return {
        "anonymous": None,
        "artisan": artisan_user,
        "reviewer": make_user("reviewer", username="jury"),
        "scanner": make_user("scanner", username="gate"),
        "staff": make_user("staff", username="delegation"),
    }


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def staff(people):
    return client_as(people["staff"])


def confirmed(fair, **kwargs) -> Application:
    return ApplicationFactory(fair=fair, status=S.CONFIRMED, **kwargs)


@pytest.fixture
def plan():
    """A fair in allocation: a pottery zone with four free booths and two confirmed potters."""
    zone = ZoneFactory(name="Pottery hall", name_ar="قاعة الفخار")
    zone.craft_categories.set([craft("pottery")])
    booths = [BoothFactory(zone=zone, code=f"A{i}") for i in range(1, 5)]
    return {
        "fair": zone.fair,
        "zone": zone,
        "booths": booths,
        "apps": [confirmed(zone.fair) for _ in range(2)],
    }


def state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Booth.objects.order_by("pk").values_list("pk", "code", "status", "status_reason", "zone_id")),
        list(Zone.objects.order_by("pk").values_list("pk", "name", "colour")),
        set(Assignment.objects.values_list("booth_id", "application_id", "locked")),
        AllocationRun.objects.count(),
        AuditEntry.objects.count(),
    )


# --- The permission matrix ---------------------------------------------------------------------

D = 403  # anonymous: session auth sends no challenge, so 403 rather than 401
STAFF_ONLY = (D, 403, 403, 403)
EXPECTED = {
    # endpoint: statuses for anonymous, artisan, reviewer, scanner, staff
    "zones-list": (*STAFF_ONLY, 200),
    "zones-detail": (*STAFF_ONLY, 200),
    "zones-create": (*STAFF_ONLY, 201),
    "zones-update": (*STAFF_ONLY, 200),
    "booths-list": (*STAFF_ONLY, 200),
    "booths-detail": (*STAFF_ONLY, 200),
    "booths-create": (*STAFF_ONLY, 201),
    "booths-grid": (*STAFF_ONLY, 201),
    "assign": (*STAFF_ONLY, 200),
    "move": (*STAFF_ONLY, 200),
    "vacate": (*STAFF_ONLY, 200),
    "swap": (*STAFF_ONLY, 200),
    "hold": (*STAFF_ONLY, 200),
    "block": (*STAFF_ONLY, 200),
    "release": (*STAFF_ONLY, 200),
    "preview": (*STAFF_ONLY, 200),
    "commit": (*STAFF_ONLY, 201),
}


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_permission_matrix(people, plan, staff_user, role_index, endpoint):
    role = ROLES[role_index]
    fair, zone, booths, apps = plan["fair"], plan["zone"], plan["booths"], plan["apps"]
    services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user)
    services.booth_assign(booth=booths[1], application=apps[1], actor=staff_user)
    services.booth_set_status(booth=booths[3], status="held", reason="Partner", actor=staff_user)
    newcomer = confirmed(fair)
    requests = {
        "zones-list": ("get", f"/api/v1/zones/?fair={fair.pk}", None),
        "zones-detail": ("get", f"/api/v1/zones/{zone.pk}/", None),
        "zones-create": ("post", "/api/v1/zones/", {"fair": fair.pk, "name": "Weaving"}),
        "zones-update": ("patch", f"/api/v1/zones/{zone.pk}/", {"colour": "#123456"}),
        "booths-list": ("get", f"/api/v1/booths/?fair={fair.pk}", None),
        "booths-detail": ("get", f"/api/v1/booths/{booths[0].pk}/", None),
        "booths-create": ("post", "/api/v1/booths/", {"fair": fair.pk, "code": "Z1", "x": 0, "y": 20}),
        "booths-grid": ("post", "/api/v1/booths/grid/", {"fair": fair.pk, "prefix": "G", "rows": 1, "columns": 2, "y": 30}),
        "assign": ("post", f"/api/v1/booths/{booths[2].pk}/assign/", {"application": newcomer.pk}),
        "move": ("post", f"/api/v1/booths/{booths[2].pk}/move/", {"application": apps[0].pk}),
        "vacate": ("post", f"/api/v1/booths/{booths[0].pk}/vacate/", {}),
        "swap": ("post", f"/api/v1/booths/{booths[0].pk}/swap/", {"other_booth": booths[1].pk}),
        "hold": ("post", f"/api/v1/booths/{booths[2].pk}/hold/", {"reason": "Press"}),
        "block": ("post", f"/api/v1/booths/{booths[2].pk}/block/", {"reason": "Pillar"}),
        "release": ("post", f"/api/v1/booths/{booths[3].pk}/release/", {}),
        "preview": ("post", "/api/v1/allocations/preview/", {"fair": fair.pk, "seed": "x"}),
        "commit": ("post", "/api/v1/allocations/commit/", {"fair": fair.pk, "seed": "x"}),
    }  # fmt: skip
    method, url, body = requests[endpoint]
    before = state()

    response = getattr(client_as(people[role]), method)(url, body, format="json")

    assert response.status_code == EXPECTED[endpoint][role_index], response.content
    if role != "staff":
        assert state() == before
        assert set(response.json()) >= {"code", "detail"}


# --- Zones ------------------------------------------------------------------------------------


def test_zones_list_filters_by_fair(staff, plan):
    other = ZoneFactory(name="Elsewhere")
    response = staff.get(f"/api/v1/zones/?fair={plan['fair'].pk}")
    names = [z["name"] for z in response.json()["results"]]
    assert names == ["Pottery hall"] and other.name not in names
    assert response.json()["results"][0]["craft_categories"] == ["pottery"]


def test_zone_create_and_update_go_through_the_service(staff, plan):
    response = staff.post(
        "/api/v1/zones/",
        {"fair": plan["fair"].pk, "name": "Weaving", "name_ar": "النسيج", "colour": "#0b6e4f",
         "craft_categories": ["carpets"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    zone = Zone.objects.get(pk=response.json()["id"])
    assert zone.position == plan["zone"].position + 1  # after the last zone, by the service
    assert list(zone.craft_categories.values_list("code", flat=True)) == ["carpets"]
    assert AuditEntry.objects.filter(action="zone.create").count() == 1

    response = staff.patch(
        f"/api/v1/zones/{zone.pk}/", {"name": "Carpets", "craft_categories": []}, format="json"
    )
    assert response.status_code == 200
    zone.refresh_from_db()
    assert zone.name == "Carpets" and not zone.craft_categories.exists()
    assert AuditEntry.objects.filter(action="zone.update").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Pottery hall"}, "name"),  # the fair already has a zone of that name
        ({"name": "X", "colour": "green"}, "colour"),
        ({"name": "X", "craft_categories": ["not-a-craft"]}, "craft_categories"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_zone_input_names_the_field_and_changes_nothing(staff, plan, body, field):
    before = state()
    response = staff.post("/api/v1/zones/", {"fair": plan["fair"].pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert state() == before


def test_renaming_a_zone_to_a_name_the_fair_has_is_refused(staff, plan):
    other = ZoneFactory(fair=plan["fair"], name="Weaving")
    before = state()
    response = staff.patch(f"/api/v1/zones/{other.pk}/", {"name": "Pottery hall"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert state() == before
    # keeping its own name is no clash
    assert staff.patch(f"/api/v1/zones/{other.pk}/", {"name": "Weaving"}, format="json").status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_zone_list_query_budget(staff, django_assert_num_queries, rows):
    fair = FairFactory(status=Fair.Status.ALLOCATING)
    for i in range(rows):
        ZoneFactory(fair=fair, name=f"Hall {i}").craft_categories.set([craft("pottery"), craft("carpets")])
    # roles, the fair filter, count, zones, their crafts
    with django_assert_num_queries(5):
        response = staff.get(f"/api/v1/zones/?fair={fair.pk}")
    assert response.json()["count"] == rows


def test_zone_of_a_closed_fair_cannot_change(staff, plan):
    Fair.objects.filter(pk=plan["fair"].pk).update(status=Fair.Status.CLOSED)
    before = state()
    response = staff.patch(f"/api/v1/zones/{plan['zone'].pk}/", {"name": "New"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "fair_not_planning"
    assert state() == before


def test_a_zone_does_not_move_to_another_fair(staff, plan):
    other = FairFactory()
    response = staff.patch(f"/api/v1/zones/{plan['zone'].pk}/", {"fair": other.pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "read_only"
    assert Zone.objects.get(pk=plan["zone"].pk).fair_id == plan["fair"].pk


# --- Booths: list and read --------------------------------------------------------------------


def test_booth_shows_its_state_and_exhibitor_without_personal_data(staff, plan, staff_user):
    booth, application = plan["booths"][0], plan["apps"][0]
    services.booth_assign(booth=booth, application=application, actor=staff_user)

    data = staff.get(f"/api/v1/booths/{booth.pk}/").json()

    assert data["code"] == "A1" and data["state"] == "locked" and data["status"] == "available"
    assert data["zone_name"] == "Pottery hall"
    assignment = data["assignment"]
    assert assignment["application"] == application.pk
    assert assignment["artisan_name"] == application.artisan.full_name
    assert assignment["artisan_name_ar"] == application.artisan.full_name_ar
    assert assignment["craft"] == "pottery" and assignment["explanation"] == ["manual"]
    assert assignment["explanation_text"] == ["Assigned by hand."]
    assert not {"cin", "phone", "birth_year"} & set(json.dumps(data).split('"'))
    assert staff.get(f"/api/v1/booths/{plan['booths'][1].pk}/").json()["assignment"] is None


def test_booth_list_filters(staff, plan, staff_user):
    fair, zone, booths, apps = plan["fair"], plan["zone"], plan["booths"], plan["apps"]
    services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user, lock=False)
    services.booth_set_status(booth=booths[1], status="held", reason="Press", actor=staff_user)
    services.booth_set_status(booth=booths[2], status="blocked", reason="Pillar", actor=staff_user)
    other_zone = ZoneFactory(fair=fair, name="Outside")
    island = BoothFactory(zone=other_zone, code="I1", kind="island")
    BoothFactory(code="ELSEWHERE")  # another fair

    def codes(query):
        response = staff.get(f"/api/v1/booths/?fair={fair.pk}&{query}")
        assert response.status_code == 200
        return [b["code"] for b in response.json()["results"]]

    assert codes("") == ["A1", "A2", "A3", "A4", "I1"]
    assert codes("status=free") == ["A4", "I1"]
    assert codes("status=taken") == ["A1"]
    assert codes("status=held") == ["A2"]
    assert codes("status=blocked") == ["A3"]
    assert codes(f"zone={zone.pk}") == ["A1", "A2", "A3", "A4"]
    assert codes("kind=island") == [island.code]
    assert codes("status=free&kind=standard") == ["A4"]


@pytest.mark.parametrize("query", ["status=nope", "kind=tent", "fair=999999", "zone=abc"])
def test_unknown_filter_value_is_a_400_naming_it(staff, query):
    response = staff.get(f"/api/v1/booths/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


@pytest.mark.parametrize("rows", [1, 3])
def test_booth_list_query_budget(staff, staff_user, django_assert_num_queries, rows):
    zone = ZoneFactory()
    for _ in range(rows):
        services.booth_assign(
            booth=BoothFactory(zone=zone), application=confirmed(zone.fair), actor=staff_user
        )
    BoothFactory(zone=zone)  # and a free one
    # roles, the fair filter, count, booths with zone, assignment, exhibitor and craft
    with django_assert_num_queries(4):
        response = staff.get(f"/api/v1/booths/?fair={zone.fair.pk}")
    assert response.json()["count"] == rows + 1
    assert sum(1 for b in response.json()["results"] if b["assignment"]) == rows


# --- Booths: create and grid ------------------------------------------------------------------


def test_create_one_booth(staff, plan):
    response = staff.post(
        "/api/v1/booths/",
        {"fair": plan["fair"].pk, "zone": plan["zone"].pk, "code": "C1", "kind": "corner", "size": 12,
         "x": "0", "y": "10", "width": "3", "depth": "4", "tier": 1, "price": "1500.00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    booth = Booth.objects.get(fair=plan["fair"], code="C1")
    assert (booth.kind, booth.size, booth.tier, booth.price) == ("corner", 12, 1, Decimal("1500.00"))
    assert response.json()["state"] == "free"


def test_grid_creates_every_booth(staff, plan):
    response = staff.post(
        "/api/v1/booths/grid/",
        {"fair": plan["fair"].pk, "zone": plan["zone"].pk, "prefix": "B", "rows": 2, "columns": 3,
         "y": "10", "aisle": "2", "tier": 3},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert [b["code"] for b in response.json()] == ["B01", "B02", "B03", "B04", "B05", "B06"]
    assert Booth.objects.filter(fair=plan["fair"], tier=3).count() == 6


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"prefix": "A", "rows": 1, "columns": 2, "start": 1, "y": "10"}, "duplicate_code", "prefix"),
        ({"prefix": "B", "rows": 1, "columns": 2}, "overlap", "x"),
        ({"prefix": "B", "rows": 0, "columns": 2}, "invalid", "rows"),
        ({"prefix": "B", "rows": 30, "columns": 30, "y": "50"}, "bad_grid", "rows"),
        ({"prefix": "B", "rows": 1, "columns": 1, "width": "0.1"}, "invalid", "width"),
        ({"prefix": "B", "rows": 1, "columns": 1, "size": 7}, "invalid", "size"),
        ({"rows": 1, "columns": 1}, "invalid", "prefix"),
    ],
)
def test_bad_grid_is_refused_with_the_code_and_adds_nothing(staff, plan, body, code, field):
    if code == "duplicate_code":  # a grid numbers A01, A02…: make the plan's A1 an A01
        Booth.objects.filter(pk=plan["booths"][0].pk).update(code="A01")
    if code == "overlap":  # right on top of the plan's second booth
        body = {**body, "x": str(plan["booths"][1].x)}
    before = state()

    response = staff.post("/api/v1/booths/grid/", {"fair": plan["fair"].pk, **body}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert state() == before


def test_grid_with_a_zone_of_another_fair_is_refused(staff, plan):
    other = ZoneFactory()
    body = {"fair": plan["fair"].pk, "zone": other.pk, "prefix": "Q", "rows": 1, "columns": 1, "y": "20"}
    before = state()
    response = staff.post("/api/v1/booths/grid/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "wrong_fair"
    assert state() == before


def test_duplicate_booth_code_is_refused(staff, plan):
    before = state()
    response = staff.post(
        "/api/v1/booths/", {"fair": plan["fair"].pk, "code": "A1", "y": "30"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "duplicate_code"
    assert state() == before


# --- Booths: moves ----------------------------------------------------------------------------


def test_assign_then_vacate(staff, plan):
    booth, application = plan["booths"][0], plan["apps"][0]
    response = staff.post(
        f"/api/v1/booths/{booth.pk}/assign/", {"application": application.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "locked"
    assert Assignment.objects.get(booth=booth).application == application

    response = staff.post(f"/api/v1/booths/{booth.pk}/vacate/", {"reason": "Changed plan"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "free"
    assert not Assignment.objects.exists()
    assert AuditEntry.objects.get(action="booth.vacate").changes["reason"] == "Changed plan"


def test_assign_unlocked_on_request(staff, plan):
    booth, application = plan["booths"][0], plan["apps"][0]
    response = staff.post(
        f"/api/v1/booths/{booth.pk}/assign/", {"application": application.pk, "lock": False}, format="json"
    )
    assert response.json()["state"] == "taken"
    assert Assignment.objects.get(booth=booth).locked is False


def test_move_takes_the_exhibitor_to_this_booth(staff, plan, staff_user):
    first, second = plan["booths"][0], plan["booths"][1]
    application = plan["apps"][0]
    services.booth_assign(booth=first, application=application, actor=staff_user)

    response = staff.post(f"/api/v1/booths/{second.pk}/move/", {"application": application.pk}, format="json")

    assert response.status_code == 200
    assert Assignment.objects.get(application=application).booth == second
    assert not Assignment.objects.filter(booth=first).exists()


def test_swap_trades_the_exhibitors(staff, plan, staff_user):
    first, second = plan["booths"][0], plan["booths"][1]
    services.booth_assign(booth=first, application=plan["apps"][0], actor=staff_user)
    services.booth_assign(booth=second, application=plan["apps"][1], actor=staff_user)

    response = staff.post(f"/api/v1/booths/{first.pk}/swap/", {"other_booth": second.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["assignment"]["application"] == plan["apps"][1].pk
    assert Assignment.objects.get(booth=second).application == plan["apps"][0]


def test_hold_block_and_release(staff, plan):
    booth = plan["booths"][0]
    response = staff.post(f"/api/v1/booths/{booth.pk}/hold/", {"reason": "Guests"}, format="json")
    assert response.json()["status"] == "held" and response.json()["status_reason"] == "Guests"
    response = staff.post(f"/api/v1/booths/{booth.pk}/release/")
    assert response.json()["status"] == "available" and response.json()["status_reason"] == ""
    response = staff.post(f"/api/v1/booths/{booth.pk}/block/", {"reason": "Pillar"}, format="json")
    assert response.json()["state"] == "blocked"


def _refusal_setup(plan, staff_user, case):
    """Returns (url, body) of a move the service must refuse, after arranging the data."""
    fair, booths, apps = plan["fair"], plan["booths"], plan["apps"]
    if case == "booth_not_available":
        services.booth_set_status(booth=booths[0], status="held", reason="Guests", actor=staff_user)
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": apps[0].pk}
    if case == "booth_taken":
        services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user)
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": apps[1].pk}
    if case == "wrong_fair":
        stranger = confirmed(ZoneFactory().fair)
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": stranger.pk}
    if case == "application_not_confirmed":
        submitted = ApplicationFactory(fair=fair, status=S.SUBMITTED)
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": submitted.pk}
    if case == "already_assigned":
        services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user)
        return f"/api/v1/booths/{booths[1].pk}/assign/", {"application": apps[0].pk}
    if case == "not_assigned":
        return f"/api/v1/booths/{booths[1].pk}/move/", {"application": apps[0].pk}
    if case == "booth_empty":
        return f"/api/v1/booths/{booths[0].pk}/vacate/", {}
    if case == "swap_wrong_fair":
        other = BoothFactory()
        return f"/api/v1/booths/{booths[0].pk}/swap/", {"other_booth": other.pk}
    if case == "swap_empty":
        services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user)
        return f"/api/v1/booths/{booths[0].pk}/swap/", {"other_booth": booths[1].pk}
    if case == "reason_required":
        return f"/api/v1/booths/{booths[0].pk}/hold/", {"reason": "  "}
    if case == "hold_taken":
        services.booth_assign(booth=booths[0], application=apps[0], actor=staff_user)
        return f"/api/v1/booths/{booths[0].pk}/block/", {"reason": "Pillar"}
    if case == "fair_not_planning":
        Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.REVIEWING)
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": apps[0].pk}
    if case == "unknown_application":
        return f"/api/v1/booths/{booths[0].pk}/assign/", {"application": 999999}
    if case == "no_body":
        return f"/api/v1/booths/{booths[0].pk}/assign/", None
    raise AssertionError(case)


REFUSALS = {
    # case: (code, field named in errors or None)
    "booth_not_available": ("booth_not_available", "booth"),
    "booth_taken": ("booth_taken", "booth"),
    "wrong_fair": ("wrong_fair", "booth"),
    "application_not_confirmed": ("application_not_confirmed", "application"),
    "already_assigned": ("already_assigned", "application"),
    "not_assigned": ("not_assigned", None),
    "booth_empty": ("booth_empty", None),
    "swap_wrong_fair": ("wrong_fair", "booth"),
    "swap_empty": ("booth_empty", None),
    "reason_required": ("reason_required", "reason"),
    "hold_taken": ("booth_taken", None),
    "fair_not_planning": ("fair_not_planning", None),
    "unknown_application": ("invalid", "application"),
    "no_body": ("invalid", "application"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_moves_answer_400_with_the_service_code_and_change_nothing(staff, plan, staff_user, case):
    url, body = _refusal_setup(plan, staff_user, case)
    before = state()

    response = staff.post(url, body, format="json")

    assert response.status_code == 400, response.content
    code, field = REFUSALS[case]
    assert response.json()["code"] == code
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"]
    assert state() == before


def test_a_non_object_body_is_a_400_not_a_500(staff, plan):
    booth = plan["booths"][0]
    response = staff.post(f"/api/v1/booths/{booth.pk}/swap/", ["x"], format="json")
    assert response.status_code == 400 and "other_booth" in response.json()["errors"]
    response = staff.post(f"/api/v1/booths/{booth.pk}/assign/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_an_unknown_booth_is_a_404(staff):
    assert staff.post("/api/v1/booths/999999/vacate/").status_code == 404


# --- Allocation -------------------------------------------------------------------------------


def test_preview_writes_nothing_and_commit_writes_the_same_placements(staff, plan):
    fair = plan["fair"]
    weaver = confirmed(fair, artisan=ArtisanFactory(main_craft=craft("carpets")))
    before = state()

    preview = staff.post("/api/v1/allocations/preview/", {"fair": fair.pk, "seed": "demo"}, format="json")

    assert preview.status_code == 200
    assert state() == before
    body = preview.json()
    assert body["seed"] == "demo" and body["run"] is None and body["fair"] == fair.pk
    assert body["metrics"]["placed"] == 2 and body["metrics"]["hard_violations"] == 0
    assert {p["application"] for p in body["placements"]} == {a.pk for a in plan["apps"]}
    placement = body["placements"][0]
    assert placement["booth_code"].startswith("A") and placement["explanation_text"]
    assert len(placement["explanation"]) == len(placement["explanation_text"])
    assert body["unplaced"] == [
        {
            "application": weaver.pk,
            "artisan_name": weaver.artisan.full_name,
            "artisan_name_ar": weaver.artisan.full_name_ar,
            "reason": "no_zone_for_craft",
            "reason_text": str(allocation.UNPLACED_REASONS["no_zone_for_craft"]),
        }
    ]

    commit = staff.post("/api/v1/allocations/commit/", {"fair": fair.pk, "seed": "demo"}, format="json")

    assert commit.status_code == 201
    committed = commit.json()
    assert committed["run"] == AllocationRun.objects.get().pk and committed["created_at"]
    assert set(Assignment.objects.values_list("application_id", "booth_id")) == {
        (p["application"], p["booth"]) for p in body["placements"]
    }
    assert committed["placements"] == body["placements"]
    assert committed["unplaced"] == body["unplaced"]
    assert committed["metrics"] == body["metrics"]


def test_preview_without_a_seed_draws_one_and_says_which(staff, plan):
    response = staff.post("/api/v1/allocations/preview/", {"fair": plan["fair"].pk}, format="json")
    seed = response.json()["seed"]
    assert response.status_code == 200 and seed
    again = staff.post("/api/v1/allocations/preview/", {"fair": plan["fair"].pk, "seed": seed}, format="json")
    assert again.json()["placements"] == response.json()["placements"]


def test_commit_keeps_locked_assignments_out_of_the_run(staff, plan, staff_user):
    services.booth_assign(booth=plan["booths"][3], application=plan["apps"][0], actor=staff_user)
    response = staff.post(
        "/api/v1/allocations/commit/", {"fair": plan["fair"].pk, "seed": "s"}, format="json"
    )
    assert [p["application"] for p in response.json()["placements"]] == [plan["apps"][1].pk]
    assert Assignment.objects.get(application=plan["apps"][0]).booth == plan["booths"][3]


@pytest.mark.parametrize(
    ("endpoint", "body", "code", "field"),
    [
        ("commit", {"seed": ""}, "invalid", "seed"),
        ("commit", {}, "invalid", "seed"),
        ("preview", {"seed": "   "}, "invalid", "seed"),
        ("preview", {"seed": "x" * 41}, "invalid", "seed"),
        ("preview", {"fair": 999999, "seed": "x"}, "invalid", "fair"),
        ("commit", {"fair": None, "seed": "x"}, "invalid", "fair"),
    ],
)
def test_bad_allocation_input_names_the_field(staff, plan, endpoint, body, code, field):
    body = {"fair": plan["fair"].pk, **body}
    before = state()
    response = staff.post(f"/api/v1/allocations/{endpoint}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and field in response.json()["errors"]
    assert state() == before


@pytest.mark.parametrize("endpoint", ["preview", "commit"])
@pytest.mark.parametrize("status", [Fair.Status.DRAFT, Fair.Status.REVIEWING, Fair.Status.CLOSED])
def test_allocation_outside_the_allocation_step_is_refused(staff, plan, endpoint, status):
    Fair.objects.filter(pk=plan["fair"].pk).update(status=status)
    before = state()
    response = staff.post(
        f"/api/v1/allocations/{endpoint}/", {"fair": plan["fair"].pk, "seed": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "fair_not_planning"
    assert state() == before


def test_the_allocation_endpoints_have_no_list(staff):
    assert staff.get("/api/v1/allocations/").status_code == 404
    assert staff.get("/api/v1/allocations/preview/").status_code == 405


def test_schema_lists_the_booth_endpoints(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/booths/{id}/assign/", "/api/v1/booths/grid/", "/api/v1/allocations/commit/",
                 "/api/v1/zones/{id}/", "/api/v1/booths/{id}/move/"):  # fmt: skip
        assert path in text
