"""Who sees which news: targeted (relevance) AND visible (privacy). The only place that decides it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from wagtail.images import get_image_model

from cms.base.audience import Viewer, audience_q, audience_users, viewer_for
from cms.base.privacy import PRIVACY_GENERATION_KEY, visible_q
from cms.base.routing import PAGES_GENERATION_KEY, cached_child
from hr.org.signals import ORG_GENERATION_KEY
from intranet.accounts.roles import role_names
from intranet.core.caching import cache_get, cache_set, digest, generations, generations_with, near_get, near_set

from .dashboard import GENERATION_KEY
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
    generations of cached news lists (`list_versions`)."""

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


def news_list(user, *, category: NewsCategory | None = None, today=None, versions: str | None = None) -> PinnedFirst:
    """`news_for`, for list pages and the dashboard panel (see PinnedFirst)."""
    today = today or timezone.localdate()
    versions = versions or list_versions()
    key = f"cms:news:count:{versions}:{audience_key(user)}:{category.pk if category else 0}:{today.isoformat()}"
    return PinnedFirst(news_for(user, category=category, today=today), today=today, count_key=key)


# Cached news lists and articles. Lists are kept per audience profile under the generations below, so whatever
# changes what a reader may see retires them at once: the news generation (bumped the moment a news item is published,
# unpublished or deleted, or a view restriction changes), the privacy generation (view restrictions, aliases, page
# moves) and the pages generation (bumped after commit of any publish, unpublish or deletion: a request between the
# news bump and the commit may have kept the old state under the new news number). Articles are kept per page and
# live revision under their own generation (`ARTICLE_GENERATION_KEY`). What changes with none of these (a content
# owner renamed) shows within CACHE_SECONDS.
CACHE_SECONDS = 600
VERSION_KEYS = (GENERATION_KEY, PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY)
# What a rendered article shows beyond its own live revision: other pages' addresses (links), category and tag names,
# images and documents. Bumped when any of those changes (`signals`), never by a publish: the revision id in an
# article's key already names what a publish changes, so publishing one item leaves every other article's copy warm.
ARTICLE_GENERATION_KEY = "cms:news:article-generation"
UNIT_SECONDS = 3600  # a reader's unit, remembered with the organisation generation (`list_versions`)


def unit_key(user_id: int) -> str:
    """The cache key of a reader's remembered unit (read with every signed-in request's prefetch: `cms.news.apps`)."""
    return f"cms:news:unit:{user_id}"


def list_versions(user=None) -> str:
    """The generations cached news lists depend on, in one cache round trip (none when prefetched). With `user`, the
    same round trip brings their unit, remembered with the organisation generation it was read under (any move of an
    employee, a unit or a directory sync bumps it: `hr.org.signals`; an older one is read again), so a list served
    from the cache needs no query for the audience profile. Only the unit (targeting: relevance, not privacy) is
    remembered; roles and superuser status, which also decide view restrictions, are this request's. The profile is
    the reader's for the rest of the request, so a list rendered now is the one its key names."""
    if user is None or not user.is_authenticated:
        return ".".join(str(g) for g in generations(*VERSION_KEYS))
    key = unit_key(user.pk)
    (*gens, org_generation), found = generations_with((*VERSION_KEYS, ORG_GENERATION_KEY), [key])
    if getattr(user, "_serambi_viewer", None) is None:
        remembered = found.get(key)
        if remembered is None or remembered[0] != org_generation:
            viewer = viewer_for(user)
            cache_set(key, (org_generation, viewer.unit_id, viewer.unit_path), UNIT_SECONDS)
        else:
            user._serambi_viewer = Viewer(  # as viewer_for memoises it
                user_id=user.pk,
                unit_id=remembered[1],
                unit_path=remembered[2],
                roles=role_names(user),
                is_superuser=bool(user.is_superuser),
            )
    return ".".join(str(g) for g in gens)


def audience_key(user) -> str:
    """What a news list depends on about its reader: the audience profile (unit path, roles, superuser — roles and
    superuser also decide view restrictions) and whether they are logged in (login-only restrictions)."""
    return f"{viewer_for(user).key}{'' if user.is_authenticated else '-anon'}"


def list_copy_key(user, versions: str, category_slug: str, number: int) -> str:
    """The key of a rendered news list page: audience, category, page number, language, day and generations."""
    day = timezone.localdate().isoformat()
    return f"cms:news:list:{versions}:{audience_key(user)}:{get_language()}:{day}:{digest(category_slug)}:{number}"


