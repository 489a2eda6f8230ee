"""Directory login against an Active-Directory-shaped slapd (tests/ldap_ad.py), as a ministry configures it from
the docs: nested and looping groups without the server's in-chain rule, a deny group reached through nesting, the
account states AD stores, the immutable identifier as the account's anchor, and the login forms Windows users type."""

import datetime as dt
import logging
import uuid

import ldap3
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from intranet.accounts.ldap.config import get_config
from intranet.accounts.ldap.sync import run_sync
from intranet.accounts.models import User
from intranet.accounts.roles import Role, has_role
from intranet.audit.models import AuditEntry
from intranet.notifications.models import Notification
from tests import factories
from tests.ldap_ad import (
    CORP,
    CORP_USERS,
    NIP_NINA,
    corp_user,
    filetime,
    group_dn,
    guid,
)
from tests.ldap_server import USER_PASSWORD

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]


def post_login(client, username, password=USER_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def problem(response):
    if response.status_code == 302:
        return "logged_in"
    errors = response.context["form"].non_field_errors().as_data()
    return errors[0].code if errors else None


def add(server, entry):
    dn, attrs = entry
    attrs = dict(attrs)
    conn = server.admin_connection(CORP)
    try:
        conn.add(dn, attrs.pop("objectClass"), attrs)
    finally:
        conn.unbind()


def modify(server, dn, **values):
    conn = server.admin_connection(CORP)
    try:
        conn.modify(dn, {k: [(ldap3.MODIFY_REPLACE, [v])] for k, v in values.items()})
    finally:
        conn.unbind()


def delete(server, dn):
    conn = server.admin_connection(CORP)
    try:
        conn.delete(dn)
    finally:
        conn.unbind()


# --- 1. nested groups ----------------------------------------------------------------------------------------------
class TestNestedGroups:
    def test_a_role_through_a_nested_group_on_a_server_without_in_chain(self, client, ad_settings):
        assert problem(post_login(client, "ayu")) == "logged_in"
        assert has_role(User.objects.get(username="ayu"), Role.EDITOR)  # GG-Humas-Jakarta ⊂ GG-Humas → Editor

    def test_the_missing_in_chain_rule_is_detected_once_and_logged(self, client, ad_settings, caplog):
        with caplog.at_level(logging.INFO, logger="intranet.accounts.ldap"):
            post_login(client, "ayu")
            post_login(client, "siklus")
        verdicts = [r for r in caplog.records if "LDAP_MATCHING_RULE_IN_CHAIN" in r.getMessage()]
        assert len(verdicts) == 1 and verdicts[0].levelno == logging.WARNING
        assert "does not evaluate" in verdicts[0].getMessage()

    def test_a_membership_loop_ends_and_still_grants(self, client, ad_settings):
        assert problem(post_login(client, "siklus")) == "logged_in"  # A ⟷ B, B ⊂ GG-Humas
        assert has_role(User.objects.get(username="siklus"), Role.EDITOR)

    @pytest.mark.parametrize("nesting", ["true", "false", "client"])
    def test_a_member_of_a_group_nested_in_the_deny_group_is_refused(self, client, ad_settings, nesting):
        ad_settings(LDAP_NESTED_GROUPS=nesting)
        assert problem(post_login(client, "kontraktor")) == "denied_group"
        assert not User.objects.filter(username="kontraktor", is_active=True).exists()

    def test_nesting_and_account_state_rules_are_separate_settings(self, client, ad_settings):
        ad_settings(LDAP_NESTED_GROUPS="off", LDAP_ACCOUNT_STATE="ad")
        config = get_config()
        assert (config.nested, config.account_state) == ("off", "ad")
        assert problem(post_login(client, "nonaktif")) == "disabled"
        assert problem(post_login(client, "ayu")) == "logged_in"
        assert not has_role(User.objects.get(username="ayu"), Role.EDITOR)  # nesting off: direct groups only
        ad_settings(LDAP_ACCOUNT_STATE="off")
        assert problem(post_login(client, "nonaktif")) == "logged_in"  # state rules off, whatever the preset

    def test_openldap_preset_can_use_active_directory_account_state(self, settings, ad_settings):
        ad_settings(LDAP_PRESET="openldap", LDAP_ACCOUNT_STATE="ad")
        config = get_config()
        assert (config.nested, config.account_state) == ("client", "ad")
        assert "userAccountControl" in config.fetch_attributes()

    @pytest.mark.parametrize("nesting", ["true", "off"])
    def test_the_sync_applies_the_deny_group_and_nested_roles(self, ad_settings, nesting):
        ad_settings(LDAP_NESTED_GROUPS=nesting)
        run_sync()
        assert not User.objects.filter(username="kontraktor", is_active=True).exists()  # nested deny, always
        if nesting == "off":
            assert not has_role(User.objects.get(username="ayu"), Role.EDITOR)  # direct groups only
            return
        assert has_role(User.objects.get(username="ayu"), Role.EDITOR)
        assert has_role(User.objects.get(username="siklus"), Role.EDITOR)


# --- 7. account state ------------------------------------------------------------------------------------------------
STATE_CHANGES = {
    "account_expired": lambda now: {"accountExpires": str(filetime(now - dt.timedelta(hours=1)))},
    "locked_out": lambda now: {"lockoutTime": str(filetime(now - dt.timedelta(minutes=1)))},
    "must_change_password": lambda now: {"pwdLastSet": "0"},
    "password_expired": lambda now: {
        "msDS-UserPasswordExpiryTimeComputed": str(filetime(now - dt.timedelta(minutes=1)))
    },
    "logon_restricted": lambda now: {"logonHours": bytes(21)},
}


class TestAccountState:
    @pytest.mark.parametrize(
        ("login", "code"),
        [
            ("kedaluwarsa", "account_expired"),
            ("terkunci", "locked_out"),
            ("gantisandi", "must_change_password"),
            ("sandilama", "password_expired"),
            ("jamkerja", "logon_restricted"),
            ("nonaktif", "disabled"),
        ],
    )
    def test_each_state_has_its_own_message(self, client, ad_settings, login, code):
        response = post_login(client, login)
        assert problem(response) == code
        assert response.context["form"].non_field_errors()[0] not in (
            response.context["form"].error_messages["invalid_login"],
            response.context["form"].error_messages["disabled"] if code != "disabled" else "",
        )

    @pytest.mark.parametrize("code", list(STATE_CHANGES))
    def test_a_state_refuses_the_login_but_keeps_the_account(self, client, ad_server, ad_settings, code):
        sam = f"st-{code[:10]}".replace("_", "")
        dn, attrs = corp_user(sam, "Status", code)
        add(ad_server, (dn, attrs))
        try:
            assert problem(post_login(client, sam)) == "logged_in"
            client.logout()
            user = User.objects.get(username=sam)
            assert has_role(user, Role.EMPLOYEE)
            modify(ad_server, dn, **STATE_CHANGES[code](dt.datetime.now(dt.UTC)))
            assert problem(post_login(client, sam)) == code
            assert problem(post_login(client, sam, "salah-sekali")) == "invalid_login"  # no state without the password
            run_sync()
            user.refresh_from_db()
            assert user.is_active and has_role(user, Role.EMPLOYEE)  # neither the login nor the sync switched it off
        finally:
            delete(ad_server, dn)

    def test_the_state_is_told_only_for_the_right_password(self, client, ad_settings):
        assert problem(post_login(client, "terkunci", "salah-sekali")) == "invalid_login"


# --- 2. the immutable identifier --------------------------------------------------------------------------------------
class TestAnchor:
    def test_the_account_is_anchored_to_the_object_guid(self, client, ad_settings):
        post_login(client, "ayu")
        assert User.objects.get(username="ayu").directory_anchor == f"objectguid:{uuid.UUID(bytes_le=guid('ayu'))}"

    def test_a_recycled_username_never_reaches_the_old_account(self, client, ad_server, ad_settings):
        hr = factories.UserFactory(username="petugas-sdm")
        hr.groups.add(Group.objects.get_or_create(name=Role.HR_OFFICER.value)[0])
        dn, attrs = corp_user("rotasi", "Rotasi", "Lama")
        add(ad_server, (dn, attrs))
        try:
            assert problem(post_login(client, "rotasi")) == "logged_in"
            client.logout()
            old = User.objects.get(username="rotasi")
            # the person leaves; months later the same login is given to someone else (a new entry, a new GUID)
            delete(ad_server, dn)
            run_sync()
            old.refresh_from_db()
            assert not old.is_active
            add(ad_server, corp_user("rotasi", "Rotasi", "Lama", object_guid=guid("rotasi-baru")))
            assert problem(post_login(client, "rotasi")) == "identity_changed"
            assert problem(post_login(client, "rotasi")) == "identity_changed"  # retried: told once only
            old.refresh_from_db()
            assert not old.is_active and old.first_name == "Rotasi"
            assert User.objects.filter(username__iexact="rotasi").count() == 1
            entries = AuditEntry.objects.filter(action="directory.identity_changed", object_id=str(old.pk))
            assert entries.count() == 1 and entries.get().details["new_anchor"].startswith("objectguid:")
            notes = Notification.objects.filter(recipient=hr, kind="directory.identity_changed")
            assert notes.count() == 1 and "rotasi" in notes.get().title
            report = run_sync()  # the sync neither reuses the account nor tells HR again
            assert report.identity_conflicts and any("rotasi" in e for e in report.errors)
            assert not User.objects.get(pk=old.pk).is_active
            assert Notification.objects.filter(recipient=hr, kind="directory.identity_changed").count() == 1
            # the administrator decides it was someone else: the old account is renamed, the new holder gets theirs
            User.objects.filter(pk=old.pk).update(username="rotasi.lama")
            assert problem(post_login(client, "rotasi")) == "logged_in"
            new = User.objects.get(username="rotasi")
            assert new.pk != old.pk and new.directory_anchor != old.directory_anchor
            assert not User.objects.get(pk=old.pk).is_active
        finally:
            delete(ad_server, dn)

    def test_the_same_person_recreated_is_relinked_by_clearing_the_anchor(self, client, ad_server, ad_settings):
        dn, attrs = corp_user("kembali", "Kembali", "Lagi")
        add(ad_server, (dn, attrs))
        try:
            run_sync()
            account = User.objects.get(username="kembali")
            delete(ad_server, dn)
            add(ad_server, corp_user("kembali", "Kembali", "Lagi", object_guid=guid("kembali-2")))
            assert problem(post_login(client, "kembali")) == "identity_changed"
            User.objects.filter(pk=account.pk).update(directory_anchor="")  # the administrator: same person
            assert problem(post_login(client, "kembali")) == "logged_in"
            account.refresh_from_db()
            assert account.is_active and account.directory_anchor.endswith(str(uuid.UUID(bytes_le=guid("kembali-2"))))
        finally:
            delete(ad_server, dn)

    def test_an_active_account_is_switched_off_when_its_username_moves_to_another_entry(self, ad_server, ad_settings):
        dn, attrs = corp_user("pindah", "Pindah", "Tangan")
        add(ad_server, (dn, attrs))
        try:
            run_sync()
            old = User.objects.get(username="pindah")
            assert old.is_active and old.directory_anchor
            delete(ad_server, dn)
            add(ad_server, corp_user("pindah", "Pindah", "Tangan", object_guid=guid("pindah-2")))
            report = run_sync()
            old.refresh_from_db()
            assert not old.is_active and len(report.identity_conflicts) == 1
            assert User.objects.filter(username="pindah").count() == 1
        finally:
            delete(ad_server, dn)

    def test_an_account_made_before_anchors_adopts_the_entry(self, client, ad_settings):
        before = factories.UserFactory(
            username="ayu", source=User.Source.DIRECTORY, directory_dn=f"cn=Ayu Lestari,{CORP_USERS}"
        )
        assert before.directory_anchor == ""
        assert problem(post_login(client, "ayu")) == "logged_in"
        before.refresh_from_db()
        assert before.directory_anchor.startswith("objectguid:")

    def test_a_renamed_and_moved_entry_keeps_its_account(self, client, ad_server, ad_settings):
        dn, attrs = corp_user("ganti", "Ganti", "Nama")
        add(ad_server, (dn, attrs))
        new_dn = f"cn=Ganti Nama Baru,{CORP_USERS}"
        try:
            run_sync()
            account = User.objects.get(username="ganti")
            conn = ad_server.admin_connection(CORP)
            conn.modify_dn(dn, "cn=Ganti Nama Baru")
            conn.modify(new_dn, {"sAMAccountName": [(ldap3.MODIFY_REPLACE, ["ganti2"])]})
            conn.unbind()
            assert problem(post_login(client, "ganti2")) == "logged_in"
            account.refresh_from_db()
            assert (account.username, account.directory_dn) == ("ganti2", new_dn)
        finally:
            for d in (dn, new_dn):
                try:
                    delete(ad_server, d)
                except Exception:  # noqa: S110 - one of them does not exist
                    pass

    def test_openldap_entries_are_anchored_to_entry_uuid(self, client, ldap_settings, org):
        assert problem(post_login(client, "dewi")) == "logged_in"
        assert User.objects.get(username="dewi").directory_anchor.startswith("entryuuid:")


# --- 8. login forms ---------------------------------------------------------------------------------------------------
class TestLoginForms:
    def test_nip_login_follows_the_attribute_map(self, client, ad_settings):
        ad_settings(LDAP_ATTRIBUTE_MAP={"nip": "employeeNumber"})
        assert "(employeeNumber=" in get_config().login_filter("x") and "employeeID" not in get_config().user_filter
        assert problem(post_login(client, NIP_NINA)) == "logged_in"
        assert User.objects.get(username="nina").directory_account.nip == NIP_NINA

    @pytest.mark.parametrize("login", ["CORP\\ayu", "corp\\AYU", "KEMENCONTOH\\ayu"])
    def test_domain_backslash_user(self, client, ad_settings, login):
        assert problem(post_login(client, login)) == "logged_in"
        assert User.objects.filter(username="ayu").count() == 1

    def test_only_the_listed_netbios_domains(self, client, ad_settings):
        ad_settings(LDAP_NETBIOS_DOMAINS=["CORP"])
        assert problem(post_login(client, "LAIN\\ayu")) == "invalid_login"
        assert problem(post_login(client, "CORP\\ayu")) == "logged_in"

    @pytest.mark.parametrize("login", ["CORP\\ayu*", "CORP\\", "\\ayu", "C*RP\\ayu", "CORP\\\\ayu", "A\\B\\ayu"])
    def test_a_malformed_domain_login_never_reaches_the_directory(self, client, ad_settings, login, monkeypatch):
        calls = []
        monkeypatch.setattr("intranet.accounts.ldap.backend.kept_service_connection", lambda *a: calls.append(1))
        assert problem(post_login(client, login)) == "invalid_login"
        assert calls == []

    def test_alternate_upn_suffix(self, client, ad_settings):
        assert problem(post_login(client, "ayu@kemencontoh.go.id")) == "invalid_login"
        ad_settings(LDAP_UPN_SUFFIXES=["kemencontoh.go.id"])
        assert problem(post_login(client, "ayu@kemencontoh.go.id")) == "logged_in"
        assert problem(post_login(client, "ayu@corp.kemencontoh.go.id")) == "logged_in"  # the real UPN still works

    def test_an_entry_without_object_category_is_not_a_user(self, client, ad_settings):
        assert problem(post_login(client, "tanpakategori")) == "invalid_login"
        ad_settings(LDAP_USER_OBJECT_FILTER="(objectClass=user)")
        assert problem(post_login(client, "tanpakategori")) == "logged_in"


def test_the_corp_directory_is_what_it_claims(ad_server):
    """The fixture itself: binary GUIDs round-trip and the in-chain rule matches nothing on slapd."""
    conn = ad_server.admin_connection(CORP)
    try:
        conn.search(CORP_USERS, "(sAMAccountName=ayu)", attributes=["objectGUID"])
        assert conn.entries[0].objectGUID.raw_values == [guid("ayu")]
        conn.search(CORP, f"(member:1.2.840.113556.1.4.1941:=cn=Ayu Lestari,{CORP_USERS})", attributes=["1.1"])
        assert conn.entries == []
        conn.search(group_dn("GG-Humas-Jakarta"), "(objectClass=*)", attributes=["member"])
        assert conn.entries
    finally:
        conn.unbind()
