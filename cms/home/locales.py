"""The active Wagtail Locale without a query per page.

Wagtail looks up the Locale of the active language on every page it serves (`Page.localized` while routing), one
query each time. Locales are created once (a language added to the site) and practically never change, so each
process remembers the ones it has found. Misses are not remembered (a Locale created in another process is found on
the next request), and saving or deleting a Locale clears this process's memory."""

from django.db.models.signals import post_delete, post_save
from django.utils import translation
from wagtail.models import Locale

_found: dict[str, Locale] = {}
_original_get_active = Locale.get_active.__func__


def _get_active(cls):
    code = translation.get_language()
    locale = _found.get(code)
    if locale is None:
        locale = _original_get_active(cls)
        if locale.pk is not None and locale.language_code == code:
            _found[code] = locale
    return locale


def forget(**kwargs) -> None:
    _found.clear()


def install() -> None:
    Locale.get_active = classmethod(_get_active)
    post_save.connect(forget, sender=Locale, dispatch_uid="serambi-locale-forget-save")
    post_delete.connect(forget, sender=Locale, dispatch_uid="serambi-locale-forget-delete")
