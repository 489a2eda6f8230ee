from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "hr.documents"
    label = "documents"
    verbose_name = _("HR documents")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.panels import register_panel

        from .dashboard import panel

        register_panel(panel, generations=[ORG_GENERATION_KEY])
