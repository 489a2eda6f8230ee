from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .dashboard import bump_policies_generation
from .models import AcknowledgementRound, PolicyPage


def _retire_cached_panels() -> None:
    bump_policies_generation()
    transaction.on_commit(bump_policies_generation)


@receiver([page_published, page_unpublished])
def _policy_changed(sender, instance, **kwargs):
    if isinstance(instance, PolicyPage):
        _retire_cached_panels()


@receiver(post_delete, sender=PolicyPage)
@receiver(post_save, sender=AcknowledgementRound)
def _policy_deleted_or_new_round(sender, **kwargs):
    _retire_cached_panels()


@receiver(page_published)
def _policy_published(sender, instance, revision=None, **kwargs):
    if (
        isinstance(instance, PolicyPage)
        and instance.locale.language_code == instance.locale.get_default().language_code
    ):
        from .services import on_published

        on_published(page=instance, revision=revision or instance.live_revision)
