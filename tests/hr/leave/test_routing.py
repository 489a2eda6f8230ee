"""`routing.submission_route` reads a submission's route in one query; it must give the answers of the selectors it
stands in for — `services.official_position_for`, `authority_holder` of that position and `superior_of` — on any
date, whatever the delegations (Plt/Plh), vacancies, explicit superiors and the configured official level."""

import datetime as dt
import random

import pytest
from django.db import connection

from hr.leave import routing, services
from hr.leave.routing import submission_route
from hr.org.models import Delegation, Employee
from hr.org.selectors import authority_holder, chain_paths, superior_of
from tests import factories
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2026, 2, 27), dt.date(2026, 3, 1), dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 4, 2)]


@pytest.fixture
def people(org):
    """A head for every unit of the `org` fixture, a headless Eselon IV section under SUB1 with its own staff, and staff
    in SUB1, DIR2 and the ministry itself."""
    sek = factories.unit("SEK1", "Seksi Tanpa Kepala", parent=org["SUB1"])
    heads = {
        code: factories.EmployeeFactory(unit=u, position=u.head_position, name=f"Kepala {code}")
        for code, u in org.items()
    }
    staff = {
        code: factories.EmployeeFactory(unit=u, position=factories.PositionFactory(unit=u), name=f"Staf {code}")
        for code, u in (*org.items(), ("SEK1", sek))
    }
    return {"heads": heads, "staff": staff, "org": {**org, "SEK1": sek}}


def _authority(a):
    """What routing and the notifications use of an authority."""
    if a is None:
        return None
    d = a.delegation
    return (a.employee.pk, a.employee.position_id, a.employee.user_id, d and (d.pk, d.position_id, d.kind))


def _assert_same(employee, day):
    employee = Employee.objects.select_related("unit", "supervisor__user", "user").get(pk=employee.pk)
    official = services.official_position_for(employee)
    expected = (
        official and official.pk,
        _authority(official and authority_holder(official, day)),
        _authority(superior_of(employee, day)),
    )
    route = submission_route(employee, day)
    got = (route.official and route.official.pk, _authority(route.official_authority), _authority(route.superior))
    assert got == expected, (employee.name, day)
    return route


def _everyone():
    return list(Employee.objects.order_by("pk"))


def test_same_route_for_everyone_on_every_day(people):
    for employee in _everyone():
        for day in DAYS:
            _assert_same(employee, day)
    route = _assert_same(people["staff"]["SUB1"], DAYS[0])
    assert (
        route.superior.employee == people["heads"]["SUB1"]
        and route.official_authority.employee == people["heads"]["DIR1"]
    )
    # below a unit without a head: the head of the unit above; a director's official is the next one up
    assert _assert_same(people["staff"]["SEK1"], DAYS[0]).superior.employee == people["heads"]["SUB1"]
    assert _assert_same(people["heads"]["DIR1"], DAYS[0]).official_authority.employee == people["heads"]["DJ1"]
    route = _assert_same(people["heads"]["KEM"], DAYS[0])
    assert route.official is None and route.superior is None


def test_explicit_superior_vacancies_and_second_holders(people):
    staff, heads, org = people["staff"]["SUB1"], people["heads"], people["org"]
    staff.supervisor = heads["DIR2"]
    staff.save()
    assert _assert_same(staff, DAYS[0]).superior.employee == heads["DIR2"]
    heads["DIR2"].active = False
    heads["DIR2"].save()
    assert _assert_same(staff, DAYS[0]).superior.employee == heads["SUB1"]
    heads["SUB1"].position = None  # the head position is vacant
    heads["SUB1"].save()
    factories.EmployeeFactory(unit=org["DIR1"], position=org["DIR1"].head_position, name="Kepala Kedua")
    inactive = factories.EmployeeFactory(unit=org["DJ1"], position=org["DJ1"].head_position, active=False)
    assert inactive.pk > heads["DJ1"].pk
    for employee in _everyone():
        _assert_same(employee, DAYS[0])
    assert _assert_same(staff, DAYS[0]).superior.employee == heads["DIR1"]  # the lowest pk of the two holders


