from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "hr.leave"
    label = "leave"
    verbose_name = _("Leave")

    def ready(self):
        from intranet.core.caching import prefetch_on_every_request

        from . import signals  # noqa: F401
        from .documents import register

        register()  # the leave letter as an issued document
        from .selectors import LEAVE_TYPES_GENERATION

        # what the request form's leave types are kept under: read with the request's first round trip
        prefetch_on_every_request(lambda user_id: [LEAVE_TYPES_GENERATION] if user_id else [])
