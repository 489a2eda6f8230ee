"""The generations that page routing depends on: publish, unpublish and deletion (the pages generation; a slug
changes only when published) and page moves and view restrictions (the privacy generation). Copies of pages found by
routing (the section pages, `pages.section_page`) and of lists of pages are kept under them."""

from __future__ import annotations

from intranet.core.caching import generations

from .privacy import PRIVACY_GENERATION_KEY

PAGES_GENERATION_KEY = "cms:pages:generation"  # bumped on any page publish, unpublish or delete (`cms.home.signals`)
ROUTE_SECONDS = 60  # bounds how long a page could still be routed if the cache missed a bump


def route_versions() -> str:
    return ".".join(str(g) for g in generations(PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY))
