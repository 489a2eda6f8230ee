from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "cms.home"
    label = "home"
    verbose_name = _("Home")

    def ready(self):
        # imported here, not at the top: these modules use models, which are not loaded when apps.py is
        from cms.base.privacy import PRIVACY_GENERATION_KEY
        from cms.base.routing import PAGES_GENERATION_KEY
        from intranet.core.caching import prefetch_on_every_request

        from . import locales, signals  # noqa: F401 - signals connects the receivers
        from .context_processors import ALERT_CACHE_KEY
        from .middleware import SITES_CACHE_KEY

        locales.install()
        # every page: the Site (routing); a logged-in user's pages: the alert banner and the generations that page
        # routing (view restrictions) and every cached page list key their copies by; the content apps add their own
        signed_in = [SITES_CACHE_KEY, ALERT_CACHE_KEY, PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY]
        prefetch_on_every_request(lambda user_id: signed_in if user_id else [SITES_CACHE_KEY])
