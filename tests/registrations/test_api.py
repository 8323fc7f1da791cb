"""The registrations API: registry, /me/, applications with their workflow, reviews.

Who may do what is one matrix (role × endpoint → status); then what each role *sees*
(scoping, blind review, personal data), the workflow end to end, every refusal code, and
the query budgets of the lists.
"""

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import Application, Artisan, Review
from tests.factories import (
    ApplicationFactory,
    ArtisanFactory,
    CooperativeFactory,
    FairFactory,
    craft,
    open_fair,
    province,
)

S = Application.Status
F = Fair.Status
pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other", "reviewer", "scanner", "staff"]
PERSONAL = ("cin", "phone", "birth_year")
IDENTITY = ("artisan", "first_name", "last_name", "first_name_ar", "last_name_ar", "photo", "cooperative")


@pytest.fixture
def people(make_user):
    """One person per role; "owner" and "other" are artisans with accounts."""
    owner_user = make_user(username="owner")
    other_user = make_user(username="other")
    return {
        "anonymous": None,
        "owner": owner_user,
        "other": other_user,
        "reviewer": make_user("reviewer", username="jury"),
        "scanner": make_user("scanner", username="gate"),
        "staff": make_user("staff", username="delegation"),
        "owner_artisan": ArtisanFactory(user=owner_user, first_name="Zoubida", last_name="Lahlimi"),
        "other_artisan": ArtisanFactory(
            user=other_user, first_name="Hassan", last_name="Ouazzani", gender="M"
        ),
    }


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def reviewing_fair(**kwargs) -> Fair:
    """A fair whose call has closed and whose jury is at work."""
    now = timezone.now()
    kwargs.setdefault("status", F.REVIEWING)
    kwargs.setdefault("applications_open_at", now - dt.timedelta(days=20))
    kwargs.setdefault("applications_close_at", now - dt.timedelta(days=1))
    return FairFactory(**kwargs)


def offer(artisan, fair=None, **kwargs) -> Application:
    """An accepted application whose offer waits for the artisan's answer."""
    return ApplicationFactory(
        artisan=artisan,
        fair=fair or reviewing_fair(),
        status=S.ACCEPTED,
        offer_deadline=timezone.now() + dt.timedelta(days=5),
        **kwargs,
    )


def state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "products", "updated_at")),
        list(Artisan.objects.order_by("pk").values_list("pk", "commune", "phone", "updated_at")),
        Review.objects.count(),
        AuditEntry.objects.count(),
    )


# --- The permission matrix ---------------------------------------------------------------------

D = 403  # anonymous: 401 or 403 (session auth sends no challenge)
EXPECTED = {
    # endpoint: statuses for anonymous, owner, other, reviewer, scanner, staff
    "artisans-list": (D, 403, 403, 403, 403, 200),
    "artisans-detail": (D, 403, 403, 403, 403, 200),
    "artisans-create": (D, 403, 403, 403, 403, 201),
    "artisans-update": (D, 403, 403, 403, 403, 200),
    "me": (D, 200, 200, 404, 404, 404),
    "me-update": (D, 200, 200, 404, 404, 404),
    "me-applications": (D, 200, 200, 404, 404, 404),
    "applications-list": (D, 200, 200, 200, 200, 200),
    "applications-detail": (D, 200, 404, 200, 404, 200),
    "applications-create": (D, 201, 403, 403, 403, 201),
    "applications-update": (D, 200, 404, 403, 403, 200),
    "submit": (D, 200, 404, 403, 403, 200),
    "withdraw": (D, 200, 404, 403, 403, 200),
    "confirm": (D, 200, 404, 403, 403, 200),
    "decline": (D, 200, 404, 403, 403, 200),
    "accept": (D, 403, 403, 403, 403, 200),
    "waitlist": (D, 403, 403, 403, 403, 200),
    "reject": (D, 403, 403, 403, 403, 200),
    "decide": (D, 403, 403, 403, 403, 200),
    "reviews-list": (D, 403, 403, 200, 403, 200),
    "reviews-create": (D, 403, 403, 201, 403, 201),
}


