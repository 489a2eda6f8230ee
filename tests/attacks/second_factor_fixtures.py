"""The victims of the second-factor attacks: one account per privileged role, each with a confirmed authenticator app
and recovery codes, and the attacker's tools (a password login, a TOTP code from a known key)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hr.org.models import HRScope
from intranet.accounts.roles import Role
from tests.factories import EmployeeFactory, UserFactory, give_scope

PASSWORD = "correct-horse-battery"
ROLES = ("hr_officer", "payroll_officer", "administrator")
SETUP = reverse("security:2fa_setup")
VERIFY = reverse("security:2fa_verify")


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    """The code the device's app shows now (drift in steps), as the holder of its key computes it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift += drift
    return f"{totp.token():0{device.digits}d}"


def login_with_password(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD},
                           REMOTE_ADDR="10.66.6.6")
    assert response.status_code == 302, "the password login itself works"
    return response


def make_victim(org, role: str):
    if role == "hr_officer":
        person = EmployeeFactory(user=UserFactory(username="victim-hr"), unit=org["DIR1"])
        give_scope(person.user, org["DIR1"], HRScope.Kind.HR)
    elif role == "payroll_officer":
        person = EmployeeFactory(user=UserFactory(username="victim-payroll"), unit=org["DIR1"])
        give_scope(person.user, org["DIR1"], HRScope.Kind.PAYROLL)
    elif role == "administrator":
        person = EmployeeFactory(user=UserFactory(username="victim-admin"), unit=org["DIR1"], roles=[Role.ADMINISTRATOR])
        person.user.is_staff = person.user.is_superuser = True
        person.user.save(update_fields=["is_staff", "is_superuser"])
    else:  # editor, moderator
        person = EmployeeFactory(user=UserFactory(username=f"victim-{role}"), unit=org["DIR1"],
                                 roles=[Role.EDITOR if role == "editor" else Role.MODERATOR])
    return person.user


def enrol(user):
    """The victim's own, confirmed authenticator app and recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="victim's phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [f"rc{i:06d}" for i in range(5)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return SimpleNamespace(totp=device, static=static, codes=codes)


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code; not what is tested here
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
