"""The demo registry ``seed_demo`` loads (registrations/demo.py).

Seeding takes a few seconds, so each test seeds once (the idempotency test more) and checks
several things about the same data.
"""

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from core.demo import DEMO_PASSWORD, DemoContext
from core.models import AuditEntry, User
from fairs.models import Fair
from registrations.demo import DEMO_ARTISAN, registry_plan
from registrations.models import Application, Artisan, Cooperative, Review

pytestmark = pytest.mark.django_db

S = Application.Status
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEBUG = True
    return settings


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def local_fairs_2021_to_2024():
    return Fair.objects.filter(
        scope=Fair.Scope.LOCAL,
        role=Fair.Role.ORGANIZER,
        status=Fair.Status.CLOSED,
        starts_on__gte=dt.date(2021, 1, 1),
        ends_on__lte=dt.date(2024, 12, 31),
    )


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every value, per model the registry seed writes."""
    result = {}
    for model in (Artisan, Artisan.other_crafts.through, Cooperative, Application, Review, User, AuditEntry):
        rows = list(model.objects.order_by("pk").values_list())
        result[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def test_the_demo_registry_has_the_delegations_figures_and_keeps_every_rule(client):
    output = seed()
    now = timezone.now()

    # The 23 local fairs of 2021–2024 had more than 1,610 distinct artisans.
    local = local_fairs_2021_to_2024()
    assert local.count() == 23
    participants = Artisan.objects.filter(
        applications__status=S.CONFIRMED, applications__fair__in=local
    ).distinct()
    total = participants.count()
    assert total >= 1610
    women = participants.filter(gender=Artisan.Gender.FEMALE).count()
    rural = participants.filter(area=Artisan.Area.RURAL).count()
    assert 0.45 <= women / total <= 0.60
    assert 0.30 <= rural / total <= 0.45
    # Some came back to another fair.
    per_artisan = Counter(
        Application.objects.filter(status=S.CONFIRMED, fair__in=local).values_list("artisan_id", flat=True)
    )
    assert sum(1 for n in per_artisan.values() if n >= 2) >= 50
    assert re.search(rf"participants, 23 local fairs 2021–2024\s+{total}\n", output)

    # Every profile is valid; identity numbers are unique and in their stored form.
    artisans = Artisan.objects.order_by("pk")
    for artisan in artisans[::9][:200]:
        artisan.full_clean()
    cins = list(artisans.values_list("cin", flat=True))
    assert len(cins) == len(set(cins))
    numbers = [n for n in artisans.values_list("registry_number", flat=True) if n]
    assert len(numbers) == len(set(numbers))
    assert 0.5 <= len(numbers) / len(cins) <= 0.7
    phones = list(artisans.values_list("phone", flat=True))
    assert all(re.fullmatch(r"\+212[67]\d{8}", phone) for phone in phones)
    names = artisans.values_list("first_name_ar", "last_name_ar", "birth_year", "languages")
    for first_ar, last_ar, birth_year, languages in names:
        assert ARABIC.search(first_ar) and ARABIC.search(last_ar)
        assert 1950 <= birth_year <= 2002
        assert languages[0] == "ar"
    assert set(artisans.values_list("province__region__code", flat=True)) == {"casablanca-settat"}
    assert not artisans.filter(main_craft__parent__isnull=True).exists()
    assert artisans.filter(cooperative__isnull=False).count() >= 100
    assert Cooperative.objects.count() >= 40
    for cooperative in Cooperative.objects.all():
        cooperative.full_clean()
    assert Cooperative.objects.filter(women_only=True).exists()
    assert not Artisan.objects.filter(gender="M", cooperative__women_only=True).exists()

    # No fair holds more accepted and confirmed artisans than it has places.
    held = dict(
        Application.objects.filter(status__in=[S.ACCEPTED, S.CONFIRMED])
        .values_list("fair_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for fair in Fair.objects.all():
        assert held.get(fair.pk, 0) <= fair.capacity, fair.slug

    # An artisan's main craft is one the fair takes, wherever they applied.
    crafts = defaultdict(set)
    for fair_id, craft_id in Fair.craft_categories.through.objects.values_list("fair_id", "craftcategory_id"):
        crafts[fair_id].add(craft_id)
    for fair_id, craft_id in Application.objects.values_list("fair_id", "artisan__main_craft_id"):
        assert not crafts[fair_id] or craft_id in crafts[fair_id]

    # Past applications were submitted in the call window and decided before the fair.
    past = Application.objects.filter(fair__status=Fair.Status.CLOSED).select_related("fair")
    for application in past:
        fair = application.fair
        assert fair.applications_open_at <= application.submitted_at < fair.applications_close_at
        assert application.submitted_at < application.decided_at
        assert timezone.localdate(application.decided_at) < fair.starts_on
        if application.status == S.CONFIRMED:
            assert application.decided_at < application.confirmed_at <= application.offer_deadline

    # The open calls have applications in every status, consistent with the model's rules.
    open_calls = Application.objects.filter(fair__status=Fair.Status.OPEN)
    assert set(open_calls.values_list("status", flat=True)) == set(S.values)
    for application in open_calls.filter(status=S.ACCEPTED):
        assert application.offer_deadline > now
    for application in open_calls.filter(status=S.EXPIRED):
        assert application.offer_deadline < now
    assert not open_calls.filter(status=S.DRAFT, submitted_at__isnull=False).exists()
    assert not open_calls.exclude(status=S.DRAFT).filter(submitted_at__isnull=True).exists()
    ranks = defaultdict(list)
    for fair_id, rank in Application.objects.filter(status=S.WAITLISTED).values_list(
        "fair_id", "waitlist_rank"
    ):
        ranks[fair_id].append(rank)
    assert ranks
    for fair_ranks in ranks.values():
        assert sorted(fair_ranks) == list(range(1, len(fair_ranks) + 1))

    # Each bulk step says so in the audit log: one entry per fair, not one per row.
    imports = AuditEntry.objects.filter(action="application.import")
    assert imports.count() == Fair.objects.filter(applications__isnull=False).distinct().count()
    assert AuditEntry.objects.filter(action="artisan.import").count() == 1

    # The demo reviewer scored applications of the open calls, on each fair's scale.
    reviewer = User.objects.get(username="reviewer")
    reviews = Review.objects.filter(reviewer=reviewer).select_related("application__fair")
    assert reviews.filter(application__status=S.SUBMITTED).count() >= 20
    for review in reviews:
        assert review.application.fair.status == Fair.Status.OPEN
        assert 1 <= review.score <= review.application.fair.score_max

    # The demo artisan logs in with her CIN, has a complete profile, an offer to confirm and
    # two past fairs; the command prints her login.
    artisan = Artisan.objects.select_related("user").get(cin=DEMO_ARTISAN["cin"])
    assert artisan.user.username == artisan.cin
    assert artisan.user.language == "ar" and artisan.language == "ar"
    assert artisan.is_complete
    assert artisan.applications.filter(status=S.ACCEPTED, fair__status=Fair.Status.OPEN).exists()
    assert artisan.applications.filter(status=S.CONFIRMED, fair__status=Fair.Status.CLOSED).count() == 2
    assert client.login(username=artisan.cin, password=DEMO_PASSWORD)
    assert re.search(rf"{artisan.cin}\s+{DEMO_PASSWORD}\s+artisan\s+ar", output)


def test_a_second_run_changes_nothing_and_a_partial_registry_is_completed():
    seed()
    before = fingerprint()

    output = seed()

    assert fingerprint() == before
    assert "nothing to create" in output

    # Rows lost since (here: the regional call's applications and their reviews) come back,
    # and nothing else changes.
    regional = Fair.objects.get(slug="foire-regionale-casablanca-settat")
    kept = list(Application.objects.exclude(fair=regional).order_by("pk").values_list())
    lost = Application.objects.filter(fair=regional)
    count = lost.count()
    Review.objects.filter(application__fair=regional).delete()
    lost.delete()

    output = seed()

    assert Application.objects.filter(fair=regional).count() == count
    assert list(Application.objects.exclude(fair=regional).order_by("pk").values_list()) == kept
    assert Review.objects.filter(application__fair=regional).exists()
    assert f"created {count} applications" in output


def test_the_registry_plan_does_not_depend_on_the_day():
    """Same code, same artisans and applications: the plan uses only fixed data and seeded
    randomness, so a run next year completes a database seeded today instead of doubling it."""
    today = DemoContext.start()
    next_year = DemoContext(
        today=today.today + dt.timedelta(days=400), now=today.now + dt.timedelta(days=400)
    )

    first, second = registry_plan(today), registry_plan(next_year)

    assert first.artisans == second.artisans
    assert first.applications == second.applications
    assert first.cooperatives == second.cooperatives
