"""Jury review pages, the staff decision board (scores, spread, quotas, bulk decisions) and
the ``expire_offers`` command."""

import datetime as dt
import io
import math

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import Application, Artisan, Review
from tests.factories import ApplicationFactory, ArtisanFactory, CooperativeFactory, FairFactory, open_fair


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; French (the default) and Arabic have their own tests."""
    settings.LANGUAGE_CODE = "en"


S = Application.Status
pytestmark = pytest.mark.django_db


def reviewing_fair(**kwargs) -> Fair:
    kwargs.setdefault("status", Fair.Status.REVIEWING)
    return FairFactory(**kwargs)


def past_fair(days_ago=400) -> Fair:
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    return FairFactory(
        status=Fair.Status.CLOSED,
        starts_on=start,
        ends_on=start + dt.timedelta(days=5),
        applications_open_at=None,
        applications_close_at=None,
    )


def accepted(fair, **kwargs) -> Application:
    return ApplicationFactory(
        fair=fair, status=S.ACCEPTED, offer_deadline=timezone.now() + dt.timedelta(days=5), **kwargs
    )


def score(application, reviewer, value, comment=""):
    return Review.objects.create(application=application, reviewer=reviewer, score=value, comment=comment)


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def board_url(fair):
    return reverse("registrations:decision_board", kwargs={"fair_pk": fair.pk})


def decide_url(fair):
    return reverse("registrations:decide", kwargs={"fair_pk": fair.pk})


def review_url(application):
    return reverse("registrations:review_application", kwargs={"pk": application.pk})


@pytest.fixture
def reviewer_client(reviewer_user):
    """A client of its own, so a test can hold it and ``staff_client`` side by side."""
    client = Client()
    client.force_login(reviewer_user)
    return client


@pytest.fixture
def identifiable():
    """An applicant whose every identifying detail is distinctive enough to search the HTML for."""
    cooperative = CooperativeFactory(name="Coopérative Tazrarte", name_ar="تعاونية تازرارت")
    return ArtisanFactory(
        first_name="Khadija",
        last_name="Ouazzani",
        first_name_ar="خديجة",
        last_name_ar="الوزاني",
        cin="BK734512",
        phone="+212661234599",
        email="khadija.ouazzani@example.ma",
        cooperative=cooperative,
        photo="artisans/portrait-khadija-ouazzani.jpg",
        bio="Je suis Khadija, potière depuis 20 ans.",
        shop_url="https://tazrarte.example.ma/",
    )


IDENTITY = [
    "Khadija",
    "Ouazzani",
    "خديجة",
    "الوزاني",
    "Tazrarte",
    "تازرارت",
    "BK734512",
    "661234599",
    "portrait-khadija",
]


# --- Blind review -----------------------------------------------------------------------


def test_blind_review_hides_identity_from_reviewer_pages(reviewer_client, identifiable):
    fair = reviewing_fair(blind_review=True)
    application = ApplicationFactory(fair=fair, artisan=identifiable)
    pages = [
        reverse("registrations:review_home"),
        reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}),
        review_url(application),
    ]
    for url in pages:
        response = reviewer_client.get(url)
        assert response.status_code == 200
        html = response.content.decode().lower()
        for detail in IDENTITY:
            assert detail.lower() not in html, (url, detail)
    assert f"#{application.pk}" in response.content.decode()


def test_blind_review_also_hides_identity_in_arabic_and_after_scoring(reviewer_client, identifiable):
    fair = reviewing_fair(blind_review=True)
    application = ApplicationFactory(fair=fair, artisan=identifiable)
    reviewer_client.cookies["django_language"] = "ar"
    response = reviewer_client.post(review_url(application), {"score": "4"}, follow=True)
    assert response.status_code == 200
    assert Review.objects.get(application=application).score == 4
    html = response.content.decode().lower() + " ".join(flash(response)).lower()
    for detail in IDENTITY:
        assert detail.lower() not in html, detail


def test_staff_still_see_the_identity_on_a_blind_fair(staff_client, identifiable):
    fair = reviewing_fair(blind_review=True)
    application = ApplicationFactory(fair=fair, artisan=identifiable)
    html = staff_client.get(review_url(application)).content.decode()
    for detail in [
        "Khadija",
        "Ouazzani",
        "خديجة",
        "الوزاني",
        "Coopérative Tazrarte",
        "BK734512",
        "+212661234599",
    ]:
        assert detail in html, detail
    board = staff_client.get(board_url(fair)).content.decode()
    assert "Khadija Ouazzani" in board and "خديجة الوزاني" in board


def test_without_blind_review_a_reviewer_sees_the_name_but_no_personal_data(reviewer_client, identifiable):
    fair = reviewing_fair(blind_review=False)
    application = ApplicationFactory(fair=fair, artisan=identifiable)
    html = reviewer_client.get(review_url(application)).content.decode()
    assert "Khadija Ouazzani" in html and "Coopérative Tazrarte" in html
    assert "BK734512" not in html and "661234599" not in html and "khadija.ouazzani@" not in html


# --- Scoring ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["6", "0", "-1", "3.5", "four", ""])
def test_a_score_outside_the_scale_is_a_form_error(reviewer_client, value):
    application = ApplicationFactory(fair=reviewing_fair(score_max=5))
    response = reviewer_client.post(review_url(application), {"score": value, "comment": "ok"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["score"]
    assert error in response.content.decode()  # shown, not only marked red
    assert not Review.objects.exists()


def test_a_wide_scale_is_a_list_and_takes_its_top_score(reviewer_client):
    application = ApplicationFactory(fair=reviewing_fair(score_max=20))
    response = reviewer_client.post(review_url(application), {"score": "21"})
    assert "score" in response.context["form"].errors
    response = reviewer_client.post(review_url(application), {"score": "20"})
    assert response.status_code == 302
    assert Review.objects.get().score == 20


def test_saving_a_score_moves_on_to_the_next_unscored_application(reviewer_client, reviewer_user):
    fair = reviewing_fair()
    first, second = ApplicationFactory.create_batch(2, fair=fair)
    response = reviewer_client.post(review_url(first), {"score": "3", "comment": "Belle finition"})
    assert response["Location"] == review_url(second)
    review = Review.objects.get(application=first, reviewer=reviewer_user)
    assert (review.score, review.comment) == (3, "Belle finition")
    assert AuditEntry.objects.filter(action="review.create").count() == 1
    response = reviewer_client.post(review_url(second), {"score": "5"})
    assert response["Location"] == reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk})
    # Changing one's mind updates the same review.
    reviewer_client.post(review_url(first), {"score": "4"})
    assert Review.objects.get(application=first, reviewer=reviewer_user).score == 4
    assert Review.objects.count() == 2


def test_a_reviewer_sees_only_their_own_score(reviewer_client, reviewer_user, make_user, staff_client):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    other = make_user("reviewer", username="jury-anchor", first_name="Rachid", last_name="Anchor")
    score(application, other, 1, comment="OTHER-REVIEWER-COMMENT")
    score(application, reviewer_user, 4, comment="my own note")
    response = reviewer_client.get(reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}))
    assert [a.my_score for a in response.context["applications"]] == [4]
    assert not hasattr(response.context["applications"][0], "score_mean")
    html = response.content.decode() + reviewer_client.get(review_url(application)).content.decode()
    assert "OTHER-REVIEWER-COMMENT" not in html and "Anchor" not in html
    assert "my own note" in html
    staff_html = staff_client.get(review_url(application)).content.decode()
    assert "OTHER-REVIEWER-COMMENT" in staff_html and "Rachid Anchor" in staff_html


def test_review_home_shows_fairs_to_score_and_my_progress(reviewer_client, reviewer_user):
    fair = reviewing_fair()
    done, _todo = ApplicationFactory.create_batch(2, fair=fair)
    ApplicationFactory(fair=fair, status=S.DRAFT)  # not sent to the jury
    score(done, reviewer_user, 3)
    calling = open_fair()
    ApplicationFactory(fair=calling)
    reviewing_fair()  # nothing to score: not listed
    closed = FairFactory(status=Fair.Status.ALLOCATING)
    ApplicationFactory(fair=closed)
    response = reviewer_client.get(reverse("registrations:review_home"))
    progress = {f.pk: (f.scored, f.to_score) for f in response.context["fairs"]}
    assert progress == {fair.pk: (1, 2), calling.pk: (0, 1)}


def test_a_reviewer_cannot_open_an_application_that_is_no_longer_scored(reviewer_client, staff_client):
    application = accepted(reviewing_fair())
    assert reviewer_client.get(review_url(application)).status_code == 404
    assert reviewer_client.post(review_url(application), {"score": "3"}).status_code == 404
    response = staff_client.get(review_url(application))
    assert response.status_code == 200 and response.context["can_score"] is False


# --- Decision board: scores, spread, first-timers, quotas -------------------------------


def test_mean_and_spread_of_three_reviews(staff_client, make_user):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    for n, value in enumerate([2, 4, 4]):
        score(application, make_user("reviewer", username=f"jury{n}"), value)
    ApplicationFactory(fair=fair)  # no review yet
    staff_client.cookies["django_language"] = "fr"  # French number formatting below
    response = staff_client.get(board_url(fair))
    row = next(a for a in response.context["applications"] if a.pk == application.pk)
    assert row.review_count == 3
    assert round(row.score_mean, 2) == 3.33
    # Population standard deviation: sqrt(((2 - 10/3)² + 2 × (4 - 10/3)²) / 3) = 0.94
    assert math.isclose(row.score_spread, math.sqrt(8 / 9), rel_tol=1e-6)
    assert (row.score_low, row.score_high) == (2, 4)
    html = response.content.decode()
    assert "3,33" in html and "±0,94" in html and "2–4" in html
    unscored = next(a for a in response.context["applications"] if a.pk != application.pk)
    assert unscored.review_count == 0 and unscored.score_mean is None


def test_the_board_sorts_by_mean_score_and_filters_by_status(staff_client, make_user):
    fair = reviewing_fair()
    jury = make_user("reviewer", username="jury")
    low, high, unscored = ApplicationFactory.create_batch(3, fair=fair)
    rejected = ApplicationFactory(fair=fair, status=S.REJECTED)
    draft = ApplicationFactory(fair=fair, status=S.DRAFT)
    score(low, jury, 2)
    score(high, jury, 5)
    score(rejected, jury, 4)
    response = staff_client.get(board_url(fair))
    assert [a.pk for a in response.context["applications"]] == [high.pk, rejected.pk, low.pk, unscored.pk]
    response = staff_client.get(board_url(fair), {"status": "rejected"})
    assert [a.pk for a in response.context["applications"]] == [rejected.pk]
    response = staff_client.get(board_url(fair), {"status": "draft"})
    assert [a.pk for a in response.context["applications"]] == [draft.pk]
    response = staff_client.get(board_url(fair), {"status": "approved", "sort": "luck"})
    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {"status", "sort"}
    assert response.context["applications"] == []


def test_first_timers_are_artisans_without_a_confirmed_place_at_an_earlier_fair(staff_client):
    fair = reviewing_fair()
    veteran, declined_before, confirmed_later, newcomer = ArtisanFactory.create_batch(4)
    ApplicationFactory(fair=past_fair(), artisan=veteran, status=S.CONFIRMED)
    ApplicationFactory(fair=past_fair(), artisan=declined_before, status=S.DECLINED)
    later = FairFactory(
        starts_on=fair.starts_on + dt.timedelta(days=90), ends_on=fair.starts_on + dt.timedelta(days=95)
    )
    ApplicationFactory(fair=later, artisan=confirmed_later, status=S.CONFIRMED)
    for artisan in (veteran, declined_before, confirmed_later, newcomer):
        ApplicationFactory(fair=fair, artisan=artisan)
    response = staff_client.get(board_url(fair))
    first = {a.artisan_id: a.first_timer for a in response.context["applications"]}
    assert first == {veteran.pk: False, declined_before.pk: True, confirmed_later.pk: True, newcomer.pk: True}


def test_quota_panel_counts_accepted_and_confirmed_against_the_targets(staff_client):
    fair = reviewing_fair(capacity=10, quota_women=50, quota_rural=30, quota_first_timers=50)
    man = {"gender": Artisan.Gender.MALE, "first_name": "Youssef"}
    women_urban = [ArtisanFactory(area=Artisan.Area.URBAN) for _ in range(2)]
    woman_rural = ArtisanFactory(area=Artisan.Area.RURAL)
    man_urban = ArtisanFactory(area=Artisan.Area.URBAN, **man)
    # Two of the four took part in an earlier fair: the other two are first-timers.
    for artisan in (women_urban[0], man_urban):
        ApplicationFactory(fair=past_fair(), artisan=artisan, status=S.CONFIRMED)
    accepted(fair, artisan=women_urban[0])
    accepted(fair, artisan=women_urban[1])
    ApplicationFactory(fair=fair, artisan=woman_rural, status=S.CONFIRMED)
    ApplicationFactory(fair=fair, artisan=man_urban, status=S.CONFIRMED)
    # Not selected: they don't count.
    candidate = ApplicationFactory(fair=fair, artisan=ArtisanFactory(area=Artisan.Area.URBAN, **man))
    ApplicationFactory(fair=fair, status=S.REJECTED)
    ApplicationFactory(fair=fair, status=S.DECLINED)

    response = staff_client.get(board_url(fair))
    quotas = response.context["quotas"]
    assert (quotas.taken, quotas.capacity, quotas.free) == (4, 10, 6)
    shares = {s.key: (s.count, s.total, s.percent, s.target, s.met) for s in quotas.shares}
    assert shares == {
        "women": (3, 4, 75, 50, True),
        "rural": (1, 4, 25, 30, False),
        "first_timers": (2, 4, 50, 50, True),
    }
    assert response.context["preview"] is None
    html = response.content.decode()
    assert "75 %" in html and "4 / 10" in html

    # What the shares would be if the (male, urban, first-timer) candidate were accepted too.
    response = staff_client.get(board_url(fair), {"applications": [candidate.pk]})
    preview = response.context["preview"]
    assert preview.taken == 5
    assert [s.percent for s in preview.shares] == [60, 20, 60]
    assert response.context["quotas"].taken == 4


def test_quota_panel_of_a_fair_without_selection_shows_no_share(staff_client):
    fair = reviewing_fair(quota_women=40)
    ApplicationFactory(fair=fair)
    response = staff_client.get(board_url(fair))
    assert [s.percent for s in response.context["quotas"].shares] == [None, None, None]


# --- Decisions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "status"), [("accept", S.ACCEPTED), ("waitlist", S.WAITLISTED), ("reject", S.REJECTED)]
)
def test_bulk_decision_from_the_board(staff_client, staff_user, decision, status):
    fair = reviewing_fair()
    chosen = ApplicationFactory.create_batch(2, fair=fair)
    untouched = ApplicationFactory(fair=fair)
    response = staff_client.post(
        decide_url(fair),
        {
            "applications": [a.pk for a in chosen],
            "decision": decision,
            "reason": "Qualité du travail",
            "next": board_url(fair) + "?sort=name",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == board_url(fair) + "?sort=name"
    for application in chosen:
        application.refresh_from_db()
        assert application.status == status
        assert application.decision_reason == "Qualité du travail"
        assert application.decided_by == staff_user
    assert Application.objects.get(pk=untouched.pk).status == S.SUBMITTED
    assert AuditEntry.objects.filter(action=f"application.{status}").count() == 2
    message = flash(response)[0]
    assert chosen[0].artisan.full_name in message and chosen[1].artisan.full_name in message
    if decision == "waitlist":
        assert sorted(
            Application.objects.filter(status=S.WAITLISTED).values_list("waitlist_rank", flat=True)
        ) == [1, 2]


def test_single_decision_from_the_application_page(staff_client):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    page = staff_client.get(review_url(application))
    assert [value for value, _ in page.context["decisions"]] == ["accept", "waitlist", "reject"]
    response = staff_client.post(
        decide_url(fair),
        {"applications": [application.pk], "decision": "accept", "next": review_url(application)},
    )
    assert response["Location"] == review_url(application)
    application.refresh_from_db()
    assert application.status == S.ACCEPTED and application.offer_deadline > timezone.now()


def test_bulk_decision_with_one_application_in_the_wrong_state_changes_nothing(staff_client):
    fair = reviewing_fair()
    fine = ApplicationFactory(fair=fair)
    refused = ApplicationFactory(
        fair=fair, status=S.REJECTED, artisan=ArtisanFactory(first_name="Youssef", last_name="Alaoui")
    )
    before = AuditEntry.objects.count()
    response = staff_client.post(
        decide_url(fair),
        {"applications": [fine.pk, refused.pk], "decision": "accept", "next": board_url(fair)},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=fine.pk).status == S.SUBMITTED
    assert Application.objects.get(pk=refused.pk).status == S.REJECTED
    assert AuditEntry.objects.count() == before
    [message] = flash(response)
    assert "Youssef Alaoui" in message and fine.artisan.full_name not in message
    # The selection stays ticked so staff can untick the culprit and try again.
    board = staff_client.get(response["Location"])
    assert board.context["selected"] == {fine.pk, refused.pk}


def test_accepting_beyond_capacity_is_refused_and_names_the_artisans(staff_client):
    fair = reviewing_fair(capacity=2)
    ApplicationFactory(fair=fair, status=S.CONFIRMED)
    first = ApplicationFactory(fair=fair, artisan=ArtisanFactory(first_name="Aicha", last_name="Tazi"))
    second = ApplicationFactory(fair=fair, artisan=ArtisanFactory(first_name="Omar", last_name="Berrada"))
    response = staff_client.post(
        decide_url(fair), {"applications": [first.pk, second.pk], "decision": "accept"}
    )
    assert set(Application.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        S.SUBMITTED
    }
    [message] = flash(response)
    assert "Aicha Tazi" in message and "Omar Berrada" in message and "1" in message
    # One place is left: accepting one of them works.
    staff_client.post(decide_url(fair), {"applications": [first.pk], "decision": "accept"})
    assert Application.objects.get(pk=first.pk).status == S.ACCEPTED


def test_deciding_before_review_has_started_is_refused(staff_client):
    fair = open_fair()
    application = ApplicationFactory(
        fair=fair, artisan=ArtisanFactory(first_name="Hind", last_name="Kettani")
    )
    response = staff_client.post(decide_url(fair), {"applications": [application.pk], "decision": "reject"})
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    [message] = flash(response)
    assert "Hind Kettani" in message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "accept"}, "Select at least one application."),
        ({"decision": "crown", "applications": ["OWN"]}, "crown"),
        ({"decision": "accept", "applications": ["OTHER"]}, "not one of this fair"),
        ({"decision": "accept", "applications": ["x1"]}, "not one of this fair"),
        ({"applications": ["OWN"]}, "Choose a decision."),
    ],
)
def test_bad_decision_input_is_a_message_and_changes_nothing(staff_client, data, field):
    staff_client.cookies["django_language"] = "en"
    fair = reviewing_fair()
    own = ApplicationFactory(fair=fair)
    other = ApplicationFactory(fair=reviewing_fair())
    ids = {"OWN": str(own.pk), "OTHER": str(other.pk)}
    data = {**data, "applications": [ids.get(v, v) for v in data.get("applications", [])]}
    response = staff_client.post(decide_url(fair), data)
    assert response.status_code == 302
    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}
    assert any(field in message for message in flash(response))


def test_preview_keeps_the_selection_and_decides_nothing(staff_client):
    fair = reviewing_fair()
    chosen = ApplicationFactory.create_batch(2, fair=fair)
    response = staff_client.post(
        decide_url(fair),
        {
            "applications": [a.pk for a in chosen],
            "preview": "1",
            "next": board_url(fair) + "?status=submitted",
        },
    )
    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}
    board = staff_client.get(response["Location"])
    assert board.context["selected"] == {a.pk for a in chosen}
    assert board.context["preview"].taken == 2
    assert [a.pk for a in board.context["applications"]] == [a.pk for a in chosen]


def test_decide_refuses_a_next_url_on_another_site(staff_client):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    response = staff_client.post(
        decide_url(fair),
        {"applications": [application.pk], "decision": "reject", "next": "https://evil.example/"},
    )
    assert response["Location"] == board_url(fair)


def test_a_reviewer_cannot_decide(client, reviewer_user):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    client.force_login(reviewer_user)
    response = client.post(decide_url(fair), {"applications": [application.pk], "decision": "accept"})
    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    assert not AuditEntry.objects.filter(action__startswith="application.").exists()


def test_decide_is_post_only(staff_client):
    assert staff_client.get(decide_url(reviewing_fair())).status_code == 405


# --- Permissions ------------------------------------------------------------------------


def login_as(client, make_user, role):
    if role is None:
        return
    if role == "artisan":
        user = make_user(username="artisan-user")
        ArtisanFactory(user=user)
    else:
        user = make_user(role, username=f"{role}-user")
    client.force_login(user)


ROLES = [None, "artisan", "scanner", "reviewer", "staff"]
REVIEW_PAGES = {None: 302, "artisan": 403, "scanner": 403, "reviewer": 200, "staff": 200}
STAFF_PAGES = {None: 302, "artisan": 403, "scanner": 403, "reviewer": 403, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "page", ["review_home", "review_fair", "review_application", "decision_board", "decide"]
)
def test_permission_matrix(client, make_user, role, page):
    fair = reviewing_fair()
    application = ApplicationFactory(fair=fair)
    url, method = {
        "review_home": (reverse("registrations:review_home"), "get"),
        "review_fair": (reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}), "get"),
        "review_application": (review_url(application), "get"),
        "decision_board": (board_url(fair), "get"),
        "decide": (decide_url(fair), "post"),
    }[page]
    expected = (REVIEW_PAGES if page.startswith("review") else STAFF_PAGES)[role]
    if page == "decide" and role == "staff":
        expected = 302  # decided, then back to the board
    login_as(client, make_user, role)
    response = getattr(client, method)(
        url, {"applications": [application.pk], "decision": "reject"} if method == "post" else {}
    )
    assert response.status_code == expected
    if role is None:
        assert response["Location"].startswith(reverse("login"))
    expected_status = S.REJECTED if (page, role) == ("decide", "staff") else S.SUBMITTED
    assert Application.objects.get(pk=application.pk).status == expected_status


def test_unknown_fair_or_application_is_404(staff_client):
    assert staff_client.get(board_url(Fair(pk=999))).status_code == 404
    assert staff_client.get(reverse("registrations:review_fair", kwargs={"fair_pk": 999})).status_code == 404
    assert (
        staff_client.get(reverse("registrations:review_application", kwargs={"pk": 999})).status_code == 404
    )


# --- Query budgets ----------------------------------------------------------------------


def reviewed_applications(fair, rows, make_user):
    jury = [make_user("reviewer", username=f"budget-jury{n}") for n in range(2)]
    for n, application in enumerate(ApplicationFactory.create_batch(rows, fair=fair)):
        for reviewer in jury:
            score(application, reviewer, 1 + (n % 5))
    return jury


@pytest.mark.parametrize("rows", [1, 3])
def test_decision_board_query_budget(staff_client, make_user, django_assert_num_queries, rows):
    fair = reviewing_fair()
    reviewed_applications(fair, rows, make_user)
    ApplicationFactory(
        fair=past_fair(), artisan=Application.objects.filter(fair=fair).first().artisan, status=S.CONFIRMED
    )
    # session, user, roles, fair, status counts, applications (scores + first-timers), quotas
    with django_assert_num_queries(7):
        response = staff_client.get(board_url(fair))
    assert response.status_code == 200
    assert len(response.context["applications"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_review_list_query_budget(client, make_user, django_assert_num_queries, rows):
    fair = reviewing_fair(blind_review=True)
    jury = reviewed_applications(fair, rows, make_user)
    client.force_login(jury[0])
    # session, user, roles, fair, applications (with my score)
    with django_assert_num_queries(5):
        response = client.get(reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}))
    assert response.status_code == 200
    assert len(response.context["applications"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_review_list_query_budget_for_staff(staff_client, make_user, django_assert_num_queries, rows):
    fair = reviewing_fair()
    reviewed_applications(fair, rows, make_user)
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}))
    assert [a.review_count for a in response.context["applications"]] == [2] * rows


@pytest.mark.parametrize("fairs", [1, 3])
def test_review_home_query_budget(client, make_user, django_assert_num_queries, fairs):
    jury = None
    for _ in range(fairs):
        jury = reviewed_applications(reviewing_fair(), 2, make_user)
    client.force_login(jury[0])
    # session, user, roles, fairs with progress
    with django_assert_num_queries(4):
        response = client.get(reverse("registrations:review_home"))
    assert [(f.scored, f.to_score) for f in response.context["fairs"]] == [(2, 2)] * fairs


# --- expire_offers ----------------------------------------------------------------------


def run_expire_offers() -> str:
    out = io.StringIO()
    call_command("expire_offers", stdout=out)
    return out.getvalue()


def test_expire_offers_expires_overdue_offers_and_promotes_the_waitlist(django_capture_on_commit_callbacks):
    fair = reviewing_fair(capacity=2, offer_days=3)
    overdue = ApplicationFactory(
        fair=fair, status=S.ACCEPTED, offer_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    pending = accepted(fair)
    first = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=1)
    second = ApplicationFactory(fair=fair, status=S.WAITLISTED, waitlist_rank=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_expire_offers() == "1 offer expired.\n"
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {
        overdue.pk: S.EXPIRED,
        pending.pk: S.ACCEPTED,
        first.pk: S.ACCEPTED,
        second.pk: S.WAITLISTED,
    }
    promoted = Application.objects.get(pk=first.pk)
    assert promoted.offer_deadline > timezone.now() + dt.timedelta(days=2)
    assert AuditEntry.objects.filter(action="application.expired").count() == 1
    assert {n.event for n in promoted.notifications.all()} == {"accepted"}
    # Idempotent: a second run finds nothing to do.
    assert run_expire_offers() == "0 offers expired.\n"
    assert dict(Application.objects.values_list("pk", "status")) == statuses


def test_expire_offers_is_quiet_with_verbosity_zero():
    out = io.StringIO()
    call_command("expire_offers", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_the_decision_board_address_is_not_taken_by_the_fair_lifecycle_actions():
    """``/staff/fairs/<pk>/<action>/`` (fairs) must leave ``…/applications/`` to the board."""
    assert resolve(board_url(Fair(pk=7))).view_name == "registrations:decision_board"


def test_a_reviewer_who_also_applied_never_scores_their_own_application(client, make_user):
    fair = reviewing_fair()
    reviewer = make_user("reviewer", username="jury-and-potter")
    own = ApplicationFactory(fair=fair, artisan=ArtisanFactory(user=reviewer))
    other = ApplicationFactory(fair=fair)
    client.force_login(reviewer)
    response = client.get(reverse("registrations:review_fair", kwargs={"fair_pk": fair.pk}))
    assert [a.pk for a in response.context["applications"]] == [other.pk]
    home = client.get(reverse("registrations:review_home"))
    assert [(f.scored, f.to_score) for f in home.context["fairs"]] == [(0, 1)]
    assert client.get(review_url(own)).status_code == 404
    assert client.post(review_url(own), {"score": "5"}).status_code == 404
    assert not Review.objects.exists()


def test_the_review_page_shows_what_an_international_exhibition_asks(reviewer_client):
    fair = reviewing_fair(
        scope=Fair.Scope.INTERNATIONAL, asks_languages=True, asks_export=True, asks_passport=True
    )
    application = ApplicationFactory(
        fair=fair,
        languages=["fr", "en"],
        export_experience="Commandes régulières vers Lyon depuis 2019",
        passport_valid_until=dt.date(2030, 1, 31),
        needs_electricity=True,
        products="Zellige de Fès, tables en mosaïque",
    )
    reviewer_client.cookies["django_language"] = "en"
    html = reviewer_client.get(review_url(application)).content.decode()
    for text in [
        "French, English",
        "Commandes régulières vers Lyon",
        "2030",
        "electricity",
        "Zellige de Fès",
    ]:
        assert text in html, text
