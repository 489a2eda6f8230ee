"""Second factor (django-otp): TOTP apps plus static recovery codes.

Mandatory for privileged roles; optional for everyone else. `recent_second_factor` backs step-up checks (a fresh
verification within N minutes) before opening Sangat Rahasia documents or publishing payslips."""

import io
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.accounts.roles import Role, role_names
from intranet.audit.services import audit_record

PRIVILEGED = {Role.HR_OFFICER.value, Role.PAYROLL_OFFICER.value, Role.MODERATOR.value, Role.ADMINISTRATOR.value, Role.AUDITOR.value}
VERIFIED_AT = "serambi_2fa_at"


def is_privileged(user) -> bool:
    return user.is_superuser or user.is_staff or bool(PRIVILEGED & role_names(user))


def needs_second_factor(user) -> str | None:
    """None when the user may proceed; 'setup' when a privileged user has no device yet; 'verify' when they have one
    but this session is not verified."""
    if not is_privileged(user):
        return None
    if getattr(user, "is_verified", lambda: False)():
        return None
    return "verify" if user_has_device(user) else "setup"


def recent_second_factor(request, max_age_seconds: int | None = None) -> bool:
    max_age = max_age_seconds if max_age_seconds is not None else settings.SERAMBI_2FA_STEP_UP_SECONDS
    at = request.session.get(VERIFIED_AT) if hasattr(request, "session") else None
    return bool(at) and request.user.is_verified() and time.time() - at <= max_age


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


@transaction.atomic
def totp_confirm(*, request, token: str) -> list[str] | None:
    """Confirm enrolment with a first code. Returns fresh recovery codes (shown once), or None if the code is wrong."""
    device = pending_totp_device(request.user)
    if not device.verify_token(token):
        audit_record(action="2fa.enrol", request=request, obj=request.user, outcome="failed")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _mark_verified(request, device)
    audit_record(action="2fa.enrol", request=request, obj=request.user)
    return recovery_codes_regenerate(request=request)


def verify(*, request, token: str) -> bool:
    device = match_token(request.user, token.replace(" ", ""))
    audit_record(action="2fa.verify", request=request, obj=request.user, outcome="allowed" if device else "failed",
                 details={"method": type(device).__name__ if device else ""})
    if device is None:
        return False
    _mark_verified(request, device)
    return True


@transaction.atomic
def recovery_codes_regenerate(*, request, count: int = 10) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=request.user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(action="2fa.recovery_codes", request=request, obj=request.user)
    return codes
