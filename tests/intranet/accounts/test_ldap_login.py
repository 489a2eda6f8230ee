"""Directory login against a real slapd: search with the service account, bind as the user, map groups to roles."""

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from hr.org.models import HRScope
from intranet.accounts.ldap import connection as ldap_connection
from intranet.accounts.ldap.backend import DirectoryBackend
from intranet.accounts.ldap.directory import find_login, valid_login
from intranet.accounts.models import DirectoryAccount, DirectoryGroupMapping, RoleGrant, User
from intranet.accounts.roles import Role, has_role
from tests import factories
from tests.ldap_server import (
    GROUPS,
    NIP_BUDI,
    NIP_SITI,
    USER_PASSWORD,
    uid_dn,
)
from tests.query_bounds import queries

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]

LOGIN = "accounts:login"
GENERIC = "Nama pengguna atau kata sandi salah."


def post_login(client, username, password):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="id")


def logged_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


def error_code(response) -> str | None:
    errors = response.context["form"].non_field_errors().as_data() if response.context else []
    return errors[0].code if errors else None


@pytest.fixture
def siti(org):
    return factories.EmployeeFactory(user=None, nip=NIP_SITI, name="Siti Rahma", unit=org["DIR1"])


class TestLogin:
    def test_login_by_uid_creates_directory_account_and_links_employee(self, client, ldap_settings, siti, org):
        response = post_login(client, "siti", USER_PASSWORD)
        assert response.status_code == 302
        user = logged_in_user(client)
        assert user.username == "siti"
        assert user.source == User.Source.DIRECTORY
        assert user.directory_dn == uid_dn("siti")
        assert (user.first_name, user.last_name, user.email) == ("Siti", "Rahma", "siti@kemencontoh.go.id")
        assert not user.has_usable_password()  # never a local password for a directory account
        siti.refresh_from_db()
        assert siti.user_id == user.pk
        assert siti.work_phone == "021-555 0101"
        assert DirectoryAccount.objects.get(user=user).title == "Analis Kepegawaian"
        assert has_role(user, Role.EMPLOYEE)

    @pytest.mark.parametrize("login", ["siti@kemencontoh.go.id", NIP_SITI, "SITI", "Siti"])
    def test_login_by_mail_nip_and_any_case_is_one_account(self, client, ldap_settings, siti, login):
        assert post_login(client, login, USER_PASSWORD).status_code == 302
        assert logged_in_user(client).username == "siti"
        assert User.objects.filter(username__iexact="siti").count() == 1

    def test_wrong_password_and_unknown_user_get_one_generic_message(self, client, ldap_settings):
        for username, password in (("siti", "salah-sekali"), ("tidak-ada", USER_PASSWORD)):
            response = post_login(client, username, password)
            assert response.status_code == 200
            assert error_code(response) == "invalid_login"
            assert GENERIC in response.content.decode()
        assert not User.objects.filter(username="tidak-ada").exists()

    def test_empty_password_never_reaches_the_directory(self, ldap_settings, monkeypatch):
        def boom(*a, **k):
            raise AssertionError("network call with an empty password")

        monkeypatch.setattr("intranet.accounts.ldap.backend.kept_service_connection", boom)
        assert authenticate(None, username="siti", password="") is None

    @pytest.mark.parametrize(
        "login", ["*", "*)(uid=*", "admin)(|(uid=*", "siti)(|(objectClass=*", "s*", "siti\\2a", " "]
    )
    def test_injection_attempts_log_in_nobody(self, client, ldap_settings, login, monkeypatch):
        calls = []
        real = ldap_connection.kept_service_connection
        monkeypatch.setattr(
            "intranet.accounts.ldap.backend.kept_service_connection", lambda *a: calls.append(1) or real(*a)
        )
        response = post_login(client, login, USER_PASSWORD)
        assert response.status_code == 200
        assert logged_in_user(client) is None
        assert calls == []  # refused by the strict pattern before any network call

    def test_filter_values_are_escaped(self, ldap_server, ldap_settings):
        """Even without the pattern check, a wildcard is searched literally."""
        from intranet.accounts.ldap.config import get_config

        config = get_config()
        with ldap_connection.service_connection(config) as conn:
            assert find_login(conn, config, "*") == []
            assert find_login(conn, config, "*)(uid=*") == []
            assert [e.username for e in find_login(conn, config, "star")] == ["star"]
        assert not valid_login("*") and not valid_login("a b") and valid_login("siti.rahma@kemencontoh.go.id")

    def test_several_matches_are_refused(self, client, ldap_settings):
        # A filter that matches two entries for one login must not pick one of them.
        ldap_settings(LDAP_USER_FILTER="(|(uid={login})(sn=Santoso)(uid=siti))")
        assert post_login(client, "budi", USER_PASSWORD).status_code == 200
        assert logged_in_user(client) is None


