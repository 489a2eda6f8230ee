"""Privacy: Wagtail view restrictions, enforced in every list, the dashboard and search.

A page under a group restriction the reader does not pass never appears anywhere for that reader — not even its title.
Translations share the restriction of their source page (matched by translation_key).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.models import Page, PageViewRestriction

from intranet.accounts.roles import role_names
from intranet.core.caching import bump_generation, generation, near_get, near_set, request_memo

PRIVACY_GENERATION_KEY = "cms:privacy:generation"
PRIVACY_SECONDS = 60


def privacy_generation() -> int:
    return generation(PRIVACY_GENERATION_KEY)


def bump_privacy_generation() -> None:
    """Called when a view restriction (or its groups) changes, an alias is saved or a page moves (`signals`)."""
    bump_generation(PRIVACY_GENERATION_KEY)


def _privacy_data() -> dict:
    """What every page view needs about privacy, shared by the whole site and kept in the cache under a generation
    number that every restriction change, alias creation and page move bumps (`cms.home.signals`). Three queries
    when cold, none when warm:
    - "restrictions": every view restriction as (page path, type, group names);
    - "paths": tree paths under which Wagtail's own per-page check could find a restriction — the restricted pages
      and every alias page (an alias takes its source's restrictions, so anything under an alias is checked fully)."""
    memo = request_memo()
    if memo is not None and "privacy" in memo:
        return memo["privacy"]  # read once per request, however many parts of the page ask
    key = f"cms:privacy:data:{privacy_generation()}"
    data = near_get(key, PRIVACY_SECONDS)
    if data is None:
        restrictions = [
            (r.page.path, r.restriction_type, frozenset(g.name for g in r.groups.all()))
            for r in PageViewRestriction.objects.select_related("page").prefetch_related("groups")
        ]
        aliases = list(Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True))
        data = {"restrictions": restrictions, "paths": tuple(sorted({p for p, _t, _g in restrictions} | set(aliases)))}
        # A minute, not longer: if the cache was unreachable when a restriction changed, the bump was lost, and this
        # bounds how long the old list (which also decides whether Wagtail's own check runs) can be served.
        near_set(key, data, PRIVACY_SECONDS)
    if memo is not None:
        memo["privacy"] = data
    return data


def _restrictions() -> list[tuple[str, str, frozenset[str]]]:
    return _privacy_data()["restrictions"]


def may_have_view_restrictions(page) -> bool:
    """False when neither the page nor any ancestor carries a view restriction and none is an alias (whose source
    could): Wagtail's per-request check (two queries) can then be skipped. Never False for a restricted page."""
    if page.alias_of_id is not None:
        return True
    return any(page.path.startswith(p) for p in _privacy_data()["paths"])


def hidden_paths(user) -> list[str]:
    """Tree paths of restricted pages the user does not pass (memoised on the user for the request)."""
    cached = getattr(user, "_serambi_hidden_paths", None)
    if cached is not None:
        return cached
    hidden: list[str] = []
    if not getattr(user, "is_superuser", False):
        names = role_names(user)
        for path, kind, groups in _restrictions():
            if kind == PageViewRestriction.LOGIN and user.is_authenticated:
                continue
            if kind == PageViewRestriction.GROUPS and groups & names:
                continue
            hidden.append(path)  # password-protected and foreign-group pages stay out of every list
    if user.is_authenticated:
        user._serambi_hidden_paths = hidden
    return hidden


def visible_q(user) -> Q:
    """Q over Page (or a page subclass) excluding restricted pages the user may not see, and their translations."""
    paths = hidden_paths(user)
    if not paths:
        return Q()
    under = reduce(or_, (Q(path__startswith=p) for p in paths))
    hidden_keys = Page.objects.filter(under).values("translation_key")
    return ~Q(translation_key__in=hidden_keys)


def can_view(page, user) -> bool:
    paths = hidden_paths(user)
    if not paths:
        return True
    if any(page.path.startswith(p) for p in paths):
        return False
    under = reduce(or_, (Q(path__startswith=p) for p in paths))
    return not Page.objects.filter(under, translation_key=page.translation_key).exists()
