from django.conf import settings
from django.db import models
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.base.audience import AudienceMixin
from cms.base.mixins import ContentOwnerMixin
from cms.base.routing import cached_child

from .dashboard import cached_page, keep_page


class QuickLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.CharBlock(label=_("Internal address"), required=False, help_text=_("e.g. /cuti/ (internal only)"))

    class Meta:
        label = _("Quick link")


class HomePage(ContentOwnerMixin, Page):
    """The site root ('Beranda'). Rendered as each reader's personal dashboard."""

    quick_links = StreamField([("link", QuickLinkBlock())], verbose_name=_("quick links"), blank=True)

    max_count_per_parent = 1
    subpage_types = [
        "news.NewsIndexPage",
        "training.TrainingIndexPage",
        "policies.PolicyIndexPage",
        "home.StandardPage",
    ]
    content_panels = [*Page.content_panels, FieldPanel("quick_links")]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """The section a path starts with, from the cache (`routing.cached_child`), then routed on as Wagtail does.
        Language fallback: a reader in English gets the Indonesian page where no English translation exists."""
        try:
            if not path_components:
                return super().route(request, path_components)
            child = cached_child(self, path_components[0])
            if child is None:
                raise Http404
            child._cached_parent_obj = self  # as Page.route: get_url_parts() asks for the parent
            return child.route(request, path_components[1:])
        except Http404:
            if not path_components or self.locale.language_code == settings.LANGUAGE_CODE:
                raise
            source = HomePage.objects.filter(
                translation_key=self.translation_key, locale__language_code=settings.LANGUAGE_CODE
            ).first()
            if source is None:
                raise
            return Page.route(source, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["links"] = [b.value for b in self.quick_links]
        return context

    def serve(self, request, *args, **kwargs):
        key, content = cached_page(request)
        if content is not None:
            response = HttpResponse(content)
        else:
            response = super().serve(request, *args, **kwargs)
            if key is not None and response.status_code == 200:
                response.render()
                keep_page(key, response.content)
        response.headers["Cache-Control"] = "private, no-cache"
        return response


class StandardPage(AudienceMixin, ContentOwnerMixin, Page):
    """A plain content page (about, contacts, procedures)."""

    intro = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, *AudienceMixin.audience_panels]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="warning")
class SiteAlert(BaseGenericSetting):
    """A banner shown on every page while switched on (e.g. system maintenance, office closure)."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Urgent")

    enabled = models.BooleanField(_("show the alert"), default=False)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    message_id = models.CharField(_("message (Indonesian)"), max_length=300, blank=True)
    message_en = models.CharField(_("message (English)"), max_length=300, blank=True)
    link = models.CharField(_("link (internal address)"), max_length=200, blank=True)
    until = models.DateTimeField(_("show until"), null=True, blank=True)

    panels = [
        FieldPanel("enabled"),
        FieldPanel("level"),
        FieldPanel("message_id"),
        FieldPanel("message_en"),
        FieldPanel("link"),
        FieldPanel("until"),
    ]

    class Meta:
        verbose_name = _("site alert")
