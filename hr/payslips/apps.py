from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayslipsConfig(AppConfig):
    name = "hr.payslips"
    label = "payslips"
    verbose_name = _("Payslips")

    def ready(self):
        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.panels import register_panel

        # uses models, which are not loaded when apps.py is
        from .dashboard import panel
        from .documents import register

        register_panel(panel, generations=[ORG_GENERATION_KEY])
        register()  # the payslip PDF as an issued document
