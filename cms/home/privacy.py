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


def hidden_paths(user) -> list[str]:
    """Tree paths of restricted pages the user does not pass (memoised on the user for the request). Two queries."""
    cached = getattr(user, "_serambi_hidden_paths", None)
    if cached is not None:
        return cached
    hidden: list[str] = []
    if not getattr(user, "is_superuser", False):
        names = role_names(user)
        for r in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
            if r.restriction_type == PageViewRestriction.LOGIN and user.is_authenticated:
                continue
            if r.restriction_type == PageViewRestriction.GROUPS and any(g.name in names for g in r.groups.all()):
                continue
            hidden.append(r.page.path)  # password-protected and foreign-group pages stay out of every list
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
