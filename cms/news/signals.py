from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from .dashboard import bump_generation
from .models import NewsCategory, NewsPage


@receiver([page_published, page_unpublished])
def _news_changed(sender, instance, **kwargs):
    if isinstance(instance, NewsPage):
        bump_generation()


@receiver(post_delete, sender=NewsPage)
def _news_deleted(sender, **kwargs):
    bump_generation()


@receiver([post_save, post_delete], sender=PageViewRestriction)
def _restriction_changed(sender, **kwargs):
    bump_generation()


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def _restriction_groups_changed(sender, **kwargs):
    bump_generation()


@receiver([post_save, post_delete], sender=NewsCategory)
def _category_changed(sender, **kwargs):
    bump_generation()  # lists and articles show the category's name and filter by it
