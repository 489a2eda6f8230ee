from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "intranet.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from intranet.core.caching import prefetch_on_every_request

        from .selectors import unread_cache_key

        prefetch_on_every_request(lambda user_id: [unread_cache_key(user_id)] if user_id else [])  # the bell
