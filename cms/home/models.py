from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class HomePage(Page):
    """The site root ('Beranda'). Rendered as each reader's personal dashboard."""

    max_count_per_parent = 1
    subpage_types: list[str] = []  # sections (news, training, policies, standard pages) register themselves

    class Meta:
        verbose_name = _("home page")
