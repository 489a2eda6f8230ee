"""Security middleware: extra headers, CSP per area, idle/absolute session timeouts, mandatory second factor."""

import time

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .twofactor import needs_second_factor

_ADMIN_PREFIXES = ("/" + settings.WAGTAIL_ADMIN_PATH, "/" + settings.DJANGO_ADMIN_PATH)


class SerambiCSPMiddleware(CSPMiddleware):
    """The site itself runs with no inline script or style at all. The two admin areas (staff only, behind a second
    factor) ship inline styles and scripts of their own, so they get 'unsafe-inline' for those two directives."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(_ADMIN_PREFIXES):
            update = dict(parts.update or {})
            update.update({"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]})
            parts = PolicyParts(parts.config, update, parts.replace, parts.nonce)
        return parts


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.SERAMBI_PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Personal data must not linger in shared caches or the back button of a shared office computer.
            response.setdefault("Cache-Control", "private, no-cache")
        return response


class SessionTimeoutMiddleware:
    """Idle timeout (no request for SERAMBI_SESSION_IDLE_SECONDS) and absolute timeout (SESSION_COOKIE_AGE since
    login, regardless of activity). The last-seen mark is written at most once a minute to keep requests cheap."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            last = session.get("serambi_seen_at", now)
            login_at = session.get("serambi_login_at", now)
            if now - last > settings.SERAMBI_SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session ended after a period of inactivity. Please log in again."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
            if now - last >= 60 or "serambi_seen_at" not in session:
                session["serambi_seen_at"] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """HR officers, payroll officers, editors, moderators, administrators, auditors and staff must verify a second
    factor (TOTP or a recovery code) before they can use anything, the Wagtail and Django admins included. The
    exempt views do nothing with a password-only session: enrolment checks on its own that no device exists yet
    (`twofactor.enrolment_state`), new recovery codes need a recent verification."""

    EXEMPT_URL_NAMES = {"security:2fa_setup", "security:2fa_verify", "security:recovery_codes", "accounts:logout",
                        "admin:logout", "wagtail_admin_logout", "accounts:login", "set_language", "healthz"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not settings.SERAMBI_2FA_ENFORCE:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.EXEMPT_URL_NAMES:
            return None
        # No exemption for views marked login_required=False: Django REST framework marks every API view so (it
        # authenticates on its own), and Wagtail's admin API authenticates by the session. A token client (API v1,
        # the iCal feed) carries no session, so the gate never stands in its way.
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        state = needs_second_factor(user, admin_area=request.path_info.startswith(_ADMIN_PREFIXES))
        if state is None:
            return None
        target = "security:2fa_setup" if state == "setup" else "security:2fa_verify"
        return redirect(f"{reverse(target)}?next={request.get_full_path()}")