class TestRoles:
    def test_group_mapping_grants_role_and_scope_and_removes_them_with_the_membership(
        self, client, ldap_settings, ldap_server, org
    ):
        factories.EmployeeFactory(user=None, nip=NIP_BUDI, unit=org["SUB1"])
        ldap_settings(LDAP_GROUP_ROLE_MAP=[{"group": f"cn=sdm,{GROUPS}", "role": "HR_OFFICER", "scope_unit": "DIR1"}])
        assert post_login(client, "budi", USER_PASSWORD).status_code == 302
        budi = User.objects.get(username="budi")
        factories.grant_roles(budi, Role.EDITOR)  # manual: must survive the directory
        assert has_role(budi, Role.HR_OFFICER)
        scope = HRScope.objects.get(user=budi)
        assert (scope.unit, scope.kind, scope.source) == (org["DIR1"], "hr", "directory")

        conn = ldap_server.admin_connection()
        conn.modify(f"cn=sdm,{GROUPS}", {"member": [("MODIFY_DELETE", [uid_dn("budi")])]})
        try:
            client.logout()
            assert post_login(client, "budi", USER_PASSWORD).status_code == 302
        finally:
            conn.modify(f"cn=sdm,{GROUPS}", {"member": [("MODIFY_ADD", [uid_dn("budi")])]})
            conn.unbind()
        budi = User.objects.get(username="budi")
        assert not has_role(budi, Role.HR_OFFICER)
        assert not HRScope.objects.filter(user=budi).exists()
        assert has_role(budi, Role.EDITOR)  # manually granted: left alone
        assert has_role(budi, Role.EMPLOYEE)
        assert set(RoleGrant.objects.filter(user=budi).values_list("group__name", flat=True)) == {Role.EMPLOYEE.value}

    def test_a_role_a_directory_login_takes_away_is_gone_from_the_cache_at_once(
        self, client, ldap_settings, ldap_server, org
    ):
        """The login's bulk writes send no signals: the organisation generation (roles, employee record and reader
        copies kept under it) is bumped by the provisioning itself."""
        from django.contrib.auth.models import Group

        from hr.org.signals import ORG_GENERATION_KEY
        from intranet.core.caching import generations

        factories.EmployeeFactory(user=None, nip=NIP_BUDI, unit=org["SUB1"])
        ldap_settings(LDAP_GROUP_ROLE_MAP=[{"group": f"cn=sdm,{GROUPS}", "role": "AUDITOR"}])
        assert post_login(client, "budi", USER_PASSWORD).status_code == 302
        assert client.get("/audit/").status_code == 200  # the role, now kept in the cache for the next requests
        conn = ldap_server.admin_connection()
        conn.modify(f"cn=sdm,{GROUPS}", {"member": [("MODIFY_DELETE", [uid_dn("budi")])]})
        try:
            client.logout()
            before = generations(ORG_GENERATION_KEY)
            assert post_login(client, "budi", USER_PASSWORD).status_code == 302
        finally:
            conn.modify(f"cn=sdm,{GROUPS}", {"member": [("MODIFY_ADD", [uid_dn("budi")])]})
            conn.unbind()
        assert generations(ORG_GENERATION_KEY) != before
        assert not User.objects.get(username="budi").groups.filter(pk=Group.objects.get(name="Auditor").pk).exists()
        assert client.get("/audit/").status_code == 403

    def test_a_mapping_an_administrator_adds_or_switches_off_reaches_the_next_login(self, client, ldap_settings):
        """Logins keep the role plan in the cache (`login_role_plan`); saving a mapping retires it."""
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302  # the plan, without a mapping, is kept
        assert not has_role(User.objects.get(username="dewi"), Role.EDITOR)
        mapping = DirectoryGroupMapping.objects.create(group_dn=f"cn=humas,{GROUPS}", role=Role.EDITOR)
        client.logout()
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302
        assert has_role(User.objects.get(username="dewi"), Role.EDITOR)
        mapping.active = False
        mapping.save()
        client.logout()
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302
        assert not has_role(User.objects.get(username="dewi"), Role.EDITOR)

    def test_a_renamed_role_group_reaches_the_next_login(self, client, ldap_settings):
        from django.contrib.auth.models import Group

        ldap_settings(LDAP_GROUP_ROLE_MAP=[{"group": f"cn=humas,{GROUPS}", "role": "EDITOR"}])
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302
        editors = Group.objects.get(name=Role.EDITOR.value)
        editors.name = "Editors (old)"  # e.g. replaced by a group of another name: the role's id changes
        editors.save()
        fresh = Group.objects.create(name=Role.EDITOR.value)
        client.logout()
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302
        assert User.objects.get(username="dewi").groups.filter(pk=fresh.pk).exists()

    def test_manual_scope_is_left_alone(self, client, ldap_settings, org):
        budi = factories.UserFactory(username="budi", source=User.Source.LOCAL)
        manual = factories.give_scope(budi, org["DIR2"])
        assert post_login(client, "budi", USER_PASSWORD).status_code == 302
        assert HRScope.objects.filter(pk=manual.pk, source="manual").exists()
        budi.refresh_from_db()
        assert has_role(budi, Role.HR_OFFICER)  # the manual membership has no directory grant: kept

    def test_nested_groups_and_membership_loops(self, client, ldap_settings):
        ldap_settings(
            LDAP_GROUP_ROLE_MAP=[
                {"group": f"cn=editors,{GROUPS}", "role": "EDITOR"},
                {"group": f"cn=moderators,{GROUPS}", "role": "MODERATOR"},
            ]
        )
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302  # editors ∋ humas ∋ dewi
        assert has_role(User.objects.get(username="dewi"), Role.EDITOR)
        client.logout()
        assert post_login(client, "rina", USER_PASSWORD).status_code == 302  # moderators ∋ cycle-b ⟷ cycle-a ∋ rina
        rina = User.objects.get(username="rina")
        assert has_role(rina, Role.MODERATOR) and not has_role(rina, Role.EDITOR)

    def test_nested_groups_can_be_switched_off(self, client, ldap_settings):
        ldap_settings(
            LDAP_NESTED_GROUPS=False, LDAP_GROUP_ROLE_MAP=[{"group": f"cn=editors,{GROUPS}", "role": "EDITOR"}]
        )
        assert post_login(client, "dewi", USER_PASSWORD).status_code == 302
        assert not has_role(User.objects.get(username="dewi"), Role.EDITOR)


