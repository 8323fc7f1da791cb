import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.demo import DEMO_PASSWORD, demo_modules
from core.models import AuditEntry, User
from core.permissions import is_reviewer, is_scanner, is_staff_member
from fairs.models import Fair, Venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEBUG = True
    # Hashing four passwords with the production hasher would only slow the suite down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def seed() -> str:
    out = StringIO()
    # The fairs' part alone: later apps' parts have their own tests.
    call_command("seed_demo", only="core,fairs", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    models = (Fair, Venue, User, Fair.craft_categories.through, User.groups.through, AuditEntry)
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def test_refuses_without_debug_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not Fair.objects.exists()
    assert not Venue.objects.exists()
    assert not User.objects.exists()


def test_creates_the_23_closed_local_fairs_of_2021_to_2024():
    seed()
    local = Fair.objects.filter(
        scope=Fair.Scope.LOCAL,
        role=Fair.Role.ORGANIZER,
        starts_on__gte=dt.date(2021, 1, 1),
        ends_on__lte=dt.date(2024, 12, 31),
    )
    assert local.count() == 23
    assert set(local.values_list("status", flat=True)) == {Fair.Status.CLOSED}
    per_year = [local.filter(starts_on__year=year).count() for year in (2021, 2022, 2023, 2024)]
    assert per_year == [5, 6, 6, 6]
    # Room for the 1,610 artisans the delegation counts over those four years.
    assert sum(local.values_list("capacity", flat=True)) >= 1610


def test_past_local_fairs_are_realistic():
    seed()
    for fair in Fair.objects.filter(scope=Fair.Scope.LOCAL, status=Fair.Status.CLOSED):
        assert fair.venue is not None and fair.name_ar
        assert 4 <= (fair.ends_on - fair.starts_on).days + 1 <= 10, fair.slug
        assert 30 <= fair.capacity <= 120, fair.slug
        assert 0 <= fair.fee <= 1000, fair.slug
        assert timezone.localdate(fair.applications_close_at) < fair.starts_on, fair.slug
        crafts = list(fair.craft_categories.all())
        assert crafts and all(not craft.is_sector for craft in crafts), fair.slug


def test_venues_of_the_design_brief_are_there():
    seed()
    provinces = dict(Venue.objects.values_list("name", "province__code"))
    assert provinces["Complexe de l'artisanat de Settat"] == "settat"
    assert provinces["Village des artisans d'Oulad Merrah"] == "settat"
    assert provinces["Espace d'exposition de Sidi Ismail"] == "el-jadida"
    assert provinces["Ancienne médina de Casablanca"] == "casablanca"
    assert all(Venue.objects.values_list("name_ar", flat=True))


def test_upcoming_fairs_have_calls_open_now_and_a_draft():
    seed()
    calls = Fair.objects.calls_open()
    assert calls.count() >= 2
    assert calls.filter(scope=Fair.Scope.REGIONAL, role=Fair.Role.ORGANIZER).exists()
    for fair in calls:
        weeks_between = fair.starts_on - timezone.localdate(fair.applications_close_at)
        assert weeks_between >= dt.timedelta(weeks=2), fair.slug
    assert Fair.objects.filter(status=Fair.Status.DRAFT, starts_on__gt=timezone.localdate()).exists()


def test_national_and_international_participations_exist():
    seed()
    participations = Fair.objects.filter(role=Fair.Role.PARTICIPANT)
    assert not participations.filter(venue__isnull=False).exists()
    assert participations.filter(scope=Fair.Scope.NATIONAL, status=Fair.Status.CLOSED).exists()
    international = participations.filter(scope=Fair.Scope.INTERNATIONAL, status=Fair.Status.CLOSED)
    assert international.count() >= 3
    assert set(international.values_list("country", flat=True)) >= {"FR", "DE", "IT"}
    assert all(participations.values_list("city", flat=True))
    assert participations.filter(starts_on__gt=timezone.localdate()).exists()


def test_every_fair_passes_full_clean():
    seed()
    for fair in Fair.objects.all():
        fair.full_clean()


def test_a_second_run_creates_and_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "nothing to create" in output


def test_the_same_day_gives_the_same_data():
    seed()
    ignored = {"id", "created_at", "updated_at", "created_by_id", "venue_id"}
    first = [
        {k: v for k, v in row.items() if k not in ignored} for row in Fair.objects.order_by("slug").values()
    ]
    AuditEntry.objects.all().delete()
    Fair.objects.all().delete()
    Venue.objects.all().delete()
    User.objects.all().delete()
    seed()
    second = [
        {k: v for k, v in row.items() if k not in ignored} for row in Fair.objects.order_by("slug").values()
    ]
    assert second == first


def test_demo_users_have_their_roles_and_password():
    output = seed()
    users = {user.username: user for user in User.objects.all()}
    admin, staff, reviewer, scanner = (users[name] for name in ("admin", "staff", "reviewer", "scanner"))
    assert admin.is_superuser and admin.groups.filter(name="staff").exists()
    assert is_staff_member(staff) and not is_reviewer(staff) and not is_scanner(staff)
    assert is_reviewer(reviewer) and not is_staff_member(reviewer)
    assert is_scanner(scanner) and not is_staff_member(scanner)
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    assert staff.language == "fr"
    assert "ar" in {user.language for user in users.values()}
    assert DEMO_PASSWORD in output and "reviewer" in output


def test_an_existing_user_keeps_their_password(make_user):
    make_user(username="staff", password="my-own-secret")
    seed()
    staff = User.objects.get(username="staff")
    assert staff.check_password("my-own-secret")
    assert is_staff_member(staff)


def test_parts_are_found_through_the_apps_demo_modules():
    from core import demo as core_demo
    from fairs import demo as fairs_demo

    found = [part for module in demo_modules() for part in module.PARTS]
    # Lowest app first: users exist before the fairs' parts use them as the audit actor.
    assert found[:4] == [*core_demo.PARTS, *fairs_demo.PARTS]
