from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "hr.leave"
    label = "leave"
    verbose_name = _("Leave")

    def ready(self):
        from . import signals  # noqa: F401
