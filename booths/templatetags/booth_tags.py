"""Template tags other apps' templates may load, so that they show booths without importing
booths (registrations is below booths: the coupling stays in the template)."""

from django import template

from booths.selectors import artisan_booth

register = template.Library()


@register.inclusion_tag("booths/includes/my_booth.html", takes_context=True)
def my_booth(context, application, compact=False):
    """``{% my_booth application %}``: the exhibitor's booth on the plan, or nothing.

    Shown for a confirmed application with a booth once the fair is published (staff see it
    from the allocation on). ``compact=True`` gives one line, for lists ("my space")."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {
        "my_booth": artisan_booth(application, viewer=viewer, with_plan=not compact),
        "compact": compact,
        "not_owner": not context.get("is_owner", True),
        "request": request,
    }
