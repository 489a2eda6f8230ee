from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "intranet.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from . import checks  # noqa: F401 - registers the deploy check
