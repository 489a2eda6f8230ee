from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayslipsConfig(AppConfig):
    name = "hr.payslips"
    label = "payslips"
    verbose_name = _("Payslips")

    def ready(self):
        from .documents import register

        register()  # the payslip PDF as an issued document
