from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from cms.base.audience import viewer_for
from cms.base.pages import localize_pages
from cms.base.privacy import privacy_generation
from intranet.core.caching import bump_generation, cache_delete, cache_get, cache_set, generation

GENERATION_KEY = "cms:policies:generation"
PANEL_SIZE = 5


def bump_policies_generation() -> None:
    """A policy was published, unpublished or deleted, or a new acknowledgement round began (`signals`)."""
    bump_generation(GENERATION_KEY)


def _key(user, language: str) -> str:
    # the reader's audience profile is part of the key: a move to another unit or a new role shows other policies
    viewer = viewer_for(user)
    return f"cms:policies:pending:{generation(GENERATION_KEY)}:{privacy_generation()}:{viewer.key}:{language}:{user.pk}"


def forget_pending(user) -> None:
    """The user acknowledged a policy: their cached list is dropped in every language."""
    for code, _name in settings.LANGUAGES:
        cache_delete(_key(user, code))


def pending_items(user) -> list:
    key = _key(user, get_language())
    items = cache_get(key)
    if items is None:
        from .selectors import pending_for

        items = localize_pages(list(pending_for(user)[:PANEL_SIZE]))
        cache_set(key, items, 600)
    return items


def panel(request):
    """Policies waiting for my acknowledgement. Cached per reader; acknowledging drops the entry (`services`), and
    publishing, unpublishing or a restriction change retires every entry (generation numbers)."""
    pending = pending_items(request.user)
    if not pending:
        return None
    return {
        "template": "policies/dashboard_panel.html",
        "context": {"policies": pending, "today": timezone.localdate()},
        "order": 30,
    }
