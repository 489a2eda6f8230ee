from django.conf import settings
from django.http import Http404
from wagtail import hooks

from cms.base.privacy import can_view, hidden_paths


@hooks.register("before_serve_page")
def translations_share_privacy(page, request, serve_args, serve_kwargs):
    """A translation is as private as its source page: Wagtail checks the restrictions of the page's own tree path,
    so a translation of a restricted page is checked here against the source's restriction (404, no title leak)."""
    if not hidden_paths(request.user):  # nothing is hidden from this reader (cached): no locale lookup needed
        return
    if page.locale.language_code != settings.LANGUAGE_CODE and not can_view(page, request.user):
        raise Http404
