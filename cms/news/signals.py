from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from intranet.core.background import enqueue
from intranet.core.caching import bump_generation_now_and_on_commit

from .dashboard import bump_generation
from .models import NewsCategory, NewsPage
from .selectors import ARTICLE_GENERATION_KEY


@receiver([page_published, page_unpublished])
def _news_changed(sender, instance, **kwargs):
    if isinstance(instance, NewsPage):
        bump_generation()


@receiver(page_published)
def _news_published(sender, instance, **kwargs):
    if isinstance(instance, NewsPage):
        from .tasks import render_article_copies

        enqueue(render_article_copies, instance.pk)  # after commit: the worker reads the new live revision


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
    _article_content_changed(sender)


@receiver([page_slug_changed, post_page_move, page_unpublished])
@receiver(post_delete, sender=Page)
@receiver([post_save, post_delete], sender=Site)
@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=get_image_model())
@receiver(post_delete, sender=get_document_model())
def _article_content_changed(sender, **kwargs):
    """Something a rendered article may show besides its own revision changed: a linked page's address (slug, move,
    unpublish, deletion, the site), a tag's name, an image or a document. Published articles are kept under their
    revision (`selectors.article_copy`); this retires them all — rare events, unlike a publish."""
    bump_generation_now_and_on_commit(ARTICLE_GENERATION_KEY)


@receiver(post_save, sender=Tag)
@receiver(post_save, sender=get_image_model())
@receiver(post_save, sender=get_document_model())
def _article_part_saved(sender, created=False, **kwargs):
    if not created:  # a new tag, image or document is in no published article yet: uploads keep articles warm
        _article_content_changed(sender)
