from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "cms.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from intranet.core.panels import register_panel

        # uses models, which are not loaded when apps.py is
        from .dashboard import panel
        from .documents import register

        register_panel(panel)
        register()  # the training certificate as an issued document
