"""The site header ("chrome"): brand, language switch, bell, user menu and main navigation, on every page.

Kept (not a plain include) because the load benchmark shows it: rendered by the template engine on every request,
the HTML pages served 10-45% fewer requests per second against the authenticated floor (docs/performance.md). Nearly
all of the header is the same for everyone who shares a language, a staff flag and a current section. Each process therefore keeps one rendered copy per such audience and puts in, per request, only what is the
reader's own: the CSRF token, the address to come back to after a language change, the reader's name and the unread
count. The copy is rendered from a context that holds nothing but its key's parts, so no reader's data can end up in
it; what is put in per request is escaped there.
"""

import re

from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import get_template
from django.utils.html import escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

TEMPLATE = "includes/site_header.html"

# Markers the copy holds where per-request values go: plain words, left alone by autoescaping.
_SLOTS = ("csrf", "next", "name", "badge")
_MARK = "serambi-chrome-slot-{}"
_MARK_RE = re.compile(r"serambi-chrome-slot-(csrf|next|name|badge)")

# Few audiences exist (languages × staff flag × sections × signed in or not), but the dict must never grow per request.
_MAX_COPIES = 256
_copies: dict[tuple, str] = {}


def _forget(**kwargs):
    # Tests change the agency name, the admin path or the languages; the copies hold all three.
    _copies.clear()


setting_changed.connect(_forget, dispatch_uid="serambi-chrome-forget")


def _current_section(main_nav) -> str:
    return next((item["key"] for item in main_nav if item["current"]), "")


def _render_copy(key: tuple, main_nav) -> str:
    _language, authenticated, staff, _section = key
    # No request: a plain context, so no context processor adds anything of the reader's.
    return get_template(TEMPLATE).render(
        {
            "authenticated": authenticated,
            "staff": staff,
            "main_nav": main_nav,
            "agency_name": settings.SERAMBI_AGENCY_NAME,
            "django_admin_path": "/" + settings.DJANGO_ADMIN_PATH,
            "slot": {name: _MARK.format(name) for name in _SLOTS},
        }
    )


def _csrf_input(token) -> str:
    # The markup of Django's {% csrf_token %}, which renders nothing when no token was provided.
    if not token or str(token) == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _badge(count) -> str:
    if not count:
        return ""
    return format_html(' <span class="badge">{}<span class="visually-hidden"> {}</span></span>', count, _("unread"))


def site_header(context) -> str:
    """The header for this request: the audience's copy with the reader's own values put in (one pass, so a value that
    happens to contain a marker is never filled in itself)."""
    request = context.get("request")
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    main_nav = context.get("main_nav") or []
    key = (get_language(), authenticated, authenticated and user.is_staff, _current_section(main_nav))
    copy = _copies.get(key)
    if copy is None:
        copy = _render_copy(key, main_nav)
        if len(_copies) >= _MAX_COPIES:
            _copies.clear()
        _copies[key] = copy
    values = {
        "csrf": _csrf_input(context.get("csrf_token")),
        "next": escape(request.get_full_path()) if request is not None else "",
        "name": escape(user.get_full_name() or user.get_username()) if authenticated else "",
        "badge": _badge(context.get("unread_notifications")) if authenticated else "",
    }
    return _MARK_RE.sub(lambda match: values[match.group(1)], copy)
