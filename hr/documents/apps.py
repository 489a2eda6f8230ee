from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "hr.documents"
    label = "documents"
    verbose_name = _("HR documents")

    def ready(self):
        from intranet.core.caching import prefetch_on_every_request

        from .signals import DOCUMENTS_GENERATION_KEY

        # what every reader's document list is kept under: read with the request's first round trip
        prefetch_on_every_request(lambda user_id: [DOCUMENTS_GENERATION_KEY] if user_id else [])
