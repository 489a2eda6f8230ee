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
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import sessions

        def _logged_in(sender, request, user, **kwargs):
            session = getattr(request, "session", None)
            sessions.record_session(user=user, session_key=getattr(session, "session_key", None))

        def _logged_out(sender, request, user, **kwargs):
            session = getattr(request, "session", None)
            sessions.forget_session(session_key=getattr(session, "session_key", None))

        user_logged_in.connect(_logged_in, dispatch_uid="accounts.record_session")
        user_logged_out.connect(_logged_out, dispatch_uid="accounts.forget_session")

        if getattr(settings, "LDAP_ENABLED", False) and getattr(settings, "LDAP_INSECURE_SKIP_TLS_VERIFY", False):
            logger.warning(
                "LDAP_INSECURE_SKIP_TLS_VERIFY is ON: directory TLS certificates are NOT verified. Anyone on the "
                "network path can impersonate the directory and read passwords. Use LDAP_CA_FILE instead."
            )
