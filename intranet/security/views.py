from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intranet.accounts.permissions import staff_member
from intranet.accounts.roles import Role, has_role

from . import services, twofactor
from .forms import TokenForm
from .models import UserSession


def _next(request, default="/"):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


@staff_member
def twofactor_setup(request):
    """Enrol an authenticator app: scan the QR code (rendered locally), confirm with a first code. Once a device
    exists, adding or replacing one needs a recent verification with it (or a recovery code) in this session."""
    if twofactor.enrolment_state(request) == twofactor.VERIFY_FIRST:
        messages.info(request, _("First confirm with your current authenticator app or a recovery code."))
        return redirect(f"{reverse('security:2fa_verify')}?{urlencode({'next': request.get_full_path()})}")
    device = twofactor.pending_totp_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.totp_confirm(request=request, token=form.cleaned_data["token"])
        if codes:
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)})
        if codes is not None:
            messages.success(request, _("Your new authenticator app is set up; the old one no longer works."))
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    return render(
        request,
        "security/setup.html",
        {"form": form, "qr": twofactor.qr_svg(device), "secret": device.config_url.split("secret=")[1].split("&")[0],
         "next": _next(request)},
    )


@staff_member
def twofactor_verify(request):
    """Verify this session with a code (also used for step-up before sensitive actions)."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("That code is not right or was already used."))
    return render(request, "security/verify.html", {"form": form, "next": _next(request)})


@staff_member
@require_POST
def recovery_codes(request):
    if not twofactor.recent_second_factor(request):  # a password alone never replaces the codes
        return redirect("security:2fa_verify")
    codes = twofactor.recovery_codes_regenerate(request=request)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": "/"})


@staff_member
def session_list(request):
    sessions = UserSession.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "security/sessions.html", {"sessions": sessions, "current": request.session.session_key,
                                                      "is_auditor": has_role(request.user, Role.AUDITOR)})


@staff_member
@require_POST
def sessions_sign_out_others(request):
    n = services.sessions_end(user=request.user, keep_session_key=request.session.session_key, request=request,
                              reason="signed out by the user")
    messages.success(request, _("%(n)d other session(s) signed out.") % {"n": n})
    return redirect("security:sessions")
