import datetime as dt

import pytest

from hr.org import selectors
from hr.org.models import Delegation, HRScope
from intranet.accounts.roles import Role
from tests.factories import EmployeeFactory, PositionFactory, UserFactory, give_scope
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    heads = {code: EmployeeFactory(unit=u, position=u.head_position, name=f"Kepala {code}") for code, u in org.items()}
    staff = EmployeeFactory(unit=org["SUB1"], position=PositionFactory(unit=org["SUB1"]), name="Siti Rahma")
    other = EmployeeFactory(unit=org["DIR2"], name="Budi Santoso")
    return {"heads": heads, "staff": staff, "other": other}


def test_superior_defaults_to_unit_head_then_parent_head(org, people):
    heads = people["heads"]
    assert selectors.superior_of(people["staff"]).employee == heads["SUB1"]
    # The head of a unit reports to the head of the parent unit.
    assert selectors.superior_of(heads["SUB1"]).employee == heads["DIR1"]
    assert selectors.superior_of(heads["DIR1"]).employee == heads["DJ1"]
    assert selectors.superior_of(heads["KEM"]) is None


def test_explicit_superior_wins(org, people):
    staff = people["staff"]
    staff.supervisor = people["heads"]["DIR2"]
    staff.save()
    assert selectors.superior_of(staff).employee == people["heads"]["DIR2"]


def test_vacant_head_falls_back_to_ancestor(org, people):
    people["heads"]["SUB1"].delete()
    assert selectors.superior_of(people["staff"]).employee == people["heads"]["DIR1"]


def test_delegation_is_honoured_only_within_its_dates(org, people):
    plt = people["heads"]["DIR2"]
    Delegation.objects.create(
        position=org["SUB1"].head_position, acting=plt, kind="Plt",
        start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 31), decree_number="SK-1/2026",
    )
    during = selectors.superior_of(people["staff"], dt.date(2026, 3, 15))
    assert during.employee == plt
    assert during.delegation.kind == "Plt"
    assert during.acting_for == org["SUB1"].head_position
    before = selectors.superior_of(people["staff"], dt.date(2026, 2, 28))
    assert before.employee == people["heads"]["SUB1"] and before.delegation is None
    after = selectors.authority_holder(org["SUB1"].head_position, dt.date(2026, 4, 1))
    assert after.employee == people["heads"]["SUB1"]


def test_vacant_position_with_plh_has_an_authority(org, people):
    people["heads"]["SUB1"].delete()
    Delegation.objects.create(
        position=org["SUB1"].head_position, acting=people["other"], kind="Plh",
        start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 10), decree_number="ND-7",
    )
    assert selectors.authority_holder(org["SUB1"].head_position, dt.date(2026, 1, 5)).employee == people["other"]
    assert selectors.authority_holder(org["SUB1"].head_position, dt.date(2026, 1, 11)) is None


def test_direct_reports(org, people):
    heads = people["heads"]
    reports = set(selectors.direct_reports(heads["DIR1"]))
    assert heads["SUB1"] in reports  # head of a child unit
    assert people["staff"] not in reports  # reports to SUB1's head
    assert set(selectors.direct_reports(heads["SUB1"])) == {people["staff"]}


def test_hr_scope_covers_subtree_and_needs_the_role(org, people):
    officer = UserFactory()
    HRScope.objects.create(user=officer, unit=org["DIR1"], kind=HRScope.Kind.HR)
    assert not selectors.employees_in_scope(officer).exists()  # scope without the role grants nothing
    officer = UserFactory(username=officer.username)
    give_scope(officer, org["DIR2"])
    in_scope = set(selectors.employees_in_scope(officer))
    assert people["staff"] in in_scope and people["heads"]["SUB1"] in in_scope
    assert people["other"] in in_scope
    assert people["heads"]["DJ1"] not in in_scope
    assert not selectors.employees_in_scope(officer, HRScope.Kind.PAYROLL).exists()


def test_private_data_visible_to_self_and_scoped_hr_only(org, people):
    staff = people["staff"]
    assert selectors.can_view_private(staff.user, staff)
    assert not selectors.can_view_private(people["other"].user, staff)
    assert not selectors.can_view_private(people["heads"]["SUB1"].user, staff)  # the superior is not HR
    hr_in = UserFactory()
    give_scope(hr_in, org["DIR1"])
    assert selectors.can_view_private(hr_in, staff)
    hr_out = UserFactory()
    give_scope(hr_out, org["DIR2"])
    assert not selectors.can_view_private(hr_out, staff)
    payroll = UserFactory()
    give_scope(payroll, org["DIR1"], HRScope.Kind.PAYROLL)
    assert not selectors.can_view_private(payroll, staff)


def test_directory_search_ignores_titles_and_filters_sub_units(org, people):
    titled = EmployeeFactory(unit=org["SUB1"], name="Rahmawati Lubis", front_title="Dr.", back_title="S.Kom., M.T.")
    assert list(selectors.directory_search(query="rahmawati")) == [titled]
    assert not selectors.directory_search(query="Dr.").filter(pk=titled.pk).exists()
    assert not selectors.directory_search(query="kom").filter(pk=titled.pk).exists()
    assert titled in selectors.directory_search(query="", unit=org["DIR1"])  # SUB1 lies under DIR1
    assert titled not in selectors.directory_search(query="", unit=org["DIR2"])
    assert people["staff"] in selectors.directory_search(query="siti rahma")
    assert people["staff"] in selectors.directory_search(query="Subdirektorat")  # unit name


def test_directory_search_hides_inactive(org, people):
    people["staff"].active = False
    people["staff"].save()
    assert people["staff"] not in selectors.directory_search(query="siti")


def test_role_helpers(org):
    emp = EmployeeFactory(unit=org["DIR1"], roles=[Role.EDITOR])
    from intranet.accounts.roles import has_role

    assert has_role(emp.user, Role.EDITOR) and has_role(emp.user, Role.EMPLOYEE)
    assert not has_role(emp.user, Role.MODERATOR)


def test_the_days_delegations_are_kept_and_every_change_shows_at_once(org, people):
    """`authority_holder` asks about delegations only for positions that have one that day (`delegated_positions`,
    kept under the organisation generation, which writing a delegation or an employee bumps)."""
    day = dt.date(2026, 5, 4)
    position, head, plh = org["SUB1"].head_position, people["heads"]["SUB1"], people["other"]
    assert selectors.authority_holder(position, day).employee == head  # the day's delegations, now kept
    with queries(at_most=1):  # the holder only
        assert selectors.authority_holder(position, day).employee == head
    delegation = Delegation.objects.create(
        position=position, acting=plh, kind="Plh", start_date=day, end_date=day, decree_number="ND-9/2026"
    )
    assert selectors.authority_holder(position, day).employee == plh
    with queries(at_most=1):  # the delegation only
        assert selectors.authority_holder(position, day).employee == plh
    plh.active = False
    plh.save()
    assert selectors.authority_holder(position, day).employee == head
    plh.active = True
    plh.save()
    assert selectors.authority_holder(position, day).employee == plh
    delegation.delete()
    assert selectors.authority_holder(position, day).employee == head
