"""Helpers the badge tests share: a clock for today, and one scan through the service."""

import datetime as dt

from django.utils import timezone

from badges import services


def at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    """Today (± days) at hour:minute, local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


_nonces = iter(range(10**9))


def scan(fair, code, *, direction="in", gate="A", device=None, scanner=None, nonce=None, **kwargs):
    """``services.check_in`` with a fresh nonce unless one is given."""
    return services.check_in(
        fair=fair, code=code, gate=gate, direction=direction, device=device, scanner=scanner,
        nonce=nonce or f"n{next(_nonces)}", **kwargs,
    )  # fmt: skip
