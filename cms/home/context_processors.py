"""The site alert banner (a Wagtail generic setting editors switch on). One small query per page, deliberately not
cached: a banner switched off must disappear at once on every worker, and the query count stays the same on every
request (tests of other apps count queries)."""

from django.utils import timezone
from django.utils.translation import get_language


def site_alert(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from .models import SiteAlert

    alert = SiteAlert.objects.filter(enabled=True).first()
    if alert is None or not (alert.message_id or alert.message_en):
        return {}
    if alert.until and alert.until < timezone.now():
        return {}
    message = alert.message_en if get_language() == "en" and alert.message_en else alert.message_id or alert.message_en
    return {"site_alert": {"level": alert.level, "message": message, "link": alert.link}}
