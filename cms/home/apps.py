from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "cms.home"
    label = "home"
    verbose_name = _("Home")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from . import locales, signals  # noqa: F401 - signals connects the receivers

        locales.install()
