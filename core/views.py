from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from core.permissions import is_reviewer, is_staff_member
from core.services import user_set_language


def home(request):
    """Where a login lands: staff on their fair list, reviewers on their review list, artisans
    in their space, everyone else on the public page."""
    if is_staff_member(request.user):
        return redirect("fairs:list")
    if is_reviewer(request.user):
        return redirect("registrations:review_home")
    if request.user.is_authenticated and hasattr(request.user, "artisan"):
        return redirect("registrations:my_space")
    return redirect("fairs:public_home")


@require_POST
def set_language(request):
    """Switch language: remembered in a cookie and, for a logged-in user, on their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
    return response
