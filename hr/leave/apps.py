from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "hr.leave"
    label = "leave"
    verbose_name = _("Leave")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.panels import register_panel

        from . import signals  # noqa: F401
        from .dashboard import panel
        from .documents import register

        register_panel(panel, generations=[ORG_GENERATION_KEY])
        register()  # the leave letter as an issued document
