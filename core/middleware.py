from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A logged-in user's saved language wins when the browser has no language cookie yet.

    The language switcher writes both the cookie and ``User.language`` (core.views), so the
    choice is remembered on this device and follows the user to a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        set_cookie = False
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            set_cookie = True
        response = self.get_response(request)
        if set_cookie:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
