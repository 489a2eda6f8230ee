from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = _("Interoperability API")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from . import signals  # noqa: F401  (connects the leave webhook events)
