from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "cms.news"
    label = "news"
    verbose_name = _("News")

    def ready(self):
        from intranet.core.caching import prefetch_on_every_request

        from . import signals  # noqa: F401
        from .selectors import reads_key, unit_key

        # a reader's remembered reads (an article) and unit (a news list): their pages then make no round trip of
        # their own; a few hundred bytes more for every other page's
        prefetch_on_every_request(lambda user_id: [reads_key(user_id), unit_key(user_id)] if user_id else [])
