from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .context_processors import CACHE_KEY
from .models import SiteAlert


@receiver([post_save, post_delete], sender=SiteAlert)
def _alert_changed(sender, **kwargs):
    cache.delete(CACHE_KEY)
