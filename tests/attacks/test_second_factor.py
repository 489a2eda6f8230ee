"""An attacker who knows a privileged user's password (phished, reused, shoulder-surfed) but not their phone tries to
turn that into a verified session: by enrolling an authenticator app of their own, by replacing the recovery codes,
or through any other route the half-authenticated session can reach. Every privileged role, both admins."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import Resolver404, resolve
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.audit.models import AuditEntry
from intranet.notifications.models import Notification, OutboxEmail
from intranet.security.middleware import SecondFactorRequiredMiddleware
from intranet.security.models import UserSession
from tests.attacks.second_factor_fixtures import (
    ROLES,
    SETUP,
    VERIFY,
    code_for,
    enrol,
    fast_passwords,  # noqa: F401 (fixture)
    login_with_password,
    make_victim,
)
from tests.intranet.security.routes import PUBLIC, PUBLIC_DOCS, SHADOWED, all_routes, is_token_route, sample_path

pytestmark = [pytest.mark.django_db, pytest.mark.enforce_2fa, pytest.mark.usefixtures("fast_passwords")]
ADMINS = ("/django-admin/", "/cms-admin/")


def _refused_to_verify(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(VERIFY)


@pytest.mark.parametrize("role", ROLES)
def test_a_password_alone_cannot_enrol_an_authenticator_of_the_attackers(client, org, role):
    victim = make_victim(org, role)
    own = enrol(victim)
    # An enrolment the victim once started and abandoned: its key is all the attacker would need, were it accepted.
    planted = TOTPDevice.objects.create(user=victim, name="abandoned", confirmed=False)
    login_with_password(client, victim)

    page = client.get(SETUP)
    assert _refused_to_verify(page), "the enrolment page is not shown to a password-only session"
    key = re.search(r'data-testid="totp-secret">(\w+)<', page.content.decode()) if page.status_code == 200 else None
    assert key is None, "no key was handed out"
    attempt = client.post(SETUP, {"token": code_for(planted)})
    assert _refused_to_verify(attempt) or attempt.status_code == 200
    assert not TOTPDevice.objects.get(pk=planted.pk).confirmed
    assert set(TOTPDevice.objects.filter(user=victim, confirmed=True).values_list("pk", flat=True)) == {own.totp.pk}

    # Still not verified anywhere: both admins, the site, the step-up.
    for url in (*ADMINS, "/direktori/"):
        assert _refused_to_verify(client.get(url)), url
    assert "otp_device_id" not in client.session and "serambi_2fa_at" not in client.session

    # The victim's recovery codes are untouched: the attacker can neither see nor replace them.
    replace = client.post("/akun/keamanan/2fa/kode-pemulihan/")
    assert _refused_to_verify(replace) and 'data-testid="recovery-codes"' not in replace.content.decode()
    assert sorted(StaticToken.objects.filter(device=own.static).values_list("token", flat=True)) == own.codes
    assert not Notification.objects.filter(recipient=victim, kind__startswith="security.").exists()


@pytest.mark.parametrize("role", ROLES)
def test_replacing_the_authenticator_needs_a_verification_in_the_same_session(client, org, role, settings):
    victim = make_victim(org, role)
    own = enrol(victim)
    login_with_password(client, victim)
    # The owner lost their phone: a recovery code verifies this session, then a new app replaces the old one.
    assert client.post(VERIFY, {"token": own.codes[0], "next": SETUP})["Location"] == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    pending = TOTPDevice.objects.get(user=victim, confirmed=False)
    done = client.post(SETUP, {"token": code_for(pending), "next": "/"})
    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user=victim).values_list("pk", flat=True)) == [pending.pk]
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed, "the new app replaced the lost one"
    assert StaticToken.objects.filter(device=own.static).count() == len(own.codes) - 1, "codes kept, one used"
    for url in ADMINS:
        assert not _refused_to_verify(client.get(url))
    entry = AuditEntry.objects.filter(action="2fa.enrol", outcome="allowed").latest("id")
    assert entry.details["replaced"] == [own.totp.pk] and entry.details["first"] is False
    note = Notification.objects.get(recipient=victim, kind="security.2fa_enrolled")
    assert OutboxEmail.objects.filter(notification=note, to=victim.email).exists(), "the owner is told by e-mail too"

    # A verification long ago in this session is not enough: the step-up window applies.
    settings.SERAMBI_2FA_STEP_UP_SECONDS = 0
    session = client.session
    session["serambi_2fa_at"] -= 5
    session.save()
    assert _refused_to_verify(client.get(SETUP))


def test_first_enrolment_is_still_possible_audited_and_told(client, org):
    victim = make_victim(org, "hr_officer")
    login_with_password(client, victim)
    assert client.get("/direktori/")["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    pending = TOTPDevice.objects.get(user=victim, confirmed=False)
    page = client.post(SETUP, {"token": code_for(pending)})
    assert 'data-testid="recovery-codes"' in page.content.decode()
    assert AuditEntry.objects.filter(action="2fa.enrol", outcome="allowed", details__first=True).exists()
    assert Notification.objects.filter(recipient=victim, kind="security.2fa_enrolled").count() == 1
    # Enrolled: the page that enrols is now closed to a password-only session (a new login of the same account).
    client.post("/akun/keluar/")
    login_with_password(client, victim)
    assert _refused_to_verify(client.get(SETUP))


def _routes_a_session_could_use():
    for route, name in all_routes():
        if name in PUBLIC | PUBLIC_DOCS | SHADOWED:
            continue  # public pages, or shadowed by a redirect to the one login
        if name in {"accounts:logout", "admin:logout", "wagtail_admin_logout"}:
            continue  # they end the caller's own session (tested below)
        yield route, name


@pytest.mark.parametrize("role", ("hr_officer", "administrator"))
def test_a_password_only_session_gets_nothing_from_any_route(client, org, role):
    """Every route of the resolver, GET and POST, with plausible parameters: the only answers a password-only
    session gets are the verification page, a redirect to it, or a refusal without data."""
    victim = make_victim(org, role)
    enrol(victim)
    login_with_password(client, victim)
    client.raise_request_exception = False
    routes = list(_routes_a_session_could_use())
    assert len(routes) > 400, "the route enumeration looks broken"
    exempt = SecondFactorRequiredMiddleware.EXEMPT_URL_NAMES
    leaks = []
    for route, name in routes:
        path = sample_path(route)
        try:
            resolved = resolve(path).view_name
        except Resolver404:
            resolved = None
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if resolved == "security:2fa_verify" and response.status_code == 200:
                continue  # the one page a password-only session is for
            if is_token_route(route, name):
                # the session is no credential there (a token client has no session to hold back)
                ok = _refused_to_verify(response) or response.status_code in (401, 403, 404, 405)
            elif resolved is None:
                ok = response.status_code == 404
            elif resolved in exempt:  # each must refuse by itself: the gate lets them through
                ok = _refused_to_verify(response) or response.status_code == 405 or (
                    response.status_code == 302 and resolved not in ("security:2fa_setup", "security:recovery_codes"))
            else:
                ok = _refused_to_verify(response)
            if not ok:
                leaks.append(f"{method.upper()} {path} ({name}): {response.status_code} {response.get('Location', '')}")
    assert not leaks, "a password-only session got an answer:\n" + "\n".join(leaks)
    assert not TOTPDevice.objects.filter(user=victim).exclude(name="victim's phone").exists()
    assert "otp_device_id" not in client.session


@pytest.mark.parametrize("logout_url", ("/cms-admin/logout/", "/django-admin/logout/"))
def test_admin_logouts_are_post_only_and_end_the_server_session(client, org, logout_url):
    admin = make_victim(org, "administrator")
    own = enrol(admin)
    login_with_password(client, admin)
    client.post(VERIFY, {"token": code_for(own.totp)})
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value

    by_link = client.get(logout_url)
    assert by_link.status_code == 405, "a link (or an <img>) cannot log anyone out"
    assert "sessionid" not in by_link.cookies, "the cookie is not dropped while the session lives on"
    assert Session.objects.filter(session_key=key).exists()

    client.post(logout_url)
    assert not Session.objects.filter(session_key=key).exists(), "the server session ended"
    assert not UserSession.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = cookie  # whoever kept a copy of the cookie
    assert client.get("/direktori/")["Location"].startswith("/akun/masuk/")


@pytest.mark.parametrize("role", ("editor", "moderator"))
def test_editors_and_moderators_need_a_second_factor_too(client, org, role):
    """An editor's password alone must not publish to the whole ministry."""
    victim = make_victim(org, role)
    login_with_password(client, victim)
    for url in ("/cms-admin/", "/cms-admin/pages/", "/direktori/"):
        assert client.get(url)["Location"].startswith(SETUP), url


def test_anyone_the_wagtail_admin_lets_in_needs_a_second_factor(client, org):
    """Admin access can come from a group of any name, not only Editors or Moderators."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Humas daerah")
    group.permissions.add(Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"))
    victim = make_victim(org, "hr_officer")
    victim.groups.set([group])
    enrol(victim)
    login_with_password(client, victim)
    assert _refused_to_verify(client.get("/cms-admin/"))


@pytest.mark.parametrize("typed", ("{} {}", "{}-{}", " {}  {} ", "{}\u00a0{}"))
def test_a_code_typed_with_a_space_or_a_dash_is_accepted(client, org, typed):
    victim = make_victim(org, "payroll_officer")
    own = enrol(victim)
    login_with_password(client, victim)
    code = code_for(own.totp)
    response = client.post(VERIFY, {"token": typed.format(code[:3], code[3:]), "next": "/direktori/"})
    assert response.status_code == 302 and response["Location"] == "/direktori/"
    assert client.get("/direktori/").status_code == 200
