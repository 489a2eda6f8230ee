from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "intranet.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from .images import apply_pillow_limit

        apply_pillow_limit()
