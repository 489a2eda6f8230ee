"""Main navigation. Each section names its URL; sections whose app has no URL yet are left out, so the menu grows
as features land without anyone editing the base template."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("home", _("Home"), "home"),
    ("news", _("News"), "news:index"),
    ("training", _("Training"), "training:index"),
    ("policies", _("Policies"), "policies:index"),
    ("directory", _("Directory"), "org:directory"),
    ("leave", _("Leave"), "leave:index"),
    ("payslips", _("Payslips"), "payslips:index"),
    ("documents", _("Documents"), "documents:index"),
]

_resolved: list[tuple[str, str, str]] | None = None


def _sections():
    global _resolved
    if _resolved is None:
        found = []
        for key, label, url_name in SECTIONS:
            try:
                found.append((key, label, reverse(url_name) if url_name != "home" else "/"))
            except NoReverseMatch:
                continue
        _resolved = found
    return _resolved


def main_navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return []
    path = request.path
    items = []
    for key, label, url in _sections():
        current = path == "/" if url == "/" else path.startswith(url)
        items.append({"key": key, "label": label, "url": url, "current": current})
    return items