def request_for(endpoint: str, people) -> tuple[str, str, dict]:
    """(method, url, body) of ``endpoint``, with the owner's data in the state it needs."""
    mine = people["owner_artisan"]
    if endpoint.startswith("artisans"):
        return {
            "artisans-list": ("get", "/api/v1/artisans/", {}),
            "artisans-detail": ("get", f"/api/v1/artisans/{mine.pk}/", {}),
            "artisans-create": (
                "post",
                "/api/v1/artisans/",
                {
                    "first_name": "Rachida",
                    "last_name": "Tazi",
                    "cin": "BK998877",
                    "gender": "F",
                    "province": "settat",
                    "main_craft": "pottery",
                },
            ),
            "artisans-update": ("patch", f"/api/v1/artisans/{mine.pk}/", {"commune": "Berrechid"}),
        }[endpoint]
    if endpoint.startswith("me"):
        return {
            "me": ("get", "/api/v1/me/", {}),
            "me-update": ("patch", "/api/v1/me/", {"commune": "Ben Ahmed"}),
            "me-applications": ("get", "/api/v1/me/applications/", {}),
        }[endpoint]
    if endpoint == "applications-list":
        ApplicationFactory(artisan=mine, fair=reviewing_fair())
        return "get", "/api/v1/applications/", {}
    if endpoint == "applications-create":
        return (
            "post",
            "/api/v1/applications/",
            {"fair": open_fair().pk, "artisan": mine.pk, "products": "Tajines"},
        )
    if endpoint in ("applications-update", "withdraw"):
        application = ApplicationFactory(artisan=mine, fair=open_fair())
    elif endpoint == "submit":
        application = ApplicationFactory(artisan=mine, fair=open_fair(), status=S.DRAFT, submitted_at=None)
    elif endpoint in ("confirm", "decline"):
        application = offer(mine)
    else:  # seen by the jury: submitted, fair under review
        application = ApplicationFactory(artisan=mine, fair=reviewing_fair())
    url = f"/api/v1/applications/{application.pk}/"
    return {
        "applications-detail": ("get", url, {}),
        "applications-update": ("patch", url, {"products": "Plats à couscous"}),
        "withdraw": ("post", f"{url}withdraw/", {"reason": "Malade"}),
        "decide": ("post", "/api/v1/applications/decide/", {"ids": [application.pk], "decision": "accept"}),
        "reviews-list": ("get", f"{url}reviews/", {}),
        "reviews-create": ("post", f"{url}reviews/", {"score": 4, "comment": "Beau travail"}),
    }.get(endpoint, ("post", f"{url}{endpoint}/", {}))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_permission_matrix(people, endpoint, role_index):
    role = ROLES[role_index]
    method, url, body = request_for(endpoint, people)
    before = state()
    response = getattr(client_as(people[role]), method)(url, body, format="json")
    expected = EXPECTED[endpoint][role_index]
    allowed = (401, 403) if role == "anonymous" else (expected,)
    assert response.status_code in allowed, response.content
    assert "code" in response.json() if response.status_code >= 400 else True
    if response.status_code >= 400:
        assert state() == before


# --- Scoping: nobody sees another artisan's application ----------------------------------------


def test_an_artisan_never_sees_another_artisans_application(people):
    fair = open_fair()
    mine = ApplicationFactory(artisan=people["owner_artisan"], fair=fair)
    theirs = ApplicationFactory(artisan=people["other_artisan"], fair=fair)
    client = client_as(people["owner"])

    listed = client.get("/api/v1/applications/").json()
    assert [a["id"] for a in listed["results"]] == [mine.pk]
    assert client.get(f"/api/v1/applications/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/applications/?fair={fair.pk}").json()["count"] == 1
    assert [a["id"] for a in client.get("/api/v1/me/applications/").json()["results"]] == [mine.pk]
    assert "Ouazzani" not in json.dumps(listed)
    # Nor may they act on it: it does not exist for them.
    assert client.post(f"/api/v1/applications/{theirs.pk}/withdraw/").status_code == 404
    assert Application.objects.get(pk=theirs.pk).status == S.SUBMITTED


