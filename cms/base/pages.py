"""Helpers shared by the page apps: content ownership, language fallback in lists, serving section index pages from
named Django routes (so the main navigation can `reverse("news:index")`)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import translation
from wagtail import hooks
from wagtail.models import Locale, Page

from intranet.accounts.roles import Role, has_role
from intranet.core.caching import near_get, near_set

from .mixins import ContentOwnerMixin
from .privacy import can_view
from .routing import ROUTE_SECONDS, route_versions


def default_locale() -> Locale:
    return Locale.get_default()


def active_locale_code() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localize_pages(pages: list) -> list:
    """Swap each (default-locale) page for its live translation in the active language when one exists.
    One query whatever the number of pages; pages without a translation stay in Indonesian (the fallback)."""
    code = active_locale_code()
    if not pages or code == settings.LANGUAGE_CODE:
        return pages
    model = type(pages[0])
    keys = [p.translation_key for p in pages]
    translated = {
        p.translation_key: p
        for p in model.objects.live()
        .filter(translation_key__in=keys, locale__language_code=code)
        .select_related(*_related(model))
    }
    return [translated.get(p.translation_key, p) for p in pages]


def _related(model) -> list[str]:
    return list(getattr(model, "list_select_related", []))


def section_page(model):
    """The live section index page of `model` in the default locale, localized to the reader's language. Kept in the
    cache per language under the routing generations (`routing.route_versions`): a section changes by being
    published, unpublished, moved or deleted, and each of these bumps one."""
    key = f"cms:section:{model._meta.label_lower}:{active_locale_code()}:{route_versions()}"
    page = near_get(key, ROUTE_SECONDS)
    if page is None:
        page = model.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE).order_by("path").first()
        if page is None:
            raise Http404
        page = page.localized.specific
        page.locale  # noqa: B018 - loaded now, kept with the page
        near_set(key, page, ROUTE_SECONDS)
    return page


def serve_page(request, page):
    """Serve `page` through Wagtail's hooks (view restrictions included), as wagtail.views.serve would."""
    from wagtail.views import serve_chain

    chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, (), {})
        if result is not None:
            return result
    return chain(page, request, (), {})


def ensure_visible(page, user) -> None:
    if not can_view(page, user):
        raise Http404


def is_editor(user) -> bool:
    """Editors, moderators and administrators see reach figures and editorial details."""
    return user.is_authenticated and (
        user.is_superuser
        or has_role(user, Role.EDITOR)
        or has_role(user, Role.MODERATOR)
        or has_role(user, Role.ADMINISTRATOR)
    )


__all__ = ["ContentOwnerMixin", "Page", "localize_pages", "section_page", "serve_page", "ensure_visible", "is_editor"]
