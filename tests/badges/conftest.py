import datetime as dt

import pytest
from django.utils import timezone

from badges import services
from badges.models import BadgeKind
from fairs.models import Fair
from registrations.models import ApplicationStatus
from tests.factories import ApplicationFactory, FairFactory


@pytest.fixture(autouse=True)
def _forget_public_keys():
    """Fair ids come back after a rolled-back test (SQLite): never trust a key cached by one."""
    services._public_keys.clear()


@pytest.fixture
def running_fair(db):
    """A fair running today (three days), with three confirmed exhibitors."""
    today = timezone.localdate()
    fair = FairFactory(
        status=Fair.Status.RUNNING,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    for _ in range(3):
        ApplicationFactory(fair=fair, status=ApplicationStatus.CONFIRMED)
    return fair


@pytest.fixture
def badges(running_fair, staff_user):
    return services.badges_issue_for_fair(fair=running_fair, actor=staff_user)


@pytest.fixture
def badge(badges):
    return badges[0]


@pytest.fixture
def code(badge):
    return services.badge_code(badge)


@pytest.fixture
def press(running_fair, staff_user):
    return services.badge_create(
        fair=running_fair, actor=staff_user, kind=BadgeKind.PRESS, name="Salma Idrissi",
        name_ar="سلمى الإدريسي", organisation="2M",
    )  # fmt: skip
