"""Changes owned by reports: outcomes reported after a fair, attestations of participation."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import User
from core.services import audit_log
from fairs.models import Fair
from registrations.models import Application
from reports import selectors
from reports.models import MAX_COUNT, MAX_SALES_MAD, Attestation, Outcome

OUTCOME_FIELDS = ("sales_mad", "items_sold", "orders", "export_contacts", "notes")


class ReportError(DomainError):
    pass


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _sales(value) -> Decimal:
    try:
        sales = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ReportError(
            code="sales_invalid", field="sales_mad", message=_("Sales are an amount in MAD.")
        ) from error
    if sales < 0:
        raise ReportError(code="sales_negative", field="sales_mad", message=_("Sales cannot be negative."))
    if sales > MAX_SALES_MAD:
        raise ReportError(
            code="sales_too_high", field="sales_mad",
            message=_("%(amount)s MAD is more than a fair's sales can be; check the figure.") % {"amount": sales},
        )  # fmt: skip
    return sales


def _count(value, field: str) -> int:
    try:
        number = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError) as error:
        raise ReportError(code="count_invalid", field=field, message=_("Give a whole number.")) from error
    if number < 0:
        raise ReportError(code="count_negative", field=field, message=_("A count cannot be negative."))
    if number > MAX_COUNT:
        raise ReportError(
            code="count_too_high", field=field,
            message=_("More than %(max)s is not plausible here; check the figure.") % {"max": MAX_COUNT},
        )  # fmt: skip
    return number


def check_outcome_allowed(application: Application) -> None:
    if application.status not in selectors.PARTICIPATING:
        raise ReportError(
            code="not_a_participation", message=_("Results are reported only for a confirmed participation.")
        )
    fair = application.fair
    if fair.status not in (Fair.Status.RUNNING, Fair.Status.CLOSED) or fair.starts_on > timezone.localdate():
        raise ReportError(
            code="fair_not_started", message=_("Results can be reported once the fair has begun.")
        )


@transaction.atomic
def outcome_save(*, application: Application, actor: User | None, **fields) -> Outcome:
    """Record (or correct) what a participation earned. Writes ``outcome.save`` with the changes."""
    application = Application.objects.select_for_update().select_related("fair").get(pk=application.pk)
    check_outcome_allowed(application)
    values = {
        "sales_mad": _sales(fields.get("sales_mad")),
        "items_sold": _count(fields.get("items_sold"), "items_sold"),
        "orders": _count(fields.get("orders"), "orders"),
        "export_contacts": _count(fields.get("export_contacts"), "export_contacts"),
        "notes": (fields.get("notes") or "").strip()[:2000],
    }
    outcome = Outcome.objects.filter(application=application).first()
    changes = {}
    if outcome is None:
        outcome = Outcome(application=application, reported_by=_person(actor), **values)
        changes = {name: [None, value] for name, value in values.items() if name != "notes"}
    else:
        for name, value in values.items():
            if getattr(outcome, name) != value:
                changes[name] = [getattr(outcome, name), value]
                setattr(outcome, name, value)
    outcome.save()
    audit_log(actor=actor, action="outcome.save", obj=outcome, changes=changes)
    return outcome


def attestation_for(*, application: Application) -> Attestation:
    """The attestation of an attended participation, made the first time it is asked for.

    Refuses (``not_attended``) a fair that is not over or that the artisan did not attend.
    """
    if not selectors.has_attended(application):
        raise ReportError(
            code="not_attended",
            message=_("An attestation is given for a fair that is over and that you attended."),
        )
    attendance_days = None
    if selectors.fair_has_check_ins(application.fair):
        attendance_days = len(selectors.first_entries(application.fair, application_ids=[application.pk]))
    attestation, created = Attestation.objects.get_or_create(
        application=application, defaults={"days_present": attendance_days}
    )
    if created:
        audit_log(actor=None, action="attestation.issue", obj=attestation)
    return attestation
