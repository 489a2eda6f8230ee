from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "hr.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from intranet.accounts.ldap.hooks import after_accounts_provisioned

        from . import checks, signals  # noqa: F401 - checks registers the deploy check
        from .directory_sync import apply_directory_records

        after_accounts_provisioned(apply_directory_records)  # the directory's part in the HR records
