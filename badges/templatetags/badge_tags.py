"""Template tags other apps' templates may load, so that they show badges without importing
badges (registrations is below badges: the coupling stays in the template)."""

from django import template

from badges.models import Badge
from badges.views.staff import ARTISAN_DOWNLOAD_STATUSES
from core.permissions import is_staff_member

register = template.Library()


@register.inclusion_tag("badges/includes/my_badge.html", takes_context=True)
def my_badge(context, application):
    """``{% my_badge application %}``: the exhibitor's valid badge, or nothing.

    The owner gets a download link once the fair is published (and while it runs); staff
    looking at the application get a link to the badge's staff page. One query, none when
    the application is not confirmed."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    found = {"badge": None}
    if application is None or application.status != application.Status.CONFIRMED:
        return found
    staff = is_staff_member(viewer)
    owner = context.get("is_owner", False) and not staff
    if not staff and not (owner and application.fair.status in ARTISAN_DOWNLOAD_STATUSES):
        return found
    badge = Badge.objects.filter(application_id=application.pk, revoked_at__isnull=True).first()
    return {"badge": badge, "staff": staff}
