"""Services of the core app: the audit log every decision writes to."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEntry, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def audit_log(
    *, actor: User | None, action: str, obj: models.Model, changes: dict | None = None
) -> AuditEntry:
    """Write one audit entry: ``actor`` did ``action`` to ``obj``.

    ``changes`` maps a field to ``[old, new]`` (or any JSON-able detail); values that JSON
    cannot hold (dates, decimals, model instances) are stored as text or primary keys.
    Call it inside the service's transaction so the entry and the change land together.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=_jsonable(changes or {}),
    )


def audit_trail(obj: models.Model):
    """The audit entries about ``obj``, newest first, with their actors."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")


def user_set_language(*, user: User, language: str) -> None:
    """Remember a user's interface language on their account (the language switcher)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
