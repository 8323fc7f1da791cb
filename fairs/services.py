"""Every change to a fair goes through here: creation, edits and lifecycle moves."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import User
from core.services import audit_log
from fairs.models import Fair

S = Fair.Status

# The lifecycle: the only moves there are. Anything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.OPEN, S.CANCELLED),
    S.OPEN: (S.REVIEWING, S.CANCELLED),
    S.REVIEWING: (S.ALLOCATING, S.CANCELLED),
    S.ALLOCATING: (S.PUBLISHED, S.CANCELLED),
    S.PUBLISHED: (S.RUNNING, S.CANCELLED),
    S.RUNNING: (S.CLOSED,),
    S.CLOSED: (),
    S.CANCELLED: (),
}

# The verb for each move, as the web buttons and API actions name it.
ACTIONS: dict[str, str] = {
    "open": S.OPEN,
    "review": S.REVIEWING,
    "allocate": S.ALLOCATING,
    "publish": S.PUBLISHED,
    "start": S.RUNNING,
    "close": S.CLOSED,
    "cancel": S.CANCELLED,
}
ACTION_LABELS = {
    "open": _("Open the call for applications"),
    "review": _("Close the call and start review"),
    "allocate": _("Start booth allocation"),
    "publish": _("Publish the exhibitor list"),
    "start": _("Start the fair"),
    "close": _("Close the fair"),
    "cancel": _("Cancel the fair"),
}

EDITABLE_FIELDS = (
    "name",
    "name_ar",
    "slug",
    "scope",
    "role",
    "venue",
    "city",
    "country",
    "starts_on",
    "ends_on",
    "applications_open_at",
    "applications_close_at",
    "capacity",
    "fee",
    "quota_women",
    "quota_rural",
    "quota_first_timers",
    "description",
    "blind_review",
    "score_max",
    "offer_days",
    "asks_passport",
    "asks_languages",
    "asks_export",
)


class FairError(DomainError):
    pass


def allowed_actions(fair: Fair) -> list[str]:
    """The lifecycle verbs that are legal from the fair's current status."""
    targets = TRANSITIONS[fair.status]
    return [verb for verb, target in ACTIONS.items() if target in targets]


@transaction.atomic
def fair_create(*, actor: User | None, craft_categories=(), **fields) -> Fair:
    """Create a draft fair after full validation; writes ``fair.create`` to the audit log."""
    fields.pop("status", None)
    fair = Fair(**fields, status=S.DRAFT, created_by=actor if actor and actor.is_authenticated else None)
    fair.full_clean()
    fair.save()
    fair.craft_categories.set(craft_categories)
    audit_log(actor=actor, action="fair.create", obj=fair, changes={"status": [None, fair.status]})
    return fair


@transaction.atomic
def fair_update(*, fair: Fair, actor: User | None, craft_categories=None, **fields) -> Fair:
    """Edit a fair's details (never its status); writes ``fair.update`` with the diff."""
    if "status" in fields:
        raise FairError(
            code="status_read_only",
            message=_("The status changes only through the lifecycle actions."),
            field="status",
        )
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if fair.status in (S.CLOSED, S.CANCELLED):
        raise FairError(
            code="fair_finished", message=_("A closed or cancelled fair can no longer be edited.")
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise FairError(code="unknown_field", message=_("Unknown field."), field=sorted(unknown)[0])
    changes = {}
    for name, value in fields.items():
        old = getattr(fair, name)
        if old != value:
            changes[name] = [old, value]
            setattr(fair, name, value)
    fair.full_clean()
    if changes:
        fair.save(update_fields=[*changes, "updated_at"])
    if craft_categories is not None:
        before = set(fair.craft_categories.values_list("pk", flat=True))
        after = {c.pk for c in craft_categories}
        if before != after:
            fair.craft_categories.set(craft_categories)
            changes["craft_categories"] = [sorted(before), sorted(after)]
    if changes:
        audit_log(actor=actor, action="fair.update", obj=fair, changes=changes)
    return fair


def _check_guards(fair: Fair, target: str) -> None:
    today = timezone.localdate()
    if target == S.OPEN:
        if not (fair.applications_open_at and fair.applications_close_at):
            raise FairError(
                code="no_application_window",
                message=_("Set the application window before opening the call."),
                field="applications_close_at",
            )
        if fair.applications_close_at <= timezone.now():
            raise FairError(
                code="application_window_past",
                message=_("The application window has already closed; move it before opening the call."),
                field="applications_close_at",
            )
    if target == S.RUNNING and today < fair.starts_on:
        raise FairError(code="fair_not_started", message=_("The fair cannot start before its first day."))


@transaction.atomic
def fair_transition(*, fair: Fair, to_status: str, actor: User | None, reason: str = "") -> Fair:
    """Move a fair along its lifecycle — the only way its status ever changes.

    Locks the fair, refuses a move the table does not allow (``illegal_transition``) or whose
    guard fails, saves the status and writes ``fair.transition`` to the audit log.
    """
    fair_locked = Fair.objects.select_for_update().get(pk=fair.pk)
    if to_status not in TRANSITIONS.get(fair_locked.status, ()):
        raise FairError(
            code="illegal_transition",
            message=_("A fair cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": S(fair_locked.status).label,
                "to": S(to_status).label if to_status in S.values else to_status,
            },
        )
    _check_guards(fair_locked, to_status)
    old = fair_locked.status
    fair_locked.status = to_status
    fair_locked.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action="fair.transition",
        obj=fair_locked,
        changes={"status": [old, to_status], **({"reason": reason} if reason else {})},
    )
    fair.status = fair_locked.status
    fair.updated_at = fair_locked.updated_at
    return fair_locked
