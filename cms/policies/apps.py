from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "cms.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self):
        from . import signals  # noqa: F401
