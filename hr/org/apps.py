from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "hr.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from . import signals  # noqa: F401
