import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry
from fairs.models import Fair
from registrations import services
from registrations.models import Application, Notification
from registrations.services import RegistrationError
from tests.factories import ApplicationFactory, ArtisanFactory, FairFactory, craft, open_fair

S = Application.Status
pytestmark = pytest.mark.django_db


def apply(artisan, fair, actor=None, **fields):
    fields.setdefault("products", "Poterie de Safi")
    return services.application_create(artisan=artisan, fair=fair, actor=actor, **fields)


def reviewing(**kwargs):
    kwargs.setdefault("status", Fair.Status.REVIEWING)
    return FairFactory(**kwargs)


# --- Applying ---------------------------------------------------------------------------


def test_apply_during_the_call_submits_audits_and_mails(django_capture_on_commit_callbacks):
    artisan = ArtisanFactory(language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(artisan, open_fair(name="Foire de Settat", name_ar="معرض سطات"))
    assert application.status == S.SUBMITTED and application.submitted_at
    assert AuditEntry.objects.filter(action="application.submitted").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [artisan.email]
    assert "معرض سطات" in mail.outbox[0].subject  # in the artisan's language
    note = Notification.objects.get(application=application)
    assert note.event == "submitted" and note.delivery == "sent" and note.language == "ar"


def test_a_draft_is_kept_and_submitted_later():
    application = apply(ArtisanFactory(), open_fair(), submit=False)
    assert application.status == S.DRAFT
    services.application_submit(application=application, actor=None)
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


@pytest.mark.parametrize(
    ("fair_kwargs", "code"),
    [
        ({"status": Fair.Status.DRAFT}, "call_not_open"),
        (
            {
                "applications_open_at": timezone.now() - dt.timedelta(days=9),
                "applications_close_at": timezone.now() - dt.timedelta(hours=1),
            },
            "deadline_passed",
        ),
    ],
)
def test_apply_outside_the_call_is_refused(fair_kwargs, code):
    with pytest.raises(RegistrationError) as exc:
        apply(ArtisanFactory(), open_fair(**fair_kwargs))
    assert exc.value.code == code
    assert not Application.objects.exists()


def test_applying_twice_is_refused():
    artisan, fair = ArtisanFactory(), open_fair()
    apply(artisan, fair)
    with pytest.raises(RegistrationError) as exc:
        apply(artisan, fair)
    assert exc.value.code == "already_applied"
    assert Application.objects.count() == 1


def test_incomplete_profile_and_foreign_craft_are_refused():
    fair = open_fair()
    with pytest.raises(RegistrationError) as exc:
        apply(ArtisanFactory(birth_year=None), fair)
    assert exc.value.code == "profile_incomplete"
    fair.craft_categories.set([craft("zellige")])
    with pytest.raises(RegistrationError) as exc:
        apply(ArtisanFactory(main_craft=craft("pottery")), fair)
    assert exc.value.code == "craft_not_accepted"
    artisan = ArtisanFactory(main_craft=craft("pottery"))
    artisan.other_crafts.add(craft("zellige"))
    assert apply(artisan, fair).status == S.SUBMITTED


def test_international_exhibitions_ask_for_more():
    fair = open_fair(scope="international", asks_passport=True, asks_languages=True, asks_export=True)
    with pytest.raises(ValidationError) as exc:
        apply(ArtisanFactory(), fair, passport_valid_until=fair.ends_on)
    assert set(exc.value.message_dict) == {"passport_valid_until", "languages", "export_experience"}
    application = apply(
        ArtisanFactory(),
        fair,
        passport_valid_until=fair.ends_on + dt.timedelta(days=365),
        languages=["fr", "en"],
        export_experience="Ventes en France depuis 2019",
    )
    assert application.status == S.SUBMITTED


def test_edit_until_the_deadline_then_refused():
    application = apply(ArtisanFactory(), open_fair())
    services.application_update(application=application, actor=None, booth_size=12)
    assert Application.objects.get(pk=application.pk).booth_size == 12
    Fair.objects.filter(pk=application.fair_id).update(applications_close_at=timezone.now())
    with pytest.raises(RegistrationError) as exc:
        services.application_update(application=application, actor=None, booth_size=6)
    assert exc.value.code == "deadline_passed"
    assert Application.objects.get(pk=application.pk).booth_size == 12


# --- Deciding ---------------------------------------------------------------------------


def test_accept_gives_an_offer_with_a_deadline(staff_user):
    application = ApplicationFactory(fair=reviewing(offer_days=5))
    services.application_decide(
        application=application, decision="accept", actor=staff_user, reason="Très bon"
    )
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert application.decided_by == staff_user and application.decision_reason == "Très bon"
    expected = timezone.now() + dt.timedelta(days=5)
    assert abs((application.offer_deadline - expected).total_seconds()) < 60
    assert AuditEntry.objects.get(action="application.accepted").changes["status"] == [
        "submitted",
        "accepted",
    ]


def test_decisions_need_review_to_have_started(staff_user):
    application = ApplicationFactory()  # fair still open
    with pytest.raises(RegistrationError) as exc:
        services.application_decide(application=application, decision="accept", actor=staff_user)
    assert exc.value.code == "fair_not_reviewing"


def test_a_reviewer_cannot_decide(reviewer_user):
    application = ApplicationFactory(fair=reviewing())
    with pytest.raises(RegistrationError) as exc:
        services.application_decide(application=application, decision="accept", actor=reviewer_user)
    assert exc.value.code == "forbidden"
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_deciding_an_application_in_the_wrong_state_is_refused(staff_user):
    application = ApplicationFactory(fair=reviewing(), status=S.REJECTED)
    with pytest.raises(RegistrationError) as exc:
        services.application_decide(application=application, decision="accept", actor=staff_user)
    assert exc.value.code == "illegal_transition"


def test_bulk_decisions_are_all_or_nothing(staff_user):
    fair = reviewing()
    good = ApplicationFactory.create_batch(3, fair=fair)
    bad = ApplicationFactory(fair=fair, status=S.REJECTED)
    with pytest.raises(RegistrationError) as exc:
        services.applications_decide(applications=[*good, bad], decision="waitlist", actor=staff_user)
    assert bad.artisan.full_name in str(exc.value)
    assert set(Application.objects.filter(pk__in=[a.pk for a in good]).values_list("status", flat=True)) == {
        S.SUBMITTED
    }
    decided = services.applications_decide(applications=good, decision="waitlist", actor=staff_user)
    assert [a.waitlist_rank for a in decided] == [1, 2, 3]


def test_accepting_beyond_capacity_is_refused(staff_user):
    fair = reviewing(capacity=2)
    applications = ApplicationFactory.create_batch(3, fair=fair)
    with pytest.raises(RegistrationError) as exc:
        services.applications_decide(applications=applications, decision="accept", actor=staff_user)
    assert exc.value.code == "fair_full"
    services.applications_decide(applications=applications[:2], decision="accept", actor=staff_user)
    assert services.places_taken(fair) == 2


# --- Offers and the waitlist ------------------------------------------------------------


def waitlisted_fair(staff_user, capacity=1):
    fair = reviewing(capacity=capacity)
    first = ApplicationFactory(fair=fair)
    waiting = ApplicationFactory.create_batch(2, fair=fair)
    services.application_decide(application=first, decision="accept", actor=staff_user)
    services.applications_decide(applications=waiting, decision="waitlist", actor=staff_user)
    return fair, first, waiting


def test_confirming_an_offer(staff_user):
    _fair, first, _waiting = waitlisted_fair(staff_user)
    services.offer_respond(application=first, actor=None, accept=True)
    first.refresh_from_db()
    assert first.status == S.CONFIRMED and first.confirmed_at


def test_a_decline_promotes_the_next_waitlisted(staff_user):
    _fair, first, waiting = waitlisted_fair(staff_user)
    services.offer_respond(application=first, actor=None, accept=False)
    statuses = [Application.objects.get(pk=a.pk).status for a in (first, *waiting)]
    assert statuses == [S.DECLINED, S.ACCEPTED, S.WAITLISTED]
    promoted = Application.objects.get(pk=waiting[0].pk)
    assert promoted.waitlist_rank is None and promoted.offer_deadline


def test_expiry_promotes_the_next_waitlisted(staff_user):
    _fair, first, waiting = waitlisted_fair(staff_user)
    later = timezone.now() + dt.timedelta(days=8)
    assert services.offers_expire(now=later) == 1
    assert Application.objects.get(pk=first.pk).status == S.EXPIRED
    assert Application.objects.get(pk=waiting[0].pk).status == S.ACCEPTED
    assert services.offers_expire(now=later) == 0  # the new offer runs from its own date


def test_a_late_confirmation_expires_the_offer(staff_user):
    _fair, first, waiting = waitlisted_fair(staff_user)
    Application.objects.filter(pk=first.pk).update(offer_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(RegistrationError) as exc:
        services.offer_respond(application=first, actor=None, accept=True)
    assert exc.value.code == "offer_expired"
    assert Application.objects.get(pk=first.pk).status == S.EXPIRED
    assert Application.objects.get(pk=waiting[0].pk).status == S.ACCEPTED


def test_withdrawing_a_confirmed_place_promotes_and_signals(staff_user, django_capture_on_commit_callbacks):
    from registrations.signals import application_withdrawn

    _fair, first, waiting = waitlisted_fair(staff_user)
    services.offer_respond(application=first, actor=None, accept=True)
    received = []
    application_withdrawn.connect(
        lambda sender, application, **kw: received.append(application.pk), weak=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=first, actor=None, reason="Malade")
    assert Application.objects.get(pk=first.pk).status == S.WITHDRAWN
    assert Application.objects.get(pk=waiting[0].pk).status == S.ACCEPTED
    assert received == [first.pk]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(S.DRAFT, True), (S.SUBMITTED, True), (S.WAITLISTED, True), (S.CONFIRMED, True), (S.REJECTED, False),
     (S.DECLINED, False), (S.EXPIRED, False), (S.WITHDRAWN, False)],
)  # fmt: skip
def test_who_can_withdraw(status, allowed):
    extra = {"waitlist_rank": 1} if status == S.WAITLISTED else {}
    application = ApplicationFactory(status=status, **extra)
    if allowed:
        services.application_withdraw(application=application, actor=None)
        assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN
    else:
        with pytest.raises(RegistrationError):
            services.application_withdraw(application=application, actor=None)


# --- Reviews ----------------------------------------------------------------------------


def test_reviewers_score_on_the_fairs_scale(reviewer_user):
    application = ApplicationFactory(fair=reviewing(score_max=10))
    services.review_save(application=application, reviewer=reviewer_user, score=8, comment="Beau travail")
    services.review_save(application=application, reviewer=reviewer_user, score=9)
    assert application.reviews.get().score == 9
    for bad in (0, 11, "7"):
        with pytest.raises(RegistrationError) as exc:
            services.review_save(application=application, reviewer=reviewer_user, score=bad)
        assert exc.value.code == "score_out_of_range"


def test_an_artisan_cannot_review(plain_user):
    with pytest.raises(RegistrationError) as exc:
        services.review_save(application=ApplicationFactory(fair=reviewing()), reviewer=plain_user, score=3)
    assert exc.value.code == "forbidden"
