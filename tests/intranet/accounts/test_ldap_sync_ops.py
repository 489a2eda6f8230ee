"""Operating the sync against a real slapd: the environment owns the role mappings it declares, a dry run and an
unchanged run write nothing, wrong role names and an empty directory stop the sync loudly, and LDAP errors end
`ldap_sync` with a clear message instead of a traceback."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from intranet.accounts.ldap.provisioning import SyncAborted
from intranet.accounts.ldap.sync import run_sync
from intranet.accounts.models import DirectoryGroupMapping, RoleGrant, User
from intranet.accounts.roles import Role, has_role
from intranet.audit.models import AuditEntry
from tests.intranet.accounts.test_ldap_sync import NIP_A, people, tree  # noqa: F401 - fixtures
from tests.query_bounds import queries

pytestmark = [pytest.mark.slapd, pytest.mark.django_db]


def test_a_mapping_removed_from_the_environment_stops_granting_its_role(people, tree, ldap_settings):  # noqa: F811
    sdm = tree.add_group("sdm", [tree.dn("ani")])
    ldap_settings(
        LDAP_USER_BASE_DN=tree.people,
        LDAP_GROUP_BASE_DN=tree.groups,
        LDAP_GROUP_ROLE_MAP=[{"group": sdm, "role": "EDITOR"}],
    )
    admin_row = DirectoryGroupMapping.objects.create(group_dn=sdm, role=Role.MODERATOR)  # added in the admin
    run_sync()
    ani = User.objects.get(username="ani")
    assert has_role(ani, Role.EDITOR) and has_role(ani, Role.MODERATOR)

    ldap_settings(LDAP_USER_BASE_DN=tree.people, LDAP_GROUP_BASE_DN=tree.groups, LDAP_GROUP_ROLE_MAP=[])
    report = run_sync()
    ani = User.objects.get(username="ani")
    assert not has_role(ani, Role.EDITOR), "a mapping the environment dropped must not keep granting its role"
    assert not RoleGrant.objects.filter(user=ani, group__name=Role.EDITOR.value).exists()
    assert list(DirectoryGroupMapping.objects.all()) == [admin_row]  # the admin's own row stays, and its role
    assert has_role(ani, Role.MODERATOR) and report.updated == 1
    assert AuditEntry.objects.filter(action="directory.mappings_removed").count() == 1


def test_a_dry_run_writes_nothing_not_even_mapping_rows(people, tree, ldap_settings):  # noqa: F811
    sdm = tree.add_group("sdm", [tree.dn("ani")])
    ldap_settings(
        LDAP_USER_BASE_DN=tree.people,
        LDAP_GROUP_BASE_DN=tree.groups,
        LDAP_GROUP_ROLE_MAP=[{"group": sdm, "role": "HR_OFFICER"}],
    )
    audits = AuditEntry.objects.count()
    with open("/dev/null", "w") as devnull:
        call_command("ldap_sync", "--dry-run", stdout=devnull)
    assert not DirectoryGroupMapping.objects.exists(), "a dry run must not seed mapping rows"
    assert not User.objects.filter(source=User.Source.DIRECTORY).exists()
    assert AuditEntry.objects.count() == audits
    report = run_sync(dry_run=True)
    assert report.created == 3  # the dry run still says what a real run would do, mapped role included


def test_an_unchanged_run_with_a_problem_entry_writes_nothing(tree, org):  # noqa: F811
    tree.add_person("gilang", "Gilang", "Baik", NIP_A, unit="DIR1")
    tree.add_person("hadi", "Hadi", "Salah", "12345", unit="DIR1")  # a NIP the sync reports every run
    first = run_sync()
    assert len(first.errors) == 1
    assert AuditEntry.objects.filter(action="directory.sync").count() == 1
    with queries() as q:
        again = run_sync()
    assert again.errors == first.errors and (again.created, again.updated, again.deactivated) == (0, 0, 0)
    assert q.writing() == [], "an unchanged run must write nothing, audit entry included"
    assert AuditEntry.objects.filter(action="directory.sync").count() == 1
    tree.add_person("joko", "Joko", "Salah", "999", unit="DIR1")  # a new problem is audited again
    run_sync()
    assert AuditEntry.objects.filter(action="directory.sync").count() == 2


def test_a_wrong_role_name_stops_the_sync_and_fails_the_system_check(people, tree, ldap_settings):  # noqa: F811
    sdm = tree.add_group("sdm", [tree.dn("ani")])
    ldap_settings(
        LDAP_USER_BASE_DN=tree.people,
        LDAP_GROUP_BASE_DN=tree.groups,
        LDAP_GROUP_ROLE_MAP=[{"group": sdm, "role": "HR_OFICER"}],  # misspelt
    )
    with pytest.raises(CommandError, match="HR_OFICER") as raised:
        call_command("ldap_sync")
    assert "HR_OFFICER" in str(raised.value)  # the valid names are listed
    assert not User.objects.filter(source=User.Source.DIRECTORY).exists()
    errors = [e for e in run_checks() if e.id == "accounts.E100"]
    assert len(errors) == 1 and "HR_OFICER" in errors[0].msg

    ldap_settings(LDAP_GROUP_ROLE_MAP=[{"group": sdm, "role": "EDITOR", "scope_unit": "DIR1"}])
    assert [e.id for e in run_checks() if e.id.startswith("accounts.")] == ["accounts.E100"]
    ldap_settings(LDAP_USER_BASE_DN=tree.people, LDAP_DEFAULT_ROLES=["Pegawaii"])
    assert [e.id for e in run_checks() if e.id.startswith("accounts.")] == ["accounts.E100"]


def test_a_sync_that_finds_no_users_fails(tree, ldap_settings):  # noqa: F811
    """A fresh installation whose user filter matches nothing must not report success."""
    tree.add_person("ani", "Ani", "Wijaya")
    ldap_settings(
        LDAP_USER_BASE_DN=tree.people, LDAP_GROUP_BASE_DN=tree.groups, LDAP_USER_OBJECT_FILTER="(objectClass=user)"
    )
    with pytest.raises(CommandError, match="LDAP_USER_OBJECT_FILTER"):
        call_command("ldap_sync")
    with pytest.raises(SyncAborted):
        run_sync()
    assert not User.objects.exists()


def test_a_mistyped_base_dn_ends_the_sync_with_a_clear_error(tree, ldap_settings):  # noqa: F811
    tree.add_person("ani", "Ani", "Wijaya")
    ldap_settings(LDAP_USER_BASE_DN=f"ou=peopel,{tree.base}", LDAP_GROUP_BASE_DN=tree.groups)
    with pytest.raises(CommandError) as raised:
        call_command("ldap_sync")
    message = str(raised.value)
    assert "32" in message and "noSuchObject" in message and "LDAP_USER_BASE_DN" in message
    assert "Traceback" not in message
