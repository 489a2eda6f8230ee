from intranet.core.caching import cache_get, cache_set

from .models import Notification

UNREAD_CACHE_SECONDS = 300


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def notifications_for(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    """The bell's number, shown on every page: kept in the shared cache per user; `notify` and `mark_read` delete
    the entry (after commit too), so it is never stale for longer than a racing request."""
    key = unread_cache_key(user.pk)
    count = cache_get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache_set(key, count, UNREAD_CACHE_SECONDS)
    return count
