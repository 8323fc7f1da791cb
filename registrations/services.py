"""Every change to artisans, applications and reviews goes through here.

The application workflow is one table (``TRANSITIONS``) and one door (``_move``): guards,
row locks, the audit entry, the email and the domain signal can't be skipped.

    draft → submitted → accepted | waitlisted | rejected
    accepted → confirmed | declined | expired
    waitlisted → accepted | rejected
    draft, submitted, waitlisted, confirmed → withdrawn

A place freed by a decline, an expired offer or a withdrawal goes to the next waitlisted
artisan automatically (``waitlist_promote``).
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import CraftCategory
from core.permissions import is_reviewer, is_staff_member
from core.services import audit_log
from core.validators import normalize_cin, normalize_phone, normalize_registry_number
from fairs.models import Fair
from registrations import signals
from registrations.models import Application, Artisan, Review

User = get_user_model()
S = Application.Status


class RegistrationError(DomainError):
    pass


# --- Artisans ---------------------------------------------------------------------------

ARTISAN_FIELDS = (
    "first_name", "last_name", "first_name_ar", "last_name_ar", "cin", "registry_number", "gender",
    "birth_year", "phone", "email", "province", "commune", "area", "main_craft", "cooperative",
    "languages", "language", "bio", "photo", "shop_url",
)  # fmt: skip


def normalize_artisan_fields(fields: dict) -> dict:
    """Bring CIN, phone and registry number to their stored form; errors name the field."""
    errors = {}
    for name, normalize in (
        ("cin", normalize_cin),
        ("phone", normalize_phone),
        ("registry_number", normalize_registry_number),
    ):
        value = fields.get(name)
        if value:
            try:
                fields[name] = normalize(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    if fields.get("email"):
        fields["email"] = fields["email"].strip().lower()
    if errors:
        raise ValidationError(errors)
    return fields


def _check_identity_free(artisan: Artisan) -> None:
    """Clear messages for a taken CIN or registry number (the database enforces both)."""
    others = Artisan.objects.exclude(pk=artisan.pk)
    if others.filter(cin=artisan.cin).exists():
        raise ValidationError({"cin": [_("An artisan with this CIN is already registered.")]})
    if artisan.registry_number and others.filter(registry_number=artisan.registry_number).exists():
        raise ValidationError(
            {"registry_number": [_("An artisan with this registry number is already registered.")]}
        )


@transaction.atomic
def artisan_create(
    *, actor: User | None, user: User | None = None, other_crafts: Iterable[CraftCategory] = (), **fields
) -> Artisan:
    """Register an artisan (by staff, by sign-up or by import); writes ``artisan.create``."""
    unknown = set(fields) - set(ARTISAN_FIELDS)
    if unknown:
        raise RegistrationError(code="unknown_field", message=_("Unknown field."), field=sorted(unknown)[0])
    artisan = Artisan(user=user, **normalize_artisan_fields(fields))
    _check_identity_free(artisan)
    artisan.full_clean()
    artisan.save()
    if other_crafts:
        artisan.other_crafts.set(other_crafts)
    audit_log(actor=actor, action="artisan.create", obj=artisan, changes={"cin": artisan.cin})
    return artisan


@transaction.atomic
def artisan_update(*, artisan: Artisan, actor: User | None, other_crafts=None, **fields) -> Artisan:
    """Edit a profile; writes ``artisan.update`` with the changed field names (not the values:
    they may be personal data)."""
    unknown = set(fields) - set(ARTISAN_FIELDS)
    if unknown:
        raise RegistrationError(code="unknown_field", message=_("Unknown field."), field=sorted(unknown)[0])
    artisan = Artisan.objects.select_for_update().get(pk=artisan.pk)
    fields = normalize_artisan_fields(fields)
    changed = [name for name, value in fields.items() if getattr(artisan, name) != value]
    for name in changed:
        setattr(artisan, name, fields[name])
    _check_identity_free(artisan)
    artisan.full_clean()
    if changed:
        artisan.save(update_fields=[*changed, "updated_at"])
    if other_crafts is not None:
        before = set(artisan.other_crafts.values_list("pk", flat=True))
        if before != {c.pk for c in other_crafts}:
            artisan.other_crafts.set(other_crafts)
            changed.append("other_crafts")
    if changed:
        audit_log(actor=actor, action="artisan.update", obj=artisan, changes={"fields": changed})
    return artisan


@transaction.atomic
def artisan_sign_up(*, password: str, language: str, **fields) -> Artisan:
    """An artisan opens an account: a user (who logs in with CIN, phone or email) and a profile.

    The username is the CIN. Password rules are Django's validators.
    """
    from django.contrib.auth.password_validation import validate_password

    fields = normalize_artisan_fields(fields)
    if not (fields.get("phone") or fields.get("email")):
        raise ValidationError({"phone": [_("Give a phone number or an email address.")]})
    if fields.get("cin") and Artisan.objects.filter(cin=fields["cin"], user__isnull=False).exists():
        raise ValidationError({"cin": [_("An account already exists for this CIN. Log in instead.")]})
    if fields.get("email") and User.objects.filter(email__iexact=fields["email"]).exists():
        raise ValidationError({"email": [_("An account already uses this email address.")]})
    user = User(
        username=fields["cin"],
        first_name=fields.get("first_name", ""),
        last_name=fields.get("last_name", ""),
        email=fields.get("email", ""),
        language=language,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    existing = Artisan.objects.filter(cin=fields["cin"], user__isnull=True).first()
    if existing and not (
        (existing.phone and existing.phone == fields.get("phone"))
        or (existing.email and existing.email == fields.get("email"))
    ):
        # A CIN is not a secret: claiming a profile the delegation registered needs the phone
        # number or email address it has on file, else anyone could read its personal data.
        raise ValidationError(
            {
                "cin": [
                    _(
                        "The delegation has already registered this CIN. Give the phone number or "
                        "email address they have on file, or ask the delegation to open your account."
                    )
                ]
            }
        )
    user.set_password(password)
    user.save()
    if existing:
        # Registered earlier by staff (a walk-in): the account takes over that profile.
        existing.user = user
        existing.save(update_fields=["user", "updated_at"])
        artisan = artisan_update(artisan=existing, actor=user, **{**fields, "language": language})
    else:
        artisan = artisan_create(actor=user, user=user, **{**fields, "language": language})
    return artisan


# --- Applications -----------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN),
    S.ACCEPTED: (S.CONFIRMED, S.DECLINED, S.EXPIRED),
    S.WAITLISTED: (S.ACCEPTED, S.REJECTED, S.WITHDRAWN),
    S.REJECTED: (),
    S.CONFIRMED: (S.WITHDRAWN,),
    S.DECLINED: (),
    S.EXPIRED: (),
    S.WITHDRAWN: (),
}
# Staff decisions and the fair statuses in which they may be taken.
DECISIONS = {"accept": S.ACCEPTED, "waitlist": S.WAITLISTED, "reject": S.REJECTED}
DECISION_FAIR_STATUSES = (Fair.Status.REVIEWING, Fair.Status.ALLOCATING, Fair.Status.PUBLISHED)
# Where a place counts against the fair's capacity.
HOLDS_A_PLACE = (S.ACCEPTED, S.CONFIRMED)

APPLICATION_FIELDS = (
    "booth_kind", "booth_size", "preferred_sector", "near_cooperative", "products", "needs_electricity",
    "needs_accessibility", "needs_notes", "passport_valid_until", "languages", "export_experience",
)  # fmt: skip


def check_can_apply(artisan: Artisan, fair: Fair, now: dt.datetime) -> None:
    if not fair.is_call_open(now):
        if fair.applications_close_at and now >= fair.applications_close_at:
            raise RegistrationError(code="deadline_passed", message=_("The application deadline has passed."))
        raise RegistrationError(code="call_not_open", message=_("This fair is not taking applications now."))
    missing = artisan.missing_for_application()
    if missing:
        raise RegistrationError(
            code="profile_incomplete",
            message=_("Complete the profile first: %(fields)s.") % {"fields": ", ".join(missing)},
        )
    accepted = set(fair.craft_categories.values_list("pk", flat=True))
    if accepted:
        crafts = {artisan.main_craft_id, *artisan.other_crafts.values_list("pk", flat=True)}
        if not crafts & accepted:
            raise RegistrationError(
                code="craft_not_accepted",
                message=_("This fair does not take your craft."),
                field="main_craft",
            )


def _check_application_fields(fair: Fair, fields: dict) -> None:
    """What national and international exhibitions ask for on top, and basic coherence."""
    errors = {}
    if not (fields.get("products") or "").strip():
        errors["products"] = [_("Say which products you will show.")]
    if fair.asks_passport:
        valid_until = fields.get("passport_valid_until")
        if not valid_until:
            errors["passport_valid_until"] = [_("This exhibition needs your passport's expiry date.")]
        elif valid_until < fair.ends_on + dt.timedelta(days=90):
            errors["passport_valid_until"] = [
                _("The passport must stay valid at least three months after the exhibition ends.")
            ]
    if fair.asks_languages and not fields.get("languages"):
        errors["languages"] = [_("Say which languages you speak.")]
    if fair.asks_export and not (fields.get("export_experience") or "").strip():
        errors["export_experience"] = [_("Describe your export experience, or write “none”.")]
    if errors:
        raise ValidationError(errors)


def _notify(application: Application, event: str) -> None:
    from registrations.notifications import notify_application

    pk = application.pk
    transaction.on_commit(lambda: notify_application(application_id=pk, event=event))


@transaction.atomic
def application_create(
    *, artisan: Artisan, fair: Fair, actor: User | None, submit: bool = True, **fields
) -> Application:
    """Apply for a booth (an artisan, or staff on their behalf).

    Refuses outside the call, for an incomplete profile, a craft the fair does not take, or a
    second application to the same fair. ``submit=False`` keeps a draft. Writes
    ``application.create`` (and ``application.submit``); mails the artisan on submission.
    """
    now = timezone.now()
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    check_can_apply(artisan, fair, now)
    if Application.objects.filter(artisan=artisan, fair=fair).exists():
        raise RegistrationError(code="already_applied", message=_("You have already applied to this fair."))
    _check_application_fields(fair, fields)
    application = Application(artisan=artisan, fair=fair, created_by=_person(actor), **fields)
    application.full_clean(exclude=["artisan", "fair"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise RegistrationError(
            code="already_applied", message=_("You have already applied to this fair.")
        ) from exc
    audit_log(actor=actor, action="application.create", obj=application)
    if submit:
        _move(application, S.SUBMITTED, actor=actor, now=now)
    return application


@transaction.atomic
def application_update(*, application: Application, actor: User | None, **fields) -> Application:
    """Edit an application while it is a draft or submitted and the call is open."""
    application = (
        Application.objects.select_for_update().select_related("fair", "artisan").get(pk=application.pk)
    )
    if application.status not in (S.DRAFT, S.SUBMITTED):
        raise RegistrationError(
            code="not_editable", message=_("A decided application can no longer be edited.")
        )
    if not application.fair.is_call_open():
        raise RegistrationError(code="deadline_passed", message=_("The application deadline has passed."))
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise RegistrationError(code="unknown_field", message=_("Unknown field."), field=sorted(unknown)[0])
    merged = {name: getattr(application, name) for name in APPLICATION_FIELDS} | fields
    _check_application_fields(application.fair, merged)
    changed = [name for name, value in fields.items() if getattr(application, name) != value]
    for name in changed:
        setattr(application, name, fields[name])
    application.full_clean(exclude=["artisan", "fair"])
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
        audit_log(actor=actor, action="application.update", obj=application, changes={"fields": changed})
    return application


@transaction.atomic
def application_submit(*, application: Application, actor: User | None) -> Application:
    """Send a draft to the jury (inside the call only)."""
    application = _locked(application)
    check_can_apply(application.artisan, application.fair, timezone.now())
    fields = {name: getattr(application, name) for name in APPLICATION_FIELDS}
    _check_application_fields(application.fair, fields)
    return _move(application, S.SUBMITTED, actor=actor)


@transaction.atomic
def application_withdraw(*, application: Application, actor: User | None, reason: str = "") -> Application:
    """The artisan (or staff) withdraws. A confirmed place goes to the next on the waitlist;
    ``signals.application_withdrawn`` lets booths and badges free what they hold."""
    application = _locked(application)
    held_place = application.status in HOLDS_A_PLACE
    _move(application, S.WITHDRAWN, actor=actor, reason=reason)
    if held_place:
        waitlist_promote(fair=application.fair, actor=actor)
    return application


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _locked(application: Application) -> Application:
    """Lock the fair, then the application: every service takes locks in that order, so two
    of them never wait on each other (the fair lock also guards its capacity)."""
    fair = Fair.objects.select_for_update().get(pk=application.fair_id)
    application = Application.objects.select_for_update().select_related("artisan").get(pk=application.pk)
    application.fair = fair
    return application


def _move(
    application: Application,
    to_status: str,
    *,
    actor: User | None,
    reason: str = "",
    now: dt.datetime | None = None,
    promoted: bool = False,
) -> Application:
    """The one door of the workflow. Call it inside a transaction with the row locked."""
    if to_status not in TRANSITIONS[application.status]:
        raise RegistrationError(
            code="illegal_transition",
            message=_("An application that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(application.status).label, "to": S(to_status).label},
        )
    now = now or timezone.now()
    old = application.status
    application.status = to_status
    updated = ["status", "updated_at"]
    if to_status == S.SUBMITTED:
        application.submitted_at = now
        updated.append("submitted_at")
    if to_status in (S.ACCEPTED, S.WAITLISTED, S.REJECTED):
        application.decided_at, application.decided_by = now, _person(actor)
        application.decision_reason = reason
        updated += ["decided_at", "decided_by", "decision_reason"]
    elif reason:
        application.decision_reason = reason
        updated.append("decision_reason")
    if to_status == S.ACCEPTED:
        application.offer_deadline = now + dt.timedelta(days=application.fair.offer_days)
        updated.append("offer_deadline")
    if to_status == S.WAITLISTED:
        last = Application.objects.filter(fair=application.fair_id).aggregate(m=Max("waitlist_rank"))["m"]
        application.waitlist_rank = (last or 0) + 1
    else:
        application.waitlist_rank = None
    updated.append("waitlist_rank")
    if to_status == S.CONFIRMED:
        application.confirmed_at = now
        updated.append("confirmed_at")
    application.save(update_fields=updated)
    changes = {"status": [old, to_status]}
    if reason:
        changes["reason"] = reason
    if promoted:
        changes["promoted_from_waitlist"] = True
    audit_log(actor=actor, action=f"application.{to_status}", obj=application, changes=changes)
    _notify(application, to_status)
    if to_status == S.WITHDRAWN:
        transaction.on_commit(
            lambda: signals.application_withdrawn.send(sender=Application, application=application)
        )
    return application


def places_taken(fair: Fair) -> int:
    return Application.objects.filter(fair=fair, status__in=HOLDS_A_PLACE).count()


def _check_can_decide(application: Application, decision: str, fair: Fair) -> None:
    if decision not in DECISIONS:
        raise RegistrationError(code="unknown_decision", message=_("Unknown decision."), field="decision")
    if fair.status not in DECISION_FAIR_STATUSES:
        raise RegistrationError(
            code="fair_not_reviewing",
            message=_("Decisions are taken once the call has closed and review has started."),
        )
    if DECISIONS[decision] not in TRANSITIONS[application.status]:
        raise RegistrationError(
            code="illegal_transition",
            message=_("%(name)s: an application that is “%(status)s” cannot be given this decision.")
            % {"name": application.artisan, "status": S(application.status).label},
        )


@transaction.atomic
def application_decide(
    *, application: Application, decision: str, actor: User, reason: str = ""
) -> Application:
    """Accept, waitlist or reject one application (staff). See ``applications_decide``."""
    return applications_decide(applications=[application], decision=decision, actor=actor, reason=reason)[0]


@transaction.atomic
def applications_decide(
    *, applications: Iterable[Application], decision: str, actor: User, reason: str = ""
) -> list[Application]:
    """Decide several applications of one fair at once, all or nothing.

    The fair row is locked first, so two staff members deciding at once cannot accept more
    artisans than the fair has places. Accepting beyond capacity is refused (``fair_full``):
    waitlist instead. Every decision is audited and mailed; an accepted artisan gets an offer
    to confirm within the fair's ``offer_days``.
    """
    if not is_staff_member(actor):
        raise RegistrationError(code="forbidden", message=_("Only delegation staff decide."))
    ids = sorted({a.pk for a in applications})
    if not ids:
        raise RegistrationError(code="nothing_selected", message=_("Select at least one application."))
    fair_ids = set(Application.objects.filter(pk__in=ids).values_list("fair_id", flat=True))
    if len(fair_ids) != 1:
        raise RegistrationError(
            code="several_fairs", message=_("Decide the applications of one fair at a time.")
        )
    fair = Fair.objects.select_for_update().get(pk=fair_ids.pop())
    locked = list(
        Application.objects.select_for_update().select_related("artisan").filter(pk__in=ids).order_by("pk")
    )
    if len(locked) != len(ids):
        raise RegistrationError(code="not_found", message=_("An application was not found."))
    refusals = []
    for application in locked:
        application.fair = fair
        try:
            _check_can_decide(application, decision, fair)
        except RegistrationError as exc:
            refusals.append(exc)
    if refusals:
        codes = {exc.code for exc in refusals}
        raise RegistrationError(
            code=codes.pop() if len(codes) == 1 else "refused",
            message=" ".join(dict.fromkeys(str(exc.message) for exc in refusals)),
        )
    if decision == "accept":
        free = fair.capacity - places_taken(fair)
        if len(locked) > free:
            raise RegistrationError(
                code="fair_full",
                message=_("Only %(free)s place(s) left at this fair; waitlist the others.")
                % {"free": max(free, 0)},
            )
    return [_move(application, DECISIONS[decision], actor=actor, reason=reason) for application in locked]


def offer_respond(*, application: Application, actor: User | None, accept: bool) -> Application:
    """The artisan confirms or declines an offer. A decline passes the place to the next
    waitlisted artisan. A late answer expires the offer (that is kept) and is refused."""
    with transaction.atomic():
        application = _locked(application)
        if application.status != S.ACCEPTED:
            raise RegistrationError(code="no_offer", message=_("There is no offer waiting for an answer."))
        if not application.offer_expired:
            _move(application, S.CONFIRMED if accept else S.DECLINED, actor=actor)
            if not accept:
                waitlist_promote(fair=application.fair, actor=actor)
            return application
        _move(application, S.EXPIRED, actor=None, reason="deadline")
        waitlist_promote(fair=application.fair, actor=None)
    raise RegistrationError(code="offer_expired", message=_("The offer expired before it was confirmed."))


def waitlist_promote(*, fair: Fair, actor: User | None, now: dt.datetime | None = None) -> list[Application]:
    """Offer freed places to the waitlist, best rank first. Runs inside the caller's
    transaction with the fair locked; returns the promoted applications."""
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if fair.status not in DECISION_FAIR_STATUSES:
        return []
    free = fair.capacity - places_taken(fair)
    if free <= 0:
        return []
    promoted = []
    waiting = (
        Application.objects.select_for_update()
        .filter(fair=fair, status=S.WAITLISTED)
        .order_by("waitlist_rank")[:free]
    )
    for application in waiting:
        application.fair = fair
        # No reason text: it would be stored in the staff member's language and mailed in the
        # artisan's; the audit entry says it was a promotion.
        promoted.append(_move(application, S.ACCEPTED, actor=actor, now=now, promoted=True))
    return promoted


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every offer past its deadline and promote the waitlist (for cron: ``expire_offers``).

    Each fair is handled in its own transaction; returns how many offers expired.
    """
    now = now or timezone.now()
    count = 0
    fair_ids = (
        Application.objects.filter(status=S.ACCEPTED, offer_deadline__lte=now)
        .values_list("fair_id", flat=True)
        .distinct()
    )
    for fair_id in list(fair_ids):
        with transaction.atomic():
            fair = Fair.objects.select_for_update().get(pk=fair_id)
            expired = Application.objects.select_for_update().filter(
                fair=fair, status=S.ACCEPTED, offer_deadline__lte=now
            )
            for application in expired:
                application.fair = fair
                _move(application, S.EXPIRED, actor=None, reason="deadline", now=now)
                count += 1
            waitlist_promote(fair=fair, actor=None, now=now)
    return count


