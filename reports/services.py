"""Changes owned by reports: outcomes reported after a fair, attestations of participation."""

import re
from dataclasses import dataclass
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


_CURRENCY = re.compile(r"(?i)(mad|dhs?|dirhams?|درهم|د\.م\.?)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


def _amount_text(value) -> str:
    """A typed amount as Python reads it: "12 000,50", "12,000", "5000 DH" and Arabic-Indic
    digits are accepted; a comma is a decimal mark unless it groups thousands."""
    text = "".join(str(value).split())  # every space, the no-break ones of French included
    text = _CURRENCY.sub("", text).replace("\u066b", ".").replace("\u066c", ",")  # Arabic marks
    if "," in text and "." in text:
        decimal_mark = "," if text.rindex(",") > text.rindex(".") else "."
        grouping = "." if decimal_mark == "," else ","
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", "") if _GROUPED.match(text) else text.replace(",", ".")
    return text


def _sales(value) -> Decimal:
    try:
        sales = Decimal(_amount_text(value) if value not in (None, "") else "0")
        if not sales.is_finite():
            raise InvalidOperation
        sales = sales.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as error:
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
        if isinstance(value, bool | float):
            raise TypeError  # true, 2.5: not a count
        number = int("".join(str(value).split()) if value not in (None, "") else 0)
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


def outcome_problems(fields: dict) -> tuple[dict, dict[str, ReportError]]:
    """Parse reported figures: (clean values, {field: refusal}); every field is checked, so a
    form can show all its errors at once. Missing figures count as 0."""
    values, problems = {}, {}
    parsers = {
        "sales_mad": _sales,
        "items_sold": lambda value: _count(value, "items_sold"),
        "orders": lambda value: _count(value, "orders"),
        "export_contacts": lambda value: _count(value, "export_contacts"),
    }
    for name, parse in parsers.items():
        try:
            values[name] = parse(fields.get(name))
        except ReportError as error:
            problems[name] = error
    values["notes"] = str(fields.get("notes") or "").strip()[:2000]
    return values, problems


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


def _outcome_values(fields: dict) -> dict:
    values, problems = outcome_problems(fields)
    if problems:
        raise next(iter(problems.values()))
    return values


def _write_outcome(application: Application, outcome: Outcome | None, values: dict, actor) -> Outcome | None:
    """Create or update one outcome; returns it, or None when nothing changed."""
    changes = {}
    if outcome is None:
        outcome = Outcome(application=application, reported_by=_person(actor), **values)
        changes = {name: [None, value] for name, value in values.items() if name != "notes"}
    else:
        for name, value in values.items():
            if getattr(outcome, name) != value:
                changes[name] = [getattr(outcome, name), value]
                setattr(outcome, name, value)
        if not changes:
            return None
    outcome.save()
    audit_log(actor=actor, action="outcome.save", obj=outcome, changes=changes)
    return outcome


@transaction.atomic
def outcome_save(*, application: Application, actor: User | None, **fields) -> Outcome:
    """Record (or correct) what a participation earned. Writes ``outcome.save`` with the changes
    (nothing when the figures are the ones already recorded)."""
    application = Application.objects.select_for_update().select_related("fair").get(pk=application.pk)
    check_outcome_allowed(application)
    values = _outcome_values(fields)
    outcome = Outcome.objects.filter(application=application).first()
    return _write_outcome(application, outcome, values, actor) or outcome


# --- A fair's outcomes at once (the staff table) ---------------------------------------------


@dataclass(frozen=True)
class OutcomeProblem:
    """What is wrong with one row of a fair's table: the application, the field (None for the
    whole row) and the message."""

    application_id: int
    field: str | None
    message: str
    code: str


class OutcomesError(ReportError):
    """Some rows were refused; ``problems`` lists them all. Nothing was saved."""

    def __init__(self, *, problems: list[OutcomeProblem]):
        super().__init__(
            code="rows_invalid",
            message=_("Nothing was saved: correct the rows marked below and save again."),
        )
        self.problems = problems


@dataclass(frozen=True)
class OutcomesSaved:
    created: int
    updated: int
    removed: int
    unchanged: int


def outcome_version(outcome: Outcome | None) -> str:
    """What a form remembers of the outcome it showed, to notice a change made meanwhile."""
    return outcome.updated_at.isoformat() if outcome is not None else ""


def _is_blank(fields: dict) -> bool:
    return all(str(fields.get(name) or "").strip() == "" for name in OUTCOME_FIELDS)


@transaction.atomic
def outcomes_save_for_fair(*, fair: Fair, actor: User | None, rows: dict[int, dict]) -> OutcomesSaved:
    """Save a fair's table of outcomes: every row, or none.

    ``rows`` maps an application id to its typed figures (the names of ``OUTCOME_FIELDS``),
    and optionally ``"seen"``: ``outcome_version`` of the outcome the form showed. A row left
    entirely empty means "not reported": an outcome it had is removed (``outcome.delete``). A
    row whose outcome changed since the form was shown (the artisan reported meanwhile) is
    refused (``changed_meanwhile``) rather than overwritten. Each changed outcome writes its
    ``outcome.save`` entry. Raises ``OutcomesError`` listing every refused row and field.
    """
    if fair.status not in (Fair.Status.RUNNING, Fair.Status.CLOSED) or fair.starts_on > timezone.localdate():
        raise ReportError(
            code="fair_not_started", message=_("Results can be reported once the fair has begun.")
        )
    applications = {
        application.pk: application
        for application in Application.objects.select_for_update()
        .filter(fair=fair, pk__in=list(rows))
        .select_related("fair")
    }
    outcomes = {
        outcome.application_id: outcome for outcome in Outcome.objects.filter(application__in=applications)
    }
    problems: list[OutcomeProblem] = []
    planned = []
    for application_id, fields in rows.items():
        application = applications.get(application_id)
        if application is None or application.status not in selectors.PARTICIPATING:
            problems.append(
                OutcomeProblem(
                    application_id, None, str(_("Not a participant of this fair.")), "not_a_participation"
                )
            )
            continue
        outcome = outcomes.get(application_id)
        if "seen" in fields and fields["seen"] != outcome_version(outcome):
            problems.append(
                OutcomeProblem(
                    application_id, None,
                    str(_("Changed by someone else since this page was opened: the figures now recorded are shown.")),
                    "changed_meanwhile",
                )
            )  # fmt: skip
            continue
        if _is_blank(fields):
            planned.append((application, outcome, None))
            continue
        values, refused = outcome_problems(fields)
        problems += [
            OutcomeProblem(application_id, name, str(error.message), error.code)
            for name, error in refused.items()
        ]
        if not refused:
            planned.append((application, outcome, values))
    if problems:
        raise OutcomesError(problems=problems)
    created = updated = removed = unchanged = 0
    for application, outcome, values in planned:
        if values is None:
            if outcome is None:
                unchanged += 1
                continue
            audit_log(actor=actor, action="outcome.delete", obj=outcome, changes={
                name: [getattr(outcome, name), None] for name in OUTCOME_FIELDS if name != "notes"
            })  # fmt: skip
            outcome.delete()
            removed += 1
        elif _write_outcome(application, outcome, values, actor) is None:
            unchanged += 1
        elif outcome is None:
            created += 1
        else:
            updated += 1
    return OutcomesSaved(created=created, updated=updated, removed=removed, unchanged=unchanged)


def attestation_for(*, application: Application, actor: User | None = None) -> Attestation:
    """The attestation of an attended participation, made the first time it is asked for
    (``attestation.issue``, with the days present when the fair kept check-ins).

    Refuses (``not_attended``) a fair that is not over or that the artisan did not attend.
    """
    if not selectors.has_attended(application):
        raise ReportError(
            code="not_attended",
            message=_("An attestation is given for a fair that is over and that you attended."),
        )
    existing = Attestation.objects.filter(application=application).first()
    if existing is not None:
        return existing
    attendance_days = None
    if selectors.fair_has_check_ins(application.fair):
        attendance_days = len(selectors.first_entries(application.fair, application_ids=[application.pk]))
    with transaction.atomic():
        attestation, created = Attestation.objects.get_or_create(
            application=application, defaults={"days_present": attendance_days}
        )
        if created:
            audit_log(actor=actor, action="attestation.issue", obj=attestation,
                      changes={"days_present": attendance_days})  # fmt: skip
    return attestation
