"""The full directory sync against a real slapd: each test works in its own subtree of the shared directory."""

import itertools

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command

from hr.org.models import HRScope
from intranet.accounts.ldap.provisioning import SyncAborted
from intranet.accounts.ldap.sync import run_sync
from intranet.accounts.models import DirectoryAccount, RoleGrant, User
from intranet.accounts.roles import Role, has_role
from intranet.accounts.sessions import end_sessions
from tests import factories
from tests.ldap_server import BASE, group, person
from tests.query_bounds import queries

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]

_run = itertools.count(1)
NIP_A = "198503142010022011"
NIP_B = "198001012005011012"
NIP_C = "199002202015032013"


class Subtree:
    """ou=sync-N,dc=serambi,dc=test with people and groups, removed after the test."""

    def __init__(self, server):
        self.server = server
        self.base = f"ou=sync-{next(_run)},{BASE}"
        self.people = f"ou=people,{self.base}"
        self.groups = f"ou=groups,{self.base}"
        server.add_entries(
            [
                (self.base, {"objectClass": ["organizationalUnit"], "ou": self.base.split(",")[0][3:]}),
                (self.people, {"objectClass": ["organizationalUnit"], "ou": "people"}),
                (self.groups, {"objectClass": ["organizationalUnit"], "ou": "groups"}),
            ]
        )

    def dn(self, uid):
        return f"uid={uid},{self.people}"

    def add_person(self, uid, given, sn, nip="", **kw):
        self.server.add_entries([person(uid, given, sn, nip, base=self.people, **kw)])
        return self.dn(uid)

    def add_group(self, cn, members):
        self.server.add_entries([group(cn, members, base=self.groups)])
        return f"cn={cn},{self.groups}"

    def modify(self, dn, changes):
        conn = self.server.admin_connection()
        try:
            conn.modify(dn, changes)
        finally:
            conn.unbind()

    def delete(self, dn):
        conn = self.server.admin_connection()
        try:
            conn.delete(dn)
        finally:
            conn.unbind()


@pytest.fixture
def tree(ldap_server, ldap_settings):
    subtree = Subtree(ldap_server)
    ldap_settings(LDAP_USER_BASE_DN=subtree.people, LDAP_GROUP_BASE_DN=subtree.groups)
    yield subtree
    ldap_server.delete_subtree(subtree.base)


@pytest.fixture
def people(tree, org):
    """Three directory people; HR records exist for A and B (B placed in the wrong unit)."""
    emp_a = factories.EmployeeFactory(user=None, nip=NIP_A, unit=org["DIR1"])
    emp_b = factories.EmployeeFactory(user=None, nip=NIP_B, unit=org["DIR1"])
    tree.add_person("ani", "Ani", "Wijaya", NIP_A, unit="DIR1", title="Analis", phone="021-1")
    tree.add_person("bayu", "Bayu", "Pratama", NIP_B, unit="SUB1")
    tree.add_person("citra", "Citra", "Kusuma", NIP_C)
    return {"ani": emp_a, "bayu": emp_b}


def test_first_sync_creates_accounts_links_employees_and_places_units(people, org):
    report = run_sync()
    assert (report.created, report.updated, report.deactivated, report.errors) == (3, 0, 0, [])
    ani = User.objects.get(username="ani")
    assert ani.source == User.Source.DIRECTORY and ani.is_active and not ani.has_usable_password()
    assert has_role(ani, Role.EMPLOYEE)
    people["ani"].refresh_from_db()
    people["bayu"].refresh_from_db()
    assert people["ani"].user == ani and people["ani"].work_phone == "021-1"
    assert people["bayu"].unit == org["SUB1"]  # placement follows the directory's unit code
    assert DirectoryAccount.objects.get(user=ani).title == "Analis"
    assert User.objects.get(username="citra").is_active  # no HR record yet: account only


def test_second_run_without_changes_writes_nothing(people):
    run_sync()
    with queries() as q:
        report = run_sync()
    assert (report.created, report.updated, report.deactivated, report.unchanged) == (0, 0, 0, 3)
    assert q.writing() == []


