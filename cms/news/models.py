import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.base.audience import AudienceMixin
from cms.base.mixins import ContentOwnerMixin
from cms.base.pages import is_editor, localize_pages
from intranet.core.bilingual import BilingualName
from intranet.core.caching import cache_get, cache_set


@register_snippet
class NewsCategory(BilingualName, models.Model):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True, default="")

    panels = [FieldPanel("name_id"), FieldPanel("name_en"), FieldPanel("slug")]

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self):
        return self.name


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("news.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


MAX_CACHED_PAGE = 100  # news list pages kept in the cache per audience; readers rarely page further


class NewsIndexPage(ContentOwnerMixin, Page):
    """'Berita': the news list (category filter, pagination), pinned items first."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.NewsPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]
    page_size = 20

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_list"] = self.news_list_html(request)
        context["show_reach"] = is_editor(request.user)
        return context

    def news_list_html(self, request) -> str:
        """The filter form, the reader's news and the pagination: the same for every reader with the same audience
        profile, so rendered once per audience, category, page number, language and day and kept under the
        generations of cached news lists (`selectors.list_copy_key`). No CSRF token, message or per-user data inside.
        Looked up under the requested category and page number, kept under the ones shown: an unknown category or a
        page past the end is rendered afresh (and never fills the cache with copies of another page)."""
        from . import selectors

        user, slug, number = request.user, request.GET.get("kategori", ""), request.GET.get("page", "1")
        versions = selectors.list_versions(user)
        try:
            wanted = int(number)  # as the paginator reads it
        except ValueError:
            wanted = 0
        if 0 < wanted <= MAX_CACHED_PAGE:
            html = cache_get(selectors.list_copy_key(user, versions, slug, wanted))
            if html is not None:
                return mark_safe(html)  # noqa: S308 - our template's output, escaped when it was rendered

        categories = list(NewsCategory.objects.all())
        category = next((c for c in categories if c.slug == slug), None)
        qs = selectors.news_list(user, category=category, versions=versions)
        page = Paginator(qs, self.page_size).get_page(number)
        page.object_list = localize_pages(list(page.object_list))
        html = render_to_string(
            "news/news_list.html",
            {
                "request": request,  # for {% pageurl %} alone (relative links, site root paths read once)
                "news_page": page,
                "categories": categories,
                "category": category,
                "querystring": f"kategori={category.slug}" if category else "",
            },
        )
        if page.number <= MAX_CACHED_PAGE:
            key = selectors.list_copy_key(user, versions, category.slug if category else "", page.number)
            cache_set(key, html, selectors.CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308 - as above

    def route(self, request, path_components):
        """A news item from the cache or in one query (its specific row) instead of Wagtail's two (the base page, then
        its specific row); then routed on as Wagtail does (only a live page is served). Anything else (no such news
        item, a child of another type) is routed as Wagtail does."""
        from .selectors import news_child

        child = news_child(request, self, path_components[0]) if path_components else None
        if child is None:
            return super().route(request, path_components)
        child._cached_parent_obj = self  # as Page.route: get_url_parts() asks for the parent
        return child.route(request, path_components[1:])

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.headers["Cache-Control"] = "private, no-cache"
        return response


class NewsPage(AudienceMixin, ContentOwnerMixin, Page):
    intro = models.TextField(_("summary"), max_length=400, blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(
        [
            (
                "paragraph",
                blocks.RichTextBlock(
                    features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"], label=_("Paragraph")
                ),
            ),
            ("image", ImageChooserBlock(label=_("Image"))),
            ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
        ],
        verbose_name=_("body"),
        blank=True,
    )
    category = models.ForeignKey(
        NewsCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = ClusterTaggableManager(verbose_name=_("tags"), through=NewsPageTag, blank=True)
    date = models.DateField(_("publish date"), default=dt.date.today)
    pinned_until = models.DateField(
        _("pinned until"), null=True, blank=True, help_text=_("Shown at the top of lists until this date.")
    )

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []
    list_select_related = ["category"]

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        FieldPanel("category"),
        FieldPanel("tags"),
        FieldPanel("pinned_until"),
        *AudienceMixin.audience_panels,
    ]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [
            # news lists walk this index newest first and stop at the page size (selectors.PinnedFirst)
            models.Index(fields=["-date", "-page_ptr"], name="news_newest_first"),
            # the pinned items: a handful of rows, found without walking every news page (selectors.PinnedFirst)
            models.Index(fields=["pinned_until"], condition=models.Q(pinned_until__isnull=False), name="news_pinned"),
        ]

    def is_pinned(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.pinned_until and self.pinned_until >= today)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        article_html = getattr(self, "_article_html", None)
        if article_html is None:  # a preview (the draft's own category, owner and tags), never kept
            context["article"] = self._draft_details()
            article_html = self.render_article(context["article"])
        context["article_html"] = article_html
        if is_editor(request.user):
            from .selectors import reach

            context["reach"] = reach(self)  # live figures, never cached
        return context

    def _draft_details(self):
        from .selectors import ArticleDetails

        return ArticleDetails(
            category=self.category,
            content_owner=self.content_owner,
            tags=[str(tag) for tag in self.tags.all()],
        )

    def render_article(self, details) -> str:
        """The article itself (title, date, category, image, summary, body, tags, owner): nothing from the request
        or the reader, so one rendering serves every reader allowed to open the page."""
        html = render_to_string("news/article.html", {"page": self, "article": details})
        return mark_safe(html)  # noqa: S308 - our template's output, escaped when it was rendered

    def serve(self, request, *args, **kwargs):
        from . import selectors, services

        user = request.user
        counts = request.method == "GET" and user.is_authenticated
        if getattr(request, "is_preview", False):
            # a draft: rendered afresh every time and never kept (get_context)
            if counts:
                services.record_read(page=self, user=user)
        else:
            # Wagtail routed the page and checked its view restrictions before this; the article is the same for
            # every reader who gets here. The read mark is the reader's own: remembered, else recorded (one statement
            # that does nothing if they were counted already).
            copy = selectors.article_copy(request, self)
            if copy.html is None:
                self._article_html = self.render_article(selectors.article_details(self))
                selectors.keep_article(copy.key, self._article_html)
            else:
                self._article_html = mark_safe(copy.html)  # noqa: S308 - kept from render_article
            if counts and not copy.read:
                services.record_read(page=self, user=user)
                selectors.remember_read(request, self)
        response = super().serve(request, *args, **kwargs)
        response.headers["Cache-Control"] = "private, no-cache"
        return response


class NewsRead(models.Model):
    """One row per reader and news item (the source page; reads of translations count for it): unique readers."""

    page = models.ForeignKey(Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.CASCADE, related_name="+"
    )
    first_read_at = models.DateTimeField(_("first read at"), default=timezone.now)

    class Meta:
        verbose_name = _("news read")
        verbose_name_plural = _("news reads")
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="news_read_unique_reader")]

    def __str__(self):
        return f"{self.user} · {self.page_id}"
