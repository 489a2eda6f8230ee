from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "cms.home"
    label = "home"
    verbose_name = _("Home")

    def ready(self):
        from . import locales, signals  # noqa: F401

        locales.install()

        from cms.news.dashboard import GENERATION_KEY as NEWS
        from cms.news.selectors import ARTICLE_GENERATION_KEY as ARTICLES
        from cms.policies.dashboard import GENERATION_KEY as POLICIES
        from intranet.core.caching import prefetch_on_every_request

        from .context_processors import ALERT_CACHE_KEY
        from .dashboard import PAGES_GENERATION_KEY
        from .middleware import SITES_CACHE_KEY
        from .privacy import PRIVACY_GENERATION_KEY

        # every page: the Site (routing); a logged-in user's pages: the alert banner and the content generations that
        # the dashboard, page routing (view restrictions), news lists, articles and search key their copies by
        signed_in = [
            *(SITES_CACHE_KEY, ALERT_CACHE_KEY, PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY),
            *(NEWS, POLICIES, ARTICLES),
        ]
        prefetch_on_every_request(lambda user_id: signed_in if user_id else [SITES_CACHE_KEY])
