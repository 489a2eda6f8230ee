"""The reader's employee record kept in the cache (`hr.org.selectors.employee_for_user`): a revisit reads no employee
row; a move, a deactivation or an account relinked to another employee shows on the next request; the record is kept
without the user (no password hash in the cache)."""

import pickle

import pytest
from django.core.cache import cache

from hr.org.models import Employee
from hr.org.selectors import employee_for_user, employee_key
from tests.factories import EmployeeFactory, UserFactory
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _fresh(user, read, table: str):
    """(what `read` gives for the user as a new request sees them, the SQL that read `table`)."""
    fresh = type(user).objects.get(pk=user.pk)  # a new request's user: nothing cached on it
    with queries() as q:
        value = read(fresh)
    return value, q.reading(table)


def _read(user):
    return _fresh(user, employee_for_user, "org_employee")


def test_a_revisit_reads_no_employee_row(org):
    person = EmployeeFactory(unit=org["SUB1"])
    first, sql = _read(person.user)
    assert first.pk == person.pk and len(sql) <= 1
    again, sql = _read(person.user)
    assert again.pk == person.pk and again.unit.pk == org["SUB1"].pk and sql == []
    assert again.user.pk == person.user.pk


def test_a_move_or_a_deactivation_shows_at_once(org):
    person = EmployeeFactory(unit=org["SUB1"])
    _read(person.user)
    person.unit = org["DIR2"]
    person.save()
    moved, sql = _read(person.user)
    assert moved.unit.pk == org["DIR2"].pk and len(sql) <= 1
    person.active = False
    person.save()
    assert _read(person.user)[0].active is False


def test_an_account_relinked_to_another_employee_never_sees_the_previous_one(org):
    user = UserFactory()
    before = EmployeeFactory(unit=org["SUB1"], user=user)
    assert _read(user)[0].pk == before.pk
    before.user = None
    before.save()
    after = EmployeeFactory(unit=org["DIR2"], user=user)
    assert _read(user)[0].pk == after.pk


def test_an_account_without_an_employee_is_remembered_too(org):
    user = UserFactory()
    first, sql = _read(user)
    assert first is None and len(sql) <= 1
    assert _read(user) == (None, [])


def test_the_kept_record_carries_no_user(org):
    person = EmployeeFactory(unit=org["SUB1"])
    _read(person.user)
    raw = cache.get(employee_key(person.user.pk))
    kept = raw[1]
    assert isinstance(kept, Employee) and not Employee._meta.get_field("user").is_cached(kept)
    assert person.user.password.encode() not in pickle.dumps(raw)


# --- the reader's roles, kept the same way (`intranet.accounts.roles.role_names`) ------------------------------------


def _roles(user):
    from intranet.accounts.roles import role_names

    return _fresh(user, role_names, "auth_group")


def test_roles_are_read_once_and_a_change_shows_at_once(org):
    from django.contrib.auth.models import Group

    from intranet.accounts.roles import Role

    person = EmployeeFactory(unit=org["SUB1"])
    first, sql = _roles(person.user)
    assert Role.HR_OFFICER.value not in first and len(sql) <= 1
    assert _roles(person.user) == (first, [])
    person.user.groups.add(Group.objects.get(name=Role.HR_OFFICER.value))
    granted, sql = _roles(person.user)
    assert Role.HR_OFFICER.value in granted and len(sql) <= 1
    person.user.groups.remove(Group.objects.get(name=Role.HR_OFFICER.value))
    assert Role.HR_OFFICER.value not in _roles(person.user)[0]
    person.user.groups.clear()
    assert _roles(person.user)[0] == frozenset()


@pytest.mark.parametrize("change", ["rename", "delete"])
def test_renaming_or_deleting_a_role_group_ends_the_role_at_once(org, change):
    """An access decision is never served from the cache after the group behind it changed (no 300 s window)."""
    from django.contrib.auth.models import Group

    from intranet.accounts.roles import Role

    group, _ = Group.objects.get_or_create(name=Role.AUDITOR.value)
    person = EmployeeFactory(unit=org["SUB1"])
    person.user.groups.add(group)
    assert Role.AUDITOR.value in _roles(person.user)[0]
    if change == "rename":
        group.name = "Auditor (retired)"
        group.save()
    else:
        group.delete()
    assert Role.AUDITOR.value not in _roles(person.user)[0]
