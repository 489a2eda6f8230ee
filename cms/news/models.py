import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
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

from cms.home.audience import AudienceMixin
from cms.home.mixins import ContentOwnerMixin


@register_snippet
class NewsCategory(models.Model):
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

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_id


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("news.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


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
        from django.core.paginator import Paginator

        from cms.home.pages import is_editor, localize_pages

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        categories = list(NewsCategory.objects.all())
        current = request.GET.get("kategori", "")
        category = next((c for c in categories if c.slug == current), None)
        qs = selectors.news_list(request.user, category=category)
        page = Paginator(qs, self.page_size).get_page(request.GET.get("page"))
        page.object_list = localize_pages(list(page.object_list))
        context.update(
            {
                "news_page": page,
                "page_obj": page,
                "categories": categories,
                "category": category,
                "querystring": f"kategori={category.slug}" if category else "",
                "show_reach": is_editor(request.user),
                "today": timezone.localdate(),
            }
        )
        return context

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
    ]
    promote_panels = [*Page.promote_panels, *AudienceMixin.audience_panels]
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
        from cms.home.pages import is_editor

        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        details = getattr(self, "_article_details", None)
        if details is None:  # a preview (the draft's own category, owner and tags) or a HEAD request
            details = selectors.ArticleDetails(
                category=self.category,
                content_owner=self.content_owner,
                tags=[str(tag) for tag in self.tags.all()],
                read=False,
            )
        context["article"] = details
        if is_editor(request.user):
            context["reach"] = selectors.reach(self)
        return context

    def serve(self, request, *args, **kwargs):
        from . import selectors, services

        if request.method == "GET" and request.user.is_authenticated:
            if getattr(request, "is_preview", False):
                services.record_read(page=self, user=request.user)
            else:
                # what the template shows beyond the page row, and whether the reader was counted: one query
                self._article_details = selectors.article_details(self, request.user)
                if not self._article_details.read:
                    services.record_read(page=self, user=request.user)
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
