"""Emails to artisans at each status change, in the artisan's language, kept as Notification."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registrations.models import Application, Notification

logger = logging.getLogger(__name__)

SUBJECTS = {
    "submitted": _("Your application to %(fair)s was received"),
    "accepted": _("You are selected for %(fair)s: please confirm"),
    "waitlisted": _("You are on the waiting list for %(fair)s"),
    "rejected": _("Your application to %(fair)s"),
    "confirmed": _("Your place at %(fair)s is confirmed"),
    "declined": _("You declined your place at %(fair)s"),
    "expired": _("Your offer for %(fair)s has expired"),
    "withdrawn": _("Your application to %(fair)s was withdrawn"),
}


def notify_application(*, application_id: int, event: str) -> Notification | None:
    """Mail the artisan about ``event`` and record what was sent. Never raises: a failed
    mail is recorded as failed, and the decision it reports stands."""
    if event not in SUBJECTS:
        return None
    application = (
        Application.objects.select_related("artisan", "artisan__user", "fair", "fair__venue")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    artisan = application.artisan
    to = artisan.email or (artisan.user.email if artisan.user else "")
    with translation.override(artisan.language or settings.LANGUAGE_CODE):
        subject = str(SUBJECTS[event]) % {"fair": application.fair.display_name}
        body = render_to_string(
            "registrations/email/status_change.txt",
            {"application": application, "artisan": artisan, "fair": application.fair, "event": event,
             "site_url": getattr(settings, "SITE_URL", "")},
        ).strip()  # fmt: skip
    delivery = Notification.Delivery.NO_ADDRESS
    if to:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
            delivery = Notification.Delivery.SENT
        except Exception:  # the mail server is down: record it, the decision stands
            logger.exception("Could not mail application %s (%s)", application_id, event)
            delivery = Notification.Delivery.FAILED
    return Notification.objects.create(
        artisan=artisan,
        application=application,
        event=event,
        language=artisan.language,
        to=to,
        subject=subject,
        body=body,
        delivery=delivery,
    )