def test_delegations_in_force_latest_first_and_only_active_acting_officials(people):
    staff, heads, org = people["staff"], people["heads"], people["org"]
    sub1, dir1 = org["SUB1"].head_position, org["DIR1"].head_position
    plt = Delegation.objects.create(
        position=sub1, acting=heads["DIR2"], kind="Plt",
        start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 31), decree_number="SK-1/2026",
    )  # fmt: skip
    plh = Delegation.objects.create(
        position=sub1, acting=staff["DIR2"], kind="Plh",
        start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 12), decree_number="ND-7",
    )  # fmt: skip
    # the employee is Plh of their own superior's position, and of the official's: neither is their own superior
    Delegation.objects.create(
        position=dir1, acting=staff["SUB1"], kind="Plh",
        start_date=dt.date(2026, 3, 11), end_date=dt.date(2026, 3, 11), decree_number="ND-8",
    )  # fmt: skip
    for employee in _everyone():
        for day in DAYS:
            _assert_same(employee, day)
    route = _assert_same(staff["SUB1"], dt.date(2026, 3, 10))
    assert route.superior.employee == staff["DIR2"] and route.superior.delegation == plh
    route = _assert_same(staff["SUB1"], dt.date(2026, 3, 11))
    assert route.official_authority.employee == staff["SUB1"]
    staff["DIR2"].active = False
    staff["DIR2"].save()
    assert _assert_same(staff["SUB1"], dt.date(2026, 3, 10)).superior.delegation == plt
    Delegation.objects.create(
        position=sub1, acting=staff["SUB1"], kind="Plh",
        start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 10), decree_number="ND-9",
    )  # fmt: skip
    assert _assert_same(staff["SUB1"], dt.date(2026, 3, 10)).superior.employee == heads["DIR1"]


@pytest.mark.parametrize("seed", range(4))
def test_random_delegations(people, seed):
    """Many overlapping delegations, some of inactive acting officials, some starting on the same day."""
    rnd = random.Random(seed)
    positions = [u.head_position for u in people["org"].values() if u.head_position_id]
    everyone = _everyone()
    for i in range(10):
        start = dt.date(2026, 3, 1) + dt.timedelta(days=rnd.randrange(0, 12, 3))
        Delegation.objects.create(
            position=rnd.choice(positions),
            acting=rnd.choice(everyone),
            kind=rnd.choice(["Plt", "Plh"]),
            start_date=start,
            end_date=start + dt.timedelta(days=rnd.randrange(0, 10)),
            decree_number=f"ND-{i}",
        )
    for employee in rnd.sample(everyone, 3):
        employee.active = False
        employee.save()
    delegated = 0
    for employee in everyone:
        for day in DAYS:
            route = _assert_same(employee, day)
            delegated += any(a and a.delegation for a in (route.superior, route.official_authority))
    assert delegated  # the delegations decided some routes


@pytest.mark.parametrize("level", [0, 1, 3, 4])
def test_the_configured_official_level(people, settings, level):
    settings.SERAMBI_LEAVE_OFFICIAL_LEVEL = level
    for employee in _everyone():
        _assert_same(employee, DAYS[0])


def test_one_query_whatever_the_depth_and_the_notifications_need_none(people):
    staff, org = people["staff"], people["org"]
    Delegation.objects.create(
        position=org["SUB1"].head_position, acting=staff["DIR2"], kind="Plh",
        start_date=DAYS[0], end_date=DAYS[0], decree_number="ND-1",
    )  # fmt: skip
    for employee in (staff["KEM"], staff["SUB1"], staff["SEK1"]):
        employee = Employee.objects.select_related("unit", "supervisor__user", "user").get(pk=employee.pk)
        with queries(at_most=1):
            route = submission_route(employee, DAYS[0])
            for authority in (route.official_authority, route.superior):
                if authority is not None:
                    assert authority.employee.user.email  # what `notify` reads of the recipient
                    assert authority.delegation is None or authority.acting_for.name
    assert route.superior.employee == staff["DIR2"]


def test_the_query_is_compiled_once_per_depth_and_run_with_each_chains_paths_and_date(people, monkeypatch):
    """Building and compiling the chain query costs more than running it: it is compiled once per chain length, and
    every later chain of that length (another unit, another date, new delegations) gets its own answers."""
    monkeypatch.setattr(routing, "_COMPILED", {})
    staff, org = people["staff"], people["org"]
    _assert_same(staff["SUB1"], DAYS[0])
    compiled = dict(routing._COMPILED)
    Delegation.objects.create(
        position=org["SUB1"].head_position, acting=staff["DIR2"], kind="Plt",
        start_date=DAYS[2], end_date=DAYS[3], decree_number="ND-9",
    )  # fmt: skip
    for day in DAYS:
        for employee in _everyone():
            _assert_same(employee, day)
    depths = {len(chain_paths(e.unit)) for e in _everyone()}
    assert len(depths) > 1 and set(routing._COMPILED) == {(connection.alias, n) for n in depths}
    assert all(routing._COMPILED[key] is found for key, found in compiled.items())  # not compiled again
    assert _assert_same(staff["SUB1"], DAYS[2]).superior.employee == staff["DIR2"]
