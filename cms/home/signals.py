"""Cache invalidation for what every page reads: the site alert banner, and the view-restriction list
(`cms.base.privacy`). Deleted at once and again after commit, so no request can re-cache the old value in between."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.base.privacy import bump_privacy_generation
from cms.base.routing import PAGES_GENERATION_KEY
from intranet.core.caching import bump_generation

from .context_processors import forget_alert
from .middleware import forget_sites
from .models import SiteAlert


@receiver([post_save, post_delete], sender=SiteAlert)
def _alert_changed(sender, **kwargs):
    forget_alert()
    transaction.on_commit(forget_alert)


@receiver([post_save, post_delete], sender=PageViewRestriction)
@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
@receiver(post_page_move)
def _privacy_changed(sender, **kwargs):
    bump_privacy_generation()
    transaction.on_commit(bump_privacy_generation)
    if kwargs.get("signal") is post_page_move:  # the cached Site carries its root page's tree path
        _site_changed(sender)


@receiver(post_save)
def _alias_saved(sender, instance, **kwargs):
    """A new alias takes its source's view restrictions: the cached privacy data must learn its path."""
    if isinstance(instance, Page) and instance.alias_of_id is not None:
        _privacy_changed(sender)


@receiver([post_save, post_delete], sender=Site)
def _site_changed(sender, **kwargs):
    forget_sites()
    transaction.on_commit(forget_sites)


@receiver([page_published, page_unpublished])
@receiver(post_delete, sender=Page)
def _pages_changed(sender, **kwargs):
    """A course, policy or news item appeared or went away: cached dashboards are retired (`cms.home.dashboard`), and
    the cached Site, which carries the home page's content (quick links), is dropped."""
    transaction.on_commit(lambda: bump_generation(PAGES_GENERATION_KEY))
    _site_changed(sender)
