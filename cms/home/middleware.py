"""Wagtail looks up the Site for every page request (one query). The answer changes only when a Site record (or the
page tree) does, so it is kept in the shared cache: one entry mapping "host:port" to the Site, deleted whenever a
Site is saved or deleted, a page moves or any page is published, unpublished or deleted (the cached root page's
content must follow; `cms.home.signals`). Only hosts that pass ALLOWED_HOSTS are remembered."""

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port
from wagtail.models import Site

from intranet.core.caching import cache_delete, cache_get, cache_set

SITES_CACHE_KEY = "cms:sites"


def forget_sites() -> None:
    cache_delete(SITES_CACHE_KEY)


class CachedSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()  # validates the Host header; the cache never learns a host Django would refuse
        except DisallowedHost:
            return self.get_response(request)
        hostname = split_domain_port(request._get_raw_host())[0]  # as Site.find_for_request does
        key = f"{hostname}:{request.get_port()}"
        sites = cache_get(SITES_CACHE_KEY) or {}
        if key not in sites:
            site = Site._find_for_request(request)
            if site is not None:
                # fetched now (with its specific HomePage) so the cached copy carries them: Wagtail's routing starts
                # at site.root_page.localized.specific on every page request
                site.root_page.specific  # noqa: B018
            sites = {**sites, key: site}
            cache_set(SITES_CACHE_KEY, sites, 3600)
        request._wagtail_site = sites[key]
        return self.get_response(request)
