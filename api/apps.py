from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = _("Interoperability API")

    def ready(self):
        from . import signals  # noqa: F401  (connects the leave webhook events)
