from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import PageViewRestriction

from .privacy import may_have_view_restrictions


class ContentOwnerMixin(models.Model):
    """Every page has an accountable content owner and a date by which it must be reviewed."""

    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("content owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)

    owner_panels = [MultiFieldPanel([FieldPanel("content_owner"), FieldPanel("review_by")], heading=_("Ownership"))]

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        """Wagtail asks this on every page view (two queries). Most pages sit under no restriction: answer from the
        cached restriction list then, and ask the database only where a restriction or an alias could apply."""
        if not may_have_view_restrictions(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
