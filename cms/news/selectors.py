"""Who sees which news: targeted (relevance) AND visible (privacy). The only place that decides it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
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


MAX_PINNED = 50  # editors pin a handful; more than this many are listed by date like the rest


class PinnedFirst:
    """News for a list page: pinned items first, then the rest newest first — as `news_for` orders them, but as two
    queries that each follow an index (news_newspage date, page id) and stop at the page size. `news_for`'s single
    ORDER BY sorts every visible item on each request, because "pinned" depends on today and no index holds it.
    The total (for the paginator) is counted once per audience, category and day and kept in the cache under the
    news generation, which every publish, unpublish, deletion and view-restriction change bumps."""

    def __init__(self, qs: QuerySet[NewsPage], *, today, count_key: str):
        self._pinned_qs = qs.filter(pinned_until__gte=today).order_by("-date", "-page_ptr_id")[:MAX_PINNED]
        self._rest_qs = qs.filter(Q(pinned_until__isnull=True) | Q(pinned_until__lt=today)).order_by(
            "-date", "-page_ptr_id"
        )
        self._count_key = count_key
        self._pinned: list[NewsPage] | None = None
        self._count: int | None = None

    def _pinned_items(self) -> list[NewsPage]:
        if self._pinned is None:
            self._pinned = list(self._pinned_qs)
        return self._pinned

    def count(self) -> int:
        if self._count is None:
            from intranet.core.caching import cache_get, cache_set

            rest = cache_get(self._count_key)
            if rest is None:
                rest = self._rest_qs.count()
                cache_set(self._count_key, rest, 600)
            self._count = len(self._pinned_items()) + rest
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("PinnedFirst supports plain slices only")
        start, stop = item.start or 0, item.stop
        pinned = self._pinned_items()
        head = pinned[start:stop]
        rest_start = max(start - len(pinned), 0)
        rest_stop = None if stop is None else max(stop - len(pinned), 0)
        tail = [] if rest_stop is not None and rest_stop <= rest_start else list(self._rest_qs[rest_start:rest_stop])
        return head + tail


def news_list(user, *, category: NewsCategory | None = None, today=None) -> PinnedFirst:
    """`news_for`, for list pages and the dashboard panel (see PinnedFirst)."""
    from cms.home.audience import viewer_for

    from .dashboard import generation

    today = today or timezone.localdate()
    viewer = viewer_for(user)
    key = f"cms:news:count:{generation()}:{viewer.key}:{category.pk if category else 0}:{today.isoformat()}"
    return PinnedFirst(news_for(user, category=category, today=today), today=today, count_key=key)


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


@dataclass(frozen=True)
class ArticleDetails:
    """What a news item's page shows beyond its own row, and whether the reader is counted already."""

    category: NewsCategory | None
    content_owner: object | None  # a User with the names the page shows
    tags: list[str]
    read: bool  # `user` is already a reader of the item's source page: `services.record_read` has nothing to do


def article_details(page: NewsPage, user) -> ArticleDetails:
    """Category, content owner, tag names (one row per tag) and the reader's read mark of the source page
    (`source_page_id`), in one query instead of one each. Rows as stored: not for previews, which show a draft."""
    read = NewsRead.objects.filter(
        user=user,
        page__translation_key=OuterRef("translation_key"),
        page__locale__language_code=settings.LANGUAGE_CODE,
    )
    rows = list(
        NewsPage.objects.filter(pk=page.pk)
        .annotate(read=Exists(read))
        .values_list(
            *("category__id", "category__slug", "category__name_id", "category__name_en"),
            *("content_owner__id", "content_owner__username", "content_owner__first_name", "content_owner__last_name"),
            *("tagged_items__tag__name", "read"),
        )
        .order_by("tagged_items__id")  # as page.tags.all()
    )
    if not rows:  # deleted meanwhile
        return ArticleDetails(category=None, content_owner=None, tags=[], read=False)
    cat_id, slug, name_id, name_en, owner_id, username, first_name, last_name = rows[0][:8]
    return ArticleDetails(
        category=NewsCategory(id=cat_id, slug=slug, name_id=name_id, name_en=name_en) if cat_id else None,
        content_owner=get_user_model()(id=owner_id, username=username, first_name=first_name, last_name=last_name)
        if owner_id
        else None,
        tags=[row[8] for row in rows if row[8] is not None],
        read=rows[0][9],
    )
