"""The staff allocation pages: overview, preview (a dry run) and commit."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from booths import allocation, services
from booths.models import AllocationRun, Assignment
from core.models import AuditEntry
from fairs.models import Fair
from registrations.models import Application
from tests.factories import ApplicationFactory, ArtisanFactory, BoothFactory, ZoneFactory, craft


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; French (the default) and Arabic have their own tests."""
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db


def fair_with_plan(booths=4, applications=3):
    """A fair in its allocation step: one pottery zone, ``booths`` booths, confirmed potters."""
    zone = ZoneFactory(name="Pottery hall")
    zone.craft_categories.set([craft("pottery")])
    plan = [BoothFactory(zone=zone, tier=1 + i % 3) for i in range(booths)]
    confirmed = [
        ApplicationFactory(fair=zone.fair, status=Application.Status.CONFIRMED, artisan=ArtisanFactory())
        for _ in range(applications)
    ]
    return zone.fair, plan, confirmed


def urls(fair):
    return {
        "overview": reverse("booths:allocation", args=[fair.pk]),
        "preview": reverse("booths:allocation_preview", args=[fair.pk]),
        "commit": reverse("booths:allocation_commit", args=[fair.pk]),
    }


def written():
    return (
        set(Assignment.objects.values_list("application_id", "booth_id", "locked")),
        AllocationRun.objects.count(),
        AuditEntry.objects.count(),
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Overview -------------------------------------------------------------------------------


def test_overview_shows_exhibitors_booths_locks_and_a_seed_to_reproduce(staff_client, staff_user):
    fair, booths, confirmed = fair_with_plan(booths=5, applications=3)
    services.booth_set_status(booth=booths[4], status="held", reason="Invités", actor=staff_user)
    services.booth_assign(booth=booths[0], application=confirmed[0], actor=staff_user)

    response = staff_client.get(urls(fair)["overview"])

    assert response.status_code == 200
    assert response.context["confirmed"] == 3
    assert response.context["engine_booths"] == 3  # 5 booths, one held, one locked by hand
    assert response.context["booths"]["locked"] == 1
    seed = response.context["form"]["seed"].value()
    assert seed and len(seed) <= 40
    body = response.content.decode()
    assert f'value="{seed}"' in body  # shown, so staff can note it
    assert booths[0].code in body and confirmed[0].artisan.full_name in body  # the locked booth
    assert "No allocation has been committed" in body


def test_overview_shows_the_last_run_and_who_it_left_out(staff_client, staff_user):
    fair, _booths, _confirmed = fair_with_plan(booths=1, applications=1)
    ApplicationFactory(
        fair=fair, status=Application.Status.CONFIRMED,
        artisan=ArtisanFactory(first_name="Khadija", last_name="Tisserande", main_craft=craft("carpets")),
    )  # fmt: skip
    allocation.allocation_commit(fair=fair, seed="run-1", actor=staff_user)

    response = staff_client.get(urls(fair)["overview"])

    body = response.content.decode()
    assert "run-1" in body and "by staff, seed" in body
    assert response.context["run"].placed == 1
    assert "Khadija Tisserande" in body
    assert str(allocation.UNPLACED_REASONS["no_zone_for_craft"]) in body
    assert [row["key"] for row in response.context["run_metrics"]][:2] == ["placed", "unplaced"]


# --- Preview ----------------------------------------------------------------------------------


def test_preview_shows_plan_figures_and_placements_and_writes_nothing(staff_client):
    fair, _booths, confirmed = fair_with_plan()
    before = written()

    response = staff_client.get(urls(fair)["preview"], {"seed": "demo"})

    assert response.status_code == 200
    assert written() == before
    body = response.content.decode()
    assert "<svg" in body and "floor-plan" in body
    assert body.count('class="booth booth-taken"') == 3  # the previewed placements on the plan
    metrics = {row["key"]: row["raw"] for row in response.context["metrics"]}
    assert metrics["placed"] == 3 and metrics["unplaced"] == 0 and metrics["hard_violations"] == 0
    placed = {row["application"].pk for row in response.context["placements"]}
    assert placed == {a.pk for a in confirmed}
    assert all(row["why"] for row in response.context["placements"])  # explained in words
    assert 'name="seed" value="demo"' in body  # the commit button carries the same seed


def test_preview_by_post_is_a_dry_run_too(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    before = written()
    response = staff_client.post(urls(fair)["preview"], {"seed": "demo"})
    assert response.status_code == 200
    assert written() == before


def test_preview_colours_by_status_on_request(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    response = staff_client.get(urls(fair)["preview"], {"seed": "demo", "colour": "status"})
    assert response.context["colour_by"] == "status"
    assert "#86c5a4" in response.content.decode()  # the "taken" colour of booths.plan


def test_preview_lists_who_is_left_out_and_why(staff_client):
    fair, _booths, _confirmed = fair_with_plan(booths=2, applications=3)
    weaver = ApplicationFactory(
        fair=fair, status=Application.Status.CONFIRMED,
        artisan=ArtisanFactory(first_name="Khadija", last_name="Tisserande", main_craft=craft("carpets")),
    )  # fmt: skip

    response = staff_client.get(urls(fair)["preview"], {"seed": "x"})

    unplaced = {row["application"].pk: row["reason"] for row in response.context["unplaced"]}
    assert len(unplaced) == 2
    assert unplaced[weaver.pk] == str(allocation.UNPLACED_REASONS["no_zone_for_craft"])
    body = response.content.decode()
    assert "Khadija Tisserande" in body
    assert str(allocation.UNPLACED_REASONS["all_suitable_booths_taken"]) in body


def test_preview_keeps_locked_booths_out_and_shows_them_locked(staff_client, staff_user):
    fair, booths, confirmed = fair_with_plan()
    services.booth_assign(booth=booths[3], application=confirmed[0], actor=staff_user)

    response = staff_client.get(urls(fair)["preview"], {"seed": "demo"})

    assert response.context["locked_count"] == 1
    assert confirmed[0].pk not in {row["application"].pk for row in response.context["placements"]}
    assert booths[3].code not in {row["booth"] for row in response.context["placements"]}


def test_preview_without_a_seed_shows_the_error_on_the_field(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    before = written()

    response = staff_client.get(urls(fair)["preview"], {"seed": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["seed"]
    assert "booths/allocation/overview.html" in [t.name for t in response.templates]
    assert written() == before


def test_preview_with_a_seed_too_long_is_refused(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    response = staff_client.get(urls(fair)["preview"], {"seed": "x" * 41})
    assert response.context["form"].errors["seed"]


# --- Commit -----------------------------------------------------------------------------------


def test_commit_writes_exactly_the_previewed_placements(staff_client):
    fair, booths, _confirmed = fair_with_plan(booths=6, applications=4)
    preview = staff_client.get(urls(fair)["preview"], {"seed": "same-seed"})
    code_to_pk = {b.code: b.pk for b in booths}
    previewed = {(row["application"].pk, code_to_pk[row["booth"]]) for row in preview.context["placements"]}

    response = staff_client.post(urls(fair)["commit"], {"seed": "same-seed"})

    assert set(Assignment.objects.values_list("application_id", "booth_id")) == previewed
    run = AllocationRun.objects.get()
    assert run.seed == "same-seed" and run.created_by.username == "staff"
    assert response.status_code == 302
    assert response.url == reverse("booths:plan", args=[fair.pk])
    assert any("same-seed" in m and "4 placed" in m for m in messages_of(response))


def test_commit_keeps_a_locked_assignment(staff_client, staff_user):
    fair, booths, confirmed = fair_with_plan()
    services.booth_assign(booth=booths[3], application=confirmed[0], actor=staff_user)
    staff_client.post(urls(fair)["commit"], {"seed": "1"})
    staff_client.post(urls(fair)["commit"], {"seed": "2"})
    assert Assignment.objects.get(application=confirmed[0]).booth == booths[3]
    assert Assignment.objects.count() == 3


def test_commit_without_a_seed_changes_nothing(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    before = written()
    response = staff_client.post(urls(fair)["commit"], {"seed": ""})
    assert response.status_code == 302 and response.url == urls(fair)["overview"]
    assert written() == before
    assert any("Seed" in m for m in messages_of(response))


def test_commit_is_post_only(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    assert staff_client.get(urls(fair)["commit"], {"seed": "x"}).status_code == 405
    assert not Assignment.objects.exists()


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Fair.Status.REVIEWING, Fair.Status.RUNNING, Fair.Status.CLOSED])
def test_a_fair_outside_the_allocation_step_is_refused_with_a_message(staff_client, status):
    fair, _booths, _confirmed = fair_with_plan()
    Fair.objects.filter(pk=fair.pk).update(status=status)
    before = written()

    overview = staff_client.get(urls(fair)["overview"])
    preview = staff_client.get(urls(fair)["preview"], {"seed": "x"})
    commit = staff_client.post(urls(fair)["commit"], {"seed": "x"})

    assert "allocation step or published" in overview.content.decode()
    for response in (preview, commit):
        assert response.status_code == 302 and response.url == urls(fair)["overview"]
        assert messages_of(response)
    assert any("allocation step" in m for m in messages_of(preview))
    assert written() == before


def test_a_published_fair_may_still_be_allocated(staff_client):
    fair, _booths, _confirmed = fair_with_plan()
    Fair.objects.filter(pk=fair.pk).update(status=Fair.Status.PUBLISHED)
    staff_client.post(urls(fair)["commit"], {"seed": "x"})
    assert Assignment.objects.count() == 3


def test_an_unknown_fair_is_a_404(staff_client):
    assert staff_client.get(reverse("booths:allocation", args=[999999])).status_code == 404


# --- Permissions ------------------------------------------------------------------------------

ROLES = ["anonymous", "artisan", "reviewer", "scanner", "staff"]
EXPECTED = {
    # page: statuses for anonymous, artisan, reviewer, scanner, staff
    "overview": (302, 403, 403, 403, 200),
    "preview": (302, 403, 403, 403, 200),
    "commit": (302, 403, 403, 403, 302),
    "plan_pdf": (302, 403, 403, 403, 200),
    "booth_list_pdf": (302, 403, 403, 403, 200),
}


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_permission_matrix(client, make_user, role_index, page):
    fair, _booths, _confirmed = fair_with_plan()
    role = ROLES[role_index]
    if role == "artisan":
        user = make_user(username="artisan")
        ArtisanFactory(user=user)
        client.force_login(user)
    elif role != "anonymous":
        client.force_login(make_user(role, username=role))
    url = {**urls(fair), "plan_pdf": reverse("booths:plan_pdf", args=[fair.pk]),
           "booth_list_pdf": reverse("booths:booth_list_pdf", args=[fair.pk])}[page]  # fmt: skip

    if page == "commit":
        response = client.post(url, {"seed": "x"})
    else:
        response = client.get(url, {"seed": "x"} if page == "preview" else {})

    assert response.status_code == EXPECTED[page][role_index]
    if role == "anonymous":
        assert "/login/" in response.url
    assert Assignment.objects.exists() == (page == "commit" and role == "staff")


# --- Query budget -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_overview_query_budget(staff_client, staff_user, django_assert_num_queries, rows):
    """Locked booths and the last run's left-out exhibitors are read in one query each."""
    fair, booths, confirmed = fair_with_plan(booths=rows, applications=2 * rows)
    for booth, application in zip(booths, confirmed[:rows], strict=True):
        services.booth_assign(booth=booth, application=application, actor=staff_user)
    allocation.allocation_commit(fair=fair, seed="x", actor=staff_user)  # leaves ``rows`` out
    assert len(AllocationRun.objects.get().unplaced) == rows
    # session, user, roles, fair, booth counts, locked list, last run, its left-out, confirmed
    with django_assert_num_queries(9):
        response = staff_client.get(urls(fair)["overview"])
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_preview_query_budget(staff_client, django_assert_num_queries, rows):
    fair, _booths, _confirmed = fair_with_plan(booths=rows + 1, applications=rows + 1)
    ApplicationFactory(
        fair=fair, status=Application.Status.CONFIRMED, artisan=ArtisanFactory(main_craft=craft("carpets"))
    )
    # session, user, roles, fair; the engine's inputs (crafts, zones and their crafts, booths,
    # applications and their other crafts, last tiers); the applications, the plan, the zones
    with django_assert_num_queries(14):
        response = staff_client.get(urls(fair)["preview"], {"seed": "x"})
    assert len(response.context["placements"]) == rows + 1 and len(response.context["unplaced"]) == 1
