"""The Active Directory preset (AD attribute names on slapd via a small test schema) and StartTLS verification."""

import logging

import pytest
from django.urls import reverse

from hr.org.models import HRScope
from intranet.accounts.ldap.config import get_config
from intranet.accounts.ldap.sync import run_sync
from intranet.accounts.models import User
from intranet.accounts.roles import Role, has_role
from tests import factories
from tests.ldap_server import (
    AD_BASE,
    AD_GROUPS,
    AD_SERVICE_DN,
    AD_USERS,
    NIP_AD_JOKO,
    NIP_SITI,
    SERVICE_PASSWORD,
    USER_PASSWORD,
)

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]


def post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def problem(response):
    errors = response.context["form"].non_field_errors().as_data()
    return errors[0].code if errors else None


@pytest.fixture
def ad(ldap_settings, org):
    ldap_settings(
        LDAP_PRESET="ad",
        LDAP_BIND_DN=AD_SERVICE_DN,
        LDAP_BIND_PASSWORD=SERVICE_PASSWORD,
        LDAP_BASE_DN=AD_BASE,
        LDAP_USER_BASE_DN=AD_USERS,
        LDAP_GROUP_BASE_DN=AD_GROUPS,
        LDAP_GROUP_ROLE_MAP=[{"group": f"cn=GG-SDM,{AD_GROUPS}", "role": "HR_OFFICER", "scope_unit": "DIR1"}],
    )
    return factories.EmployeeFactory(user=None, nip=NIP_AD_JOKO, gender="M", unit=org["DIR2"])


class TestActiveDirectoryPreset:
    @pytest.mark.parametrize("login", ["JWidodo", "jwidodo", "JWidodo@ad.kemencontoh.go.id", NIP_AD_JOKO])
    def test_login_by_sam_account_name_upn_and_employee_id(self, client, ad, login):
        assert post_login(client, login, USER_PASSWORD).status_code == 302
        user = User.objects.get(username="jwidodo")  # case-folded sAMAccountName
        ad.refresh_from_db()
        assert ad.user == user and ad.unit.code == "DIR1"
        assert has_role(user, Role.HR_OFFICER) and HRScope.objects.get(user=user).unit.code == "DIR1"

    def test_disabled_account_gets_a_clear_message(self, client, ad):
        response = post_login(client, "mati", USER_PASSWORD)
        assert problem(response) == "disabled"
        assert not User.objects.filter(username="mati", is_active=True).exists()

    def test_disabled_account_with_a_wrong_password_is_just_a_wrong_password(self, client, ad):
        assert problem(post_login(client, "mati", "salah")) == "invalid_login"

    def test_sync_with_the_ad_preset(self, ad):
        report = run_sync()
        assert report.created == 1  # jwidodo; the disabled account and the service account are not created
        assert list(User.objects.filter(source="directory").values_list("username", flat=True)) == ["jwidodo"]

    def test_ad_preset_asks_a_server_that_evaluates_in_chain_for_nested_groups(self, ad):
        """slapd has no in-chain matching rule (test_ldap_ad_realistic.py shows the fallback): here the server is
        taken to have passed the probe, and the query itself is checked."""
        from intranet.accounts.ldap import directory
        from intranet.accounts.ldap.directory import DirectoryEntry, groups_for_entry

        class Recorder:
            response, result = [], {}
            filters = []

            def search(self, base, search_filter, **kwargs):
                self.filters.append(search_filter)

        config = get_config()
        assert config.nested == "auto" and config.attr("username") == "sAMAccountName"
        directory._in_chain_support[(config.server_uris, directory.normalize_dn(config.group_base_dn))] = True
        try:
            conn = Recorder()
            entry = DirectoryEntry(
                dn="CN=Joko (Widodo),OU=Users,DC=ad", username="jwidodo", direct_groups=frozenset({"cn=a"})
            )
            assert groups_for_entry(conn, config, entry) == frozenset({"cn=a"})
        finally:
            directory.forget_nesting_probe()
        assert conn.filters == [
            "(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=Joko \\28Widodo\\29,OU=Users,DC=ad))"
        ]


class TestStartTLS:
    def _use(self, ldap_settings, tls, **kw):
        server, ca, _rogue = tls
        return ldap_settings(server=server, LDAP_START_TLS=True, LDAP_CA_FILE=str(ca), **kw)

    def test_starttls_with_the_right_ca(self, client, ldap_settings, ldap_tls_server, org):
        factories.EmployeeFactory(user=None, nip=NIP_SITI, unit=org["DIR1"])
        self._use(ldap_settings, ldap_tls_server)
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302

    def test_untrusted_certificate_is_refused(self, client, ldap_settings, ldap_tls_server):
        _server, _ca, rogue = ldap_tls_server
        self._use(ldap_settings, ldap_tls_server)
        ldap_settings(server=ldap_tls_server[0], LDAP_START_TLS=True, LDAP_CA_FILE=str(rogue))
        response = post_login(client, "siti", USER_PASSWORD)
        assert problem(response) == "directory_unavailable"
        assert not User.objects.filter(username="siti").exists()

    def test_system_trust_store_does_not_trust_a_private_ca(self, client, ldap_settings, ldap_tls_server):
        ldap_settings(server=ldap_tls_server[0], LDAP_START_TLS=True, LDAP_CA_FILE="")
        assert problem(post_login(client, "siti", USER_PASSWORD)) == "directory_unavailable"

    def test_insecure_skip_verify_is_explicit_and_warned_about(self, client, ldap_settings, ldap_tls_server, caplog):
        ldap_settings(
            server=ldap_tls_server[0], LDAP_START_TLS=True, LDAP_CA_FILE="", LDAP_INSECURE_SKIP_TLS_VERIFY=True
        )
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302
        from django.apps import apps

        with caplog.at_level(logging.WARNING, logger="intranet.accounts.ldap"):
            apps.get_app_config("accounts").ready()
        assert "LDAP_INSECURE_SKIP_TLS_VERIFY is ON" in caplog.text
