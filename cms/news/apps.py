from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "cms.news"
    label = "news"
    verbose_name = _("News")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from intranet.core.caching import prefetch_on_every_request
        from intranet.core.panels import register_panel

        from . import signals  # noqa: F401 - connects the receivers
        from .dashboard import GENERATION_KEY, panel
        from .selectors import ARTICLE_GENERATION_KEY, reads_key, unit_key

        register_panel(panel, generations=[GENERATION_KEY])

        # a reader's remembered reads (an article) and unit (a news list): their pages then make no round trip of
        # their own; a few hundred bytes more for every other page's
        # their own; a few hundred bytes more for every other page's. The generations news lists and articles are kept
        # under, too.
        prefetch_on_every_request(
            lambda user_id: [GENERATION_KEY, ARTICLE_GENERATION_KEY, reads_key(user_id), unit_key(user_id)]
            if user_id
            else []
        )