READS_MAX = 200  # page ids remembered per reader; an older one forgotten costs that reader one query on a revisit
READS_SECONDS = 86400


def reads_key(user_id: int) -> str:
    """The cache key of a reader's remembered reads (read with every signed-in request's prefetch: `cms.news.apps`)."""
    return f"cms:news:reads:{user_id}"


def _request_state(request) -> dict:
    """The generations of cached news content and the reader's remembered reads: at most one cache round trip a
    request (none when prefetched, as they are for a signed-in reader)."""
    state = getattr(request, "_serambi_news", None)
    if state is None:
        user = request.user
        reads = reads_key(user.pk) if user.is_authenticated else None
        gens, found = generations_with((*VERSION_KEYS, ARTICLE_GENERATION_KEY), [reads] if reads else [])
        *version_gens, article_gen = gens
        state = {
            "versions": ".".join(str(g) for g in version_gens),
            "article": article_gen,
            "reads": tuple(found.get(reads) or ()) if reads else (),
        }
        request._serambi_news = state
    return state


def news_child(request, index, slug: str) -> NewsPage | None:
    """The news item `slug` under `index`, or None (`cms.base.routing.cached_child`), kept also under the news
    generation, which a publish bumps the moment it happens."""
    return cached_child(index, slug, versions=_request_state(request)["versions"], queryset=NewsPage.objects)


@dataclass
class ArticleCopy:
    """A news item's rendered article as kept in the cache (None: not kept yet), under `key`, and whether the
    reader is known to be counted already (their recent reads are remembered in the cache: a revisit needs no query).
    """

    key: str
    html: str | None
    read: bool


def article_key(page: NewsPage, language: str, article_generation: int) -> str:
    return f"cms:news:article:{page.pk}:{page.live_revision_id}:{language}:{article_generation}"


def article_copy(request, page: NewsPage) -> ArticleCopy:
    """The rendered article of `page` — the same for every reader allowed to open it: who may is checked per request
    before this (Wagtail's view restrictions) — kept per page, live revision, language and article generation."""
    state = _request_state(request)
    key = article_key(page, get_language(), state["article"])
    return ArticleCopy(key=key, html=near_get(key, CACHE_SECONDS), read=page.pk in state["reads"])


def keep_article(key: str, html: str) -> None:
    near_set(key, str(html), CACHE_SECONDS)


def remember_read(request, page: NewsPage) -> None:
    """The reader is counted for `page` (its source page): remembered, so their revisits skip the read-mark query.
    Two requests of one reader at once may each drop the other's id: that page's next visit then asks again."""
    reads = [pk for pk in _request_state(request)["reads"] if pk != page.pk]
    cache_set(reads_key(request.user.pk), (*reads[-(READS_MAX - 1) :], page.pk), READS_SECONDS)


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
    """What a news item's page shows beyond its own row."""

    category: NewsCategory | None
    content_owner: object | None  # a User with the names the page shows
    tags: list[str]


def article_details(page: NewsPage) -> ArticleDetails:
    """Category, content owner and tag names (one row per tag) in one query instead of one each. Rows as stored: not
    for previews, which show a draft. Whether the reader is counted is not asked here: `services.record_read` is one
    statement that does nothing for a reader counted already, and asking would cost as much."""
    rows = list(
        NewsPage.objects.filter(pk=page.pk)
        .values_list(
            *("category__id", "category__slug", "category__name_id", "category__name_en"),
            *("content_owner__id", "content_owner__username", "content_owner__first_name", "content_owner__last_name"),
            "tagged_items__tag__name",
        )
        .order_by("tagged_items__id")  # as page.tags.all()
    )
    if not rows:  # deleted meanwhile
        return ArticleDetails(category=None, content_owner=None, tags=[])
    cat_id, slug, name_id, name_en, owner_id, username, first_name, last_name = rows[0][:8]
    return ArticleDetails(
        category=NewsCategory(id=cat_id, slug=slug, name_id=name_id, name_en=name_en) if cat_id else None,
        content_owner=get_user_model()(id=owner_id, username=username, first_name=first_name, last_name=last_name)
        if owner_id
        else None,
        tags=[row[8] for row in rows if row[8] is not None],
    )
