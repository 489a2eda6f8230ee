from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "intranet.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from . import signals  # noqa: F401
