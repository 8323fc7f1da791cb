"""The demo outcomes ``seed_demo`` loads (reports/demo.py).

The demo seed takes several seconds, so the module seeds once: a module-scoped fixture runs
``seed_demo`` inside a transaction it rolls back at the end; each test reads the same data.
"""

import statistics
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from core.demo import DemoContext
from core.models import AuditEntry
from fairs.demo import LOCAL_FAIRS, PAST_PARTICIPATIONS
from fairs.models import Fair
from registrations.demo import DEMO_ARTISAN
from registrations.models import Application, ApplicationStatus
from reports import demo
from reports.models import Attestation, Outcome
from reports.selectors import attended_filter
from tests.seeding import seeded_demo

SLUGS = [row[0] for row in LOCAL_FAIRS] + [row[0] for row in PAST_PARTICIPATIONS]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo region up to reports, seeded once for the module; yields the command's output."""
    with seeded_demo(django_db_blocker, "core,fairs,registrations,booths,badges", "reports") as output:
        yield output


def participations():
    return Application.objects.filter(
        fair__slug__in=SLUGS, fair__status=Fair.Status.CLOSED, status=ApplicationStatus.CONFIRMED
    )


@pytest.mark.django_db
def test_about_two_participants_in_three_report_and_only_those_who_came(seeded):
    total = participations().count()
    outcomes = Outcome.objects.filter(application__in=participations())
    assert 0.58 <= outcomes.count() / total <= 0.70
    attended = set(participations().filter(attended_filter()).values_list("pk", flat=True))
    assert set(outcomes.values_list("application_id", flat=True)) <= attended
    assert len(attended) < total  # some never came, and reported nothing
    reporting_fairs = set(outcomes.values_list("application__fair__slug", flat=True))
    assert reporting_fairs == set(SLUGS)  # all 23 local fairs and the six exhibitions


@pytest.mark.django_db
def test_sales_are_skewed_like_a_craft_fairs(seeded):
    local = [
        float(s)
        for s in Outcome.objects.filter(application__fair__scope=Fair.Scope.LOCAL).values_list(
            "sales_mad", flat=True
        )
    ]
    assert 4000 <= statistics.median(local) <= 10000
    assert sum(2000 <= s <= 20000 for s in local) / len(local) >= 0.75
    everywhere = Outcome.objects.values_list("sales_mad", flat=True)
    assert 3 <= sum(s >= 50000 for s in everywhere) <= 40  # a few big sellers
    assert any(s == 0 for s in everywhere)  # and a few who sold nothing
    assert max(everywhere) < Decimal("500000")
    abroad = Outcome.objects.filter(application__fair__scope=Fair.Scope.INTERNATIONAL)
    assert statistics.median(
        float(s) for s in abroad.values_list("sales_mad", flat=True)
    ) > statistics.median(local)


@pytest.mark.django_db
def test_items_orders_and_export_contacts_are_plausible(seeded):
    outcomes = list(Outcome.objects.select_related("application__fair"))
    for outcome in outcomes:
        assert (outcome.items_sold == 0) == (outcome.sales_mad == 0)
        assert outcome.orders <= 12
    contacts = Counter()
    reports = Counter()
    for outcome in outcomes:
        contacts[outcome.application.fair.scope] += outcome.export_contacts
        reports[outcome.application.fair.scope] += 1
    per_report = {scope: contacts[scope] / reports[scope] for scope in reports}
    assert per_report[Fair.Scope.LOCAL] < 0.2
    assert per_report[Fair.Scope.INTERNATIONAL] > 1.5
    local_with_contacts = sum(
        o.export_contacts > 0 for o in outcomes if o.application.fair.scope == Fair.Scope.LOCAL
    )
    assert 0 < local_with_contacts < 0.15 * reports[Fair.Scope.LOCAL]


@pytest.mark.django_db
def test_outcomes_were_reported_after_their_fair(seeded):
    for reported, ends_on in Outcome.objects.values_list("reported_at", "application__fair__ends_on"):
        assert 1 <= (reported.date() - ends_on).days <= 26
    assert AuditEntry.objects.filter(action="outcomes.import").count() == len(SLUGS)
    assert not Attestation.objects.exists()  # made on demand


@pytest.mark.django_db
def test_the_demo_artisan_has_one_fair_reported_and_one_waiting(seeded):
    mine = Application.objects.filter(
        artisan__cin=DEMO_ARTISAN["cin"], fair__slug__in=demo.DEMO_ARTISAN_REPORTS
    )
    reported = dict(mine.values_list("fair__slug", "outcome__id"))
    assert reported["foire-provinciale-settat-2024"] is None
    assert reported["salon-tapis-tissage-2022"] is not None
    assert (
        Outcome.objects.get(pk=reported["salon-tapis-tissage-2022"]).reported_by.username
        == DEMO_ARTISAN["cin"]
    )


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_draws_the_same_figures(seeded):
    output = seeded
    assert "outcomes reported" in output
    before = Outcome.objects.aggregate(n=Sum("items_sold"), sales=Sum("sales_mad"))
    count = Outcome.objects.count()
    ctx = DemoContext.start()
    demo.seed_outcomes(ctx)
    assert Outcome.objects.count() == count and ctx.created["outcomes"] == 0
    Outcome.objects.all().delete()
    demo.seed_outcomes(ctx)
    assert Outcome.objects.count() == count
    assert Outcome.objects.aggregate(n=Sum("items_sold"), sales=Sum("sales_mad")) == before