class TestLoginCost:
    def test_a_login_that_changes_nothing_reads_two_rows_and_opens_no_transaction(self, ldap_settings, siti):
        """The role plan comes from the cache, the account with its fingerprint in one query; nothing is written."""
        backend = DirectoryBackend()
        assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None  # applies the entry
        # a local break-glass administrator of that name? the account and its fingerprint
        with queries(at_most=2) as q:
            user = backend.authenticate(None, username="siti", password=USER_PASSWORD)
        assert user.username == "siti" and user.employee == siti
        assert not [s for s in q.sql if "SAVEPOINT" in s or not s.startswith("SELECT")], q.listing()

    def test_logins_in_a_row_share_one_service_connection(self, ldap_settings, siti, monkeypatch):
        backend = DirectoryBackend()
        assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None
        opened = []
        real = ldap_connection.service_connection
        monkeypatch.setattr(ldap_connection, "service_connection", lambda *a, **k: opened.append(1) or real(*a, **k))
        for login in ("siti", "budi", "siti"):
            assert backend.authenticate(None, username=login, password=USER_PASSWORD) is not None
        assert backend.authenticate(None, username="siti", password="salah-sekali") is None
        assert opened == []  # kept in this thread since the first login
        monkeypatch.setattr(ldap_connection, "KEEP_IDLE_SECONDS", -1)  # idle too long: a directory may have closed it
        assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None
        assert opened == [1]

    def test_a_changed_entry_still_goes_through_the_transaction(self, ldap_settings, ldap_server, siti):
        backend = DirectoryBackend()
        backend.authenticate(None, username="siti", password=USER_PASSWORD)
        conn = ldap_server.admin_connection()
        conn.modify(uid_dn("siti"), {"title": [("MODIFY_REPLACE", ["Analis SDM Aparatur"])]})
        try:
            with queries() as q:
                assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None
        finally:
            conn.modify(uid_dn("siti"), {"title": [("MODIFY_REPLACE", ["Analis Kepegawaian"])]})
            conn.unbind()
        assert DirectoryAccount.objects.get(user__username="siti").title == "Analis SDM Aparatur"
        assert any("SAVEPOINT" in s for s in q.sql)  # the writes, in one transaction


