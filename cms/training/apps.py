from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "cms.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from .documents import register

        register()  # the training certificate as an issued document
