"""`manage.py ldap_check` against real slapd processes: what an administrator pastes into a support ticket."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.ldap_server import (
    AD_BASE,
    AD_GROUPS,
    AD_SERVICE_DN,
    AD_USERS,
    GROUPS,
    NIP_DEWI,
    NIP_SITI,
    PEOPLE,
    SERVICE_PASSWORD,
    free_port,
)

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]


def check(*args) -> tuple[str, str]:
    """(output, error): the report, and the command's error when it found a problem."""
    out = StringIO()
    error = ""
    with translation.override("en"):
        try:
            call_command("ldap_check", *args, stdout=out)
        except CommandError as exc:
            error = str(exc)
    return out.getvalue(), error


def test_a_healthy_directory_report(ldap_settings, org):
    output, error = check("--login", "dewi")
    assert error == "", output
    assert f"users under {PEOPLE} with (objectClass=inetOrgPerson): 8" in output
    assert f"groups under {GROUPS}" in output and ": 9" in output
    assert "service bind: ok as cn=serambi" in output
    assert "sample user: uid=dewi" in output
    assert "employeeNumber → NIP: 1990" in output and "(18 digits, valid)" in output
    assert NIP_DEWI not in output and NIP_SITI not in output  # masked: the report goes into tickets
    assert "departmentNumber → unit: DIR2 (known unit)" in output
    assert f"cn=editors,{GROUPS}".lower() in output.lower()  # nested through humas
    assert "in-chain rule (1.2.840.113556.1.4.1941): NOT supported" in output
    assert "TLS: none" in output and "WARNING: Plain-text LDAP" in output
    assert SERVICE_PASSWORD not in output and "password set, not shown" in output
    assert "No problem found." in output


def test_ad_preset_on_entries_without_object_category_explains_the_zero(ldap_settings, ldap_private_server):
    conn = ldap_private_server.admin_connection(AD_BASE)
    try:
        for cn in ("Joko Widodo", "Akun Nonaktif"):
            conn.modify(f"cn={cn},{AD_USERS}", {"objectCategory": [("MODIFY_DELETE", [])]})
    finally:
        conn.unbind()
    ldap_settings(
        server=ldap_private_server,
        LDAP_PRESET="ad",
        LDAP_BIND_DN=AD_SERVICE_DN,
        LDAP_BASE_DN=AD_BASE,
        LDAP_USER_BASE_DN=AD_USERS,
        LDAP_GROUP_BASE_DN=AD_GROUPS,
    )
    output, error = check()
    assert "problem(s) found" in error
    assert "(&(objectCategory=person)(objectClass=user)): 0" in output
    assert "3 entries have objectClass=user but no matching objectCategory" in output  # service account too
    assert "LDAP_USER_OBJECT_FILTER=(objectClass=user)" in output

    ldap_settings(
        server=ldap_private_server,
        LDAP_PRESET="ad",
        LDAP_BIND_DN=AD_SERVICE_DN,
        LDAP_BASE_DN=AD_BASE,
        LDAP_USER_BASE_DN=AD_USERS,
        LDAP_GROUP_BASE_DN=AD_GROUPS,
        LDAP_USER_OBJECT_FILTER="(objectClass=user)",
    )
    output, error = check("--login", "JWidodo")
    assert "sAMAccountName → username: jwidodo" in output
    # this server does not evaluate the in-chain rule: said, and that Serambi resolves nesting itself
    assert "in-chain rule (1.2.840.113556.1.4.1941): NOT supported" in output
    assert "nested groups are resolved by Serambi itself" in output


def test_a_wrong_service_password_is_explained_without_showing_it(ldap_settings):
    ldap_settings(LDAP_BIND_PASSWORD="Salah-Ketik-2026")
    output, error = check()
    assert error
    assert "49 invalidCredentials" in output and "LDAP_BIND_PASSWORD" in output
    assert "Salah-Ketik-2026" not in output + error


def test_a_mistyped_base_dn_and_a_dead_server(ldap_settings, ldap_server):
    dead = f"ldap://127.0.0.1:{free_port()}"
    ldap_settings(LDAP_SERVER_URIS=[dead, ldap_server.uri], LDAP_USER_BASE_DN="ou=peopel,dc=serambi,dc=test")
    output, error = check()
    assert error
    assert f"[1] {dead}" in output and "connect: FAILED" in output
    assert f"[2] {ldap_server.uri}" in output and "connect: ok" in output
    assert "32 noSuchObject" in output and "LDAP_USER_BASE_DN" in output


def test_tls_and_certificate_status(ldap_settings, ldap_tls_server):
    server, ca, rogue = ldap_tls_server
    ldap_settings(server=server, LDAP_START_TLS=True, LDAP_CA_FILE=str(ca))
    output, error = check()
    assert error == "", output
    assert "TLS: StartTLS, certificate verified — subject localhost, issuer serambi-test-ca" in output
    assert "days left" in output

    ldap_settings(server=server, LDAP_START_TLS=True, LDAP_CA_FILE=str(rogue))
    output, error = check()
    assert error and "connect: FAILED" in output and "LDAP_CA_FILE" in output
