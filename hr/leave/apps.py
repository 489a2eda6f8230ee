from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "hr.leave"
    label = "leave"
    verbose_name = _("Leave")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.caching import prefetch_on_every_request
        from intranet.core.panels import register_panel

        from . import signals  # noqa: F401
        from .dashboard import panel
        from .documents import register
        from .selectors import LEAVE_TYPES_GENERATION

        register_panel(panel, generations=[ORG_GENERATION_KEY])
        register()  # the leave letter as an issued document

        # what the request form's leave types are kept under: read with the request's first round trip
        prefetch_on_every_request(lambda user_id: [LEAVE_TYPES_GENERATION] if user_id else [])
