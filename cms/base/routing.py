"""Page routing from the cache: the child page a path segment names, kept so that revisits route without a query.
Kept because the load benchmark shows it: routed by Wagtail alone, a news item cost 4 more queries and the news page
served half as many requests per second against the authenticated floor (docs/performance.md).

Wagtail routes each segment of a page's path with two queries (the child's base row, then its specific row). A child
is kept per parent and slug under the generations that whatever changes routing bumps: publish, unpublish and
deletion (the pages generation; a slug changes only when published) and page moves and view restrictions (the privacy
generation), and for ROUTE_SECONDS at most. View restrictions and whether the page is live are still decided on every
request (Wagtail's `route` and `before_serve_page`), from the kept row."""

from __future__ import annotations

from wagtail.models import Page

from intranet.core.caching import digest, generations, near_get, near_set

from .privacy import PRIVACY_GENERATION_KEY

PAGES_GENERATION_KEY = "cms:pages:generation"  # bumped on any page publish, unpublish or delete (`cms.home.signals`)
ROUTE_SECONDS = 60  # bounds how long a page could still be routed if the cache missed a bump


def route_versions() -> str:
    """The generations routing depends on (read with every signed-in request's prefetch: no extra round trip)."""
    return ".".join(str(g) for g in generations(PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY))


def cached_child(parent, slug: str, *, versions: str | None = None, queryset=None):
    """The child of `parent` whose slug is `slug` (any state: routing decides what to serve), as its specific page
    with its locale (translation checks read it on every request), or None. `queryset` narrows it to one page type
    (a child of another type is then None); `versions` adds generations the caller's copies depend on."""
    model = Page if queryset is None else queryset.model
    key = f"cms:route:{model._meta.label_lower}:{parent.pk}:{digest(slug)}:{versions or route_versions()}"
    page = near_get(key, ROUTE_SECONDS)
    if page is None:
        children = (Page.objects if queryset is None else queryset).child_of(parent).filter(slug=slug)
        page = children.select_related("locale").first()
        if page is None:
            return None  # unknown addresses are not remembered: they would fill the cache
        if queryset is None:
            page = page.specific
            page.locale  # noqa: B018 - loaded now, kept with the page
        near_set(key, page, ROUTE_SECONDS)
    return page
