from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "cms.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from intranet.core.caching import prefetch_on_every_request
        from intranet.core.panels import register_panel

        from . import signals  # noqa: F401 - connects the receivers
        from .dashboard import GENERATION_KEY, panel

        register_panel(panel, generations=[GENERATION_KEY])
        prefetch_on_every_request(lambda user_id: [GENERATION_KEY] if user_id else [])  # the pending-policies panel