def test_changes_are_applied(people, tree):
    from hr.org.signals import ORG_GENERATION_KEY
    from intranet.core.caching import generations

    run_sync()
    tree.modify(tree.dn("ani"), {"mail": [("MODIFY_REPLACE", ["ani.baru@kemencontoh.go.id"])]})
    tree.modify(tree.dn("bayu"), {"title": [("MODIFY_REPLACE", ["Kepala Seksi"])]})
    before = generations(ORG_GENERATION_KEY)
    report = run_sync()
    assert generations(ORG_GENERATION_KEY) != before  # the directory and profiles shown from copies are retired
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert User.objects.get(username="ani").email == "ani.baru@kemencontoh.go.id"
    people["ani"].refresh_from_db()
    assert people["ani"].work_email == "ani.baru@kemencontoh.go.id"
    assert DirectoryAccount.objects.get(user__username="bayu").title == "Kepala Seksi"


def test_leavers_are_deactivated_and_their_sessions_end(people, tree, client):
    run_sync()
    bayu = User.objects.get(username="bayu")
    client.force_login(bayu)
    assert Session.objects.count() == 1
    tree.delete(tree.dn("bayu"))
    report = run_sync()
    assert report.deactivated == 1 and report.sessions_ended == 1
    bayu.refresh_from_db()
    assert not bayu.is_active
    assert Session.objects.count() == 0
    response = client.get("/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not RoleGrant.objects.filter(user=bayu).exists()


def test_disabled_and_deny_group_accounts_are_deactivated_not_created(people, tree, ldap_settings):
    run_sync()
    blocked = tree.add_group("blocked", [tree.dn("ani")])
    tree.add_person("dodi", "Dodi", "Baru")
    tree.modify(blocked, {"member": [("MODIFY_ADD", [tree.dn("dodi")])]})
    ldap_settings(LDAP_USER_BASE_DN=tree.people, LDAP_GROUP_BASE_DN=tree.groups, LDAP_DENY_GROUP=blocked)
    report = run_sync()
    assert report.deactivated == 1
    assert not User.objects.get(username="ani").is_active
    assert not User.objects.filter(username="dodi").exists()


def test_required_group_limits_who_is_created(tree, ldap_settings, db):
    tree.add_person("eko", "Eko", "Santoso")
    tree.add_person("fajar", "Fajar", "Hidayat")
    users = tree.add_group("serambi", [tree.dn("eko")])
    ldap_settings(LDAP_USER_BASE_DN=tree.people, LDAP_GROUP_BASE_DN=tree.groups, LDAP_REQUIRED_GROUP=users)
    run_sync()
    assert list(User.objects.filter(source="directory").values_list("username", flat=True)) == ["eko"]


def test_bad_entries_are_reported_and_skipped(tree, org):
    tree.add_person("gilang", "Gilang", "Baik", NIP_A, unit="DIR1")
    tree.add_person("hadi", "Hadi", "Salah", "12345", unit="DIR1")  # bad NIP
    tree.add_person("indah", "Indah", "Tersesat", NIP_B, unit="TIDAK-ADA")  # unknown unit
    emp = factories.EmployeeFactory(user=None, nip=NIP_B, unit=org["DIR2"])
    report = run_sync()
    assert report.created == 3
    assert len(report.errors) == 2
    assert any("hadi" in e and "12345" in e for e in report.errors)
    assert any("indah" in e and "TIDAK-ADA" in e for e in report.errors)
    emp.refresh_from_db()
    assert emp.user.username == "indah" and emp.unit == org["DIR2"]  # linked, placement skipped


def test_group_roles_and_scopes_follow_the_directory(people, tree, org):
    sdm = tree.add_group("sdm", [tree.dn("ani")])
    outer = tree.add_group("redaksi", [tree.dn("bayu")])
    nested = tree.add_group("editors", [outer])
    from intranet.accounts.models import DirectoryGroupMapping

    DirectoryGroupMapping.objects.create(group_dn=sdm, role=Role.HR_OFFICER, scope_unit=org["DIR1"], scope_kind="hr")
    DirectoryGroupMapping.objects.create(group_dn=nested, role=Role.EDITOR)
    run_sync()
    ani, bayu = User.objects.get(username="ani"), User.objects.get(username="bayu")
    assert has_role(ani, Role.HR_OFFICER) and HRScope.objects.filter(user=ani, source="directory").count() == 1
    assert has_role(bayu, Role.EDITOR)  # through the nested group

    tree.modify(sdm, {"member": [("MODIFY_ADD", [tree.dn("citra")])]})
    tree.modify(sdm, {"member": [("MODIFY_DELETE", [tree.dn("ani")])]})
    report = run_sync()
    assert report.updated == 2
    ani = User.objects.get(username="ani")
    assert not has_role(ani, Role.HR_OFFICER) and not HRScope.objects.filter(user=ani).exists()
    assert has_role(User.objects.get(username="citra"), Role.HR_OFFICER)


def test_dry_run_writes_nothing(people):
    report = run_sync(dry_run=True)
    assert report.created == 3
    assert not User.objects.filter(source="directory").exists()


def test_an_empty_directory_deactivates_nobody(tree, ldap_settings, db):
    factories.UserFactory(username="lama", source=User.Source.DIRECTORY)
    with pytest.raises(SyncAborted, match="LDAP_USER_BASE_DN"):
        run_sync()
    assert User.objects.get(username="lama").is_active


def test_management_command_prints_a_summary(people, capsys):
    call_command("ldap_sync", "--dry-run")
    out = capsys.readouterr().out
    assert "3" in out and ("Dry run" in out or "Uji coba" in out)
    call_command("ldap_sync")
    assert User.objects.filter(source="directory").count() == 3


def test_beat_task_runs_the_sync(people, settings):
    from intranet.accounts.tasks import ldap_sync

    settings.LDAP_SYNC_INTERVAL = 3600
    assert ldap_sync()["created"] == 3
    settings.LDAP_ENABLED = False
    assert ldap_sync() is None


def test_end_sessions_with_the_cache_engine(settings, client, db):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = factories.UserFactory()
    client.force_login(user)
    from importlib import import_module

    key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(session_key=key).exists(key)
    assert end_sessions([user.pk]) == 1
    assert not store(session_key=key).exists(key)


# --- fingerprints, supervisor, audit ---------------------------------------------------------------------------------
def _manager(tree, uid, manager_uid):
    tree.modify(tree.dn(uid), {"manager": [("MODIFY_REPLACE", [tree.dn(manager_uid)])]})


def test_manager_dn_becomes_the_employees_supervisor(people, tree):
    _manager(tree, "ani", "bayu")
    report = run_sync()
    assert report.errors == []
    people["ani"].refresh_from_db()
    assert people["ani"].supervisor == people["bayu"]
    assert DirectoryAccount.objects.get(user__username="ani").manager_dn == tree.dn("bayu")

    _manager(tree, "bayu", "bayu")  # oneself as manager: never one's own superior
    run_sync()
    people["bayu"].refresh_from_db()
    assert people["bayu"].supervisor is None


def test_entries_applied_in_part_are_looked_at_again(people, tree, org):
    """Citra has no HR record yet and Ani's manager is Citra: both are retried until HR adds Citra's record."""
    _manager(tree, "ani", "citra")
    run_sync()
    people["ani"].refresh_from_db()
    assert people["ani"].supervisor is None
    assert DirectoryAccount.objects.get(user__username="citra").fingerprint == ""
    assert DirectoryAccount.objects.get(user__username="ani").fingerprint == ""
    assert DirectoryAccount.objects.get(user__username="bayu").fingerprint != ""

    emp_c = factories.EmployeeFactory(user=None, nip=NIP_C, unit=org["DIR2"])
    report = run_sync()  # no directory change, but the HR record now exists
    assert (report.updated, report.unchanged) == (2, 1)
    emp_c.refresh_from_db()
    people["ani"].refresh_from_db()
    assert emp_c.user.username == "citra"
    assert people["ani"].supervisor == emp_c
    assert not DirectoryAccount.objects.filter(user__source="directory", fingerprint="").exists()


def test_unchanged_entries_are_skipped_until_a_verify_run(people):
    run_sync()
    User.objects.filter(username="bayu").update(first_name="Lokal")  # an edit made in Serambi, not the directory
    report = run_sync()
    assert (report.updated, report.unchanged) == (0, 3)
    assert User.objects.get(username="bayu").first_name == "Lokal"
    report = run_sync(verify=True)  # re-applies every entry
    assert report.updated == 1
    assert User.objects.get(username="bayu").first_name == "Bayu"


def test_the_nightly_beat_run_verifies(people, settings):
    from intranet.accounts.tasks import ldap_sync
    from intranet.celery import BEAT_SCHEDULE

    settings.LDAP_SYNC_INTERVAL = 3600
    ldap_sync()
    User.objects.filter(username="bayu").update(first_name="Lokal")
    assert ldap_sync()["updated"] == 0
    nightly = BEAT_SCHEDULE["accounts-ldap-sync-verify"]
    assert nightly["task"] == "accounts.ldap_sync"
    assert ldap_sync(**nightly["kwargs"])["updated"] == 1
    assert User.objects.get(username="bayu").first_name == "Bayu"


def test_a_new_group_mapping_reapplies_unchanged_entries(people, tree):
    editors = tree.add_group("redaksi-baru", [tree.dn("citra")])
    run_sync()
    assert not has_role(User.objects.get(username="citra"), Role.EDITOR)
    from intranet.accounts.models import DirectoryGroupMapping

    DirectoryGroupMapping.objects.create(group_dn=editors, role=Role.EDITOR)
    report = run_sync()
    assert report.updated == 1
    assert has_role(User.objects.get(username="citra"), Role.EDITOR)


def test_a_local_password_on_a_directory_account_is_removed_even_when_unchanged(people):
    run_sync()
    bayu = User.objects.get(username="bayu")
    bayu.set_password("Lokal-Rahasia-2026")
    bayu.save()
    run_sync()
    assert not User.objects.get(username="bayu").has_usable_password()


def test_deactivations_and_sync_runs_are_audited(people, tree, ldap_settings):
    from intranet.audit.models import AuditEntry
    from intranet.audit.services import audit_verify

    run_sync()
    first = AuditEntry.objects.get(action="directory.sync")
    assert first.details["created"] == 3 and first.details["deactivated"] == 0

    run_sync()  # nothing changed: no entry (a no-op run writes nothing)
    assert AuditEntry.objects.filter(action="directory.sync").count() == 1

    bayu = User.objects.get(username="bayu")
    tree.delete(tree.dn("bayu"))
    blocked = tree.add_group("blocked", [tree.dn("ani")])
    ldap_settings(LDAP_USER_BASE_DN=tree.people, LDAP_GROUP_BASE_DN=tree.groups, LDAP_DENY_GROUP=blocked)
    report = run_sync()
    assert report.deactivated == 2
    gone = {e.details["username"]: e for e in AuditEntry.objects.filter(action="directory.account_deactivated")}
    assert set(gone) == {"ani", "bayu"}
    assert gone["bayu"].details["reason"] == "left_directory" and gone["bayu"].object_id == str(bayu.pk)
    assert gone["bayu"].subject_employee == people["bayu"]
    assert gone["ani"].details["reason"] == "denied_group"
    summary = AuditEntry.objects.filter(action="directory.sync").order_by("-id").first()
    assert summary.details["deactivated"] == 2 and summary.pk != first.pk
    assert audit_verify()[0]


def test_dry_run_leaves_no_audit_entry(people):
    from intranet.audit.models import AuditEntry

    run_sync(dry_run=True)
    assert not AuditEntry.objects.filter(action__startswith="directory.").exists()
