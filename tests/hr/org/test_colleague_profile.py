"""`colleague_profile` reads the profile page in a few queries; it must give the same answers as the one-concept
selectors it stands in for (superior_of, direct_reports, visible_employee, can_view_private, get_ancestors)."""

import datetime as dt

import pytest
from django.http import Http404

from hr.org import selectors
from hr.org.models import Delegation, Employee
from tests.factories import EmployeeFactory, PositionFactory, UserFactory, bulk_employees, give_scope
from tests.query_bounds import assert_flat, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    heads = {code: EmployeeFactory(unit=u, position=u.head_position, name=f"Kepala {code}") for code, u in org.items()}
    staff = EmployeeFactory(unit=org["SUB1"], position=PositionFactory(unit=org["SUB1"]), name="Siti Rahma")
    other = EmployeeFactory(unit=org["DIR2"], name="Budi Santoso")
    return {"heads": heads, "staff": staff, "other": other}


def _authority(a):
    return None if a is None else (a.employee.pk, a.employee.full_name, a.delegation and a.delegation.kind)


def _assert_same(user, employee, on_date=None):
    employee = Employee.objects.get(pk=employee.pk)
    profile = selectors.colleague_profile(user, employee.pk, on_date=on_date)
    assert profile.employee == employee
    assert _authority(profile.superior) == _authority(selectors.superior_of(employee, on_date))
    expected = list(selectors.direct_reports(employee).order_by("sort_name", "pk")[:50])
    assert [(e.pk, e.full_name, e.position and e.position.name) for e in profile.reports] == [
        (e.pk, e.full_name, e.position and e.position.name) for e in expected
    ]
    assert [(u.code, u.name) for u in profile.ancestors] == [(u.code, u.name) for u in employee.unit.get_ancestors()]
    assert profile.show_private == selectors.can_view_private(user, employee)
    return profile


def test_same_answers_for_staff_and_every_head(org, people):
    viewer = people["other"].user
    for employee in [people["staff"], people["other"], *people["heads"].values()]:
        _assert_same(viewer, employee)
    assert _assert_same(viewer, people["staff"]).superior.employee == people["heads"]["SUB1"]
    assert _assert_same(viewer, people["heads"]["KEM"]).superior is None
    assert people["heads"]["SUB1"] in _assert_same(viewer, people["heads"]["DIR1"]).reports


def test_explicit_superior_active_or_not(org, people):
    staff = people["staff"]
    staff.supervisor = people["heads"]["DIR2"]
    staff.save()
    assert _assert_same(staff.user, staff).superior.employee == people["heads"]["DIR2"]
    assert staff in _assert_same(staff.user, people["heads"]["DIR2"]).reports
    people["heads"]["DIR2"].active = False
    people["heads"]["DIR2"].save()
    assert _assert_same(staff.user, staff).superior.employee == people["heads"]["SUB1"]


def test_vacant_head_and_the_head_of_their_own_unit(org, people):
    people["heads"]["SUB1"].delete()
    assert _assert_same(people["staff"].user, people["staff"]).superior.employee == people["heads"]["DIR1"]
    # a second holder of the DIR1 head position: the lowest pk holds the authority
    EmployeeFactory(unit=org["DIR1"], position=org["DIR1"].head_position, name="Kepala Kedua")
    _assert_same(people["staff"].user, people["staff"])
    _assert_same(people["staff"].user, people["heads"]["DIR1"])


def test_delegations_within_their_dates_latest_first(org, people):
    staff, plt, plh = people["staff"], people["heads"]["DIR2"], people["other"]
    position = org["SUB1"].head_position
    Delegation.objects.create(
        position=position, acting=plt, kind="Plt",
        start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 31), decree_number="SK-1/2026",
    )
    Delegation.objects.create(
        position=position, acting=plh, kind="Plh",
        start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 12), decree_number="ND-7",
    )
    for day in (dt.date(2026, 2, 28), dt.date(2026, 3, 5), dt.date(2026, 3, 11), dt.date(2026, 4, 1)):
        _assert_same(staff.user, staff, day)
    assert _assert_same(staff.user, staff, dt.date(2026, 3, 11)).superior.employee == plh
    plh.active = False
    plh.save()
    assert _assert_same(staff.user, staff, dt.date(2026, 3, 11)).superior.employee == plt
    # the acting official's own superior is not themself
    _assert_same(staff.user, plt, dt.date(2026, 3, 11))


def test_privacy_and_inactive_employees(org, people):
    staff = people["staff"]
    hr_in, hr_out = UserFactory(), UserFactory()
    give_scope(hr_in, org["DIR1"])
    give_scope(hr_out, org["DIR2"])
    assert _assert_same(staff.user, staff).show_private
    assert _assert_same(hr_in, staff).show_private
    assert not _assert_same(hr_out, staff).show_private
    assert not _assert_same(people["other"].user, staff).show_private
    staff.active = False
    staff.save()
    assert _assert_same(hr_in, staff).employee == staff
    with pytest.raises(Http404):
        selectors.colleague_profile(hr_out, staff.pk)
    with pytest.raises(Http404):
        selectors.colleague_profile(hr_in, 10**9)


def test_a_few_queries_whatever_the_depth(org, people):
    viewer = people["other"].user
    selectors.colleague_profile(viewer, people["staff"].pk)  # the viewer's roles are read once per request
    for employee, most in ((people["staff"], 2), (people["heads"]["KEM"], 3), (people["heads"]["SUB1"], 3)):
        with queries(at_most=most):
            selectors.colleague_profile(viewer, employee.pk)


def test_a_head_with_many_reports_costs_no_more_than_with_a_few(org, people):
    viewer, head = people["other"].user, people["heads"]["SUB1"]
    profile = assert_flat(
        lambda: selectors.colleague_profile(viewer, head.pk),
        grow=lambda n: bulk_employees(n, [org["SUB1"]]),
        at_most=3,
    )
    assert len(profile.reports) == 50
