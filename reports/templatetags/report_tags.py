"""Template tags other apps' pages may load to show what comes after a fair — the results to
report and the attestation — without importing reports (nothing imports reports: the
coupling stays in the template, as with ``booth_tags`` and ``badge_tags``)."""

from django import template
from django.db.models import Exists, OuterRef

from core.permissions import is_staff_member
from fairs.models import Fair
from reports import selectors
from reports.models import Outcome

register = template.Library()


def _begun(fair) -> bool:
    from django.utils import timezone

    return fair.status in (Fair.Status.RUNNING, Fair.Status.CLOSED) and fair.starts_on <= timezone.localdate()


@register.inclusion_tag("reports/includes/after_the_fair.html", takes_context=True)
def after_the_fair(context, application):
    """``{% after_the_fair application %}``: on an application's page, once the fair has begun,
    the results reported (or the link to report them) and, once it is over, the attestation.

    The owner gets their own links; staff get the fair's results table and the attestation
    download. Nothing for anyone else, nor for an application that is not a participation.
    Two queries at most."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    shown = {"show": False}
    if (
        application is None
        or application.status not in selectors.PARTICIPATING
        or not _begun(application.fair)
    ):
        return shown
    staff = is_staff_member(viewer)
    owner = bool(context.get("is_owner")) and not staff
    if not staff and not owner:
        return shown
    closed = application.fair.status == Fair.Status.CLOSED
    return {
        "show": True,
        "staff": staff,
        "application": application,
        "outcome": Outcome.objects.filter(application_id=application.pk).first(),
        "closed": closed,
        "attended": closed and selectors.has_attended(application),
    }


@register.inclusion_tag("reports/includes/my_after_fairs.html")
def my_after_fairs(artisan):
    """``{% my_after_fairs artisan %}``: on "my space", the attestations available and the
    fairs still waiting for the artisan's results, with their links. Two queries."""
    if artisan is None:
        return {"show": False}
    from django.utils import timezone

    attestations = selectors.attended_applications(artisan).count()
    waiting = list(
        artisan.applications.filter(
            status__in=selectors.PARTICIPATING,
            fair__status__in=[Fair.Status.RUNNING, Fair.Status.CLOSED],
            fair__starts_on__lte=timezone.localdate(),
        )
        .filter(~Exists(Outcome.objects.filter(application=OuterRef("pk"))))
        .select_related("fair")
        .order_by("-fair__starts_on")[:3]
    )
    return {"show": bool(attestations or waiting), "attestations": attestations, "waiting": waiting}
