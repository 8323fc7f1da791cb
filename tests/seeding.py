"""The demo region seeded once for a test module and rolled back after it."""

from contextlib import contextmanager
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from badges import services as badge_services


@contextmanager
def seeded_demo(django_db_blocker, *parts: str | None):
    """Run ``seed_demo`` once per entry of ``parts`` (an ``--only`` list, or None for the whole
    region) inside one transaction that is rolled back at the end; yields the command's output.

    Use it in a module-scoped fixture: ``with seeded_demo(django_db_blocker, None) as out: yield out``.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        badge_services._public_keys.clear()  # fair ids come back after the rollback
        try:
            out = StringIO()
            for only in parts or (None,):
                call_command("seed_demo", stdout=out, **({"only": only} if only else {}))
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            badge_services._public_keys.clear()