def test_an_artisan_cannot_apply_for_someone_else(people):
    fair = open_fair()
    response = client_as(people["other"]).post(
        "/api/v1/applications/",
        {"fair": fair.pk, "artisan": people["owner_artisan"].pk, "products": "Tapis"},
        format="json",
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_the_owner_sees_their_own_personal_data(people):
    application = ApplicationFactory(artisan=people["owner_artisan"], fair=reviewing_fair(blind_review=True))
    body = client_as(people["owner"]).get(f"/api/v1/applications/{application.pk}/").json()
    assert body["artisan"]["cin"] == people["owner_artisan"].cin
    assert body["artisan"]["phone"] == people["owner_artisan"].phone
    assert body["artisan"]["birth_year"] == 1980
    assert "review_count" not in body  # the jury's figures are for staff


def test_reviewer_sees_only_applications_waiting_for_the_jury(people):
    fair = reviewing_fair()
    waiting = ApplicationFactory(fair=fair)
    waitlisted = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=1)
    ApplicationFactory(fair=fair, status=S.DRAFT, submitted_at=None)
    offer(ArtisanFactory(), fair)
    ApplicationFactory(fair=FairFactory(status=F.ALLOCATING))
    listed = client_as(people["reviewer"]).get("/api/v1/applications/").json()
    assert sorted(a["id"] for a in listed["results"]) == sorted([waiting.pk, waitlisted.pk])


# --- Blind review and personal data ----------------------------------------------------------------


@pytest.fixture
def identifiable(people):
    """An artisan whose every identifying string is unique, applying to a fair under review."""
    cooperative = CooperativeFactory(name="Coopérative Tiwizi", name_ar="تعاونية تيويزي")
    return ArtisanFactory(
        first_name="Khadouj",
        last_name="Semlali",
        first_name_ar="خدوج",
        last_name_ar="السملالي",
        cin="JK424242",
        phone="+212661424242",
        birth_year=1977,
        cooperative=cooperative,
        photo="artisans/khadouj-semlali.jpg",
    )


IDENTIFYING = ["Khadouj", "Semlali", "خدوج", "السملالي", "Tiwizi", "تيويزي", "JK424242", "424242", "semlali"]


def test_blind_review_hides_every_trace_of_identity(people, identifiable):
    application = ApplicationFactory(artisan=identifiable, fair=reviewing_fair(blind_review=True))
    Review.objects.create(application=application, reviewer=people["reviewer"], score=4)
    client = client_as(people["reviewer"])
    detail = client.get(f"/api/v1/applications/{application.pk}/")
    listed = client.get("/api/v1/applications/")
    reviews = client.get(f"/api/v1/applications/{application.pk}/reviews/")

    assert detail.status_code == listed.status_code == reviews.status_code == 200
    body = detail.json()
    assert body["products"] and body["craft"] == "pottery" and body["my_score"] == 4
    for key in (*IDENTITY, *PERSONAL):
        assert key not in body
    for response in (detail, listed, reviews):
        text = response.content.decode()
        for needle in IDENTIFYING:
            assert needle not in text, needle


def test_staff_see_the_identity_on_a_blind_fair(people, identifiable):
    application = ApplicationFactory(artisan=identifiable, fair=reviewing_fair(blind_review=True))
    body = client_as(people["staff"]).get(f"/api/v1/applications/{application.pk}/").json()
    assert body["artisan"]["last_name"] == "Semlali"
    assert body["artisan"]["cin"] == "JK424242"


def test_reviewer_of_an_open_fair_sees_the_name_but_no_personal_data(people, identifiable):
    application = ApplicationFactory(artisan=identifiable, fair=reviewing_fair(blind_review=False))
    response = client_as(people["reviewer"]).get(f"/api/v1/applications/{application.pk}/")
    body = response.json()
    assert body["artisan"]["last_name"] == "Semlali"
    assert body["artisan"]["last_name_ar"] == "السملالي"
    assert body["craft"] == "pottery"
    for key in PERSONAL:
        assert key not in body
        assert key not in body["artisan"]
    assert "JK424242" not in response.content.decode()
    assert "424242" not in response.content.decode()  # nor the phone


def test_reviewers_and_other_roles_never_reach_the_registry(people, identifiable):
    for role in ("reviewer", "scanner", "owner"):
        response = client_as(people[role]).get(f"/api/v1/artisans/{identifiable.pk}/")
        assert response.status_code == 403
        assert "JK424242" not in response.content.decode()


# --- The workflow through the API ---------------------------------------------------------------