# --- Reviews ----------------------------------------------------------------------------


@transaction.atomic
def review_save(*, application: Application, reviewer: User, score: int, comment: str = "") -> Review:
    """A reviewer scores an application (again, if they change their mind)."""
    if not (is_reviewer(reviewer) or is_staff_member(reviewer)):
        raise RegistrationError(code="forbidden", message=_("Only reviewers score applications."))
    application = _locked(application)
    if application.artisan.user_id is not None and application.artisan.user_id == reviewer.pk:
        raise RegistrationError(code="own_application", message=_("Nobody scores their own application."))
    if application.status not in (S.SUBMITTED, S.WAITLISTED):
        raise RegistrationError(
            code="not_reviewable", message=_("Only submitted or waitlisted applications are scored.")
        )
    if application.fair.status not in (Fair.Status.OPEN, Fair.Status.REVIEWING):
        raise RegistrationError(code="review_closed", message=_("Review is closed for this fair."))
    top = application.fair.score_max
    if not isinstance(score, int) or not 1 <= score <= top:
        raise RegistrationError(
            code="score_out_of_range",
            message=_("The score must be a whole number from 1 to %(top)s.") % {"top": top},
            field="score",
        )
    review, created = Review.objects.update_or_create(
        application=application, reviewer=reviewer, defaults={"score": score, "comment": comment}
    )
    audit_log(
        actor=reviewer,
        action="review.create" if created else "review.update",
        obj=application,
        changes={"score": score},
    )
    return review
