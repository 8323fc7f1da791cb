import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (row locks, real concurrency) are skipped on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing takes ~0.5 s a password (1M PBKDF2 rounds): tests use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _badge_prints_inline(settings, tmp_path):
    """Bulk badge PDFs are drawn in the request (a thread would not see the test's
    transaction), into a folder of the test's own; test_printing.py runs the thread."""
    settings.SOUK_BADGE_PRINT_INLINE = True
    settings.SOUK_PRINTS_DIR = tmp_path / "badge-prints"
    settings.SOUK_PHOTO_CACHE_DIR = tmp_path / "badge-photos"


@pytest.fixture
def make_user(db):
    def make(*roles, **kwargs):
        user = UserFactory(**kwargs)
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff_user(make_user):
    return make_user("staff", username="staff")


@pytest.fixture
def reviewer_user(make_user):
    return make_user("reviewer", username="reviewer")


@pytest.fixture
def scanner_user(make_user):
    return make_user("scanner", username="scanner")


@pytest.fixture
def plain_user(make_user):
    """A logged-in person with no role (an artisan before their profile exists)."""
    return make_user(username="someone")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
