from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "badges"
    verbose_name = _("Badges and entry")

    def ready(self):
        from registrations.signals import application_withdrawn

        application_withdrawn.connect(_revoke_badge, dispatch_uid="badges.revoke_badge_on_withdrawal")


def _revoke_badge(sender, application, **kwargs):
    from badges.services import revoke_for_application

    revoke_for_application(application_id=application.pk)
