import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("intranet.accounts.ldap")


class AccountsConfig(AppConfig):
    name = "intranet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from django.conf import settings
        from django.contrib.auth.models import Group

        from intranet.core.caching import bump_on_write

        from . import checks  # noqa: F401 - registers the deploy check
        from .ldap import role_checks  # noqa: F401 - registers the system check
        from .ldap.mappings import ROLE_PLAN_GENERATION
        from .models import DirectoryGroupMapping

        bump_on_write(ROLE_PLAN_GENERATION, DirectoryGroupMapping, Group)  # the role plan kept for directory logins

        if getattr(settings, "LDAP_ENABLED", False) and getattr(settings, "LDAP_INSECURE_SKIP_TLS_VERIFY", False):
            logger.warning(
                "LDAP_INSECURE_SKIP_TLS_VERIFY is ON: directory TLS certificates are NOT verified. Anyone on the "
                "network path can impersonate the directory and read passwords. Use LDAP_CA_FILE instead."
            )