def test_apply_then_staff_accept_then_artisan_confirms(people):
    fair = open_fair(capacity=10)
    artisan_client = client_as(people["owner"])
    response = artisan_client.post(
        "/api/v1/applications/",
        {"fair": fair.pk, "products": "Tajines de Safi", "booth_size": 12, "needs_electricity": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted"
    assert created["booth_size"] == 12 and created["needs_electricity"] is True
    assert created["artisan"]["id"] == people["owner_artisan"].pk
    assert "withdraw" in created["actions"] and "accept" not in created["actions"]

    Fair.objects.filter(pk=fair.pk).update(status=F.REVIEWING)
    staff = client_as(people["staff"])
    response = staff.post(f"/api/v1/applications/{created['id']}/accept/", {"reason": "Très bon dossier"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["offer_deadline"]
    assert response.json()["decision_reason"] == "Très bon dossier"

    response = artisan_client.post(f"/api/v1/applications/{created['id']}/confirm/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    assert Application.objects.get(pk=created["id"]).confirmed_at is not None
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "application.create",
        "application.submitted",
        "application.accepted",
        "application.confirmed",
    ]


def test_a_draft_is_kept_edited_then_submitted(people):
    fair = open_fair()
    client = client_as(people["owner"])
    response = client.post(
        "/api/v1/applications/", {"fair": fair.pk, "products": "Poterie", "draft": True}, format="json"
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert response.json()["actions"] == ["submit", "withdraw"]

    response = client.patch(
        f"/api/v1/applications/{pk}/",
        {"products": "Poterie et zellige", "booth_kind": "corner"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["products"] == "Poterie et zellige"
    assert response.json()["status"] == "draft"

    assert client.post(f"/api/v1/applications/{pk}/submit/").json()["status"] == "submitted"


def test_staff_apply_on_behalf_of_a_walk_in(people):
    walk_in = ArtisanFactory(user=None)
    response = client_as(people["staff"]).post(
        "/api/v1/applications/",
        {"fair": open_fair().pk, "artisan": walk_in.pk, "products": "Broderie de Settat"},
        format="json",
    )
    assert response.status_code == 201, response.content
    application = Application.objects.get()
    assert application.artisan == walk_in
    assert application.created_by == people["staff"]
    assert response.json()["review_count"] == 0


def test_staff_without_a_profile_must_name_the_artisan(people):
    response = client_as(people["staff"]).post(
        "/api/v1/applications/", {"fair": open_fair().pk, "products": "Tapis"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "artisan" in response.json()["errors"]
    assert not Application.objects.exists()


def test_withdraw_keeps_the_reason(people):
    application = ApplicationFactory(artisan=people["owner_artisan"], fair=open_fair())
    response = client_as(people["owner"]).post(
        f"/api/v1/applications/{application.pk}/withdraw/", {"reason": "Empêchement familial"}, format="json"
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert application.decision_reason == "Empêchement familial"


def test_decline_offers_the_place_to_the_first_waitlisted(people):
    fair = reviewing_fair(capacity=1)
    declined = offer(people["owner_artisan"], fair)
    first = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=1)
    second = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=2)

    response = client_as(people["owner"]).post(f"/api/v1/applications/{declined.pk}/decline/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.ACCEPTED and first.offer_deadline
    assert second.status == S.WAITLISTED


def test_staff_decide_in_bulk(people):
    fair = reviewing_fair(capacity=5)
    applications = ApplicationFactory.create_batch(3, fair=fair)
    ids = [a.pk for a in applications]
    response = client_as(people["staff"]).post(
        "/api/v1/applications/decide/",
        {"ids": ids, "decision": "waitlist", "reason": "Quota atteint"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [a["id"] for a in response.json()] == sorted(ids)
    assert [a["waitlist_rank"] for a in response.json()] == [1, 2, 3]
    assert set(Application.objects.values_list("status", flat=True)) == {S.WAITLISTED}
    assert AuditEntry.objects.filter(action="application.waitlisted").count() == 3


def test_bulk_decision_is_all_or_nothing(people):
    fair = reviewing_fair()
    good = ApplicationFactory(fair=fair)
    rejected = ApplicationFactory(fair=fair, status=S.REJECTED)
    before = state()
    response = client_as(people["staff"]).post(
        "/api/v1/applications/decide/", {"ids": [good.pk, rejected.pk], "decision": "accept"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "illegal_transition"
    assert state() == before


def test_reviews_a_reviewer_sees_their_own_staff_see_all(people, make_user):
    application = ApplicationFactory(fair=reviewing_fair(score_max=10))
    colleague = make_user("reviewer", username="jury2")
    Review.objects.create(application=application, reviewer=colleague, score=9, comment="Excellent")
    url = f"/api/v1/applications/{application.pk}/reviews/"
    reviewer = client_as(people["reviewer"])

    response = reviewer.post(url, {"score": 7, "comment": "Soigné"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 7
    response = reviewer.post(url, {"score": 8}, format="json")  # changes their mind
    assert response.status_code == 200
    assert Review.objects.get(reviewer=people["reviewer"]).score == 8

    mine = reviewer.get(url).json()
    assert [(r["reviewer"], r["score"]) for r in mine] == [(people["reviewer"].pk, 8)]
    assert "Excellent" not in json.dumps(mine)
    everyone = client_as(people["staff"]).get(url).json()
    assert sorted(r["score"] for r in everyone) == [8, 9]
    detail = client_as(people["staff"]).get(f"/api/v1/applications/{application.pk}/").json()
    assert detail["review_count"] == 2 and detail["score_average"] == pytest.approx(8.5)


# --- Refusals: the service's code, 400, nothing changed -----------------------------------------


def _closed_call_fair():
    now = timezone.now()
    return open_fair(
        applications_open_at=now - dt.timedelta(days=9), applications_close_at=now - dt.timedelta(hours=1)
    )


def scenario(code: str, people) -> tuple[str, str, str, dict]:
    """(role, method, url, body) of a request the workflow refuses with ``code``."""
    mine = people["owner_artisan"]
    apps = "/api/v1/applications/"
    if code == "deadline_passed":
        return "owner", "post", apps, {"fair": _closed_call_fair().pk, "products": "Tapis"}
    if code == "deadline_passed_on_edit":
        application = ApplicationFactory(artisan=mine, fair=_closed_call_fair())
        return "owner", "patch", f"{apps}{application.pk}/", {"products": "Autre"}
    if code == "call_not_open":
        not_yet = FairFactory(status=F.OPEN)  # the call opens tomorrow
        return "owner", "post", apps, {"fair": not_yet.pk, "products": "Tapis"}
    if code == "already_applied":
        fair = open_fair()
        ApplicationFactory(artisan=mine, fair=fair)
        return "owner", "post", apps, {"fair": fair.pk, "products": "Tapis"}
    if code == "profile_incomplete":
        Artisan.objects.filter(pk=mine.pk).update(birth_year=None)
        return "owner", "post", apps, {"fair": open_fair().pk, "products": "Tapis"}
    if code == "craft_not_accepted":
        fair = open_fair()
        fair.craft_categories.set([craft("carpets")])
        return "owner", "post", apps, {"fair": fair.pk, "products": "Tajines"}
    if code == "illegal_transition":
        application = ApplicationFactory(artisan=mine, fair=reviewing_fair(), status=S.REJECTED)
        return "owner", "post", f"{apps}{application.pk}/withdraw/", {}
    if code == "illegal_decision":
        application = ApplicationFactory(fair=reviewing_fair(), status=S.REJECTED)
        return "staff", "post", f"{apps}{application.pk}/accept/", {}
    if code == "fair_full":
        fair = reviewing_fair(capacity=1)
        ApplicationFactory(fair=fair, status=S.CONFIRMED)
        application = ApplicationFactory(fair=fair)
        return "staff", "post", f"{apps}{application.pk}/accept/", {}
    if code == "fair_not_reviewing":
        application = ApplicationFactory(fair=open_fair())
        return "staff", "post", f"{apps}{application.pk}/reject/", {"reason": "Trop tôt"}
    if code == "several_fairs":
        ids = [ApplicationFactory(fair=reviewing_fair()).pk for _ in range(2)]
        return "staff", "post", f"{apps}decide/", {"ids": ids, "decision": "reject"}
    if code == "not_found":
        application = ApplicationFactory(fair=reviewing_fair())
        return "staff", "post", f"{apps}decide/", {"ids": [application.pk, 999999], "decision": "reject"}
    if code == "no_offer":
        application = ApplicationFactory(artisan=mine, fair=reviewing_fair())
        return "owner", "post", f"{apps}{application.pk}/confirm/", {}
    if code == "not_editable":
        application = offer(mine, open_fair())
        return "owner", "patch", f"{apps}{application.pk}/", {"products": "Autre chose"}
    if code == "status_read_only":
        application = ApplicationFactory(artisan=mine, fair=open_fair())
        return "owner", "patch", f"{apps}{application.pk}/", {"status": "accepted"}
    if code == "read_only":
        application = ApplicationFactory(artisan=mine, fair=open_fair())
        return "owner", "patch", f"{apps}{application.pk}/", {"fair": open_fair().pk}
    if code == "score_out_of_range":
        application = ApplicationFactory(fair=reviewing_fair(score_max=5))
        return "reviewer", "post", f"{apps}{application.pk}/reviews/", {"score": 6}
    if code == "score_zero":
        application = ApplicationFactory(fair=reviewing_fair(score_max=5))
        return "reviewer", "post", f"{apps}{application.pk}/reviews/", {"score": 0}
    if code == "not_reviewable":
        application = offer(ArtisanFactory())
        return "staff", "post", f"{apps}{application.pk}/reviews/", {"score": 3}
    if code == "review_closed":
        application = ApplicationFactory(fair=FairFactory(status=F.ALLOCATING))
        return "staff", "post", f"{apps}{application.pk}/reviews/", {"score": 3}
    if code == "cin_read_only":
        return "owner", "patch", "/api/v1/me/", {"cin": "ZZ1"}
    if code == "no_artisan_profile":
        return "reviewer", "get", "/api/v1/me/", {}
    raise AssertionError(code)


REFUSALS = {
    # scenario: (status, code)
    "deadline_passed": (400, "deadline_passed"),
    "deadline_passed_on_edit": (400, "deadline_passed"),
    "call_not_open": (400, "call_not_open"),
    "already_applied": (400, "already_applied"),
    "profile_incomplete": (400, "profile_incomplete"),
    "craft_not_accepted": (400, "craft_not_accepted"),
    "illegal_transition": (400, "illegal_transition"),
    "illegal_decision": (400, "illegal_transition"),
    "fair_full": (400, "fair_full"),
    "fair_not_reviewing": (400, "fair_not_reviewing"),
    "several_fairs": (400, "several_fairs"),
    "not_found": (400, "not_found"),
    "no_offer": (400, "no_offer"),
    "not_editable": (400, "not_editable"),
    "status_read_only": (400, "status_read_only"),
    "read_only": (400, "read_only"),
    "score_out_of_range": (400, "score_out_of_range"),
    "score_zero": (400, "score_out_of_range"),
    "not_reviewable": (400, "not_reviewable"),
    "review_closed": (400, "review_closed"),
    "cin_read_only": (400, "cin_read_only"),
    "no_artisan_profile": (404, "no_artisan_profile"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_answer_the_service_code_and_change_nothing(people, name):
    role, method, url, body = scenario(name, people)
    before = state()
    response = getattr(client_as(people[role]), method)(url, body, format="json")
    expected_status, expected_code = REFUSALS[name]
    assert response.status_code == expected_status, response.content
    assert response.json()["code"] == expected_code
    assert response.json()["detail"]
    assert state() == before


def test_a_late_confirmation_expires_the_offer_and_promotes_the_waitlist(people):
    fair = reviewing_fair(capacity=1)
    late = offer(people["owner_artisan"], fair)
    Application.objects.filter(pk=late.pk).update(offer_deadline=timezone.now() - dt.timedelta(minutes=1))
    waiting = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=1)
    response = client_as(people["owner"]).post(f"/api/v1/applications/{late.pk}/confirm/")
    assert response.status_code == 400
    assert response.json()["code"] == "offer_expired"
    assert Application.objects.get(pk=late.pk).status == S.EXPIRED  # the expiry is kept
    assert Application.objects.get(pk=waiting.pk).status == S.ACCEPTED


@pytest.mark.parametrize(
    ("role", "method", "url", "body", "field"),
    [
        ("owner", "post", "/api/v1/applications/", {"fair": 999999, "products": "x"}, "fair"),
        ("owner", "post", "/api/v1/applications/", {"products": "x"}, "fair"),
        ("owner", "post", "/api/v1/applications/", {"fair": "FAIR", "booth_size": 7}, "fair"),
        ("owner", "post", "/api/v1/applications/", {"fair": "OPEN", "products": ""}, "products"),
        (
            "owner",
            "post",
            "/api/v1/applications/",
            {"fair": "OPEN", "products": "x", "booth_size": 7},
            "booth_size",
        ),
        (
            "owner",
            "post",
            "/api/v1/applications/",
            {"fair": "OPEN", "products": "x", "languages": ["xx"]},
            "languages",
        ),
        ("owner", "post", "/api/v1/applications/", {"fair": "DRAFT", "products": "x"}, "fair"),
        ("owner", "patch", "/api/v1/me/", {"phone": "12345"}, "phone"),
        ("owner", "patch", "/api/v1/me/", {"main_craft": "not-a-craft"}, "main_craft"),
        ("owner", "patch", "/api/v1/me/", {"birth_year": 1800}, "birth_year"),
        ("staff", "post", "/api/v1/applications/decide/", {"ids": [], "decision": "accept"}, "ids"),
        ("staff", "post", "/api/v1/applications/decide/", {"ids": [1], "decision": "promote"}, "decision"),
        ("staff", "get", "/api/v1/artisans/?province=atlantis", {}, "province"),
        ("staff", "get", "/api/v1/artisans/?craft=astrology", {}, "craft"),
        ("staff", "get", "/api/v1/artisans/?gender=X", {}, "gender"),
        ("staff", "get", "/api/v1/applications/?status=lost", {}, "status"),
        ("staff", "get", "/api/v1/applications/?fair=abc", {}, "fair"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(people, role, method, url, body, field):
    body = dict(body)
    if body.get("fair") == "OPEN":
        body["fair"] = open_fair().pk
    elif body.get("fair") == "DRAFT":
        body["fair"] = FairFactory(status=F.DRAFT).pk  # artisans do not see drafts
    before = state()
    response = getattr(client_as(people[role]), method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert state() == before


def test_malformed_json_is_a_400_not_a_500(people):
    response = client_as(people["owner"]).generic(
        "POST", "/api/v1/applications/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- The registry (staff) and /me/ ------------------------------------------------------------


def test_staff_register_an_artisan_in_any_usual_format(people):
    cooperative = CooperativeFactory(registration_number="COOP-777")
    response = client_as(people["staff"]).post(
        "/api/v1/artisans/",
        {
            "first_name": "Rachida",
            "last_name": "Tazi",
            "first_name_ar": "رشيدة",
            "last_name_ar": "التازي",
            "cin": "bk 998877",
            "phone": "06 61 22 33 44",
            "registry_number": "ca-2024/77",
            "gender": "F",
            "birth_year": 1985,
            "province": "el-jadida",
            "area": "rural",
            "main_craft": "pottery",
            "other_crafts": ["zellige"],
            "cooperative": "COOP-777",
            "languages": ["ar", "fr"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cin"] == "BK998877"
    assert body["phone"] == "+212661223344"
    assert body["registry_number"] == "CA-2024/77"
    assert body["province"] == "el-jadida"
    assert body["other_crafts"] == ["zellige"]
    assert body["cooperative"] == "COOP-777"
    assert body["participations"] == 0 and body["has_account"] is False
    artisan = Artisan.objects.get(cin="BK998877")
    assert artisan.cooperative == cooperative
    assert AuditEntry.objects.filter(action="artisan.create").count() == 1


def test_a_taken_cin_is_refused_naming_the_field(people):
    before = state()
    response = client_as(people["staff"]).post(
        "/api/v1/artisans/",
        {
            "first_name": "Autre",
            "last_name": "Personne",
            "cin": people["owner_artisan"].cin.lower(),
            "gender": "M",
            "province": "settat",
            "main_craft": "pottery",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "cin" in response.json()["errors"]
    assert state() == before


def test_staff_edit_an_artisan(people):
    artisan = people["owner_artisan"]
    response = client_as(people["staff"]).patch(
        f"/api/v1/artisans/{artisan.pk}/",
        {"commune": "Oulad Said", "other_crafts": ["ceramics"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["commune"] == "Oulad Said"
    assert response.json()["other_crafts"] == ["ceramics"]
    assert AuditEntry.objects.get(action="artisan.update").changes == {"fields": ["commune", "other_crafts"]}


def test_no_artisan_is_ever_deleted_through_the_api(people):
    response = client_as(people["staff"]).delete(f"/api/v1/artisans/{people['owner_artisan'].pk}/")
    assert response.status_code == 405
    assert Artisan.objects.filter(pk=people["owner_artisan"].pk).exists()


def test_me_shows_and_edits_the_own_profile(people):
    client = client_as(people["owner"])
    body = client.get("/api/v1/me/").json()
    assert body["id"] == people["owner_artisan"].pk
    assert body["cin"] == people["owner_artisan"].cin
    assert body["has_account"] is True
    response = client.patch(
        "/api/v1/me/", {"phone": "0712 345 678", "languages": ["ar", "en"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+212712345678"
    assert response.json()["languages"] == ["ar", "en"]
    assert response.json()["cin"] == people["owner_artisan"].cin


def test_artisan_filters(people):
    cooperative = CooperativeFactory(registration_number="COOP-SETTAT")
    ArtisanFactory(
        first_name="Mina",
        last_name="Berrada",
        last_name_ar="برادة",
        registry_number="REG-5501",
        province=province("el-jadida"),
        main_craft=craft("carpets"),
        gender="F",
        area="urban",
        cooperative=cooperative,
    )
    weaver_too = ArtisanFactory(first_name="Omar", last_name="Fassi", gender="M", area="urban")
    weaver_too.other_crafts.add(craft("weaving"))
    client = client_as(people["staff"])

    def names(query):
        response = client.get(f"/api/v1/artisans/?{query}")
        assert response.status_code == 200, response.content
        return sorted(a["last_name"] for a in response.json()["results"])

    assert names("q=berrada") == ["Berrada"]
    assert names("q=برادة") == ["Berrada"]
    assert names("q=mina berr") == ["Berrada"]
    assert names(f"q={people['owner_artisan'].cin.lower()}") == ["Lahlimi"]
    assert names("q=reg-5501") == ["Berrada"]
    assert names("province=el-jadida") == ["Berrada"]
    assert names("craft=carpets") == ["Berrada"]
    assert names("craft=weaving") == ["Fassi"]  # other crafts count
    carpets_sector = craft("carpets").parent.code
    assert names(f"craft={carpets_sector}") == sorted(["Berrada", "Fassi"])  # a sector takes its crafts
    assert names("cooperative=COOP-SETTAT") == ["Berrada"]
    assert names("gender=M") == sorted(["Fassi", "Ouazzani"])
    assert names("area=urban") == sorted(["Berrada", "Fassi"])


def test_participations_count_confirmed_places(people):
    artisan = people["owner_artisan"]
    ApplicationFactory(artisan=artisan, fair=FairFactory(status=F.CLOSED), status=S.CONFIRMED)
    ApplicationFactory(artisan=artisan, fair=FairFactory(status=F.CLOSED), status=S.CONFIRMED)
    ApplicationFactory(artisan=artisan, fair=FairFactory(status=F.CLOSED), status=S.REJECTED)
    body = client_as(people["staff"]).get(f"/api/v1/artisans/{artisan.pk}/").json()
    assert body["participations"] == 2
    assert client_as(people["owner"]).get("/api/v1/me/").json()["participations"] == 2


# --- Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_artisans_list_query_budget(people, django_assert_num_queries, rows):
    Artisan.objects.all().delete()
    cooperative = CooperativeFactory()
    for artisan in ArtisanFactory.create_batch(rows, cooperative=cooperative):
        artisan.other_crafts.add(craft("zellige"), craft("ceramics"))
        ApplicationFactory(artisan=artisan, fair=FairFactory(status=F.CLOSED), status=S.CONFIRMED)
    client = client_as(people["staff"])
    # roles, count, artisans with province, craft, cooperative and participations, other crafts
    with django_assert_num_queries(4):
        response = client.get("/api/v1/artisans/")
    assert response.json()["count"] == rows
    assert {a["participations"] for a in response.json()["results"]} == {1}


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("role", ["staff", "reviewer", "owner"])
def test_applications_list_query_budget(people, django_assert_num_queries, rows, role):
    blind = reviewing_fair(blind_review=True)
    named = reviewing_fair()
    for index in range(rows):
        artisan = people["owner_artisan"] if index == 0 else ArtisanFactory(user=None)
        application = ApplicationFactory(artisan=artisan, fair=blind if index % 2 else named)
        Review.objects.create(application=application, reviewer=people["reviewer"], score=3)
    if role == "owner":  # the owner's own applications, as many as the others have rows
        for _ in range(rows - 1):
            ApplicationFactory(artisan=people["owner_artisan"], fair=reviewing_fair())
    client = client_as(people[role])
    # roles, count, applications with fair, artisan and scores, photos
    with django_assert_num_queries(4):
        response = client.get("/api/v1/applications/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_my_applications_query_budget(people, django_assert_num_queries, rows):
    for _ in range(rows):
        ApplicationFactory(artisan=people["owner_artisan"], fair=open_fair())
    client = client_as(people["owner"])
    # artisan profile, roles, count, applications, photos
    with django_assert_num_queries(5):
        response = client.get("/api/v1/me/applications/")
    assert response.json()["count"] == rows


def test_schema_stays_valid_with_the_registrations_endpoints(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    for path in (
        "/api/v1/artisans/",
        "/api/v1/me/",
        "/api/v1/me/applications/",
        "/api/v1/applications/{id}/accept/",
        "/api/v1/applications/{id}/reviews/",
        "/api/v1/applications/decide/",
    ):
        assert path in paths
