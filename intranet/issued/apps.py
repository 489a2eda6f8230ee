from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuedConfig(AppConfig):
    name = "intranet.issued"
    label = "issued"
    verbose_name = _("Issued documents")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check
