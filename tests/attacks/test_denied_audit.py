"""Refused attempts leave a trace: every role-restricted route (derived from the URL resolver) answers a plain
employee 403 and audits it; looking at someone else's leave request or letter, adjusting the balance of an employee
outside one's HR scope and downloading a training or policy report without scope are audited too. A person hammering
a refused route cannot flood the chain: the 1st, 2nd, 4th, 8th … attempt in a window is written, with the count."""

import datetime as dt

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from hr.org.models import HRScope
from intranet.audit.models import AuditEntry
from tests import factories
from tests.intranet.security.routes import ADMIN_PREFIXES, all_routes, sample_path

pytestmark = pytest.mark.django_db


def role_routes() -> list[tuple[str, str]]:
    """(name, sample path) of every route whose view states `role_required`."""
    found = []
    for route, name in all_routes():
        if not name or route.startswith(ADMIN_PREFIXES):
            continue
        path = sample_path(route)
        try:
            match = resolve(path)
        except Exception:  # noqa: BLE001, S112 - a sample that does not resolve back is not a role route
            continue
        if str(getattr(match.func, "serambi_access", "")).startswith("roles:"):
            found.append((name, path))
    return found


ROLE_ROUTES = role_routes()


@pytest.fixture
def employee(org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return factories.EmployeeFactory(unit=org["SUB1"])


def test_role_routes_were_found():
    names = {name for name, _path in ROLE_ROUTES}
    assert {"leave:hr", "leave:hr_adjust", "documents:create", "payslips:batches", "audit:search"} <= names


@pytest.mark.parametrize(("name", "path"), ROLE_ROUTES, ids=[n for n, _p in ROLE_ROUTES])
def test_a_role_403_is_audited(client, employee, name, path):
    client.force_login(employee.user)
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="access.denied.role", actor=employee.user)
    assert entry.outcome == "denied" and entry.object_id == resolve(path).view_name
    assert entry.details["reason"] == "role" and entry.details["path"] == path


def test_hammering_a_refused_route_writes_a_logarithmic_trail(client, employee):
    client.force_login(employee.user)
    for _ in range(100):
        assert client.get(reverse("leave:hr")).status_code == 403
    counts = list(
        AuditEntry.objects.filter(action="access.denied.role", actor=employee.user)
        .order_by("seq")
        .values_list("details__attempts_in_window", flat=True)
    )
    assert counts == [None, 2, 4, 8, 16, 32, 64]


def test_someone_elses_leave_request_and_letter_are_audited(client, org, employee):
    from hr.leave.models import LeaveRequest, LeaveType

    other = factories.EmployeeFactory(unit=org["DIR2"])
    start = timezone.localdate() + dt.timedelta(days=30)
    req = LeaveRequest.objects.create(
        employee=other, leave_type=LeaveType.objects.filter(active=True).first(), start_date=start, end_date=start,
        days=1, reason="x", address_during_leave="x", phone_during_leave="x",
    )
    client.force_login(employee.user)
    assert client.get(reverse("leave:detail", args=[req.pk])).status_code == 404
    assert client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "approve"}).status_code == 404
    assert client.get(reverse("leave:letter", args=[999])).status_code == 404
    denied = AuditEntry.objects.filter(actor=employee.user, outcome="denied")
    assert denied.filter(action="leave.request.denied", object_id=str(req.pk)).count() == 2
    assert denied.filter(action="leave.letter.denied", object_id="999").exists()


def test_an_out_of_scope_balance_adjustment_is_audited(client, org):
    officer = factories.EmployeeFactory(unit=org["DIR2"])
    factories.give_scope(officer.user, org["DIR2"], HRScope.Kind.HR)
    target = factories.EmployeeFactory(unit=org["SUB1"])
    client.force_login(officer.user)
    response = client.post(
        reverse("leave:hr_adjust"), {"employee": target.pk, "year": 2030, "days": 5, "reason": "titipan"}
    )
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="leave.ledger.adjust.denied", actor=officer.user)
    assert entry.outcome == "denied" and entry.object_id == str(target.pk) and entry.details["reason"] == "out of scope"


@pytest.mark.parametrize("kind", ["training", "policy"])
def test_report_downloads_are_audited_and_refused_ones_too(client, org, kind):
    from tests.cms.conftest import add_course, add_policy, person

    page = add_course("Orientasi ASN") if kind == "training" else add_policy("Kode Etik Pegawai")
    hr = person(org["DIR1"])
    factories.give_scope(hr, org["DIR1"])
    outsider = person(org["SUB1"])
    client.force_login(outsider)
    assert client.get(page.url + "laporan/csv/").status_code == 403
    refused = AuditEntry.objects.get(action=f"{kind}.report.denied", actor=outsider)
    assert refused.outcome == "denied" and refused.details["reason"] == "no HR scope"
    client.force_login(hr)
    for fmt in ("csv", "xlsx"):
        assert client.get(page.url + f"laporan/{fmt}/").status_code == 200
    downloads = AuditEntry.objects.filter(action=f"{kind}.report.download", actor=hr, outcome="allowed")
    assert sorted(downloads.values_list("details__format", flat=True)) == ["csv", "xlsx"]


def test_a_refused_leave_decision_and_an_unauthorised_one_are_audited(client, org, settings):
    from hr.leave import services
    from tests.attacks.segregation_fixtures import make_world, next_year_monday

    world = make_world(org, settings)
    services.allocate_year(year=world.year, employee_ids=[world.staff[0].pk])
    start = next_year_monday(world.year)
    req = services.leave_request_submit(
        employee=world.staff[0], leave_type=world.annual, start_date=start, end_date=start,
        reason="Keperluan keluarga", address_during_leave="Jl. Melati 2", phone_during_leave="0812 3456 7890",
    )
    client.force_login(world.hr_other.user)  # HR in scope sees the request but decides nothing
    client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "approve"})
    denied = AuditEntry.objects.get(action="leave.action.denied", actor=world.hr_other.user)
    assert denied.outcome == "denied" and denied.details["reason"] == "not the deciding official"

    client.force_login(world.head.user)  # the superior refuses, with a reason
    client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "refuse", "reason": "Tenggat laporan"})
    entry = AuditEntry.objects.get(action="leave.decision.refuse", actor=world.head.user)
    assert entry.subject_employee == world.staff[0] and entry.details["reason"] == "Tenggat laporan"
