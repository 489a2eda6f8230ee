from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from cms.base.audience import AudienceMixin
from cms.base.mixins import ContentOwnerMixin
from cms.base.pages import default_locale, localize_pages
from intranet.audit.denials import audit_denied
from intranet.audit.services import audit_record


class PolicyIndexPage(ContentOwnerMixin, Page):
    """'Kebijakan': policies, regulations and circulars."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count_per_parent = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["policies.PolicyPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]

    class Meta:
        verbose_name = _("policy index")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        policies = list(selectors.policies_for(request.user))
        pending = set(selectors.pending_for(request.user).values_list("pk", flat=True))
        for p in policies:
            p.pending = p.pk in pending
        localized = localize_pages(policies)
        for src, loc in zip(policies, localized, strict=True):
            loc.pending = src.pending
        context["policies"] = localized
        return context


class PolicyPage(AudienceMixin, ContentOwnerMixin, RoutablePageMixin, Page):
    """A policy the audience must read and acknowledge ("Saya telah membaca dan memahami") by a date.

    Acknowledgement is tied to the published revision: each AcknowledgementRound names a revision that required it
    (the first publication, or a later one published with "material change" ticked); the latest round counts.
    """

    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)
    regulation_number = models.CharField(_("regulation number"), max_length=120, blank=True)
    requires_acknowledgement = models.BooleanField(_("requires acknowledgement"), default=True)
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    material_change = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Tick when this revision changes the substance: everyone must acknowledge it again."),
    )

    parent_page_types = ["policies.PolicyIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("regulation_number"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("requires_acknowledgement"), FieldPanel("acknowledge_by"), FieldPanel("material_change")],
            heading=_("Acknowledgement"),
        ),
        *AudienceMixin.audience_panels,
    ]
    settings_panels = [*Page.settings_panels, *ContentOwnerMixin.owner_panels]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("regulation_number"),
    ]

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def source(self):
        if self.locale_id == default_locale().pk:
            return self
        return PolicyPage.objects.filter(translation_key=self.translation_key, locale=default_locale()).first() or self

    @path("")
    def view(self, request):
        from . import selectors

        source = self.source()
        return self.render(
            request,
            context_overrides={
                "acknowledged": selectors.has_acknowledged(source, request.user),
                "can_report": selectors.can_report(request.user),
            },
        )

    @path("setuju/")
    def acknowledge(self, request):
        from . import services

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            services.acknowledge(page=self.source(), user=request.user)
        except services.AcknowledgementError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you: your acknowledgement has been recorded."))
        return redirect(self.get_url(request))

    @path("laporan/")
    def report(self, request):
        from . import selectors

        report = selectors.acknowledgement_report(request.user, self.source())
        return TemplateResponse(request, "policies/report.html", {"page": self, "self": self, "report": report})

    @path("laporan/csv/")
    def report_csv(self, request):
        return self._report_file(request, "csv")

    @path("laporan/xlsx/")
    def report_xlsx(self, request):
        return self._report_file(request, "xlsx")

    def _report_file(self, request, fmt):
        from . import exports, selectors

        source = self.source()
        try:
            report = selectors.acknowledgement_report(request.user, source)
        except PermissionDenied:
            audit_denied(action="policy.report.denied", reason="no HR scope", request=request, obj=source)
            raise
        audit_record(action="policy.report.download", request=request, obj=source, details={"format": fmt})
        return exports.report_table(self, report, fmt)


class Acknowledgement(models.Model):
    page = models.ForeignKey(
        PolicyPage, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["page", "user", "revision"], name="policy_ack_unique")]
        indexes = [models.Index(fields=["page", "user"])]

    def __str__(self):
        return f"{self.user} · {self.page_id} · {self.revision_id}"


class AcknowledgementRound(models.Model):
    """A published revision everyone in the audience must acknowledge (kept outside the page so that revisions,
    which restore page fields on publish, never overwrite it)."""

    page = models.ForeignKey(PolicyPage, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="ack_rounds")
    revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    material_change = models.BooleanField(_("material change"), default=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement round")
        verbose_name_plural = _("acknowledgement rounds")
        constraints = [models.UniqueConstraint(fields=["page", "revision"], name="policy_ack_round_unique")]

    def __str__(self):
        return f"{self.page_id} · {self.revision_id}"
