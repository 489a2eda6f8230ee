import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.accounts.roles import Role
from intranet.audit.models import AuditEntry
from intranet.security.models import UserSession
from intranet.security.twofactor import recent_second_factor
from tests.factories import EmployeeFactory, give_scope

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def employee(org):
    return EmployeeFactory(unit=org["SUB1"])


def _login(client, user, password=PASSWORD):
    return client.post("/akun/masuk/", {"username": user.username, "password": password}, REMOTE_ADDR="10.9.8.7")


def test_security_headers_on_site_pages(client, employee):
    client.force_login(employee.user)
    response = client.get("/direktori/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "private" in response["Cache-Control"]


def test_admin_areas_get_inline_allowance_only_there(client, org):
    admin = EmployeeFactory(unit=org["DIR1"], roles=[Role.ADMINISTRATOR]).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get("/cms-admin/")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]


def test_login_rotates_the_session_key(client, employee):
    client.get("/akun/masuk/")
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    _login(client, employee.user)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key"
    assert UserSession.objects.filter(user=employee.user).count() == 1


def test_idle_timeout_logs_out(client, employee, settings):
    _login(client, employee.user)
    assert client.get("/direktori/").status_code == 200
    session = client.session
    session["serambi_seen_at"] = int(time.time()) - settings.SERAMBI_SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/direktori/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
    assert client.get("/direktori/").status_code == 302


