from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booths"
    verbose_name = _("Booths")

    def ready(self):
        from registrations.signals import application_withdrawn

        application_withdrawn.connect(_free_booth, dispatch_uid="booths.free_booth_on_withdrawal")


def _free_booth(sender, application, **kwargs):
    from booths.services import vacate_for_application

    vacate_for_application(application_id=application.pk)
