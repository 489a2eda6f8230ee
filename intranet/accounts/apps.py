import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("intranet.accounts.ldap")


class AccountsConfig(AppConfig):
    name = "intranet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.conf import settings

        from .ldap.provisioning import connect_role_plan_signals

        connect_role_plan_signals()

        if getattr(settings, "LDAP_ENABLED", False) and getattr(settings, "LDAP_INSECURE_SKIP_TLS_VERIFY", False):
            logger.warning(
                "LDAP_INSECURE_SKIP_TLS_VERIFY is ON: directory TLS certificates are NOT verified. Anyone on the "
                "network path can impersonate the directory and read passwords. Use LDAP_CA_FILE instead."
            )
