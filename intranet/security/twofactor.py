"""Second factor (django-otp): TOTP apps plus static recovery codes.

Mandatory for privileged roles (editors included) and for anyone in an admin area; optional for everyone else.
`recent_second_factor` backs step-up checks (a fresh verification within N minutes) before opening Sangat Rahasia
documents or publishing payslips.

Enrolment: a user with no confirmed device may enrol one after the password (there is nothing else to check). Once a
device exists, a password alone never adds or replaces one: the session must first have verified, recently, with
that device or a recovery code. Every enrolment is audited and tells the user by e-mail and in the app."""

import io
import re
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.accounts.roles import Role, role_names
from intranet.audit.services import audit_record
from intranet.notifications.services import notify

PRIVILEGED = {
    Role.HR_OFFICER.value,
    Role.PAYROLL_OFFICER.value,
    Role.EDITOR.value,
    Role.MODERATOR.value,
    Role.ADMINISTRATOR.value,
    Role.AUDITOR.value,
}
VERIFIED_AT = "serambi_2fa_at"
# What people type around a code: spaces (also the narrow and non-breaking ones phones insert) and dashes.
_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")

FIRST = "first"  # no confirmed device: the first one may be enrolled
REPLACE = "replace"  # a device exists and this session verified with it (or a recovery code) recently
VERIFY_FIRST = "verify"  # a device exists and this session has not proven it holds it


def normalise_code(token: str) -> str:
    """'046 425', '046-425' and ' 046425 ' are the same code."""
    return _CODE_SEPARATORS.sub("", token or "")


def is_privileged(user) -> bool:
    return user.is_superuser or user.is_staff or bool(PRIVILEGED & role_names(user))


def needs_second_factor(user, *, admin_area: bool = False) -> str | None:
    """None when the user may proceed; 'setup' when a privileged user has no device yet; 'verify' when they have one
    but this session is not verified. In an admin area, whoever the admin lets in counts as privileged (Wagtail's
    access permission can come from any group, not only Editors and Moderators)."""
    if not (is_privileged(user) or (admin_area and user.has_perm("wagtailadmin.access_admin"))):
        return None
    if getattr(user, "is_verified", lambda: False)():
        return None
    return "verify" if user_has_device(user) else "setup"


def recent_second_factor(request, max_age_seconds: int | None = None) -> bool:
    max_age = max_age_seconds if max_age_seconds is not None else settings.SERAMBI_2FA_STEP_UP_SECONDS
    at = request.session.get(VERIFIED_AT) if hasattr(request, "session") else None
    return bool(at) and request.user.is_verified() and time.time() - at <= max_age


def enrolment_state(request) -> str:
    """FIRST, REPLACE or VERIFY_FIRST (see the module docstring)."""
    if not user_has_device(request.user, confirmed=True):
        return FIRST
    return REPLACE if recent_second_factor(request) else VERIFY_FIRST


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Serambi", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG, rendered here: no external QR service ever sees the secret."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode().split("?>", 1)[-1]


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session[VERIFIED_AT] = int(time.time())


def _tell_the_user(user, kind: str, title: str, body: str) -> None:
    """In-app notification and e-mail (outbox), in the transaction of the change: if it was not them, they know."""
    notify(user, kind, title, body, url=reverse("security:sessions"))


@transaction.atomic
def totp_confirm(*, request, token: str) -> list[str] | None:
    """Confirm enrolment with a first code. Returns fresh recovery codes for a first device (shown once), [] for a
    replacement (the user's recovery codes stay as they are), or None when the code is wrong or the session may not
    enrol (a device exists and this session has not verified with it)."""
    user = request.user
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per user
    state = enrolment_state(request)
    if state == VERIFY_FIRST:
        audit_record(action="2fa.enrol", request=request, obj=user, outcome="denied",
                     details={"reason": "a device exists; not verified in this session"})
        return None
    device = pending_totp_device(user)
    if not device.verify_token(normalise_code(token)):
        audit_record(action="2fa.enrol", request=request, obj=user, outcome="failed")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    replaced = list(TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).values_list("pk", flat=True))
    TOTPDevice.objects.filter(pk__in=replaced).delete()
    _mark_verified(request, device)
    audit_record(action="2fa.enrol", request=request, obj=user,
                 details={"device": device.pk, "replaced": replaced, "first": state == FIRST})
    with override(getattr(request, "LANGUAGE_CODE", None)):
        _tell_the_user(
            user, "security.2fa_enrolled", _("A new authenticator app was set up for your account"),
            _("An authenticator app was just set up for two-step verification on your Serambi account. If this was "
              "not you, tell the IT helpdesk at once and sign out your other sessions."),
        )
    return recovery_codes_regenerate(request=request, notify_user=False) if state == FIRST else []


def verify(*, request, token: str) -> bool:
    device = match_token(request.user, normalise_code(token))
    audit_record(action="2fa.verify", request=request, obj=request.user, outcome="allowed" if device else "failed",
                 details={"method": type(device).__name__ if device else ""})
    if device is None:
        return False
    _mark_verified(request, device)
    return True


@transaction.atomic
def recovery_codes_regenerate(*, request, count: int = 10, notify_user: bool = True) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=request.user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(action="2fa.recovery_codes", request=request, obj=request.user)
    if notify_user:
        with override(getattr(request, "LANGUAGE_CODE", None)):
            _tell_the_user(
                request.user, "security.recovery_codes", _("New recovery codes were made for your account"),
                _("New recovery codes for two-step verification were just made on your Serambi account; the old ones "
                  "no longer work. If this was not you, tell the IT helpdesk at once."),
            )
    return codes
