from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "hr.documents"
    label = "documents"
    verbose_name = _("HR documents")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.caching import prefetch_on_every_request
        from intranet.core.panels import register_panel

        from .dashboard import panel
        from .signals import DOCUMENTS_GENERATION_KEY

        register_panel(panel, generations=[ORG_GENERATION_KEY])

        # what every reader's document list is kept under: read with the request's first round trip
        prefetch_on_every_request(lambda user_id: [DOCUMENTS_GENERATION_KEY] if user_id else [])
