from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "hr.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from intranet.accounts.ldap.hooks import after_accounts_provisioned
        from intranet.accounts.roles import roles_key
        from intranet.core.caching import prefetch_on_every_request

        from . import checks, signals  # noqa: F401 - checks registers the deploy check
        from .directory_sync import apply_directory_records
        from .selectors import employee_key

        after_accounts_provisioned(apply_directory_records)  # the directory's part in the HR records

        # the generation is read by every reader's copy (leave, payslips, documents, dashboard) and the directory's
        # shared copies; the reader's roles by every page, their employee record by most (both kept under it)
        prefetch_on_every_request(
            lambda user_id: [signals.ORG_GENERATION_KEY, employee_key(user_id), roles_key(user_id)] if user_id else []
        )