def test_absolute_timeout_logs_out_even_when_active(client, employee, settings):
    _login(client, employee.user)
    session = client.session
    session["serambi_login_at"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    assert client.get("/direktori/").status_code == 302


def test_sign_out_other_sessions(client, employee):
    from django.test import Client

    other = Client()
    _login(client, employee.user)
    _login(other, employee.user)
    assert other.get("/direktori/").status_code == 200
    client.post(reverse("security:sessions_sign_out_others"))
    assert other.get("/direktori/").status_code == 302, "the other browser is signed out"
    assert client.get("/direktori/").status_code == 200, "this browser stays signed in"
    assert AuditEntry.objects.filter(action="session.ended").exists()


def test_deactivated_user_loses_sessions_at_once(client, employee):
    _login(client, employee.user)
    assert client.get("/direktori/").status_code == 200
    employee.user.is_active = False
    employee.user.save()
    assert client.get("/direktori/").status_code == 302
    assert not UserSession.objects.filter(user=employee.user).exists()


def test_lockout_after_repeated_failures_then_admin_unlock(client, employee, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert _login(client, employee.user, "wrong").status_code == 200
    assert _login(client, employee.user, "wrong").status_code == 200
    assert _login(client, employee.user, "wrong").status_code == 429, "the attempt reaching the limit locks"
    locked = _login(client, employee.user)  # even the right password is refused now
    assert locked.status_code == 429
    assert 'data-testid="lockout"' in locked.content.decode()
    # Another IP is not locked: the lockout is per username + IP.
    assert client.post("/akun/masuk/", {"username": employee.user.username, "password": PASSWORD},
                       REMOTE_ADDR="10.1.1.1").status_code == 302
    from django.core.management import call_command

    call_command("axes_reset_username", employee.user.username)
    client.logout()
    assert _login(client, employee.user).status_code == 302


def test_lockout_is_case_insensitive(client, employee, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client.post("/akun/masuk/", {"username": employee.user.username.upper(), "password": "x"}, REMOTE_ADDR="10.9.8.7")
    client.post("/akun/masuk/", {"username": employee.user.username, "password": "x"}, REMOTE_ADDR="10.9.8.7")
    assert _login(client, employee.user).status_code == 429


def test_a_login_after_failures_resets_them(client, employee, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    _login(client, employee.user, "wrong")
    _login(client, employee.user, "wrong")
    assert AccessAttempt.objects.get().failures_since_start == 2
    assert _login(client, employee.user).status_code == 302
    assert not AccessAttempt.objects.exists(), "the success reset the counter"
    client.logout()
    _login(client, employee.user, "wrong")
    _login(client, employee.user, "wrong")
    assert _login(client, employee.user).status_code == 302, "two more failures do not lock: the count started again"


def test_a_clean_login_reads_the_lockout_counter_once_and_writes_nothing_of_axes(client, employee):
    from tests.query_bounds import queries

    with queries() as q:
        assert _login(client, employee.user).status_code == 302
    axes = q.touching("axes_")
    assert len(axes) <= 1 and all(s.startswith("SELECT SUM") for s in axes), axes


@pytest.mark.enforce_2fa
@pytest.mark.parametrize("role", [Role.HR_OFFICER, Role.PAYROLL_OFFICER, Role.MODERATOR, Role.ADMINISTRATOR])
def test_privileged_roles_must_enrol_and_verify_a_second_factor(client, org, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code; not what this test is about
    user = EmployeeFactory(unit=org["DIR1"], roles=[role]).user
    _login(client, user)
    response = client.get("/direktori/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:2fa_setup"))
    for admin_url in ("/cms-admin/", "/django-admin/"):
        assert client.get(admin_url)["Location"].startswith(reverse("security:2fa_setup")) or client.get(admin_url).status_code == 302
    page = client.get(reverse("security:2fa_setup")).content.decode()
    assert "<svg" in page and "http" not in page.split('data-testid="totp-qr"')[1].split("</figure>")[0].replace(
        "http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("security:2fa_setup"), {"token": "000000"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    codes_page = client.post(reverse("security:2fa_setup"), {"token": str(totp(device.bin_key)).zfill(6)})
    assert 'data-testid="recovery-codes"' in codes_page.content.decode()
    assert client.get("/direktori/").status_code == 200

    # A new session must verify again; a recovery code works exactly once.
    client.post(reverse("accounts:logout"))
    _login(client, user)
    assert client.get("/direktori/")["Location"].startswith(reverse("security:2fa_verify"))
    code = codes_page.context["codes"][0]
    assert client.post(reverse("security:2fa_verify"), {"token": code, "next": "/direktori/"})["Location"] == "/direktori/"
    assert client.get("/direktori/").status_code == 200
    client.post(reverse("accounts:logout"))
    _login(client, user)
    client.post(reverse("security:2fa_verify"), {"token": code})
    assert client.get("/direktori/").status_code == 302, "a used recovery code is refused"
    assert AuditEntry.objects.filter(action="2fa.verify", outcome="failed").exists()


@pytest.mark.enforce_2fa
def test_ordinary_employees_are_not_forced(client, employee):
    _login(client, employee.user)
    assert client.get("/direktori/").status_code == 200


@pytest.mark.enforce_2fa
def test_step_up_expires(client, org, settings, rf):
    user = EmployeeFactory(unit=org["DIR1"]).user
    give_scope(user, org["DIR1"])
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    _login(client, user)
    client.post(reverse("security:2fa_verify"), {"token": str(totp(device.bin_key)).zfill(6)})
    request = rf.get("/")
    request.session = client.session
    request.user = user
    user.is_verified = lambda: True
    assert recent_second_factor(request)
    settings.SERAMBI_2FA_STEP_UP_SECONDS = 0
    session = client.session
    session["serambi_2fa_at"] = int(time.time()) - 5
    session.save()
    request.session = client.session
    assert not recent_second_factor(request)


def test_logins_failures_and_lockouts_are_audited(client, employee, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _login(client, employee.user)
    assert AuditEntry.objects.filter(action="auth.login", actor=employee.user, ip="10.9.8.7").exists()
    client.post(reverse("accounts:logout"))
    _login(client, employee.user, "wrong")
    _login(client, employee.user, "wrong")
    failed = AuditEntry.objects.filter(action="auth.login_failed")
    assert failed.count() == 2 and failed.first().details["username"] == employee.user.username
    assert "wrong" not in str(list(failed.values_list("details", flat=True)))
    assert AuditEntry.objects.filter(action="auth.lockout", outcome="denied").exists()
