from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fairs"
    verbose_name = _("Fairs and exhibitions")
