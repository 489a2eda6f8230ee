"""The site alert banner, cached (invalidated when an editor saves the setting)."""

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

CACHE_KEY = "cms:site-alert:v1"


def _alert_data():
    data = cache.get(CACHE_KEY)
    if data is None:
        from .models import SiteAlert

        alert = SiteAlert.objects.first()
        data = {}
        if alert and alert.enabled and (alert.message_id or alert.message_en):
            data = {
                "level": alert.level,
                "id": alert.message_id,
                "en": alert.message_en,
                "link": alert.link,
                "until": alert.until,
            }
        cache.set(CACHE_KEY, data, 300)
    return data


def site_alert(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    data = _alert_data()
    if not data or (data["until"] and data["until"] < timezone.now()):
        return {}
    message = data["en"] if get_language() == "en" and data["en"] else data["id"] or data["en"]
    return {"site_alert": {"level": data["level"], "message": message, "link": data["link"]}}
