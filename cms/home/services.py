"""Content ownership: remind page owners before a page's review-by date lapses (and once when it has lapsed)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cms.base.mixins import ContentOwnerMixin
from intranet.notifications.services import notify


def _owned_models():
    return [m for m in apps.get_models() if issubclass(m, ContentOwnerMixin) and not m._meta.abstract]


def send_review_reminders(*, today: dt.date | None = None) -> int:
    """Notify each page's content owner `SERAMBI_REVIEW_REMINDER_DAYS` days before its review-by date and on the day
    after it lapses. Idempotent per page and day (a cache marker), so running twice sends nothing twice."""
    today = today or timezone.localdate()
    ahead = today + dt.timedelta(days=settings.SERAMBI_REVIEW_REMINDER_DAYS)
    lapsed = today - dt.timedelta(days=1)
    sent = 0
    for model in _owned_models():
        pages = model.objects.filter(content_owner__isnull=False, review_by__in=[ahead, lapsed]).select_related(
            "content_owner"
        )
        for page in pages:
            marker = f"cms:review-reminder:{page.pk}:{page.review_by}:{today}"
            if not cache.add(marker, 1, 3 * 86400):
                continue
            if page.review_by == ahead:
                title = _("Please review “%(title)s” by %(date)s") % {
                    "title": page.title,
                    "date": date_format(page.review_by, "j F Y"),
                }
            else:
                title = _("The review date of “%(title)s” has passed") % {"title": page.title}
            with transaction.atomic():
                notify(
                    page.content_owner, "cms.review", title, url=f"/{settings.WAGTAIL_ADMIN_PATH}pages/{page.pk}/edit/"
                )
            sent += 1
    return sent
