import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEntry
from fairs import services
from fairs.models import Fair
from fairs.services import TRANSITIONS, FairError, fair_create, fair_transition, fair_update
from tests.factories import FairFactory, VenueFactory, craft

S = Fair.Status
ALL = list(S.values)
LEGAL = [(src, dst) for src in ALL for dst in TRANSITIONS[src]]
ILLEGAL = [(src, dst) for src in ALL for dst in ALL if dst not in TRANSITIONS[src]]


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), LEGAL)
def test_every_legal_move_is_made_and_audited(src, dst, staff_user):
    fair = FairFactory(status=src)
    if dst == S.RUNNING:
        Fair.objects.filter(pk=fair.pk).update(starts_on=timezone.localdate())
    fair_transition(fair=fair, to_status=dst, actor=staff_user)
    fair.refresh_from_db()
    assert fair.status == dst
    entry = AuditEntry.objects.get(action="fair.transition", object_id=str(fair.pk))
    assert entry.changes["status"] == [src, dst]
    assert entry.actor == staff_user


@pytest.mark.django_db
@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_every_illegal_move_is_refused_and_changes_nothing(src, dst, staff_user):
    fair = FairFactory(status=src)
    with pytest.raises(FairError) as exc:
        fair_transition(fair=fair, to_status=dst, actor=staff_user)
    assert exc.value.code == "illegal_transition"
    fair.refresh_from_db()
    assert fair.status == src
    assert not AuditEntry.objects.filter(action="fair.transition").exists()


@pytest.mark.django_db
def test_opening_without_a_window_is_refused(staff_user):
    fair = FairFactory(applications_open_at=None, applications_close_at=None)
    with pytest.raises(FairError) as exc:
        fair_transition(fair=fair, to_status=S.OPEN, actor=staff_user)
    assert exc.value.code == "no_application_window"
    assert Fair.objects.get(pk=fair.pk).status == S.DRAFT


@pytest.mark.django_db
def test_opening_a_window_that_already_closed_is_refused(staff_user):
    now = timezone.now()
    fair = FairFactory(
        applications_open_at=now - dt.timedelta(days=9), applications_close_at=now - dt.timedelta(days=1)
    )
    with pytest.raises(FairError) as exc:
        fair_transition(fair=fair, to_status=S.OPEN, actor=staff_user)
    assert exc.value.code == "application_window_past"


@pytest.mark.django_db
def test_a_fair_cannot_start_before_its_first_day(staff_user):
    fair = FairFactory(status=S.PUBLISHED)
    with pytest.raises(FairError) as exc:
        fair_transition(fair=fair, to_status=S.RUNNING, actor=staff_user)
    assert exc.value.code == "fair_not_started"
    assert Fair.objects.get(pk=fair.pk).status == S.PUBLISHED


def fair_fields(**overrides):
    today = timezone.localdate()
    now = timezone.now()
    fields = {
        "name": "Foire de Settat",
        "name_ar": "معرض سطات",
        "slug": "foire-settat",
        "scope": Fair.Scope.LOCAL,
        "role": Fair.Role.ORGANIZER,
        "venue": VenueFactory(),
        "starts_on": today + dt.timedelta(days=40),
        "ends_on": today + dt.timedelta(days=45),
        "applications_open_at": now,
        "applications_close_at": now + dt.timedelta(days=20),
        "capacity": 50,
    }
    fields.update(overrides)
    return fields


@pytest.mark.django_db
def test_create_makes_an_audited_draft(staff_user):
    fair = fair_create(actor=staff_user, craft_categories=[craft("pottery")], **fair_fields(status=S.CLOSED))
    assert fair.status == S.DRAFT
    assert list(fair.craft_categories.values_list("code", flat=True)) == ["pottery"]
    assert fair.created_by == staff_user
    assert AuditEntry.objects.filter(action="fair.create", object_id=str(fair.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on"),
        ({"capacity": 0}, "capacity"),
        ({"applications_close_at": timezone.now() + dt.timedelta(days=60)}, "applications_close_at"),
        ({"applications_close_at": None}, "applications_close_at"),
        ({"venue": None}, "venue"),
        ({"quota_women": 120}, "quota_women"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(overrides, field, staff_user):
    with pytest.raises(ValidationError) as exc:
        fair_create(actor=staff_user, **fair_fields(**overrides))
    assert field in exc.value.message_dict
    assert not Fair.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_update_records_the_diff_and_never_the_status(staff_user):
    fair = FairFactory(capacity=60)
    fair_update(fair=fair, actor=staff_user, capacity=80, craft_categories=[craft("zellige")])
    fair.refresh_from_db()
    assert fair.capacity == 80
    entry = AuditEntry.objects.get(action="fair.update")
    assert entry.changes["capacity"] == [60, 80]
    assert "craft_categories" in entry.changes
    with pytest.raises(FairError) as exc:
        fair_update(fair=fair, actor=staff_user, status=S.CLOSED)
    assert exc.value.code == "status_read_only"
    assert Fair.objects.get(pk=fair.pk).status == S.DRAFT


@pytest.mark.django_db
def test_a_closed_fair_is_not_edited(staff_user):
    fair = FairFactory(status=S.CLOSED)
    with pytest.raises(FairError) as exc:
        fair_update(fair=fair, actor=staff_user, capacity=10)
    assert exc.value.code == "fair_finished"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"ends_on": dt.date(2020, 1, 1), "starts_on": dt.date(2020, 1, 2)},
        {"capacity": 0},
        {"fee": -1},
        {"quota_rural": 101},
        {"status": "flying"},
        {"applications_close_at": timezone.now() - dt.timedelta(days=400)},
    ],
)
def test_the_database_refuses_what_the_model_forbids(values):
    """Constraints hold even for code that skips validation (raw updates, bulk loads)."""
    fair = FairFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Fair.objects.filter(pk=fair.pk).update(**values)


@pytest.mark.django_db
def test_allowed_actions_follow_the_table():
    assert services.allowed_actions(FairFactory(status=S.DRAFT)) == ["open", "cancel"]
    assert services.allowed_actions(FairFactory(status=S.RUNNING)) == ["close"]
    assert services.allowed_actions(FairFactory(status=S.CLOSED)) == []
