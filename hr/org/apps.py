from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "hr.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from intranet.core.caching import prefetch_on_every_request

        from . import signals

        # read by every reader's copy (leave, payslips, documents, dashboard) and the directory's shared copies
        prefetch_on_every_request(lambda user_id: [signals.ORG_GENERATION_KEY] if user_id else [])
