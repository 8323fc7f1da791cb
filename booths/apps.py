from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booths"
    verbose_name = _("Booths")
