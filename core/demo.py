"""The demo region: what ``manage.py seed_demo`` loads.

Each app that has demo data keeps it in its own ``demo.py`` with a ``PARTS`` tuple of
functions taking a :class:`DemoContext`; the command finds those modules in INSTALLED_APPS
order (the dependency order, lowest first) and runs every part inside one transaction. So
``registrations/demo.py`` can add artisans to the fairs seeded here without ``fairs`` ever
importing ``registrations``. A module may also define ``summary(ctx)``, returning
``(label, value)`` rows the command prints.

Rules every part keeps:
- idempotent: look rows up by their natural key and create only what is missing; never
  overwrite what is there (a second run changes nothing, an edited demo row stays edited);
- deterministic: randomness comes from ``ctx.rng(key)``, a ``random.Random`` seeded by a
  fixed string, never from the global ``random``; past dates are fixed, and dates relative
  to today are computed only when the row is created.
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from core.models import User
from core.permissions import Role, roles_of

SEED = "souk-demo"

# Demo users get this password when the seed creates them (only ever with DEBUG on).
DEMO_PASSWORD = "demo-souk-2026"  # noqa: S105 -- a demo password, printed by the command on purpose


@dataclass
class DemoLogin:
    username: str
    password: str
    roles: str
    language: str
    created: bool


@dataclass
class DemoContext:
    """What the parts share: the clock, the seeded randomness and the rows made so far."""

    today: dt.date
    now: dt.datetime
    created: Counter = field(default_factory=Counter)
    users: dict[str, User] = field(default_factory=dict)
    # Filled by the apps' parts (fairs.demo and later apps): keyed by a short name or slug.
    venues: dict = field(default_factory=dict)
    fairs: dict = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    @classmethod
    def start(cls) -> "DemoContext":
        return cls(today=timezone.localdate(), now=timezone.now())

    def rng(self, key: str) -> random.Random:
        """A generator of its own per key, so adding a row never shifts another row's draws."""
        return random.Random(f"{SEED}:{key}")

    @property
    def actor(self) -> User:
        """Who the audit log says did the demo's planning: the demo staff member."""
        return self.users["staff"]


def demo_modules():
    """Every installed app's ``demo`` module, lowest app first."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            yield import_module(f"{config.name}.demo")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour`` in the project's time zone (Africa/Casablanca)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- Users ------------------------------------------------------------------------------

# (username, first name, last name, language, roles, superuser)
USERS = [
    ("admin", "Rachid", "Alaoui", "fr", [Role.STAFF], True),
    ("staff", "Naïma", "El Fassi", "fr", [Role.STAFF], False),
    ("reviewer", "Abdelkader", "Ouazzani", "ar", [Role.REVIEWER], False),
    ("scanner", "Youssef", "Tazi", "fr", [Role.SCANNER], False),
]


def seed_users(ctx: DemoContext) -> None:
    """One demo user per role. An existing user keeps its password and flags; only a
    missing role group is added."""
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.ALL)}
    for username, first_name, last_name, language, roles, superuser in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@souk.example",
                "language": language,
                "is_staff": superuser or Role.STAFF in roles,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            ctx.created["users"] += 1
        user.groups.add(*(groups[role] for role in roles))
        ctx.users[username] = user
        ctx.logins.append(
            DemoLogin(
                username=username,
                password=DEMO_PASSWORD,
                roles="superuser" if user.is_superuser else ", ".join(roles_of(user)),
                language=user.language,
                created=created,
            )
        )


PARTS = (seed_users,)


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    return [("users", str(User.objects.count()))]
