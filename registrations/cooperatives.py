"""Services for cooperatives (and associations, companies): every change goes through here.

Kept apart from ``registrations.services`` only because that module has another owner for
now; the functions follow the same rules (keyword-only, atomic, ``full_clean``, audit entry)
and can move there unchanged.
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.services import audit_log
from registrations.models import Cooperative

User = get_user_model()

COOPERATIVE_FIELDS = ("name", "name_ar", "kind", "registration_number", "province", "women_only")


def _normalize(fields: dict) -> dict:
    unknown = set(fields) - set(COOPERATIVE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s.") % {"name": sorted(unknown)[0]})
    for name in ("name", "name_ar"):
        if isinstance(fields.get(name), str):
            fields[name] = " ".join(fields[name].split())
    if isinstance(fields.get("registration_number"), str):
        fields["registration_number"] = re.sub(r"\s+", "", fields["registration_number"]).upper()
    return fields


def _check_number_free(cooperative: Cooperative) -> None:
    taken = (
        Cooperative.objects.exclude(pk=cooperative.pk)
        .filter(registration_number__iexact=cooperative.registration_number)
        .exists()
    )
    if taken:
        raise ValidationError(
            {"registration_number": [_("A cooperative with this registration number is already registered.")]}
        )


def _save(cooperative: Cooperative, **kwargs) -> None:
    try:
        with transaction.atomic():
            cooperative.save(**kwargs)
    except IntegrityError as exc:  # a concurrent save took the number between check and write
        raise ValidationError(
            {"registration_number": [_("A cooperative with this registration number is already registered.")]}
        ) from exc


@transaction.atomic
def cooperative_create(*, actor: User | None, **fields) -> Cooperative:
    """Register a cooperative; writes ``cooperative.create``."""
    cooperative = Cooperative(**_normalize(fields))
    _check_number_free(cooperative)
    cooperative.full_clean()
    _save(cooperative)
    audit_log(
        actor=actor,
        action="cooperative.create",
        obj=cooperative,
        changes={"registration_number": cooperative.registration_number},
    )
    return cooperative


@transaction.atomic
def cooperative_update(*, cooperative: Cooperative, actor: User | None, **fields) -> Cooperative:
    """Edit a cooperative; writes ``cooperative.update`` with ``{field: [old, new]}``."""
    fields = _normalize(fields)
    cooperative = Cooperative.objects.select_for_update().get(pk=cooperative.pk)
    changes = {}
    for name, value in fields.items():
        old = getattr(cooperative, name)
        if old != value:
            changes[name] = [old, value]
            setattr(cooperative, name, value)
    _check_number_free(cooperative)
    cooperative.full_clean()
    if changes:
        _save(cooperative, update_fields=list(changes))
        audit_log(actor=actor, action="cooperative.update", obj=cooperative, changes=changes)
    return cooperative