class TestAccessRules:
    def test_required_group(self, client, ldap_settings):
        ldap_settings(LDAP_REQUIRED_GROUP=f"cn=serambi-users,{GROUPS}")
        response = post_login(client, "outsider", USER_PASSWORD)
        assert error_code(response) == "not_in_required_group"
        assert "tidak diizinkan" in response.content.decode()
        assert logged_in_user(client) is None
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302

    def test_required_group_refusal_needs_the_right_password(self, client, ldap_settings):
        ldap_settings(LDAP_REQUIRED_GROUP=f"cn=serambi-users,{GROUPS}")
        assert error_code(post_login(client, "outsider", "salah")) == "invalid_login"  # no enumeration

    def test_deny_group_and_existing_account_is_deactivated(self, client, ldap_settings):
        assert post_login(client, "blocked", USER_PASSWORD).status_code == 302
        client.logout()
        ldap_settings(LDAP_DENY_GROUP=f"cn=blocked,{GROUPS}")
        response = post_login(client, "blocked", USER_PASSWORD)
        assert error_code(response) == "denied_group"
        assert not User.objects.get(username="blocked").is_active

    def test_a_refused_directory_account_cannot_fall_back_to_a_local_password(self, client, ldap_settings):
        user = factories.UserFactory(username="outsider", source=User.Source.LOCAL)
        user.set_password(USER_PASSWORD)
        user.save()
        ldap_settings(LDAP_REQUIRED_GROUP=f"cn=serambi-users,{GROUPS}")
        assert error_code(post_login(client, "outsider", USER_PASSWORD)) == "not_in_required_group"
        assert logged_in_user(client) is None

    def test_local_break_glass_admin_is_never_taken_over(self, client, ldap_settings):
        admin = User.objects.create_superuser("admin", "admin@example.go.id", "Lokal-Darurat-2026")
        # The directory also has uid=admin with USER_PASSWORD: it must not log in as the local administrator.
        assert post_login(client, "admin", USER_PASSWORD).status_code == 200
        assert logged_in_user(client) is None
        assert post_login(client, "admin", "Lokal-Darurat-2026").status_code == 302
        assert logged_in_user(client) == admin
        admin.refresh_from_db()
        assert admin.source == User.Source.LOCAL and admin.is_superuser

    def test_converted_account_loses_its_stale_local_password(self, client, ldap_settings, siti):
        old = factories.UserFactory(username="siti", source=User.Source.LOCAL)
        old.set_password("Kata-Sandi-Lama-2020")
        old.save()
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302
        old.refresh_from_db()
        assert old.source == User.Source.DIRECTORY and not old.has_usable_password()
        client.logout()
        assert post_login(client, "siti", "Kata-Sandi-Lama-2020").status_code == 200


class TestDirectoryOutage:
    def test_directory_stopped_mid_suite(self, client, ldap_settings, ldap_private_server):
        ldap_settings(server=ldap_private_server, LDAP_CONNECT_TIMEOUT=1, LDAP_RECEIVE_TIMEOUT=2)
        admin = User.objects.create_superuser("admin", "admin@example.go.id", "Lokal-Darurat-2026")
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302
        client.logout()

        ldap_private_server.stop()
        response = post_login(client, "siti", USER_PASSWORD)
        assert response.status_code == 200
        assert error_code(response) == "directory_unavailable"
        body = response.content.decode()
        assert "Layanan direktori sedang tidak tersedia" in body
        assert "Traceback" not in body
        assert logged_in_user(client) is None
        # The directory account cannot sneak in with a local password either.
        assert not User.objects.get(username="siti").has_usable_password()
        # The break-glass administrator still logs in.
        assert post_login(client, "admin", "Lokal-Darurat-2026").status_code == 302
        assert logged_in_user(client) == admin

    def test_a_restarted_directory_costs_no_failed_login(self, ldap_settings, ldap_private_server):
        """The service connection kept since the last login was closed by the restart: the search runs again on a new
        connection."""
        ldap_settings(server=ldap_private_server, LDAP_CONNECT_TIMEOUT=1, LDAP_RECEIVE_TIMEOUT=2)
        backend = DirectoryBackend()
        assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None
        ldap_private_server.stop()
        ldap_private_server.start()
        assert backend.authenticate(None, username="siti", password=USER_PASSWORD) is not None

    def test_failover_to_the_second_server(self, client, ldap_settings, ldap_server):
        from tests.ldap_server import free_port

        dead = f"ldap://127.0.0.1:{free_port()}"
        ldap_settings(LDAP_SERVER_URIS=[dead, ldap_server.uri], LDAP_CONNECT_TIMEOUT=1)
        assert post_login(client, "siti", USER_PASSWORD).status_code == 302


def test_directory_off_means_local_login_only(client, settings, db):
    settings.LDAP_ENABLED = False
    user = factories.UserFactory(username="lokal")
    assert authenticate(None, username="lokal", password="correct-horse-battery") == user
