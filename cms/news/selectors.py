"""Who sees which news: targeted (relevance) AND visible (privacy). The only place that decides it."""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from wagtail.images import get_image_model

from cms.home.audience import audience_q, audience_users
from cms.home.privacy import visible_q

from .models import NewsCategory, NewsPage, NewsRead


def news_for(user, *, category: NewsCategory | None = None, today=None) -> QuerySet[NewsPage]:
    """Live news (default-locale source pages) targeted at and visible to `user`: pinned first, then newest."""
    today = today or timezone.localdate()
    qs = (
        NewsPage.objects.live()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .filter(audience_q(NewsPage, user))
        .filter(visible_q(user))
        .select_related("category")
        .prefetch_related(Prefetch("lead_image", queryset=get_image_model().objects.prefetch_renditions()))
        .annotate(
            pinned=Case(
                When(Q(pinned_until__gte=today), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("-pinned", "-date", "-pk")
    )
    if category is not None:
        qs = qs.filter(category=category)
    return qs


def source_page_id(page) -> int:
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page.pk
    src = NewsPage.objects.filter(translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE)
    return src.values_list("pk", flat=True).first() or page.pk


def reach(page: NewsPage) -> dict:
    """Unique readers and reach (% of the targeted audience who opened it)."""
    pk = source_page_id(page)
    source = NewsPage.objects.get(pk=pk) if pk != page.pk else page
    audience = audience_users(source)
    audience_size = audience.count()
    readers = NewsRead.objects.filter(page_id=pk)
    unique_readers = readers.count()
    reached = readers.filter(user__in=audience.values("pk")).count()
    percent = round(100 * reached / audience_size, 1) if audience_size else 0.0
    return {"readers": unique_readers, "reached": reached, "audience": audience_size, "percent": percent}
