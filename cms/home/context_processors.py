"""The site alert banner (a Wagtail generic setting editors switch on). Read from the shared cache (no query on a
warm page); saving or deleting the setting deletes the cached copy (`cms.home.signals`), so a banner switched off
disappears at once on every worker. The `until` time is checked on every request, not cached."""

from django.utils import timezone
from django.utils.translation import get_language

from intranet.core.caching import cache_delete, cache_get, cache_set, request_memo

ALERT_CACHE_KEY = "cms:site-alert"
ALERT_CACHE_SECONDS = 300


def _current_alert() -> dict:
    memo = request_memo()
    if memo is not None and "alert" in memo:
        return memo["alert"]  # the dashboard's cache key reads it too
    data = cache_get(ALERT_CACHE_KEY)
    if data is None:
        from .models import SiteAlert

        alert = SiteAlert.objects.filter(enabled=True).first()
        data = {}  # "no alert" is cached too
        if alert is not None and (alert.message_id or alert.message_en):
            data = {
                "level": alert.level,
                "message_id": alert.message_id,
                "message_en": alert.message_en,
                "link": alert.link,
                "until": alert.until,
            }
        cache_set(ALERT_CACHE_KEY, data, ALERT_CACHE_SECONDS)
    if memo is not None:
        memo["alert"] = data
    return data


def forget_alert() -> None:
    cache_delete(ALERT_CACHE_KEY)


def site_alert(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    alert = _current_alert()
    if not alert:
        return {}
    if alert["until"] and alert["until"] < timezone.now():
        return {}
    english = get_language() == "en" and alert["message_en"]
    message = alert["message_en"] if english else alert["message_id"] or alert["message_en"]
    return {"site_alert": {"level": alert["level"], "message": message, "link": alert["link"]}}
