from django.dispatch import receiver
from wagtail.signals import page_published

from .models import PolicyPage


@receiver(page_published)
def _policy_published(sender, instance, revision=None, **kwargs):
    if (
        isinstance(instance, PolicyPage)
        and instance.locale.language_code == instance.locale.get_default().language_code
    ):
        from .services import on_published

        on_published(page=instance, revision=revision or instance.live_revision)
