from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "hr.documents"
    label = "documents"
    verbose_name = _("HR documents")

    def ready(self):
        from . import signals  # noqa: F401
